"""``JSONReader`` on a large document: with ``stream=True`` it reads one
record at a time in bounded memory (compat-tests/DIVERGENCES.md, D17);
without, Ctrl-C stops its parse of the whole document.

A generated document of about 40 MB is read in a fresh interpreter, given
as a path and as a binary file object: every record comes back, and
neither the process's peak resident memory nor Python's own allocations
(tracemalloc) grow by anything near the document's size. Reading it
without ``stream=True`` (the whole document held, as pymarc holds it)
is measured the same way, so the test shows the difference it makes.
"""

import json
import subprocess
import sys

import pytest

LEADER = "00000nam a2200000   4500"
RECORDS = 16_000

SCRIPT = r"""
import io, resource, sys, tracemalloc
import pymrrc

path, how = sys.argv[1], sys.argv[2]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
if how == "path":
    reader = pymrrc.JSONReader(path, stream=True)
elif how == "binary":
    reader = pymrrc.JSONReader(open(path, "rb"), stream=True)
else:
    reader = pymrrc.JSONReader(path)
count = titles = 0
for record in reader:
    count += 1
    titles += record["245"]["a"].startswith("Title")
peak = tracemalloc.get_traced_memory()[1]
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) * 1024
print(count, titles, peak, grown)
"""


def _record(i: int) -> dict:
    fields = [{"001": f"rec{i:08d}"}, {"008": "x" * 40}]
    fields += [{"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": f"Title {i}"}, {"c": "by someone"}]}}]
    fields += [{"500": {"ind1": " ", "ind2": " ", "subfields": [{"a": f"Note {n} " + "é" * 30}]}} for n in range(25)]
    return {"leader": LEADER, "fields": fields}


@pytest.fixture(scope="module")
def big_document(tmp_path_factory):
    path = tmp_path_factory.mktemp("json") / "big.json"
    with open(path, "w", encoding="utf-8") as out:
        out.write("[\n")
        for i in range(RECORDS):
            out.write(("," if i else "") + json.dumps(_record(i), ensure_ascii=False) + "\n")
        out.write("]\n")
    return path


def _read(path, how):
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(path), how],
                          capture_output=True, text=True, timeout=300, check=True)
    return [int(n) for n in done.stdout.split()]


@pytest.mark.parametrize("how", ["path", "binary"])
def test_streaming_holds_one_record_at_a_time(big_document, how):
    size = big_document.stat().st_size
    assert size > 30 << 20
    count, titles, peak, grown = _read(big_document, how)
    assert count == titles == RECORDS
    assert peak < size // 10, f"tracemalloc peak {peak} for a document of {size} bytes"
    assert grown < size // 4, f"resident memory grew by {grown} for a document of {size} bytes"


def test_reading_the_whole_document_holds_it(big_document):
    # What stream=True saves: without it the document is held, as in pymarc.
    size = big_document.stat().st_size
    count, _, peak, grown = _read(big_document, "whole")
    assert count == RECORDS
    assert max(peak, grown) > size // 2


INTERRUPT = r"""
import os, signal, sys, threading, time
from pymrrc import _json_native

text = open(sys.argv[1], encoding="utf-8").read()
start = time.perf_counter()
assert _json_native.parse(text) is not None
whole = time.perf_counter() - start
threading.Timer(whole / 10, os.kill, (os.getpid(), signal.SIGINT)).start()
start = time.perf_counter()
try:
    _json_native.parse(text)
except KeyboardInterrupt:
    print("interrupted", whole, time.perf_counter() - start)
else:
    print("finished", whole, time.perf_counter() - start)
"""


def test_ctrl_c_stops_the_parse_of_a_whole_document(big_document):
    done = subprocess.run([sys.executable, "-c", INTERRUPT, str(big_document)],
                          capture_output=True, text=True, timeout=300, check=True)
    outcome, whole, interrupted = done.stdout.split()
    assert outcome == "interrupted", done.stdout
    assert float(interrupted) < float(whole) * 0.6, done.stdout
