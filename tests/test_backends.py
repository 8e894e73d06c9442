"""Every MARCReader backend yields what pymarc yields.

``pymrrc.MARCReader`` picks a backend from its target: a path (read by a
background Rust thread and validated by a worker pool), a ``bytes``-like
object (validated in memory) or a binary file object (read in large
batches).  For pymarc 5.4.0's test data files, crafted bad inputs and a slice
of the LoC corpus, under several option sets, the sequence observed through
``pymarc.MARCReader(io.BytesIO(data))`` is compared item by item with what
each backend gives:

* a record: ``as_marc()``, ``str(record)``, ``current_chunk`` and
  ``current_exception`` (None);
* ``None``: the exception's class name and ``str()``, and ``current_chunk``;
* the end: ``StopIteration`` at the same step (and again on the next call).

``current_offset`` must be the true offset of each item (the sum of the
lengths of the chunks before it), and a seekable stream must stand, after
every ``next()``, where pymarc leaves it: at the end of the chunk just read.

Data: pymarc's test/ folder from the pinned sdist (located or fetched by
compat-tests/upstream/pymarc_sdist.py) and the LoC corpus from
``$PYMRRC_CACHE`` (default ``~/.cache/marc-corpus``) or
``shared/corpus/get-loc-corpus.sh``; tests that need a missing one skip.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pymarc
import pytest

import pymrrc

REPO = Path(__file__).resolve().parents[1]

# pymarc 5.4.0's test/*.dat and test/*.mrc (checked against the folder below).
PYMARC_DATA_FILES = (
    "1251.dat",
    "alphatag.dat",
    "bad_eacc_encoding.dat",
    "bad_indicator.dat",
    "bad_marc8_escape.dat",
    "bad_records.mrc",
    "bad_subfield_code.dat",
    "diacritic.dat",
    "marc.dat",
    "marc8-to-unicode.dat",
    "marc8.dat",
    "multi_isbn.dat",
    "one.dat",
    "regression45.dat",
    "test.dat",
    "testunimarc.dat",
    "utf8_errors.dat",
    "utf8_invalid.mrc",
    "utf8_with_leader_flag.dat",
    "utf8_without_leader_flag.dat",
)

CORPUS_RECORDS = 2000


# -- locating data ----------------------------------------------------------------


from data_support import corpus_slice, pymarc_test_dir  # noqa: E402


# -- crafted inputs -----------------------------------------------------------------


def build(fields, leader9=b"a", base=None, length=None):
    """A record in transmission format from ``(tag, body)`` pairs (the body
    without its field terminator); ``base``/``length`` override the leader."""
    directory = b""
    data = b""
    for tag, body in fields:
        body += b"\x1e"
        directory += tag + b"%04d%05d" % (len(body), len(data))
        data += body
    directory += b"\x1e"
    data += b"\x1d"
    base_address = 24 + len(directory)
    total = base_address + len(data)
    leader = bytearray(b"%05dnam %s22%05d   4500" % (total, leader9, base_address))
    if base is not None:
        leader[12:17] = base
    if length is not None:
        leader[0:5] = length
    return bytes(leader) + directory + data


def patch(data, position, replacement):
    return data[:position] + replacement + data[position + len(replacement):]


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


# -- observing a reader ----------------------------------------------------------------


@contextlib.contextmanager
def quiet():
    """Silences MARC-8 and indicator messages of either library."""
    logger = logging.getLogger("pymarc")
    old = logger.disabled
    logger.disabled = True
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.disabled = old


def _attempt(fn):
    try:
        return ("ok", fn())
    except Exception as exc:  # noqa: BLE001 - the failure is the observation
        return ("raised", type(exc).__name__, str(exc))


def _exc(exc):
    return None if exc is None else (type(exc).__name__, str(exc))


def _chunk(reader):
    chunk = reader.current_chunk
    return None if chunk is None else bytes(chunk)


def describe(reader, record):
    """What one ``next()`` gave, in comparable form."""
    if record is None:
        return ("None", _exc(reader.current_exception), _chunk(reader))
    return (
        "Record",
        _attempt(record.as_marc),
        _attempt(lambda: str(record)),
        _chunk(reader),
        _exc(reader.current_exception),
    )


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


# -- the comparison ------------------------------------------------------------------------


def _comparable(name, backend):
    """The reference is pymarc on a BytesIO, which reads to the end for a
    length under 4; a buffered OS file raises ValueError instead, in pymarc
    and pymrrc alike. Those pairs are compared against pymarc on a real file
    in tests/test_adversarial.py::test_real_file_with_short_length."""
    return not (name in SHORT_LENGTH_INPUTS and backend in ("file", "pipe"))


@pytest.mark.parametrize(
    ("name", "options", "backend"),
    [
        (name, options, backend)
        for name in INPUTS
        for options in OPTION_SETS
        for backend in BACKENDS
        if _comparable(name, backend)
    ],
)
def test_backend_matches_pymarc(name, options, backend, tmp_root):
    path = input_path(name, tmp_root)
    data = path.read_bytes()
    ref = expected(name, options, tmp_root)
    with open_backend(backend, data, path, OPTION_SETS[options]) as (reader, stream):
        ours = observe(reader, len(data), stream=stream, offsets=True)
    assert_same(ours, ref, f"{name} {options} {backend}", check_tells=stream is not None)


@pytest.mark.parametrize("backend", ["BytesIO", "file", "bytes"])
@pytest.mark.parametrize("name", ["crafted:three_good", "crafted:invalid_utf8",
                                  "crafted:fatal_after_1300", f"corpus:{CORPUS_RECORDS}"])
def test_stream_position_after_the_end(name, backend, tmp_root):
    """Once StopIteration is raised the stream stands where pymarc leaves it."""
    path = input_path(name, tmp_root)
    data = path.read_bytes()
    ref = expected(name, "default", tmp_root)
    with open_backend(backend, data, path, {}) as (reader, stream):
        ours = observe(reader, len(data), stream=stream)
    assert ours.tell_at_end == ref.tell_at_end


def test_pymarc_data_file_list_is_complete():
    folder = pymarc_test_dir()
    if isinstance(folder, str):
        pytest.skip(folder)
    found = sorted(p.name for p in Path(folder).iterdir() if p.suffix in (".dat", ".mrc"))
    assert found == sorted(PYMARC_DATA_FILES)


def test_crafted_inputs_exercise_what_they_claim(tmp_root):
    """Sanity of the crafted inputs: they hit the errors they are named for."""
    def classes(name):
        return [item[1][0] if item[0] == "None" else "Record"
                for item in expected(f"crafted:{name}", "default", tmp_root).items]

    assert classes("empty") == []
    assert classes("truncated_at_end")[-1] == "TruncatedRecord"
    assert classes("bad_length_digits_mid") == ["Record", "RecordLengthInvalid"]
    assert classes("end_of_record_missing_mid") == ["Record", "EndOfRecordNotFound"]
    assert classes("fatal_after_1300") == ["Record"] * 1300 + ["EndOfRecordNotFound"]
    assert classes("truncated_after_1300")[-1] == "TruncatedRecord"
    assert "BaseAddressNotFound" in classes("bad_base_address")
    assert "RecordDirectoryInvalid" in classes("bad_directory")
    assert "ValueError" in classes("bad_directory")
    assert "UnicodeDecodeError" in classes("invalid_utf8")
    mix = classes("bad_mix_3000_then_fatal")
    assert len(mix) == 3001 and mix[-1] in ("TruncatedRecord", "EndOfRecordNotFound")
    assert {"BaseAddressNotFound", "NoFieldsFound", "UnicodeDecodeError", "ValueError",
            "RecordDirectoryInvalid", "Record"} <= set(mix)
    big = classes("big_records")
    assert big == ["Record"] * 30 + ["TruncatedRecord"]
    assert len(CRAFTED["big_records"]) > 2 * (1 << 20)


# -- seeking between records ------------------------------------------------------------------


def _seek_script(module, stream, options, plan):
    """Reads with ``module``, seeking ``stream`` to ``plan[i]`` (if present)
    before the i-th ``next()``; returns what was seen."""
    out = []
    with quiet():
        reader = module.MARCReader(stream, **options)
        for step in range(40):
            if step in plan:
                stream.seek(plan[step])
            try:
                record = next(reader)
            except StopIteration:
                out.append(("stop", stream.tell()))
                break
            out.append((describe(reader, record), stream.tell()))
    return out


@pytest.mark.parametrize("kind", ["BytesIO", "file", "unbuffered file"])
@pytest.mark.parametrize("plan_name", ["rewind", "skip_ahead", "into_garbage", "to_end", "twice"])
def test_caller_seek_between_records_is_followed(kind, plan_name, tmp_path):
    data = GOOD + GOOD2 + BAD_UTF8 + GOOD3 + MARC8 + GOOD
    starts = [0]
    for part in (GOOD, GOOD2, BAD_UTF8, GOOD3, MARC8):
        starts.append(starts[-1] + len(part))
    plan = {
        "rewind": {3: 0},
        "skip_ahead": {1: starts[3]},
        "into_garbage": {2: starts[1] + 7},
        "to_end": {2: len(data)},
        "twice": {1: starts[4], 3: starts[1]},
    }[plan_name]
    path = tmp_path / "seek.mrc"
    path.write_bytes(data)

    def stream():
        if kind == "BytesIO":
            return io.BytesIO(data)
        return open(path, "rb", buffering=0 if kind == "unbuffered file" else -1)

    ref_stream, our_stream = io.BytesIO(data), stream()
    try:
        ref = _seek_script(pymarc, ref_stream, {}, plan)
        ours = _seek_script(pymrrc, our_stream, {}, plan)
    finally:
        our_stream.close()
    assert ours == ref


def test_interrupt_while_positioning_the_stream_reaches_the_caller():
    """A KeyboardInterrupt raised by the stream's seek() between records
    comes out of next(), and the record being read is not lost."""
    stream = io.BytesIO(GOOD + GOOD2 + GOOD3)
    reader = pymrrc.MARCReader(stream)
    first = next(reader)
    assert first is not None

    def interrupted(*args):
        raise KeyboardInterrupt

    stream.seek = interrupted
    with pytest.raises(KeyboardInterrupt):
        next(reader)
    del stream.seek
    rest = list(reader)
    expected = list(pymarc.MARCReader(io.BytesIO(GOOD + GOOD2 + GOOD3)))
    assert [r.as_marc() for r in [first, *rest]] == [r.as_marc() for r in expected]
    assert stream.tell() == len(GOOD + GOOD2 + GOOD3)


@pytest.mark.parametrize("kind", ["BytesIO", "file"])
def test_stream_starting_mid_file(kind, tmp_path):
    """A stream that is not at 0 is read from where it stands."""
    data = b"junk!" + GOOD + GOOD2 + GOOD3
    path = tmp_path / "mid.mrc"
    path.write_bytes(data)
    ref_stream = io.BytesIO(data)
    ref_stream.seek(5)
    ref = observe(pymarc.MARCReader(ref_stream), len(data), stream=ref_stream)
    with (io.BytesIO(data) if kind == "BytesIO" else open(path, "rb")) as our_stream:
        our_stream.seek(5)
        ours = observe(pymrrc.MARCReader(our_stream), len(data), stream=our_stream)
    assert ours.items == ref.items
    assert ours.tells == ref.tells
    assert len(ours.items) == 3


# -- backend selection ----------------------------------------------------------------------------


@pytest.mark.parametrize("target", [1, None, [GOOD], 2.5, object(), {"a": 1}],
                         ids=["int", "None", "list", "float", "object", "dict"])
def test_unsupported_targets_raise_type_error(target):
    with pytest.raises(TypeError):
        pymrrc.MARCReader(target)


@pytest.mark.parametrize("as_pathlike", [False, True])
def test_missing_path_raises_file_not_found(tmp_path, as_pathlike):
    missing = tmp_path / "no-such-dir" / "missing.mrc"
    target = missing if as_pathlike else str(missing)
    with pytest.raises(FileNotFoundError) as info:
        pymrrc.MARCReader(target)
    assert str(missing) in str(info.value)


@pytest.mark.parametrize("workers", [None, 1, 3])
def test_directory_raises_is_a_directory(tmp_path, workers):
    with pytest.raises(IsADirectoryError) as info:
        pymrrc.MARCReader(str(tmp_path), workers=workers)
    assert str(tmp_path) in str(info.value)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can read files without read permission")
def test_unreadable_path_raises_permission_error(tmp_path):
    path = tmp_path / "secret.mrc"
    path.write_bytes(GOOD)
    path.chmod(0)
    try:
        with pytest.raises(PermissionError) as info:
            pymrrc.MARCReader(str(path))
        assert str(path) in str(info.value)
    finally:
        path.chmod(0o644)


@pytest.mark.parametrize("workers", [0, -1])
def test_bad_worker_count_is_rejected(tmp_path, workers):
    path = tmp_path / "one.mrc"
    path.write_bytes(GOOD)
    with pytest.raises(ValueError):
        pymrrc.MARCReader(str(path), workers=workers)


@pytest.mark.parametrize("backend", ["path", "path-w1", "bytes", "BytesIO", "file", "readonly"])
def test_current_offset_before_the_first_record(backend, tmp_path):
    path = tmp_path / "o.mrc"
    path.write_bytes(GOOD + GOOD2)
    with open_backend(backend, GOOD + GOOD2, path, {}) as (reader, _):
        assert reader.current_offset is None
        next(reader)
        assert reader.current_offset == 0
        next(reader)
        assert reader.current_offset == len(GOOD)


# -- closing ------------------------------------------------------------------------------------------


def test_close_closes_a_given_file(tmp_path):
    path = tmp_path / "c.mrc"
    path.write_bytes(GOOD + GOOD2)
    handle = open(path, "rb")  # noqa: SIM115
    reader = pymrrc.MARCReader(handle)
    assert next(reader) is not None
    reader.close()
    assert handle.closed


def _after_close(module, target):
    reader = module.MARCReader(target)
    next(reader)
    reader.close()
    try:
        item = next(reader)
    except Exception as exc:  # noqa: BLE001 - the exception is the observation
        return (type(exc).__name__, str(exc))
    return ("item", item is None)


@pytest.mark.parametrize("backend", ["bytes", "BytesIO", "file"])
def test_next_after_close_matches_pymarc(backend, tmp_path):
    """pymarc's next() on a closed reader reads the closed handle and raises
    ValueError; pymrrc should raise the same."""
    path = tmp_path / "c.mrc"
    path.write_bytes(GOOD + GOOD2)

    def target():
        if backend == "bytes":
            return GOOD + GOOD2
        if backend == "BytesIO":
            return io.BytesIO(GOOD + GOOD2)
        return open(path, "rb")

    assert _after_close(pymrrc, target()) == _after_close(pymarc, target())


@pytest.mark.parametrize("workers", [None, 1, 3])
def test_close_stops_a_path_reader(tmp_path, workers):
    path = tmp_path / "c.mrc"
    path.write_bytes(b"".join(numbered(i) for i in range(3000)))
    reader = pymrrc.MARCReader(str(path), workers=workers)
    assert next(reader) is not None
    reader.close()
    with pytest.raises(StopIteration):
        next(reader)


@pytest.mark.parametrize("workers", [None, 1])
def test_with_statement_on_a_path(tmp_path, workers):
    path = tmp_path / "w.mrc"
    path.write_bytes(GOOD + GOOD2 + GOOD3)
    with pymrrc.MARCReader(str(path), workers=workers) as reader:
        records = list(reader)
    assert [r.as_marc() for r in records] == [GOOD, GOOD2, GOOD3]


# -- streams whose read() returns None -------------------------------------------------------------

NONE_SCRIPT = r'''
import io, sys
import {module} as m
data = bytes.fromhex(sys.argv[1])

class NonBlocking:
    """read() returns None when no data is available (as a non-blocking
    pipe or socket does); here: once the data is used up."""
    def __init__(self):
        self.inner = io.BytesIO(data)
    def read(self, size=-1):
        got = self.inner.read(size)
        return got if got else None

reader = m.MARCReader(NonBlocking())
out = []
for _ in range(10):
    try:
        record = next(reader)
    except StopIteration:
        out.append("stop")
        break
    out.append("record" if record is not None else type(reader.current_exception).__name__)
print(out)
'''


@pytest.mark.parametrize("data", [b"", GOOD + GOOD2], ids=["no_data", "two_records"])
def test_read_returning_none_ends_like_pymarc(data):
    """pymarc treats a read() that returns None (a non-blocking stream with
    no data) as the end: StopIteration.  Run in subprocesses, since a
    reader that loops on None would never return."""
    def run(module):
        try:
            proc = subprocess.run(
                [sys.executable, "-c", NONE_SCRIPT.replace("{module}", module), data.hex()],
                capture_output=True, text=True, timeout=8, cwd=str(REPO), check=False,
            )
        except subprocess.TimeoutExpired:
            return "hung (killed after 8 s)"
        return proc.stdout.strip() or proc.stderr[-500:]

    expected = run("pymarc")
    assert expected == str(["record"] * (2 if data else 0) + ["stop"])
    assert run("pymrrc") == expected


# -- paths that are not regular files -------------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs /proc/self/mem")
@pytest.mark.parametrize("workers", [None, 1, 3])
def test_path_read_error_raises_oserror(workers):
    """Reading /proc/self/mem from offset 0 fails with EIO: next() raises
    OSError, then the reader stops; nothing hangs."""
    reader = pymrrc.MARCReader("/proc/self/mem", workers=workers)
    with pytest.raises(OSError):
        next(reader)
    with pytest.raises(StopIteration):
        next(reader)


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs /proc/self/mem")
def test_path_read_error_has_the_errno_of_a_python_read():
    """The OSError carries errno (EIO here), as the file-object backend's
    (Python's own read()) does."""
    with open("/proc/self/mem", "rb") as f, pytest.raises(OSError) as python_error:
        pymrrc.MARCReader(f).__next__()
    with pytest.raises(OSError) as path_error:
        next(pymrrc.MARCReader("/proc/self/mem"))
    assert python_error.value.errno is not None
    assert path_error.value.errno == python_error.value.errno, repr(path_error.value)


def test_path_backend_on_an_anonymous_pipe():
    """``/dev/fd/N`` of a pipe (what a shell's ``<(command)`` passes)."""
    if not os.path.isdir("/dev/fd"):
        pytest.skip("no /dev/fd")
    data = GOOD + GOOD2 + GOOD3
    pipe = Pipe(data)
    try:
        path = f"/dev/fd/{pipe.handle.fileno()}"
        with quiet():
            records = [r.as_marc() for r in pymrrc.MARCReader(path)]
    finally:
        pipe.close()
    assert records == [GOOD, GOOD2, GOOD3]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
@pytest.mark.parametrize("size", ["small", "large"])
def test_path_backend_on_a_named_pipe(tmp_path, size):
    """``MARCReader(fifo_path)`` reads what a writer sends, without hanging
    and without breaking the writer's pipe.  (Opening the FIFO, closing it
    and opening it again races with the writer, so this repeats.)"""
    data = GOOD + GOOD2 + GOOD3 if size == "small" else b"".join(numbered(i) for i in range(1000))
    expected_count = 3 if size == "small" else 1000
    for attempt in range(40):
        fifo = tmp_path / f"fifo{attempt}"
        os.mkfifo(fifo)
        outcome = {}

        def write(fifo=fifo, outcome=outcome):
            try:
                with open(fifo, "wb") as out:
                    out.write(data)
                outcome["writer"] = "ok"
            except OSError as exc:
                outcome["writer"] = repr(exc)

        def read(fifo=fifo, outcome=outcome):
            try:
                outcome["records"] = sum(1 for r in pymrrc.MARCReader(str(fifo)) if r is not None)
            except Exception as exc:  # noqa: BLE001 - reported below
                outcome["records"] = repr(exc)

        writer = threading.Thread(target=write, daemon=True)
        reader = threading.Thread(target=read, daemon=True)
        writer.start()
        reader.start()
        reader.join(5)
        hung = reader.is_alive()
        if hung:
            # Give the blocked open() a writer so that the thread can end.
            threading.Thread(target=lambda f=fifo: open(f, "wb").close(), daemon=True).start()
            reader.join(5)
        writer.join(5)
        assert not hung and outcome == {"writer": "ok", "records": expected_count}, (
            f"attempt {attempt}: reader {'hung' if hung else 'finished'}, {outcome}"
        )
