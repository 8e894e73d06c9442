"""MARCReader's None / current_exception / current_chunk / StopIteration
protocol, compared side by side with pymarc 5.4.0 on crafted inputs.

Every input is read by both libraries, from ``bytes`` and from
``io.BytesIO``, and everything observable is compared step by step: what
``next()`` returns (the record in full, or None), ``current_chunk``,
``current_exception`` (class, module family, ``str()`` and ``args``), the
``'pymarc'`` logger's records and the warnings issued.
"""

import io
import itertools
import logging
import random
import warnings

import pytest

import pymarc
import pymrrc

LOGGER = "pymarc"


# -- building records ---------------------------------------------------------


def build(fields, leader9="a", status="n", leader=None, entries=None, base=None, length=None):
    """A record in transmission format.

    ``fields`` is a list of ``(tag, body)`` where ``body`` excludes the field
    terminator. ``entries`` replaces the computed directory entries (a list
    of 12-byte ``bytes``); ``base`` and ``length`` replace the leader's base
    address and record length (``bytes`` of 5).
    """
    directory = b""
    data = b""
    for tag, body in fields:
        tag = tag.encode("ascii") if isinstance(tag, str) else tag
        body = body + b"\x1e"
        directory += tag + b"%04d%05d" % (len(body), len(data))
        data += body
    if entries is not None:
        directory = b"".join(entries)
    directory += b"\x1e"
    data += b"\x1d"
    base_address = 24 + len(directory)
    total = base_address + len(data)
    if leader is None:
        leader = b"%05d%sam %s22%05d   4500" % (
            total,
            status.encode("ascii"),
            leader9.encode("ascii"),
            base_address,
        )
    leader = bytearray(leader)
    if base is not None:
        leader[12:17] = base
    if length is not None:
        leader[0:5] = length
    return bytes(leader) + directory + data


def patch(data, position, replacement):
    """``data`` with ``replacement`` written over it at ``position``."""
    return data[:position] + replacement + data[position + len(replacement) :]


TITLE = ("245", b"10\x1faA title :\x1fbsubtitle /\x1fcby someone.")
GOOD_FIELDS = [
    ("001", b"ocm00012345"),
    ("008", b"850101s1985    xx            000 0 eng d"),
    ("020", b"  \x1fa0-12-345678-9 (pbk.)"),
    ("100", b"1 \x1faAuthor, An,\x1fd1900-1990."),
    TITLE,
    ("260", b"  \x1faPlace :\x1fbPublisher,\x1fc1985."),
    ("650", b" 0\x1faSubject\x1fxSubdivision\x1fzPlace."),
]
GOOD = build(GOOD_FIELDS)
GOOD2 = build([("001", b"second"), ("245", b"00\x1faSecond \xc3\xa9t\xc3\xa9.")])
GOOD3 = build([("001", b"third"), ("245", b"00\x1faThird")])
MARC8 = build([("001", b"m8"), ("245", b"00\x1faMARC-8 title")], leader9=" ")
MARC8_DIACRITIC = build([("001", b"m8d"), ("245", b"00\x1faCaf\xe2e")], leader9=" ")


def _directory_at(record, index):
    return 24 + 12 * index


# -- crafted inputs ---------------------------------------------------------------

