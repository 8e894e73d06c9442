"""MARCReader's protocol, compared side by side with pymarc 5.4.0, across
sources and inputs: text-mode streams, other source types, file positions
between records (moved by the caller, not at the start, short reads),
closing, reader attributes, randomly mutated valid records,
``Record(data=...)`` built directly, option values that are not plain, and
files on disk.
"""

import io
import itertools
import logging
import random
import warnings

import pytest

import pymarc
import pymrrc

from reader_protocol_support import (  # noqa: F401
    CASES,
    GOOD,
    GOOD2,
    GOOD3,
    LOGGER,
    MARC8,
    OPTION_SETS,
    _ListHandler,
    assert_same_protocol,
    exc_key,
    patch,
    record_key,
    run_reader,
)


def test_text_mode_stream():
    """Divergence D3 (compat-tests/DIVERGENCES.md): given a text-mode stream,
    pymarc compares str with int and reports EndOfRecordNotFound; pymrrc
    raises TypeError naming the problem."""
    text = GOOD.decode("latin-1")
    reader = pymarc.MARCReader(io.StringIO(text))
    assert next(reader) is None
    assert type(reader.current_exception).__name__ == "EndOfRecordNotFound"
    with pytest.raises(TypeError, match="binary file object"):
        next(pymrrc.MARCReader(io.StringIO(text)))


@pytest.mark.parametrize("kind", ["bytearray", "memoryview", "bytes_subclass", "str_path", "pathlib_path"])
def test_other_sources(kind, tmp_path):
    """Divergence D2 (compat-tests/DIVERGENCES.md): pymarc takes only bytes
    or a file object (anything else fails with AttributeError on the first
    next()); pymrrc also reads paths, bytearray and memoryview, giving what
    pymarc gives for the same bytes."""

    class MyBytes(bytes):
        pass

    path = tmp_path / "records.mrc"
    path.write_bytes(GOOD + GOOD2)
    make = {
        "bytearray": bytearray,
        "memoryview": memoryview,
        "bytes_subclass": MyBytes,
        "str_path": lambda data: str(path),
        "pathlib_path": lambda data: path,
    }[kind]
    if kind != "bytes_subclass":
        with pytest.raises(AttributeError):
            next(pymarc.MARCReader(make(GOOD + GOOD2)))
    expected_reader = pymarc.MARCReader(GOOD + GOOD2)
    expected = [("ok", record_key(r), expected_reader.current_chunk) for r in expected_reader]
    reader = pymrrc.MARCReader(make(GOOD + GOOD2))
    got = [("ok", record_key(r), reader.current_chunk) for r in reader]
    assert got == expected


def test_file_position_between_records():
    """Code that indexes a file by ``file_handle.tell()`` between records
    sees the same offsets."""
    data = GOOD + GOOD2 + patch(GOOD3, 12, b"00000") + GOOD
    positions = []
    for module in (pymarc, pymrrc):
        handle = io.BytesIO(data)
        reader = module.MARCReader(handle)
        seen = [handle.tell()]
        for _ in reader:
            seen.append(handle.tell())
        positions.append(seen)
    assert positions[1] == positions[0]


def test_stream_not_at_its_start():
    """A stream the caller has already read from (a header skipped)."""
    outcomes = []
    for module in (pymarc, pymrrc):
        handle = io.BytesIO(b"JUNK" + GOOD + GOOD2 + GOOD3)
        handle.read(4)
        reader = module.MARCReader(handle)
        outcomes.append([(record_key(r), handle.tell(), reader.current_chunk) for r in reader])
    assert outcomes[1] == outcomes[0]


def test_stream_position_moved_by_the_caller():
    """pymarc reads each record from wherever the stream is: seeking back
    re-reads a record."""
    outcomes = []
    for module in (pymarc, pymrrc):
        handle = io.BytesIO(GOOD + GOOD2 + GOOD3)
        reader = module.MARCReader(handle)
        first = next(reader)
        handle.seek(0)
        again = next(reader)
        handle.seek(len(GOOD) + len(GOOD2))
        last = next(reader)
        outcomes.append((first.title, again.title, last.title, handle.tell()))
    assert outcomes[1] == outcomes[0]


