"""pymarc vs pymrrc when the stream's ``read()`` raises part way.

When ``read(5)`` raises, pymarc leaves ``current_chunk`` and
``current_exception`` at ``None``; when the second read (the rest of the
record) raises, ``current_chunk`` is the five bytes already read, and the
stream stands after them, where its next ``read(5)`` starts. pymrrc reads
ahead: a failing read may ask for bytes beyond the record at hand, which
pymarc would not read yet. It then puts the stream back and reads from
there on exactly as pymarc does, so that the same reads fail and leave the
same state.

The streams fail by position, as a bad disk block does: every read that
reaches a given byte or past it raises ``OSError`` (consuming nothing). Each
kind of stream pymrrc tells apart is tried with the failure in the middle
of a record and at its first bytes; what the caller sees after each
``next()`` (the item, current_chunk, current_exception, the position, an
exception out of ``next()``) must be pymarc's. A stream that cannot seek but
has ``read1()`` is read as its bytes arrive; it gives pymarc's state at the
failure, and after a failure that does not last goes on with nothing lost
(compat-tests/DIVERGENCES.md, D5).
"""

from __future__ import annotations

import io

import pytest

import pymrrc_compat_diff as diff  # registered by compat-tests/conftest.py


class FailingRaw(io.RawIOBase):
    """A raw stream over ``data`` whose reads reaching ``fail_at`` raise
    ``OSError``: every one, or (``lasting=False``) only the first."""

    def __init__(self, data: bytes, fail_at: int, seekable: bool = True, lasting: bool = True):
        super().__init__()
        self._data, self._pos, self._fail_at = data, 0, fail_at
        self._seekable = seekable
        self._lasting = lasting
        self.failed = False

    def readable(self):
        return True

    def seekable(self):
        return self._seekable

    def _check(self, end):
        if (self._lasting or not self.failed) and end > self._fail_at:
            self.failed = True
            raise OSError(5, "Input/output error (simulated)")

    def read(self, size=-1):
        if size is None or size < 0:
            size = len(self._data) - self._pos
        self._check(self._pos + size)
        out = self._data[self._pos : self._pos + size]
        self._pos += len(out)
        return out

    def readinto(self, buffer):
        out = self.read(len(buffer))
        buffer[: len(out)] = out
        return len(out)

    def seek(self, pos, whence=0):
        if not self._seekable:
            raise io.UnsupportedOperation("seek")
        self._pos = {0: pos, 1: self._pos + pos, 2: len(self._data) + pos}[whence]
        return self._pos

    def tell(self):
        if not self._seekable:
            raise io.UnsupportedOperation("tell")
        return self._pos


class FailingPipe(FailingRaw):
    """Cannot seek, has ``read1()``: what has arrived (up to the failing
    place), then the failure, once."""

    def __init__(self, data, fail_at):
        super().__init__(data, fail_at, seekable=False, lasting=False)

    def read1(self, size=-1):
        if not self.failed and self._pos >= self._fail_at:
            self._check(self._pos + 1)
        end = self._fail_at if not self.failed else len(self._data)
        size = len(self._data) if size is None or size < 0 else size
        out = self._data[self._pos : min(self._pos + size, end)]
        self._pos += len(out)
        return out


class ReadOnly:
    """Only ``read()``, over a failing raw stream that cannot seek."""

    def __init__(self, data, fail_at):
        self._inner = FailingRaw(data, fail_at, seekable=False)

    def read(self, size=-1):
        return self._inner.read(size)


@pytest.fixture(scope="module")
def data(pymarc_test_dir):
    records = diff.split_records((pymarc_test_dir / "utf8_with_leader_flag.dat").read_bytes())
    records += diff.split_records((pymarc_test_dir / "test.dat").read_bytes())
    return records * 3