CASES = {
    # framing
    "empty": b"",
    "one_byte": b"0",
    "two_bytes": b"00",
    "three_bytes": b"001",
    "four_bytes": b"0001",
    "four_bytes_after_record": GOOD + b"0001",
    "non_digit_length": b"abcde" + GOOD[5:],
    "non_digit_length_mid": b"00a26" + GOOD[5:],
    "non_ascii_length": b"\xc3\xa90026" + GOOD[5:],
    "negative_length": b"-0001" + GOOD[5:],
    "negative_length_no_eor": b"-0001" + GOOD[5:-1],
    "zero_length": b"00000" + GOOD[5:],
    "zero_length_then_more": b"00000" + GOOD[5:] + GOOD2,
    "length_five": b"00005" + GOOD[5:],
    "length_three": b"00003" + GOOD[5:],
    "length_spaces": (b" %3d " % len(GOOD)) + GOOD[5:],
    "length_plus": (b"+%04d" % len(GOOD)) + GOOD[5:],
    "length_underscore": (b"%d_%02d" % divmod(len(GOOD), 100)) + GOOD[5:]
    if len(GOOD) < 1000
    else GOOD,
    "length_double_underscore": b"0__" + GOOD[3:],
    "truncated": GOOD[:-10],
    "truncated_to_leader": GOOD[:24],
    "length_too_large": b"99999" + GOOD[5:],
    "missing_eor": GOOD[:-1] + b"\x1e",
    "missing_eor_then_good": GOOD[:-1] + b"\x1e" + GOOD2,
    "only_eor": b"00006\x1d",
    "short_record_with_eor": b"00010abcd\x1d",
    # leader and base address
    "base_zero": patch(GOOD, 12, b"00000"),
    "base_negative": patch(GOOD, 12, b"-0010"),
    "base_at_length": patch(GOOD, 12, b"%05d" % len(GOOD)),
    "base_past_length": patch(GOOD, 12, b"99999"),
    "base_non_digit": patch(GOOD, 12, b"0a100"),
    "base_spaces": patch(GOOD, 12, b" %3d " % (24 + 12 * len(GOOD_FIELDS) + 1)),
    "base_non_ascii": patch(GOOD, 12, b"\xff0000"),
    "base_one": patch(GOOD, 12, b"00001"),
    "base_in_leader": patch(GOOD, 12, b"00020"),
    "leader_non_ascii": patch(GOOD, 6, b"\xc3\xa9"),
    "leader_non_ascii_pos9": patch(GOOD, 9, b"\xe9"),
    "leader_control_chars": patch(GOOD, 6, b"\x1e\x1f"),
    # directory
    "directory_not_multiple": build(GOOD_FIELDS, base=b"%05d" % (24 + 12 * len(GOOD_FIELDS) + 2)),
    "directory_short_by_one": build(GOOD_FIELDS, base=b"%05d" % (24 + 12 * len(GOOD_FIELDS))),
    "directory_non_digit_length": patch(GOOD, _directory_at(GOOD, 1) + 3, b"00x0"),
    "directory_non_digit_offset": patch(GOOD, _directory_at(GOOD, 2) + 7, b"0a000"),
    "directory_non_ascii": patch(GOOD, _directory_at(GOOD, 1) + 4, b"\xc3\xa9"),
    "directory_space_padded": patch(GOOD, _directory_at(GOOD, 0) + 3, b" 12 "),
    "directory_plus_sign": patch(GOOD, _directory_at(GOOD, 0) + 3, b"+012"),
    "directory_underscore": patch(GOOD, _directory_at(GOOD, 0) + 3, b"1_2 "),
    "directory_bad_underscore": patch(GOOD, _directory_at(GOOD, 0) + 3, b"_012"),
    "directory_negative_length": patch(GOOD, _directory_at(GOOD, 4) + 3, b"-005"),
    "directory_zero_length": patch(GOOD, _directory_at(GOOD, 4) + 3, b"0000"),
    "directory_one_length": patch(GOOD, _directory_at(GOOD, 4) + 3, b"0001"),
    "directory_offset_past_end": patch(GOOD, _directory_at(GOOD, 4) + 7, b"99999"),
    "directory_length_past_end": patch(GOOD, _directory_at(GOOD, 6) + 3, b"9999"),
    "directory_negative_offset": patch(GOOD, _directory_at(GOOD, 4) + 7, b"-0010"),
    "directory_offset_before_start": patch(GOOD, _directory_at(GOOD, 4) + 7, b"-9999"),
    "directory_offset_into_leader": patch(
        GOOD, _directory_at(GOOD, 0) + 7, b"-%04d" % (24 + 12 * len(GOOD_FIELDS) + 1 - 3)
    ),
    "directory_offset_negative_index": patch(
        GOOD, _directory_at(GOOD, 3) + 7, b"-%04d" % (24 + 12 * len(GOOD_FIELDS) + 1 + 20)
    ),
    "directory_spaces_offset": patch(GOOD, _directory_at(GOOD, 1) + 7, b"   12"),
    "no_fields": build([]),
    "no_fields_marc8": build([], leader9=" "),
    "directory_without_terminator": build(GOOD_FIELDS, base=b"%05d" % (24 + 12 * len(GOOD_FIELDS) + 2)),
    # tags
    "alpha_tags": build([("001", b"x"), ("ABC", b"12\x1faalpha"), ("00A", b"  \x1fab"), ("0 1", b"1")]),
    "control_tag_alpha": build([("00a", b"ab\x1fcd")]),
    "tag_lowercase_mix": build([("001", b"x"), ("a45", b"10\x1faTitle")]),
    # field contents
    "control_invalid_utf8": build([("001", b"ab\xffcd"), TITLE]),
    "control_truncated_utf8": build([("001", b"ab\xc3"), TITLE]),
    "control_surrogate_utf8": build([("001", b"\xed\xa0\x80"), TITLE]),
    "control_with_delimiters": build([("001", b"a\x1fb\x1fc"), TITLE]),
    "subfield_invalid_utf8": build([("001", b"x"), ("245", b"10\x1faT\xffitle\x1fbok")]),
    "subfield_truncated_utf8": build([("001", b"x"), ("245", b"10\x1faTitle\xe2\x82")]),
    "subfield_overlong_utf8": build([("001", b"x"), ("245", b"10\x1fa\xc0\xafx\xe0\x80\xaf")]),
    "subfield_surrogate_utf8": build([("001", b"x"), ("245", b"10\x1fa\xed\xa0\x80\xed\xbf\xbf")]),
    "subfield_four_byte_bad": build([("001", b"x"), ("245", b"10\x1fa\xf0\x80\x80\x80\xf4\x90\x80\x80\xf5")]),
    "subfield_mixed_invalid": build(
        [("001", b"x"), ("245", b"10\x1fa\xff\xfe ok \xc3\xa9 \xe2\x82\xac\xe2\x1fb\x80tail")]
    ),
    "subfield_invalid_in_second_field": build(
        [("001", b"x"), ("100", b"1 \x1faOne\xff"), ("245", b"10\x1faT\xfe")]
    ),
    "invalid_utf8_then_bad_indicators": build(
        [("001", b"x"), ("245", b"\x1faT\xff"), ("246", b"1\x1fab")]
    ),
    "indicators_missing": build([("001", b"x"), ("245", b"\x1faNo indicators")]),
    "indicators_one": build([("001", b"x"), ("245", b"1\x1faOne indicator")]),
    "indicators_three": build([("001", b"x"), ("245", b"123\x1faThree indicators")]),
    "indicators_many_fields": build(
        [("001", b"x"), ("100", b""), ("245", b"1"), ("246", b"1234"), ("500", b"  \x1fa")]
    ),
    "indicators_non_ascii": build([("001", b"x"), ("245", b"\xc3\xa9\x1faTitle")]),
    "indicators_only": build([("001", b"x"), ("245", b"10")]),
    "field_empty_body": build([("001", b""), ("245", b"")]),
    "empty_subfields": build([("001", b"x"), ("245", b"10\x1f\x1fa\x1f\x1fb\x1f")]),
    "subfield_code_only": build([("001", b"x"), ("245", b"10\x1fa\x1fb")]),
    "subfield_code_delimiter_in_control": build([("001", b"\x1fa")]),
    "non_ascii_code_utf8": build([("001", b"x"), ("245", b"10\x1f\xc3\xa9value\x1fbok")]),
    "non_ascii_code_latin1": build([("001", b"x"), ("245", b"10\x1f\xffvalue")]),
    "non_ascii_code_no_ascii_form": build([("001", b"x"), ("245", b"10\x1f\xc3\x97\xc3\x97")]),
    "non_ascii_code_symbol_then_text": build([("001", b"x"), ("245", b"10\x1f\xc3\x97value")]),
    "non_ascii_code_after_bad_utf8": build([("001", b"x"), ("245", b"10\x1faT\xff\x1f\xc3\xa9v")]),
    "non_ascii_code_before_bad_utf8": build([("001", b"x"), ("245", b"10\x1f\xc3\xa9v\x1faT\xff")]),
    "non_ascii_code_and_missing_indicators": build(
        [("001", b"x"), ("100", b"\x1faA"), ("245", b"1\x1f\xe2\x82\xacv")]
    ),
    "non_ascii_code_only_byte": build([("001", b"x"), ("245", b"10\x1f\xc3")]),
    "field_terminators_inside": build([("001", b"x"), ("245", b"10\x1faA\x1eB\x1dC")]),
    "marc8_record": MARC8,
    "marc8_diacritic": MARC8_DIACRITIC,
    "marc8_invalid_utf8_bytes": build([("001", b"x"), ("245", b"10\x1faT\xff")], leader9=" "),
    "leader9_other": build([("001", b"x"), ("245", b"10\x1faT")], leader9="z"),
    # sequences
    "three_good": GOOD + GOOD2 + GOOD3,
    "bad_base_in_middle": GOOD + patch(GOOD2, 12, b"00000") + GOOD3,
    "bad_utf8_in_middle": GOOD + build([("001", b"x"), ("245", b"10\x1fa\xff")]) + GOOD3,
    "bad_directory_in_middle": GOOD + patch(GOOD2, 24 + 3, b"zzzz") + GOOD3,
    "no_fields_in_middle": GOOD + build([]) + GOOD3,
    "non_ascii_leader_in_middle": GOOD + patch(GOOD2, 7, b"\x80") + GOOD3,
    "indicator_warnings_in_middle": GOOD + build([("245", b"\x1faX")]) + GOOD3,
    "fatal_in_middle": GOOD + GOOD2[:-1] + b"x" + GOOD3,
    "bad_length_in_middle": GOOD + b"abcde" + GOOD2[5:] + GOOD3,
    "truncated_at_end": GOOD + GOOD2 + GOOD3[:-5],
    "trailing_garbage": GOOD + b"\n",
    "trailing_newlines": GOOD + b"\r\n\r\n",
    "marc8_between_utf8": GOOD + MARC8_DIACRITIC + GOOD3,
}