def test_file_handle_position_for_bytes_input():
    """Given bytes, the reader's own ``file_handle`` (a BytesIO) advances."""
    data = GOOD + GOOD2 + patch(GOOD3, 12, b"00000")
    outcomes = []
    for module in (pymarc, pymrrc):
        reader = module.MARCReader(data)
        seen = [reader.file_handle.tell()]
        for _ in reader:
            seen.append(reader.file_handle.tell())
        outcomes.append(seen)
    assert outcomes[1] == outcomes[0]


def test_stream_that_returns_short_reads():
    """A stream whose read() returns fewer bytes than asked for (a pipe)."""

    class Trickle(io.RawIOBase):
        def __init__(self, data):
            self._data = data
            self._pos = 0

        def readable(self):
            return True

        def read(self, size=-1):
            if size is None or size < 0:
                size = len(self._data) - self._pos
            size = min(size, 7)
            out = self._data[self._pos : self._pos + size]
            self._pos += len(out)
            return out

    # Divergence D4 (compat-tests/DIVERGENCES.md): pymarc takes a short read
    # for a truncated record and stops; pymrrc reads on until read() returns
    # b"", so it yields what pymarc yields for the whole stream.
    data = GOOD + GOOD2
    short = pymarc.MARCReader(Trickle(data))
    assert next(short) is None
    assert type(short.current_exception).__name__ == "TruncatedRecord"
    outcomes = []
    for module, source in ((pymarc, io.BytesIO(data)), (pymrrc, Trickle(data))):
        reader = module.MARCReader(source)
        outcomes.append([(record_key(r), reader.current_chunk, exc_key(reader.current_exception)) for r in reader])
    assert outcomes[1] == outcomes[0]


def test_close_closes_handle():
    for module in (pymarc, pymrrc):
        handle = io.BytesIO(GOOD)
        reader = module.MARCReader(handle)
        reader.close()
        assert handle.closed


def test_reader_attributes():
    options = {
        "to_unicode": False,
        "force_utf8": True,
        "hide_utf8_warnings": True,
        "utf8_handling": "ignore",
        "file_encoding": "cp1251",
        "permissive": True,
    }
    found = []
    for module in (pymarc, pymrrc):
        reader = module.MARCReader(GOOD, **options)
        found.append(
            (
                {name: getattr(reader, name) for name in options},
                reader.current_chunk,
                reader.current_exception,
                type(reader.file_handle).__name__,
                isinstance(reader, module.Reader),
                iter(reader) is reader,
            )
        )
    assert found[1] == found[0]


# -- mutations of valid records ------------------------------------------------------

_MUTATION_BYTES = [b"0", b"9", b"-", b" ", b"_", b"+", b"\x1e", b"\x1f", b"\x1d", b"\xff", b"\xc3", b"a", b"\x00"]


def _mutants(seed, count):
    rng = random.Random(seed)
    bases = [GOOD, GOOD2, CASES["indicators_three"], CASES["alpha_tags"]]
    for _ in range(count):
        data = bytearray(rng.choice(bases))
        for _ in range(rng.randint(1, 3)):
            where = rng.randrange(len(data))
            choice = rng.random()
            if choice < 0.7:
                data[where : where + 1] = rng.choice(_MUTATION_BYTES)
            elif choice < 0.85:
                del data[where]
            else:
                data.insert(where, rng.choice(_MUTATION_BYTES)[0])
        yield bytes(data)


@pytest.mark.parametrize("options", ["default", "replace", "raw"])
@pytest.mark.parametrize("seed", range(4))
def test_random_mutations(seed, options):
    kwargs = OPTION_SETS[options]
    for data in _mutants(seed, 120):
        expected = run_reader(pymarc, data + GOOD3, False, kwargs, max_steps=4)
        actual = run_reader(pymrrc, data + GOOD3, False, kwargs, max_steps=4)
        assert actual == expected, data


# -- Record(data=...) built directly ---------------------------------------------------


