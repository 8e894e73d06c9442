"""MARCReader under Python threads: what threads share.

* One reader shared by several threads calling ``next()`` concurrently gives
  each record exactly once, or raises a clean Python exception (pyo3's
  ``RuntimeError: Already borrowed`` while another thread is inside
  ``next()``); never a crash, a hang, a duplicate or a corrupted record.
* Records made by a reader can be used from several threads at once,
  including their first use.
* Path readers abandoned part-way (``del`` + ``gc.collect()``, or
  ``close()``) stop their Rust threads: the process thread count
  (``/proc/self/status``) returns to its starting value; readers in
  reference cycles are collected.

Every wait is bounded, so a deadlock fails the test instead of hanging the
run.
"""

from __future__ import annotations

import collections
import functools
import gc
import os
import subprocess
import sys
import threading
import time

import pytest

import pymrrc

from threads_support import (  # noqa: F401
    REPO,
    TIMEOUT,
    corpus,
    make_reader,
    reference,
    run_threads,
    small_corpus,
)


# -- one reader shared by several threads -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["path", "path-w1", "file", "bytes"])
@pytest.mark.parametrize("threads", [2, 4, 8])
def test_shared_reader_gives_each_record_once(small_corpus, threads, kind):
    corpus, marcs = small_corpus
    position = {marc: index for index, marc in enumerate(marcs)}
    unique = len(position) == len(marcs)
    reader = make_reader(kind, corpus)

    def work(_):
        got, busy, other = [], 0, []
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                record = next(reader)
            except StopIteration:
                break
            except RuntimeError as exc:
                # Another thread is inside next(): a clean refusal; retry.
                if "borrow" not in str(exc).lower():
                    other.append(repr(exc))
                    break
                busy += 1
                time.sleep(0.0001)
                continue
            except Exception as exc:  # noqa: BLE001 - reported below
                other.append(repr(exc))
                break
            got.append(None if record is None else record.as_marc())
        else:
            other.append("thread ran out of time")
        return got, busy, other

    try:
        results = run_threads(threads, work)
    finally:
        reader.close()
    others = [o for _, _, other in results for o in other]
    assert not others, f"unexpected exceptions: {others[:5]}"
    everything = [marc for got, _, _ in results for marc in got]
    assert None not in everything, "a record was corrupted into None"
    counts = collections.Counter(everything)
    duplicates = [m[:40] for m, c in counts.items() if c > counts_expected(marcs)[m]]
    assert not duplicates, f"records handed out twice: {duplicates[:3]}"
    assert counts == counts_expected(marcs), "records missing or corrupted"
    if unique:
        for got, _, _ in results:
            indices = [position[m] for m in got]
            assert indices == sorted(indices), "a thread saw records out of file order"


@functools.lru_cache(maxsize=4)
def _counts(marcs_tuple):
    return collections.Counter(marcs_tuple)


def counts_expected(marcs):
    return _counts(tuple(marcs))


# -- records used from several threads ---------------------------------------------------------------


@pytest.mark.parametrize("operation", ["as_marc", "str", "title", "mixed"])
def test_records_shared_between_threads(corpus, reference, operation):
    """Records that a reader made (and that nobody touched yet) are used by
    four threads at once, as plain pymarc records can be."""
    marcs, strs = reference
    records = list(pymrrc.MARCReader(str(corpus)))[:3000]
    titles = [r.title for r in pymrrc.MARCReader(str(corpus))][:3000]

    def one(op, index):
        record = records[index]
        if op == "as_marc":
            return record.as_marc() == marcs[index]
        if op == "str":
            return index not in strs or str(record) == strs[index]
        return record.title == titles[index]

    def work(i):
        errors = collections.Counter()
        wrong = 0
        ops = ["as_marc", "str", "title"]
        for index in range(len(records)):
            op = ops[(index + i) % 3] if operation == "mixed" else operation
            try:
                if not one(op, index):
                    wrong += 1
            except BaseException as exc:  # noqa: BLE001 - includes pyo3's PanicException
                errors[f"{op}: {type(exc).__name__}: {str(exc)[:80]}"] += 1
        return wrong, dict(errors)

    results = run_threads(4, work)
    assert results == [(0, {})] * 4, f"(wrong values, exceptions) per thread: {results}"


FIRST_USE_SCRIPT = r"""
import collections, json, sys, threading
from concurrent.futures import ThreadPoolExecutor
import pymrrc

records = list(pymrrc.MARCReader(sys.argv[1]))[:1000]
barrier = threading.Barrier(4)
seen = collections.Counter()

def work(_):
    for record in records:
        barrier.wait(60)  # all four threads start on the same record
        try:
            str(record)
        except BaseException as exc:
            seen[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1

with ThreadPoolExecutor(4) as pool:
    for future in [pool.submit(work, i) for i in range(4)]:
        future.result(timeout=60)
print(json.dumps(seen))
"""


