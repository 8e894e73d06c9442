"""Inputs, backends and observations shared by test_backends.py and
test_backends_targets.py: pymarc 5.4.0's test files, crafted bad inputs
and a slice of the LoC corpus, each opened through every MARCReader
backend (bytes, BytesIO, a file, a pipe, read-only and non-seekable
streams, a path), and what pymarc gives for each (``expected``).

Data: pymarc's test/ folder from the pinned sdist (located or fetched by
compat-tests/upstream/pymarc_sdist.py) and the LoC corpus from
``$PYMRRC_CACHE`` (default ``~/.cache/marc-corpus``) or
``shared/corpus/get-loc-corpus.sh``; tests that need a missing one skip.
"""

from __future__ import annotations
import contextlib
import functools
import io
import os
import threading
from pathlib import Path

import pymarc
import pytest
import pymrrc
from data_support import PYMARC_DATA_FILES, corpus_slice, pymarc_test_dir
from reader_items import describe, quiet
from marc_bytes import build, patch  # noqa: F401 (for the test modules)

REPO = Path(__file__).resolve().parents[1]

CORPUS_RECORDS = 2000


# -- locating data ----------------------------------------------------------------


# -- crafted inputs -----------------------------------------------------------------


def numbered(i, extra=b""):
    return build([
        (b"001", b"rec%06d" % i),
        (b"008", b"850101s1985    xx            000 0 eng d"),
        (b"100", b"1 \x1faAuthor %d,\x1fd1900-1990." % i),
        (b"245", b"10\x1faTitle \xc3\xa9t\xc3\xa9 %d :\x1fbsubtitle%s" % (i, extra)),
    ])


GOOD = numbered(1)
GOOD2 = numbered(2)
GOOD3 = numbered(3)
MARC8 = build([(b"001", b"m8"), (b"245", b"00\x1faCaf\xe2e \xe1a")], leader9=b" ")
BAD_UTF8 = build([(b"001", b"u8"), (b"245", b"10\x1faT\xffitle\x1fb\xc3")])
BAD_UTF8_CONTROL = build([(b"001", b"ab\xffcd"), (b"245", b"10\x1faT")])
BAD_BASE = patch(GOOD2, 12, b"00000")
BAD_BASE_DIGITS = patch(GOOD2, 12, b"0a100")
BAD_DIRECTORY = patch(GOOD2, 24 + 12 + 3, b"zz12")
DIRECTORY_PAST_END = patch(GOOD2, 24 + 12 * 3 + 7, b"99999")
NO_FIELDS = build([])
DIRECTORY_NOT_MULTIPLE = build([(b"001", b"x"), (b"245", b"10\x1faT")], base=b"%05d" % (24 + 24 + 3))
NO_INDICATORS = build([(b"001", b"x"), (b"245", b"\x1faNo indicators")])


def _bad_mix(count):
    """``count`` records cycling through good and (non-fatal) bad ones."""
    kinds = [
        lambda i: numbered(i),
        lambda i: BAD_UTF8,
        lambda i: numbered(i, b"\x1fc" + b"x" * (i % 300)),
        lambda i: BAD_BASE,
        lambda i: MARC8,
        lambda i: BAD_DIRECTORY,
        lambda i: NO_FIELDS,
        lambda i: BAD_UTF8_CONTROL,
        lambda i: DIRECTORY_PAST_END,
        lambda i: NO_INDICATORS,
        lambda i: BAD_BASE_DIGITS,
        lambda i: DIRECTORY_NOT_MULTIPLE,
    ]
    return b"".join(kinds[i % len(kinds)](i) for i in range(count))


def _big(i):
    """A record of about 90 KB (twenty fields of ~4,500 bytes)."""
    fields = [(b"001", b"big%05d" % i)]
    fields += [(b"500", b"  \x1fa" + (b"%02d " % j) * 1500) for j in range(20)]
    return build(fields)