@pytest.mark.parametrize("options", ["default", "replace", "force_utf8", "raw"])
def test_record_constructor_same_as_reader_protocol(options):
    """Record(chunk) raises exactly what the reader reports."""
    kwargs = OPTION_SETS[options]
    for name, data in CASES.items():
        if not data:
            continue
        outcomes = []
        for module in (pymarc, pymrrc):
            handler = _ListHandler()
            logging.getLogger(LOGGER).addHandler(handler)
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    try:
                        record = module.Record(data, **kwargs)
                        outcome = ("record", record_key(record))
                    except Exception as exc:  # noqa: BLE001
                        outcome = ("raised", exc_key(exc))
            finally:
                logging.getLogger(LOGGER).removeHandler(handler)
            outcomes.append((outcome, handler.seen, [str(w.message) for w in caught]))
        assert outcomes[1] == outcomes[0], name


def test_iteration_over_many_combinations_is_consistent():
    """Concatenations of small good and bad records, in every order."""
    pieces = [GOOD3, CASES["indicators_one"], CASES["no_fields"], CASES["subfield_invalid_utf8"], MARC8]
    for combo in itertools.permutations(pieces, 3):
        data = b"".join(combo)
        assert run_reader(pymrrc, data, True, {}) == run_reader(pymarc, data, True, {})


class _Handler(str):
    """An error-handler name that is a str subclass."""


@pytest.mark.parametrize(
    "options",
    [
        {"to_unicode": 1},
        {"to_unicode": 0},
        {"to_unicode": ""},
        {"force_utf8": 1},
        {"force_utf8": "yes"},
        {"force_utf8": None},
        {"utf8_handling": _Handler("strict")},
        {"utf8_handling": _Handler("replace")},
        {"utf8_handling": "STRICT"},
        {"file_encoding": "utf-8"},
    ],
    ids=repr,
)
def test_option_values_that_are_not_plain(options):
    data = GOOD + CASES["subfield_invalid_utf8"] + MARC8 + CASES["indicators_three"] + GOOD3
    assert_same_protocol(data, True, options)
    found = []
    for module in (pymarc, pymrrc):
        record = next(module.MARCReader(GOOD, **options))
        found.append((type(record.to_unicode).__name__, record.to_unicode, type(record.force_utf8).__name__, record.force_utf8))
    assert found[1] == found[0]


def test_reading_from_files_on_disk(tmp_path):
    """Real (buffered) file objects, including a bad record in the middle
    and a truncated end."""
    data = b"".join(CASES[name] for name in ("three_good", "bad_base_in_middle", "indicators_one", "truncated"))
    path = tmp_path / "records.mrc"
    path.write_bytes(data)
    outcomes = []
    for module in (pymarc, pymrrc):
        with open(path, "rb") as handle:
            reader = module.MARCReader(handle)
            out = []
            for _ in range(20):
                try:
                    record = next(reader)
                except StopIteration:
                    out.append("stop")
                    break
                out.append((record_key(record), reader.current_chunk, exc_key(reader.current_exception)))
        outcomes.append(out)
    assert outcomes[1] == outcomes[0]
    assert len(outcomes[0]) > 8


def test_record_class_with_a_new_of_its_own():
    """A ``__new__`` given to ``Record`` is called for every record the
    reader makes, as pymarc's reader calls ``Record(...)``, and the records
    are the same as pymarc's."""
    made = []
    base_new = pymrrc.Record.__new__

    def counting_new(cls, *args, **kwargs):
        made.append(cls)
        return base_new(cls, *args, **kwargs)

    data = GOOD + GOOD2 + GOOD3
    expected = [record_key(r) for r in pymarc.MARCReader(data)]
    pymrrc.Record.__new__ = counting_new
    try:
        ours = [record_key(r) for r in pymrrc.MARCReader(io.BytesIO(data))]
    finally:
        del pymrrc.Record.__new__
    assert ours == expected
    assert made == [pymrrc.Record] * 3
    # Without it, records are made as before.
    assert [record_key(r) for r in pymrrc.MARCReader(io.BytesIO(data))] == expected
    assert len(made) == 3