OPTION_SETS = {
    "default": {},
    "replace": {"utf8_handling": "replace"},
    "ignore": {"utf8_handling": "ignore"},
    "backslashreplace": {"utf8_handling": "backslashreplace"},
    "force_utf8": {"force_utf8": True},
    "raw": {"to_unicode": False},
}


# -- describing what happened ---------------------------------------------------


def _family(module_name):
    head, _, rest = module_name.partition(".")
    if head in ("pymarc", "pymrrc"):
        return "PKG." + rest
    return module_name


def exc_key(exc):
    """Everything comparable about an exception object (or None)."""
    if exc is None:
        return None
    cls = type(exc)
    return (
        cls.__name__,
        _family(cls.__module__),
        [c.__name__ for c in cls.__mro__],
        str(exc),
        exc.args,
    )


def _attempt(fn):
    try:
        return ("ok", fn())
    except Exception as exc:  # noqa: BLE001 - the failure is the result
        return ("raised", exc_key(exc))


def field_key(field):
    subfields = field.subfields
    return (
        type(field).__name__,
        field.tag,
        field.control_field,
        field.data,
        None if field.indicators is None else (type(field.indicators).__name__, tuple(field.indicators)),
        type(subfields).__name__,
        [(type(s).__name__, tuple(s)) for s in subfields],
    )