def _crafted():
    many = b"".join(numbered(i) for i in range(1300))
    eor_missing = GOOD2[:-1] + b"x"
    return {
        "empty": b"",
        "one_good": GOOD,
        "three_good": GOOD + GOOD2 + GOOD3,
        "truncated_at_end": GOOD + GOOD2 + GOOD3[:-10],
        "truncated_length_prefix": GOOD + GOOD2 + b"001",
        "truncated_only": GOOD[:40],
        "bad_length_digits_mid": GOOD + b"12a45" + GOOD2[5:] + GOOD3,
        "length_zero_mid": GOOD + b"00000" + GOOD2[5:] + GOOD3,
        "length_negative_mid": GOOD + b"-0010" + GOOD2[5:] + GOOD3,
        "length_too_short_mid": GOOD + patch(GOOD2, 0, b"00030") + GOOD3,
        "length_too_long_mid": GOOD + patch(GOOD2, 0, b"%05d" % (len(GOOD2) + 7)) + GOOD3 + GOOD,
        "end_of_record_missing_mid": GOOD + eor_missing + GOOD3,
        "bad_base_address": GOOD + BAD_BASE + BAD_BASE_DIGITS + GOOD3,
        "bad_directory": GOOD + BAD_DIRECTORY + DIRECTORY_PAST_END + DIRECTORY_NOT_MULTIPLE + GOOD3,
        "no_fields": GOOD + NO_FIELDS + GOOD3,
        "invalid_utf8": GOOD + BAD_UTF8 + BAD_UTF8_CONTROL + GOOD3,
        "missing_indicators": GOOD + NO_INDICATORS + GOOD3,
        "marc8": MARC8 + GOOD + MARC8,
        "trailing_newline": GOOD + GOOD2 + b"\n",
        # Errors past the first batch and the first megabyte.
        "fatal_after_1300": many + eor_missing + GOOD3 + GOOD,
        "truncated_after_1300": many + GOOD2[:-3],
        "bad_length_after_1300": many + b"xx" + GOOD2 + GOOD3,
        "bad_mix_3000_then_fatal": _bad_mix(3000) + b"00100" + GOOD3,
        "big_records": b"".join(_big(i) for i in range(30)) + _big(30)[:60000],
    }


CRAFTED = _crafted()

OPTION_SETS = {
    "default": {},
    "replace": {"utf8_handling": "replace"},
    "raw": {"to_unicode": False},
    "force_utf8": {"force_utf8": True},
}

INPUTS = (
    [f"pymarc:{name}" for name in PYMARC_DATA_FILES]
    + [f"crafted:{name}" for name in CRAFTED]
    + [f"corpus:{CORPUS_RECORDS}"]
)


@functools.cache
def input_path(name: str, tmp_root: str) -> Path:
    """A file holding input ``name`` (skips the test when unavailable)."""
    kind, _, rest = name.partition(":")
    if kind == "pymarc":
        folder = pymarc_test_dir()
        if isinstance(folder, str):
            pytest.skip(folder)
        path = Path(folder) / rest
        if not path.is_file():
            pytest.skip(f"{path} is missing")
        return path
    if kind == "corpus":
        path = corpus_slice(int(rest))
        if isinstance(path, str):
            pytest.skip(path)
        return path
    path = Path(tmp_root) / f"{rest}.mrc"
    path.write_bytes(CRAFTED[rest])
    return path


@pytest.fixture(scope="module")
def tmp_root(tmp_path_factory):
    return str(tmp_path_factory.mktemp("backends"))


def data_of(name: str, tmp_root: str) -> bytes:
    return input_path(name, tmp_root).read_bytes()


# -- observing a reader: the shared description is tests/reader_items.py


class Observed:
    def __init__(self):
        self.items = []
        self.offsets = []
        self.tells = []
        self.tell_at_end = None
        self.stops_again = None


def observe(reader, data_len, stream=None, offsets=False):
    """Drives ``reader`` to its end; records every item, the offsets and the
    stream positions after each ``next()``."""
    seen = Observed()
    with quiet():
        for _ in range(data_len + 5):
            try:
                record = next(reader)
            except StopIteration:
                break
            seen.items.append(describe(reader, record))
            if offsets:
                seen.offsets.append(reader.current_offset)
            if stream is not None:
                seen.tells.append(stream.tell())
        else:
            pytest.fail(f"more than {data_len + 5} items from {data_len} bytes")
        if stream is not None:
            seen.tell_at_end = stream.tell()
        again = []
        for _ in range(2):
            try:
                next(reader)
                again.append("item")
            except StopIteration:
                again.append("stop")
        seen.stops_again = again
    return seen


_EXPECTED: dict = {}


def expected(name, options, tmp_root):
    """pymarc's observation of input ``name`` under option set ``options``."""
    key = (name, options)
    if key not in _EXPECTED:
        data = data_of(name, tmp_root)
        stream = io.BytesIO(data)
        reader = pymarc.MARCReader(stream, **OPTION_SETS[options])
        _EXPECTED[key] = observe(reader, len(data), stream=stream)
    return _EXPECTED[key]


# -- backends ---------------------------------------------------------------------------


class ReadOnly:
    """A stream with nothing but ``read()`` (no seek/tell/seekable)."""

    def __init__(self, data):
        self._inner = io.BytesIO(data)

    def read(self, size=-1):
        return self._inner.read(size)

    def close(self):
        self._inner.close()


