"""Bounded resources for MARCReader: ``workers=`` is checked (a clear error
past ``MAX_WORKERS``, a warning where it has no effect), the shared pool is
sized by ``RAYON_NUM_THREADS`` within the same bound, and a path that is
really a file's contents gives a short message.

Threads are counted by name in ``/proc/self/task`` (Linux), where the
reader's threads are ``pymrrc-read``, ``pymrrc-parse-N`` (a reader's own
pool) and ``pymrrc-pool-N`` (the shared pool).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import warnings

import pymarc
import pytest

import pymrrc
from pymrrc.reader import MAX_WORKERS



def _record():
    """A small valid record: 001 and 245."""
    bodies = [(b"001", b"x\x1e"), (b"245", b"10\x1faA title.\x1e")]
    directory, offset = b"", 0
    for tag, body in bodies:
        directory += tag + b"%04d%05d" % (len(body), offset)
        offset += len(body)
    base = 24 + len(directory) + 1
    length = base + offset + 1
    leader = b"%05dnam a22%05d a 4500" % (length, base)
    return leader + directory + b"\x1e" + b"".join(b for _, b in bodies) + b"\x1d"


GOOD = _record()

needs_proc = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs /proc")


def thread_names():
    names = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/comm") as comm:
                names.append(comm.read().strip())
        except OSError:
            pass
    return names


def counted(prefix):
    return sum(name.startswith(prefix) for name in thread_names())


@pytest.fixture
def records_file(tmp_path):
    path = tmp_path / "records.mrc"
    path.write_bytes(GOOD * 5000)
    return path


def test_max_workers_is_documented():
    assert MAX_WORKERS == 256
    assert "MAX_WORKERS" in pymrrc.MARCReader.__doc__


@pytest.mark.parametrize("workers", [0, -1, MAX_WORKERS + 1, 1000, 10**6, 10**30])
@pytest.mark.parametrize("kind", ["path", "bytes", "file"])
def test_worker_counts_out_of_range_are_refused(records_file, workers, kind):
    target = {"path": str(records_file), "bytes": GOOD, "file": io.BytesIO(GOOD)}[kind]
    before = counted("pymrrc-")
    with pytest.raises(ValueError, match=rf"workers must be from 1 to {MAX_WORKERS}"):
        pymrrc.MARCReader(target, workers=workers)
    assert counted("pymrrc-") == before, "threads were started for a refused reader"


@pytest.mark.parametrize("workers", ["2", 2.0, True, [2]])
def test_worker_counts_that_are_not_ints_are_refused(records_file, workers):
    with pytest.raises(TypeError, match="workers must be an int or None"):
        pymrrc.MARCReader(str(records_file), workers=workers)


@needs_proc
def test_the_largest_pool_reads_and_stops(records_file):
    """``workers=MAX_WORKERS`` starts at most that many threads, which end
    with the reader."""
    peak = 0
    reader = pymrrc.MARCReader(str(records_file), workers=MAX_WORKERS)
    for count, record in enumerate(reader):
        assert record is not None
        if count % 500 == 0:
            peak = max(peak, counted("pymrrc-parse"))
    assert count == 4999
    # (The pool may come and go between two looks: only the bound is sure.)
    assert peak <= MAX_WORKERS
    reader.close()
    del reader
    deadline = time.monotonic() + 10
    while counted("pymrrc-parse") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert counted("pymrrc-parse") == 0


@pytest.mark.parametrize("kind", ["bytes", "file"])
def test_workers_on_targets_it_does_not_apply_to_warns(kind):
    def target():
        return GOOD if kind == "bytes" else io.BytesIO(GOOD)

    with pytest.warns(UserWarning, match="workers=.... has no effect on bytes or a file object"):
        reader = pymrrc.MARCReader(target(), workers=4)
    assert [r.as_marc() for r in reader] == [r.as_marc() for r in pymarc.MARCReader(target())]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pymrrc.MARCReader(target(), workers=1)
        pymrrc.MARCReader(target())


POOL_PROBE = r"""
import os, sys, time
import pymrrc


def pool_threads():
    names = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/comm") as comm:
                names.append(comm.read().strip())
        except FileNotFoundError:
            pass  # a thread that ended after the listing (the file's reader)
    return sum(n.startswith("pymrrc-pool") for n in names)


reader = pymrrc.MARCReader(sys.argv[1])
next(reader)
# Each thread names itself once it runs: wait until the count holds still.
last, still, deadline = -1, 0, time.monotonic() + 20
while time.monotonic() < deadline and not (last > 0 and still >= 30):
    count = pool_threads()
    still = still + 1 if count == last else 0
    last = count
    time.sleep(0.01)
print(last)
"""


@needs_proc
@pytest.mark.parametrize(("value", "expected"), [
    ("3", 3), ("100000", MAX_WORKERS), ("0", None), ("many", None), (None, None),
])
def test_shared_pool_size_from_rayon_num_threads(records_file, value, expected):
    """``RAYON_NUM_THREADS`` sizes the shared pool (capped at MAX_WORKERS);
    unset, zero or not a number: one thread per core."""
    env = dict(os.environ)
    env.pop("RAYON_NUM_THREADS", None)
    if value is not None:
        env["RAYON_NUM_THREADS"] = value
    done = subprocess.run([sys.executable, "-c", POOL_PROBE, str(records_file)],
                          capture_output=True, text=True, env=env, timeout=120, check=True)
    assert int(done.stdout) == (expected if expected is not None else os.cpu_count())


def test_records_passed_as_str_give_a_short_message():
    """A ``str`` is a path to pymrrc (compat-tests/DIVERGENCES.md, D2); one
    holding a whole file's records gives an OSError whose message is cut,
    and says what to do. pymarc fails on the first ``next()``."""
    text = (GOOD * 5000).decode("ascii")
    with pytest.raises(AttributeError):
        next(pymarc.MARCReader(text))
    with pytest.raises(OSError) as info:
        pymrrc.MARCReader(text)
    message = str(info.value)
    assert len(message) < 400, message
    assert "File name too long" in message
    assert "pass records held in memory as bytes" in message
    assert f"{len(text):,} characters" in message
    assert info.value.filename.startswith(text[:100])


def test_short_paths_are_shown_whole(tmp_path):
    missing = tmp_path / ("x" * 150)
    with pytest.raises(FileNotFoundError) as info:
        pymrrc.MARCReader(str(missing))
    assert info.value.filename == str(missing)