def record_key(record):
    """A full description of a record, exercising the lazy paths first:
    title and as_marc from the bytes, then the objects."""
    if record is None:
        return None
    out = [type(record).__name__]
    out.append(_attempt(lambda: record.title))
    out.append(_attempt(lambda: record.issn_title))
    out.append(_attempt(record.as_marc))
    out.append(_attempt(lambda: str(record.leader)))
    out.append(_attempt(lambda: [field_key(f) for f in record.fields]))
    out.append(_attempt(lambda: str(record)))
    out.append(_attempt(record.as_marc))
    out.append((record.to_unicode, record.force_utf8, record.pos))
    return out


class _ListHandler(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.seen = []

    def emit(self, record):
        self.seen.append((record.name, record.levelname, record.getMessage()))


def run_reader(module, data, as_stream, options, max_steps=12, stop_repeats=3):
    """Drive ``module.MARCReader`` over ``data`` and describe every step."""
    source = io.BytesIO(data) if as_stream else data
    handler = _ListHandler()
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    steps = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            reader = module.MARCReader(source, **options)
            stops = 0
            for _ in range(max_steps):
                handler.seen.clear()
                del caught[:]
                try:
                    record = next(reader)
                except StopIteration:
                    outcome = ("stop",)
                    stops += 1
                except Exception as exc:  # noqa: BLE001
                    outcome = ("raised", exc_key(exc))
                else:
                    outcome = ("record", record_key(record))
                steps.append(
                    (
                        outcome,
                        reader.current_chunk,
                        exc_key(reader.current_exception),
                        list(handler.seen),
                        [(w.category.__name__, str(w.message)) for w in caught],
                    )
                )
                if outcome[0] == "raised" or stops >= stop_repeats:
                    break
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    return steps


def assert_same_protocol(data, as_stream, options):
    expected = run_reader(pymarc, data, as_stream, options)
    actual = run_reader(pymrrc, data, as_stream, options)
    assert len(actual) == len(expected)
    for index, (ours, ref) in enumerate(zip(actual, expected)):
        assert ours == ref, f"step {index} differs"


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
            outcomes.add(step[0][0] if step[2] is None else step[2][0])
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
