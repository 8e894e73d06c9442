"""Ctrl-C while a loop driven from C reads records: pymarc and pymrrc.

``list(MARCReader(...))`` runs no Python bytecode between records, so
Python's signal handlers run only where the reader looks for signals.
pymarc's reader is Python code and raises ``KeyboardInterrupt`` within a few
milliseconds; pymrrc's must too, on every backend (for a path, also while it
waits for the background threads with the GIL released), and the background
threads of a path reader must stop.

Each case runs in a fresh interpreter, which interrupts itself with SIGINT
while ``list(MARCReader(...))`` reads a million small records (built here,
about 100 MB), and reports how long after the signal ``KeyboardInterrupt``
came.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

import pymrrc_compat_diff as diff  # registered by compat-tests/conftest.py

#: Records in the file (each about 100 bytes).
RECORDS = 1_000_000
#: The longest a reader may take to raise KeyboardInterrupt after SIGINT.
LIMIT_S = 0.100

#: argv: library, backend, path, delay. Prints a JSON report.
SCRIPT = r"""
import importlib, json, os, signal, sys, threading, time

library, backend, path, delay = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
module = importlib.import_module(library)


def reader_threads():
    names = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/comm") as comm:
                names.append(comm.read().strip())
        except OSError:
            pass
    return [n for n in names if n.startswith(("pymrrc-read", "pymrrc-parse"))]


if backend == "bytes":
    with open(path, "rb") as handle:
        target = handle.read()
elif backend == "file":
    target = open(path, "rb")
else:
    target = path
kwargs = {"workers": 1} if backend == "path-workers=1" else {}
sent = []


def interrupt():
    time.sleep(delay)
    sent.append(time.monotonic())
    os.kill(os.getpid(), signal.SIGINT)


threading.Thread(target=interrupt, daemon=True).start()
report = {}
try:
    records = list(module.MARCReader(target, **kwargs))
    report["finished"] = len(records)
except KeyboardInterrupt:
    report["latency"] = time.monotonic() - sent[0]
# The reader is gone: its threads end.
deadline = time.monotonic() + 5
while reader_threads() and time.monotonic() < deadline:
    time.sleep(0.01)
report["threads_left"] = reader_threads()
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def million(tmp_path_factory, pymarc_test_dir):
    """A file of a million small records (one short record repeated)."""
    record = diff.encode_record(b"00000nam a2200000 a 4500",
                                [(b"001", b"x"), (b"245", b"10\x1faA title.")])
    assert 60 < len(record) < 150
    path = tmp_path_factory.mktemp("interrupt") / "million.mrc"
    with open(path, "wb") as out:
        block = record * 10_000
        for _ in range(RECORDS // 10_000):
            out.write(block)
    return path


def run(library, backend, path, delay):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, library, backend, str(path), str(delay)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(("library", "backend"), [
    ("pymarc", "file"),
    ("pymrrc", "path"),
    ("pymrrc", "path-workers=1"),
    ("pymrrc", "bytes"),
    ("pymrrc", "file"),
])
def test_interrupt_during_list(million, library, backend):
    report = run(library, backend, million, delay=0.15)
    assert "finished" not in report, f"read all {RECORDS:,} records before the signal came"
    assert report["latency"] < LIMIT_S, f"KeyboardInterrupt came {report['latency']:.3f} s after SIGINT"
    assert report["threads_left"] == []


def test_interrupt_while_waiting_for_a_stalled_fifo(tmp_path, million):
    """A path reader waiting for its reading thread (a FIFO whose writer
    stalls after some records) answers Ctrl-C as well."""
    fifo = tmp_path / "records.fifo"
    os.mkfifo(fifo)
    data = million.read_bytes()[: 200 * 1024]

    def feed():
        with open(fifo, "wb") as out:
            out.write(data)
            out.flush()
            time.sleep(3)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        report = run("pymrrc", "path", fifo, delay=0.5)
    finally:
        writer.join(30)
    assert report["latency"] < LIMIT_S, f"KeyboardInterrupt came {report['latency']:.3f} s after SIGINT"
