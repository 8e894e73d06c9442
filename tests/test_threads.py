"""MARCReader under Python threads: one reader per thread, and reads that
fail.

* Several threads, each with its own reader over the same corpus file (path
  backend with the default pool and with ``workers=1``, file-object backend,
  bytes backend), all get the records of a sequential read, then
  ``StopIteration`` on every further ``next()``, at any relative speed.
* An exception raised by a file object's ``read()`` in the middle of the file
  comes out of ``next()`` (no deadlock), in one thread or in several, as
  with pymarc.

Every wait is bounded (``future.result(timeout=60)``), so a deadlock fails
the test instead of hanging the run. Shared readers, shared records and
abandoned readers are in test_threads_shared.py; helpers in
threads_support.py.
"""

from __future__ import annotations

import io
import time

import pytest

import pymrrc

from threads_support import (  # noqa: F401
    check_read,
    corpus,
    make_reader,
    reference,
    run_threads,
)


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
