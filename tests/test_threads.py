"""MARCReader under Python threads.

* Several threads, each with its own reader over the same corpus file (path
  backend with the default pool and with ``workers=1``, file-object backend,
  bytes backend), all get the records of a sequential read, then
  ``StopIteration`` on every further ``next()``.
* An exception raised by a file object's ``read()`` in the middle of the file
  comes out of ``next()`` (no deadlock), in one thread or in several.
* One reader shared by several threads calling ``next()`` concurrently gives
  each record exactly once, or raises a clean Python exception (pyo3's
  ``RuntimeError: Already borrowed`` while another thread is inside
  ``next()``); never a crash, a hang, a duplicate or a corrupted record.
* Records made by a reader can be used from several threads at once.
* Path readers abandoned part-way (``del`` + ``gc.collect()``, or
  ``close()``) stop their Rust threads: the process thread count
  (``/proc/self/status``) returns to its starting value.

Every wait is bounded (``future.result(timeout=60)``), so a deadlock fails
the test instead of hanging the run.  The corpus is the first 10,000 LoC
records from ``$PYMRRC_CACHE`` (default ``~/.cache/marc-corpus``) or
``shared/corpus/get-loc-corpus.sh``; the tests skip when it is unavailable.
"""

from __future__ import annotations

import collections
import functools
import gc
import io
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import pymrrc

REPO = Path(__file__).resolve().parents[1]
CORPUS_RECORDS = 10000
TIMEOUT = 60
STR_EVERY = 10  # str(record) is compared for every 10th record


# -- the corpus -----------------------------------------------------------------------


from data_support import corpus_slice  # noqa: E402


@pytest.fixture(scope="module")
def corpus() -> Path:
    path = corpus_slice(CORPUS_RECORDS)
    if isinstance(path, str):
        pytest.skip(path)
    return path