def test_first_use_of_a_record_from_several_threads(corpus):
    """Four threads call str() on the same fresh record at the same moment
    (one record after another), so that they meet inside the record's
    first use (building its fields).  Each run is a fresh interpreter,
    where this interleaving is most likely."""
    failures = []
    for _ in range(3):
        try:
            proc = subprocess.run(
                [sys.executable, "-c", FIRST_USE_SCRIPT, str(corpus)],
                capture_output=True, text=True, timeout=TIMEOUT, cwd=str(REPO), check=False,
                env={**os.environ, "RUST_BACKTRACE": "0"},
            )
        except subprocess.TimeoutExpired:
            failures.append("hung")
            continue
        lines = proc.stdout.strip().splitlines()
        if proc.returncode != 0 or not lines:
            failures.append(f"exit {proc.returncode}: {proc.stderr[-500:]}")
        elif lines[-1] != "{}":
            failures.append(lines[-1])
    assert not failures, f"exceptions from str() of records shared by threads: {failures}"


# -- abandoned readers and Rust threads -------------------------------------------------------------------


def process_threads() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    raise AssertionError("no Threads: line")


def settle(limit, timeout=20.0):
    """Waits (collecting garbage) until the thread count is at most
    ``limit``; returns the last count."""
    deadline = time.monotonic() + timeout
    while True:
        gc.collect()
        now = process_threads()
        if now <= limit or time.monotonic() > deadline:
            return now
        time.sleep(0.05)


needs_proc = pytest.mark.skipif(
    not os.path.exists("/proc/self/status"), reason="needs /proc/self/status (Linux)"
)


@needs_proc
def test_abandoned_path_readers_stop_their_threads(corpus):
    # Start rayon's global pool (it lives as long as the process).
    for _ in pymrrc.MARCReader(str(corpus)):
        pass
    base = settle(0, timeout=1.0)
    # The measurement sees a live reader's threads (a reader and 3 workers).
    alive = pymrrc.MARCReader(str(corpus), workers=3)
    next(alive)
    assert process_threads() >= base + 4
    del alive
    assert settle(base + 1) <= base + 1

    def abandon(i):
        workers = (None, 1, 3, 2)[i % 4]
        reader = pymrrc.MARCReader(str(corpus), workers=workers)
        for _ in range((0, 1, 5, 600, 3000)[i % 5]):
            next(reader)
        if i % 3 == 0:
            reader.close()
        del reader
        gc.collect()
        return True

    # One after another, in this thread.
    for i in range(40):
        abandon(i)
    after_sequential = settle(base + 1)
    # Many alive at once, then dropped together.
    readers = [pymrrc.MARCReader(str(corpus), workers=(None, 1, 3)[i % 3]) for i in range(30)]
    for i, reader in enumerate(readers):
        for _ in range(i * 37 % 700):
            next(reader)
    del readers, reader
    after_bulk = settle(base + 1)
    # From several Python threads at once.
    assert all(run_threads(4, lambda i: all(abandon(i * 10 + k) for k in range(10))))
    after_threads = settle(base + 1)
    assert (after_sequential, after_bulk, after_threads) <= (base + 1,) * 3, (
        f"thread count {base} at the start; {after_sequential} after sequential, "
        f"{after_bulk} after bulk, {after_threads} after threaded abandonment"
    )


@needs_proc
def test_exhausted_and_failed_path_readers_stop_their_threads(corpus, tmp_path):
    for _ in pymrrc.MARCReader(str(corpus)):
        pass
    base = settle(0, timeout=1.0)
    broken = tmp_path / "broken.mrc"
    data = corpus.read_bytes()
    broken.write_bytes(data[: len(data) // 3] + b"xx" + data[len(data) // 3:])
    kept = []
    for workers in (None, 1, 4):
        for path in (corpus, broken):
            reader = pymrrc.MARCReader(str(path), workers=workers)
            items = list(reader)
            assert items
            kept.append(reader)  # exhausted but still referenced
    at_end = settle(base + 1)
    del kept, reader
    after = settle(base + 1)
    assert (at_end, after) <= (base + 1, base + 1), (base, at_end, after)


def test_gc_of_readers_in_reference_cycles(corpus):
    """A reader kept alive by a cycle is collected by gc without a hang."""
    done = threading.Event()

    def work():
        for i in range(20):
            reader = pymrrc.MARCReader(str(corpus), workers=(None, 1, 2)[i % 3])
            next(reader)
            reader.cycle = reader
            del reader
        gc.collect()
        done.set()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    assert done.wait(TIMEOUT), "collecting abandoned readers hung"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
