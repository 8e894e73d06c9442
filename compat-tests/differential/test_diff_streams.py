"""pymarc vs pymrrc on every kind of seekable stream, with the caller moving
the stream between records.

pymarc reads exactly one record per ``next()``, so between records the
stream stands at the end of the record just returned, and a caller's
``seek()`` or ``read()`` decides where the next record comes from. pymrrc
reads a plain file or a ``BytesIO`` in batches and seeks back, and reads any
other seekable stream record by record (compat-tests/DIVERGENCES.md, D5):
either way, everything the caller can see must be pymarc's.

The data is more than one batch (1 MiB) of pymarc's own UTF-8 and MARC-8
test records, ending in a truncated record.
"""

from __future__ import annotations

import gzip
import io
import random

import pytest

#: pymarc test files whose records are read here, over and over.
SOURCES = ("utf8_with_leader_flag.dat", "marc8.dat", "test.dat", "diacritic.dat", "one.dat")
#: At least this many bytes of records: more than one read-ahead batch.
MIN_SIZE = 3 << 20


class Wrapper(io.RawIOBase):
    """A seekable stream of a kind pymrrc does not know."""

    def __init__(self, data: bytes):
        super().__init__()
        self._inner = io.BytesIO(data)

    def readable(self):
        return True

    def seekable(self):
        return True

    def read(self, size=-1):
        return self._inner.read(size)

    def seek(self, pos, whence=0):
        return self._inner.seek(pos, whence)

    def tell(self):
        return self._inner.tell()


def open_stream(kind: str, path, gz_path):
    if kind == "open":
        return open(path, "rb")  # noqa: SIM115 - closed by the caller
    if kind == "open-small-buffer":
        return open(path, "rb", buffering=64)  # noqa: SIM115
    if kind == "unbuffered":
        return open(path, "rb", buffering=0)  # noqa: SIM115
    if kind == "bytesio":
        return io.BytesIO(path.read_bytes())
    if kind == "gzip":
        return gzip.open(gz_path, "rb")
    if kind == "wrapper":
        return Wrapper(path.read_bytes())
    raise ValueError(kind)


@pytest.fixture(scope="module")
def stream_files(pymarc_test_dir, tmp_path_factory):
    """The data as a file and as a gzip file, and its record boundaries."""
    records = []
    for name in SOURCES:
        data = (pymarc_test_dir / name).read_bytes()
        while data:
            length = int(data[:5])
            records.append(data[:length])
            data = data[length:]
    rng = random.Random(7)
    body, boundaries = bytearray(), [0]
    while len(body) < MIN_SIZE:
        body += rng.choice(records)
        boundaries.append(len(body))
    body += records[0][: len(records[0]) // 2]
    folder = tmp_path_factory.mktemp("streams")
    path, gz_path = folder / "records.mrc", folder / "records.mrc.gz"
    path.write_bytes(bytes(body))
    gz_path.write_bytes(gzip.compress(bytes(body), compresslevel=1))
    return path, gz_path, boundaries


def observe(module, stream, boundaries, seed: int, moves: bool) -> list:
    """What a caller sees reading ``stream`` with ``module``: for each
    ``next()``, the record's bytes (or the exception's class), the current
    chunk and the stream position; with ``moves``, the caller sometimes
    looks at, reads from or seeks the stream between records."""
    rng = random.Random(seed)
    reader = module.MARCReader(stream)
    seen = []
    for _ in range(len(boundaries) + 200):
        if moves:
            action = rng.random()
            if action < 0.02:
                seen.append(("seek", stream.seek(rng.choice(boundaries))))
            elif action < 0.03:
                seen.append(("read", stream.read(rng.randrange(0, 40))))
            elif action < 0.035:
                seen.append(("seek-anywhere", stream.seek(rng.randrange(boundaries[-1]))))
            elif action < 0.2:
                seen.append(("tell", stream.tell()))
        try:
            record = next(reader)
        except StopIteration:
            seen.append(("stop", stream.tell()))
            break
        if record is None:
            outcome = type(reader.current_exception).__name__
        else:
            outcome = record.as_marc()
        seen.append((outcome, reader.current_chunk, stream.tell()))
    return seen


KINDS = ("open", "open-small-buffer", "unbuffered", "bytesio", "gzip", "wrapper")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", [None, 1, 2, 3])
def test_stream_positions_and_records(stream_files, reference, target, kind, seed):
    path, gz_path, boundaries = stream_files
    outcomes = []
    for module in (reference, target):
        with open_stream(kind, path, gz_path) as stream:
            outcomes.append(observe(module, stream, boundaries, seed or 0, seed is not None))
    expected, got = outcomes
    assert len(got) == len(expected)
    for index, (want, have) in enumerate(zip(expected, got)):
        assert have == want, f"{kind}, seed {seed}: step {index} differs"


def test_gzip_stream_is_never_seeked_back(stream_files, target):
    """Seeking back in a GzipFile decompresses it again from the start, so a
    reader that did so per batch would take quadratic time."""
    path, gz_path, boundaries = stream_files
    moves = []

    class Watched(gzip.GzipFile):
        def seek(self, offset, whence=0):
            moves.append((self._buffer.tell(), offset, whence))
            return super().seek(offset, whence)

    with Watched(gz_path, "rb") as stream:
        count = sum(1 for _ in target.MARCReader(stream))
    assert count == len(boundaries)  # every record, then the truncated one
    # tell() is seek(0, 1) here.
    backward = [m for m in moves if (m[1], m[2]) != (0, 1) and (m[2] != 0 or m[1] < m[0])]
    assert backward == []