def failure_points(records):
    """Where reads fail: inside a record (pymarc's second read fails), at
    its third byte (its read(5) fails), past the first buffer's worth of
    records, and in the last record."""
    starts = [0]
    for record in records:
        starts.append(starts[-1] + len(record))
    return {
        "mid-record": starts[4] + 100,
        "in-length": starts[5] + 3,
        "later": starts[len(records) // 2] + 300,
        "last": starts[-2] + 50,
    }


#: Streams, and how pymrrc reads each (pymrrc.reader._reading).
KINDS = {
    "wrapper": "records",
    "seek": "seek",
    "buffered": "buffer",
    "read-only": "exact",
}


def make_stream(kind, data, fail_at):
    if kind == "buffered":
        return io.BufferedReader(FailingRaw(data, fail_at))
    if kind == "read-only":
        return ReadOnly(data, fail_at)
    return FailingRaw(data, fail_at)


def observe(module, stream, steps):
    """What the caller sees after each of ``steps`` calls of ``next()``."""
    reader = module.MARCReader(stream)
    seen = []
    for _ in range(steps):
        try:
            record = next(reader)
        except StopIteration:
            outcome = "stop"
        except OSError as error:
            outcome = ("raised", error.errno)
        else:
            outcome = "None" if record is None else record.as_marc()
        exception = reader.current_exception
        position = stream.tell() if hasattr(stream, "tell") and stream.seekable() else None
        seen.append((outcome, reader.current_chunk,
                     None if exception is None else type(exception).__name__, position))
        if outcome == "stop":
            break
    return seen


@pytest.mark.parametrize("where", ["mid-record", "in-length", "later", "last"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_read_error_leaves_pymarcs_state(reference, target, monkeypatch, data, kind, where):
    whole = b"".join(data)
    fail_at = failure_points(data)[where]
    expected = observe(reference, make_stream(kind, whole, fail_at), len(data) + 5)
    assert any(item[0] == ("raised", 5) for item in expected)
    # These streams are not the built-in types pymrrc reads ahead: have it
    # read them as it reads those.
    monkeypatch.setattr(target.reader, "_reading", lambda handle: (KINDS[kind], None))
    got = observe(target, make_stream(kind, whole, fail_at), len(data) + 5)
    for step, (want, have) in enumerate(zip(expected, got)):
        assert have == want, f"{kind}, failure {where}: step {step} differs"
    assert len(got) == len(expected)


@pytest.mark.parametrize("where", ["mid-record", "in-length", "later", "last"])
def test_read_error_on_a_stream_read_as_it_arrives(reference, target, data, where):
    whole = b"".join(data)
    fail_at = failure_points(data)[where]
    expected = observe(reference, FailingPipe(whole, fail_at), len(data) + 5)
    got = observe(target, FailingPipe(whole, fail_at), len(data) + 5)
    failed = next(i for i, item in enumerate(expected) if item[0] == ("raised", 5))
    # The same records, then the failure with pymarc's current_chunk...
    assert got[: failed + 1] == expected[: failed + 1]
    # ...then every record after it, nothing lost.
    records = [r.as_marc() for r in reference.MARCReader(whole)]
    before = [item[0] for item in got[:failed]]
    after = [item[0] for item in got[failed + 1 :] if item[0] != "stop"]
    assert before + after == records


def test_a_plain_file_gets_pymarcs_buffer_back(reference, target, tmp_path, data):
    """``open(path, "rb")`` is read through an enlarged buffer; after a read
    fails, the file is given back its own buffer size, holding the block
    that pymarc's reads would hold, so the reads that follow are pymarc's.
    (A real file's read cannot be made to fail here; the state is checked.)"""
    path = tmp_path / "records.mrc"
    path.write_bytes(b"".join(data))
    with open(path, "rb") as ours, open(path, "rb") as theirs:
        original = target.reader._buffer_size(ours)
        reader, pymarc_reader = target.MARCReader(ours), reference.MARCReader(theirs)
        assert target.reader._buffer_size(ours) > original
        for _ in range(len(data) // 2):
            next(reader)
            next(pymarc_reader)
        target.reader._resume_as_pymarc(ours, ours.tell(), 0, original)
        assert target.reader._buffer_size(ours) == original
        assert (ours.tell(), ours.raw.tell()) == (theirs.tell(), theirs.raw.tell())
        assert ours.peek(1) == theirs.peek(1)
