"""MARCReader's None / current_exception / current_chunk / StopIteration
protocol, compared side by side with pymarc 5.4.0 on crafted inputs.

Every input is read by both libraries, from ``bytes`` and from
``io.BytesIO``, and everything observable is compared step by step: what
``next()`` returns (the record in full, or None), ``current_chunk``,
``current_exception`` (class, module family, ``str()`` and ``args``), the
``'pymarc'`` logger's records and the warnings issued. Sources, stream
positions, mutated records and ``Record(data=...)`` are in
test_reader_protocol_sources.py; inputs and helpers in
reader_protocol_support.py.
"""

import io
import logging
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
    MARC8_DIACRITIC,
    OPTION_SETS,
    _family,
    assert_same_protocol,
    build,
    exc_key,
    patch,
    run_reader,
)


# -- the tests ----------------------------------------------------------------------


@pytest.mark.parametrize("as_stream", [False, True], ids=["bytes", "BytesIO"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_protocol_default_options(case, as_stream):
    assert_same_protocol(CASES[case], as_stream, {})


@pytest.mark.parametrize("options", sorted(set(OPTION_SETS) - {"default"}))
@pytest.mark.parametrize("case", sorted(CASES))
def test_protocol_other_options(case, options):
    assert_same_protocol(CASES[case], True, OPTION_SETS[options])


@pytest.mark.parametrize(
    "handling",
    ["strict", "replace", "ignore", "backslashreplace", "surrogateescape", "surrogatepass", "xmlcharrefreplace", "namereplace"],
)
@pytest.mark.parametrize(
    "case",
    [
        "subfield_invalid_utf8",
        "subfield_truncated_utf8",
        "subfield_overlong_utf8",
        "subfield_surrogate_utf8",
        "subfield_four_byte_bad",
        "subfield_mixed_invalid",
        "control_invalid_utf8",
        "non_ascii_code_after_bad_utf8",
    ],
)
def test_utf8_handling(case, handling):
    assert_same_protocol(CASES[case], False, {"utf8_handling": handling})


def test_unknown_error_handler_only_matters_on_bad_bytes():
    options = {"utf8_handling": "no-such-handler"}
    assert_same_protocol(GOOD, False, options)
    assert_same_protocol(CASES["subfield_invalid_utf8"] + GOOD3, False, options)


def test_file_encoding_option():
    record = build([("001", b"x"), ("245", b"10\x1fa\xc0\xe1\xe2")], leader9=" ")
    assert_same_protocol(record, True, {"file_encoding": "cp1251"})
    assert_same_protocol(record, True, {"file_encoding": "cp1251", "force_utf8": True})
    assert_same_protocol(record, True, {"file_encoding": "ascii"})


def test_hide_utf8_warnings_option():
    assert_same_protocol(MARC8_DIACRITIC, False, {"hide_utf8_warnings": True})
    assert_same_protocol(build([("245", b"00\x1fa\x1b(Zbad")], leader9=" "), False, {})


def test_the_crafted_inputs_really_exercise_the_protocol():
    """Guard against comparisons that pass because nothing happens."""
    outcomes = set()
    for data in CASES.values():
        for step in run_reader(pymarc, data, False, {}):
            outcomes.add(step[0][0] if step[2] is None else step[2][1])
    for name in (
        "record",
        "stop",
        "RecordLengthInvalid",
        "TruncatedRecord",
        "EndOfRecordNotFound",
        "RecordLeaderInvalid",
        "RecordDirectoryInvalid",
        "BaseAddressInvalid",
        "BaseAddressNotFound",
        "NoFieldsFound",
        "ValueError",
        "UnicodeDecodeError",
        "IndexError",
    ):
        assert name in outcomes


@pytest.mark.parametrize("module", [pymarc, pymrrc], ids=["pymarc", "pymrrc"])
def test_fatal_error_stops_iteration_for_good(module):
    # The same expectations for both libraries, and equality between them
    # is checked by the protocol tests; here the shape is spelled out.
    data = GOOD + GOOD2[:-1] + b"x" + GOOD3
    reader = module.MARCReader(io.BytesIO(data))
    assert next(reader) is not None
    assert next(reader) is None
    fatal = reader.current_exception
    assert isinstance(fatal, module.EndOfRecordNotFound)
    chunk = reader.current_chunk
    for _ in range(3):
        with pytest.raises(StopIteration):
            next(reader)
        assert reader.current_exception is fatal
        assert reader.current_chunk == chunk
    assert list(reader) == []


def test_reading_continues_after_non_fatal_errors():
    data = GOOD + patch(GOOD2, 12, b"00000") + build([("001", b"x"), ("245", b"10\x1fa\xff")]) + GOOD3
    for module in (pymarc, pymrrc):
        got = [(r is None, r.title if r is not None else None) for r in module.MARCReader(data)]
        assert got == [(False, "A title : subtitle /"), (True, None), (True, None), (False, "Third")]
    assert_same_protocol(data, True, {})


def test_indicator_messages_with_caplog(caplog):
    data = CASES["indicators_many_fields"] + CASES["indicators_three"]
    results = []
    for module in (pymarc, pymrrc):
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger=LOGGER):
            records = list(module.MARCReader(io.BytesIO(data)))
        results.append(
            (
                [(r.name, r.levelno, r.msg, r.args, r.getMessage()) for r in caplog.records],
                [str(r) for r in records],
            )
        )
    assert results[0][0], "pymarc should have logged indicator problems"
    assert results[1] == results[0]


def test_indicator_messages_are_logged_when_read_not_when_looked_at(caplog):
    data = CASES["indicators_missing"]
    for module in (pymarc, pymrrc):
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger=LOGGER):
            record = next(module.MARCReader(data))
            count_after_read = len(caplog.records)
            str(record)
            count_after_use = len(caplog.records)
        assert (module.__name__, count_after_read, count_after_use) == (module.__name__, 1, 1)


def test_bad_subfield_code_warning_objects():
    data = CASES["non_ascii_code_utf8"] + CASES["non_ascii_code_latin1"]
    results = []
    for module in (pymarc, pymrrc):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            records = list(module.MARCReader(data))
        results.append(
            (
                [
                    (w.category.__name__, _family(w.category.__module__), str(w.message), w.message.subf)
                    for w in caught
                ],
                [str(r) for r in records],
            )
        )
    assert len(results[0][0]) == 2
    assert results[1] == results[0]


def test_current_exception_details_for_decode_errors():
    """class, str() and args of ValueError / UnicodeDecodeError match."""
    for case in (
        "base_non_digit",
        "directory_non_digit_length",
        "directory_non_digit_offset",
        "leader_non_ascii",
        "directory_non_ascii",
        "indicators_non_ascii",
        "control_invalid_utf8",
        "subfield_invalid_utf8",
        "non_ascii_code_no_ascii_form",
    ):
        found = []
        for module in (pymarc, pymrrc):
            reader = module.MARCReader(CASES[case])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", module.BadSubfieldCodeWarning)
                assert next(reader) is None
            exc = reader.current_exception
            extra = ()
            if isinstance(exc, UnicodeDecodeError):
                extra = (exc.encoding, exc.object, exc.start, exc.end, exc.reason)
            found.append((exc_key(exc), extra, reader.current_chunk))
        assert found[1] == found[0], case