class NonSeekable(ReadOnly):
    """A stream that says it cannot seek."""

    def seekable(self):
        return False

    def readable(self):
        return True


class Pipe:
    """A real pipe (``open(fd, "rb")``), fed by a writer thread."""

    def __init__(self, data):
        rfd, wfd = os.pipe()
        self.handle = open(rfd, "rb")  # noqa: SIM115 - closed in close()
        self._thread = threading.Thread(target=self._write, args=(wfd, data), daemon=True)
        self._thread.start()

    @staticmethod
    def _write(wfd, data):
        try:
            with open(wfd, "wb") as out:
                out.write(data)
        except (BrokenPipeError, OSError):
            pass

    def close(self):
        self.handle.close()
        self._thread.join(30)
        assert not self._thread.is_alive(), "pipe writer did not finish"


@contextlib.contextmanager
def open_backend(backend, data, path, options):
    """Yields ``(reader, stream whose tell() to check or None)``."""
    if backend in ("path", "path-w1", "path-w3"):
        workers = {"path": None, "path-w1": 1, "path-w3": 3}[backend]
        reader = pymrrc.MARCReader(str(path), workers=workers, **options)
        try:
            yield reader, None
        finally:
            reader.close()
    elif backend == "pathlike":
        reader = pymrrc.MARCReader(Path(path), **options)
        with reader:
            yield reader, None
    elif backend in ("bytes", "bytearray", "memoryview"):
        target = {"bytes": bytes, "bytearray": bytearray, "memoryview": memoryview}[backend](data)
        reader = pymrrc.MARCReader(target, **options)
        # pymarc wraps bytes in a BytesIO: pymrrc keeps such a handle in step.
        yield reader, getattr(reader, "file_handle", None)
    elif backend == "BytesIO":
        stream = io.BytesIO(data)
        yield pymrrc.MARCReader(stream, **options), stream
    elif backend == "file":
        with open(path, "rb") as stream:
            yield pymrrc.MARCReader(stream, **options), stream
    elif backend == "unbuffered-file":
        with open(path, "rb", buffering=0) as stream:
            yield pymrrc.MARCReader(stream, **options), stream
    elif backend == "readonly":
        yield pymrrc.MARCReader(ReadOnly(data), **options), None
    elif backend == "nonseekable":
        yield pymrrc.MARCReader(NonSeekable(data), **options), None
    elif backend == "pipe":
        pipe = Pipe(data)
        try:
            yield pymrrc.MARCReader(pipe.handle, **options), None
        finally:
            pipe.close()
    else:  # pragma: no cover
        raise AssertionError(backend)


#: Inputs with a record length under 4: pymarc then calls read() with a
#: size below -1, whose result depends on the kind of stream.
SHORT_LENGTH_INPUTS = ("crafted:length_zero_mid", "crafted:length_negative_mid")

BACKENDS = (
    "path", "path-w1", "path-w3", "pathlike",
    "bytes", "bytearray", "memoryview",
    "BytesIO", "file", "unbuffered-file", "readonly", "nonseekable", "pipe",
)


def _short(item):
    text = repr(item)
    return text if len(text) < 600 else text[:600] + "..."


def assert_same(ours: Observed, ref: Observed, label: str, check_tells: bool):
    for index, (a, b) in enumerate(zip(ours.items, ref.items)):
        if a != b:
            pytest.fail(
                f"{label}: item {index} differs\n  pymrrc: {_short(a)}\n  pymarc: {_short(b)}"
            )
    assert len(ours.items) == len(ref.items), (
        f"{label}: pymrrc gave {len(ours.items)} items, pymarc {len(ref.items)}; "
        f"first extra/missing: {_short((ours.items + ref.items)[min(len(ours.items), len(ref.items)):][:1])}"
    )
    assert ours.stops_again == ["stop", "stop"], f"{label}: next() after the end gave {ours.stops_again}"
    # The true offsets: where each chunk starts.
    true_offsets, position = [], 0
    for item in ref.items:
        true_offsets.append(position)
        position += len(item[2] if item[0] == "None" else item[3])
    if ours.offsets:
        assert ours.offsets == true_offsets, f"{label}: current_offset values differ"
    if check_tells:
        assert ours.tells == ref.tells, f"{label}: stream positions after next() differ"


def _comparable(name, backend):
    """The reference is pymarc on a BytesIO, which reads to the end for a
    length under 4; a buffered OS file raises ValueError instead, in pymarc
    and pymrrc alike. Those pairs are compared against pymarc on a real file
    in tests/test_adversarial_big.py::test_real_file_with_short_length."""
    return not (name in SHORT_LENGTH_INPUTS and backend in ("file", "pipe"))
