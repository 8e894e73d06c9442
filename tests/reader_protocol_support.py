"""Crafted inputs and the step-by-step description of a read shared by
test_reader_protocol.py and test_reader_protocol_sources.py: what ``next()``
returns (the record in full, or None), ``current_chunk``,
``current_exception`` (class, module family, ``str()`` and ``args``), the
``'pymarc'`` logger's records and the warnings issued, for pymarc 5.4.0
and pymrrc alike (``run_reader``, ``assert_same_protocol``).
"""

import io
import logging
import warnings

import pymarc
import pymrrc
from pymarc_compare import exc_key, family as _family, field_key  # noqa: F401 - for the test modules
from marc_bytes import build, patch  # noqa: F401 (for the test modules)

LOGGER = "pymarc"


# -- building records ---------------------------------------------------------


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


def _attempt(fn):
    try:
        return ("ok", fn())
    except Exception as exc:  # noqa: BLE001 - the failure is the result
        return ("raised", exc_key(exc))


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