def raw_chunks(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(data):
        length = int(data[pos:pos + 5])
        out.append(data[pos:pos + length])
        pos += length
    return out


@pytest.fixture(scope="module")
def reference(corpus):
    """A sequential, single-threaded read: as_marc() of every record and
    str() of every STR_EVERY-th one."""
    data = corpus.read_bytes()
    marcs, strs = [], {}
    for index, record in enumerate(pymrrc.MARCReader(io.BytesIO(data))):
        assert record is not None
        marcs.append(record.as_marc())
        if index % STR_EVERY == 0:
            strs[index] = str(record)
    # The corpus is clean, so records re-encode to their own bytes.
    assert marcs == raw_chunks(data)
    return marcs, strs


SHARED_RECORDS = 3000


@pytest.fixture(scope="module")
def small_corpus(corpus, reference, tmp_path_factory):
    """The first SHARED_RECORDS records (about 3 MB: several batches and
    several 1 MB reads), with their as_marc() values."""
    marcs, _ = reference
    path = tmp_path_factory.mktemp("threads") / f"loc-{SHARED_RECORDS}.mrc"
    path.write_bytes(b"".join(marcs[:SHARED_RECORDS]))
    return path, marcs[:SHARED_RECORDS]


# -- helpers -------------------------------------------------------------------------------


def make_reader(kind: str, path: Path):
    if kind == "path":
        return pymrrc.MARCReader(str(path))
    if kind == "path-w1":
        return pymrrc.MARCReader(str(path), workers=1)
    if kind == "path-w3":
        return pymrrc.MARCReader(str(path), workers=3)
    if kind == "file":
        return pymrrc.MARCReader(open(path, "rb"))
    if kind == "bytes":
        return pymrrc.MARCReader(path.read_bytes())
    raise AssertionError(kind)


def run_threads(count, fn, *args):
    """Runs ``fn(i, *args)`` in ``count`` threads started together; returns
    the results (re-raising the first exception); fails after TIMEOUT s."""
    barrier = threading.Barrier(count)

    def task(i):
        barrier.wait(TIMEOUT)
        return fn(i, *args)

    pool = ThreadPoolExecutor(max_workers=count)
    try:
        futures = [pool.submit(task, i) for i in range(count)]
        results = []
        for future in futures:
            try:
                results.append(future.result(timeout=TIMEOUT))
            except TimeoutError:
                pytest.fail(f"a reader thread did not finish within {TIMEOUT} s (deadlock?)")
        return results
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def check_read(reader, marcs, strs):
    """Reads ``reader`` to its end comparing with the reference; returns a
    list of problems (empty when all is well)."""
    problems = []
    count = 0
    for index, record in enumerate(reader):
        count += 1
        if index >= len(marcs):
            problems.append(f"extra record at {index}")
            break
        if record is None:
            problems.append(f"None at {index}: {reader.current_exception!r}")
            continue
        if record.as_marc() != marcs[index]:
            problems.append(f"as_marc() of record {index} differs")
        if index in strs and str(record) != strs[index]:
            problems.append(f"str() of record {index} differs")
        if len(problems) > 5:
            break
    if count != len(marcs):
        problems.append(f"{count} records instead of {len(marcs)}")
    for attempt in range(3):
        try:
            next(reader)
        except StopIteration:
            continue
        problems.append(f"next() #{attempt + 1} after the end did not raise StopIteration")
    return problems


# -- one reader per thread -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["path", "path-w1", "file", "bytes"])
@pytest.mark.parametrize("threads", [1, 2, 4, 8])
def test_each_thread_reads_its_own_reader(corpus, reference, threads, kind):
    marcs, strs = reference

    def work(_):
        reader = make_reader(kind, corpus)
        try:
            return check_read(reader, marcs, strs)
        finally:
            reader.close()

    results = run_threads(threads, work)
    assert results == [[]] * threads


@pytest.mark.parametrize("kind", ["path", "path-w1", "path-w3", "file"])
def test_threads_reading_at_different_speeds(corpus, reference, kind):
    """Some threads pause between records; all still get every record."""
    marcs, _ = reference

    def work(i):
        reader = make_reader(kind, corpus)
        got = []
        try:
            for index, record in enumerate(reader):
                got.append(record.as_marc())
                if i % 2 and index % 1000 == 0:
                    time.sleep(0.01)
        finally:
            reader.close()
        return got == marcs

    assert run_threads(4, work) == [True] * 4


# -- read() failing mid-file -----------------------------------------------------------------------


class ReadFailure(Exception):
    """What the failing stream raises."""


class FailingStream:
    """A binary stream over ``path`` whose ``read()`` raises once the
    position reaches ``fail_at`` (and keeps raising)."""

    def __init__(self, path, fail_at, seekable):
        self._inner = open(path, "rb")  # noqa: SIM115 - closed in close()
        self._fail_at = fail_at
        self._seekable = seekable
        self.failures = 0

    def read(self, size=-1):
        if self._inner.tell() >= self._fail_at:
            self.failures += 1
            raise ReadFailure(f"simulated failure at {self._inner.tell()}")
        if size is None or size < 0:
            size = self._fail_at - self._inner.tell()
        return self._inner.read(min(size, self._fail_at - self._inner.tell()))

    def seekable(self):
        return self._seekable

    def seek(self, pos, whence=0):
        if not self._seekable:
            raise io.UnsupportedOperation("seek")
        return self._inner.seek(pos, whence)

    def tell(self):
        if not self._seekable:
            raise io.UnsupportedOperation("tell")
        return self._inner.tell()

    def close(self):
        self._inner.close()


class FailingPipe(FailingStream):
    """A stream that cannot seek and has ``read1()``, as a pipe or a socket
    has: pymrrc reads what it has, records ahead of the one returned."""

    def __init__(self, path, fail_at):
        super().__init__(path, fail_at, False)

    def read1(self, size=-1):
        return self.read(size)


def read_failing_stream(library, stream):
    """What a reader of ``library`` yields from ``stream``: the bytes of each
    record, ``None`` entries as the exception's class name, then how it
    ended, and what two further ``next()`` calls give."""
    reader = library.MARCReader(stream)
    got, error = [], None
    try:
        for record in reader:
            if record is None:
                got.append(type(reader.current_exception).__name__)
            else:
                got.append(record.as_marc())
    except ReadFailure as exc:
        error = exc
    # Calling again must not hang or make up records.
    again = []
    for _ in range(2):
        try:
            record = next(reader)
            again.append("record" if record is not None else "None")
        except ReadFailure:
            again.append("ReadFailure")
        except StopIteration:
            again.append("StopIteration")
    return got, error, again


def test_seekable_stream_that_fails_reads_as_with_pymarc(corpus):
    """A seekable stream is read record by record, exactly as pymarc reads
    it, so a stream whose reads come up short and then fail gives pymarc's
    records and exception."""
    pymarc = pytest.importorskip("pymarc")
    fail_at = corpus.stat().st_size // 2
    expected = read_failing_stream(pymarc, FailingStream(corpus, fail_at, True))
    got = read_failing_stream(pymrrc, FailingStream(corpus, fail_at, True))
    assert got[0] == expected[0]
    assert (got[1] is None) == (expected[1] is None)
    assert got[2] == expected[2]


@pytest.mark.parametrize("threads", [1, 4])
def test_stream_with_only_read_that_fails_reads_as_with_pymarc(corpus, threads):
    """A stream that cannot seek and has only ``read()`` is read as pymarc
    reads it, record by record: its short read before the failure is
    pymarc's truncated record, in every thread."""
    pymarc = pytest.importorskip("pymarc")
    fail_at = corpus.stat().st_size // 2
    expected = read_failing_stream(pymarc, FailingStream(corpus, fail_at, False))
    assert expected[0][-1] == "TruncatedRecord"

    def work(_):
        stream = FailingStream(corpus, fail_at, False)
        got = read_failing_stream(pymrrc, stream)
        stream.close()
        return got

    for got in run_threads(threads, work):
        assert got[0] == expected[0]
        assert (got[1] is None) == (expected[1] is None)
        assert got[2] == expected[2]


@pytest.mark.parametrize("threads", [1, 4])
def test_read_error_mid_file_propagates(corpus, reference, threads):
    """A stream that cannot seek but has ``read1()`` is read ahead; a
    failing read comes out of next() in the thread that reads it, after
    the records before it."""
    marcs, _ = reference
    fail_at = corpus.stat().st_size // 2

    def work(_):
        stream = FailingPipe(corpus, fail_at)
        got, error, again = read_failing_stream(pymrrc, stream)
        stream.close()
        return got, error, again, stream.failures

    for got, error, again, failures in run_threads(threads, work):
        assert error is not None, "the read() failure did not come out of next()"
        assert str(error).startswith("simulated failure at ")
        assert 0 < len(got) < len(marcs)
        assert got == marcs[: len(got)]
        # Everything returned lies before the failing position.
        assert sum(map(len, got)) <= fail_at
        assert set(again) <= {"ReadFailure", "StopIteration"}, again
        assert failures >= 1


def test_read_error_on_first_read():
    class Broken:
        def read(self, size=-1):
            raise ReadFailure("no data today")

    reader = pymrrc.MARCReader(Broken())
    with pytest.raises(ReadFailure, match="no data today"):
        next(reader)


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
