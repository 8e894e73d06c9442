"""Hostile and degenerate ISO 2709 input, read through every MARCReader
backend and compared with pymarc 5.4.0.

Each input is read by ``pymarc.MARCReader(io.BytesIO(data))`` and by
``pymrrc.MARCReader`` from ``bytes``, from ``io.BytesIO`` and from a path
(default workers and ``workers=1``); the two sequences must agree item by
item: ``None`` or a record, the exception's class name and ``str()``,
``current_chunk``, and the record's ``as_marc()`` and ``str()``.

The inputs: a length prefix that claims more than the file holds, directory
entries that point past the end, overlap or are negative, base addresses
inside the leader, zero-length fields, leader-only records, 10,000 minimal
records in a row, a 1 MB file of NUL bytes, 5,000 fields with one tag,
20,000 subfields in one field, and non-ASCII bytes in the leader and the
directory.

No input may crash or hang the reader: every test runs under a
``faulthandler`` watchdog. The big inputs (a 100 MB file without a record
terminator, 200+ MB streams) are in test_adversarial_big.py; the helpers
both share in adversarial_support.py.
"""

from __future__ import annotations

import contextlib
import functools
import io

import pymarc
import pytest

import pymrrc

from adversarial_support import (  # noqa: F401 - watchdog is an autouse fixture
    GOOD,
    GOOD2,
    build,
    describe,
    entry,
    patch,
    quiet,
    watchdog,
)

MINIMAL = build([(b"001", b"x")])
# The data area of this two-field record: "x\x1e" then "10\x1faT\x1e".
TWO = [(b"001", b"x"), (b"245", b"10\x1faT")]
TWO_DATA = b"x\x1e10\x1faT\x1e"


def with_entries(*entries, data=TWO_DATA, **kw):
    return build(entries=list(entries), data=data, **kw)


def leader_only(base: bytes, extra: bytes = b"") -> bytes:
    body = extra + b"\x1d"
    return b"%05dnam a22%s   4500" % (24 + len(body), base) + body


def many_fields(count: int, tag: bytes, value: bytes) -> bytes:
    record = build([(tag, value)] * count)
    assert len(record) <= 99999, len(record)
    return record


def same_offset_fields(count: int) -> bytes:
    """``count`` entries of length 0 at offset 0 (all overlapping)."""
    return build(entries=[entry(b"500", 0, 0)] * count, data=b"  \x1faz\x1e")


def many_subfields(count: int, piece: bytes, indicators: bytes = b"  ") -> bytes:
    """One data field holding ``count`` times ``piece``.

    A directory entry's length has four digits, so a field longer than
    9,999 bytes cannot be described honestly; pymarc slices the field with
    ``marc[base + offset : base + offset + length - 1]``, and a negative
    length makes the stop count from the end, so the sole entry
    ``500 -038 00000`` (base 37) selects ``marc[37:-2]``: the whole field
    but its terminator, whatever its size."""
    body = indicators + piece * count
    data = body + b"\x1e\x1d"
    total = 37 + len(data)
    assert total <= 99999, total
    return (
        b"%05dnam a2200037   4500" % total + entry(b"500", b"-038", 0) + b"\x1e" + data
    )


def honest_subfields(count: int, piece: bytes) -> bytes:
    """As many subfields as fit one field with a true (4-digit) length."""
    record = build([(b"001", b"subs"), (b"500", b"  " + piece * count)])
    return record


def _cases() -> dict[str, bytes]:
    good_head = GOOD[:40]
    cases = {
        # -- a length prefix that claims more than there is
        "claims_99999_in_40": b"99999" + good_head[5:],
        "claims_99999_in_40_ending_in_terminator": b"99999" + GOOD[5:39] + b"\x1d",
        "claims_99999_after_good": GOOD + b"99999" + good_head[5:],
        "claims_10x_length": patch(GOOD, 0, b"%05d" % (len(GOOD) * 10)) + GOOD2,
        # -- directory entries pointing outside the record
        "dir_offset_past_end": with_entries(
            entry(b"001", 2, 99999), entry(b"245", 8, 2)
        ),
        "dir_length_past_end": with_entries(
            entry(b"001", 2, 0), entry(b"245", 9999, 2)
        ),
        "dir_straddles_end": with_entries(entry(b"001", 2, 0), entry(b"245", 50, 6)),
        "dir_both_past_end": with_entries(
            entry(b"001", 9999, 99999), entry(b"245", 9999, 99998)
        ),
        "dir_past_end_control_only": with_entries(entry(b"001", 100, 5000)),
        # -- overlapping entries
        "dir_overlap_same_range": with_entries(
            entry(b"245", 8, 2), entry(b"246", 8, 2), entry(b"001", 2, 0)
        ),
        "dir_overlap_partial": with_entries(
            entry(b"001", 6, 0), entry(b"245", 8, 2), entry(b"500", 5, 4)
        ),
        "dir_overlap_into_directory": with_entries(entry(b"245", 40, 0)),
        "dir_all_zero_entries": with_entries(b"000000000000", b"000000000000"),
        # -- negative and oddly spelled numbers (Python int() rules)
        "dir_negative_offset": with_entries(
            entry(b"001", 2, b"-0001"), entry(b"245", 8, 2)
        ),
        "dir_negative_offset_large": with_entries(
            entry(b"001", 2, b"-9999"), entry(b"245", 8, b"-0008")
        ),
        "dir_negative_length": with_entries(
            entry(b"001", b"-001", 0), entry(b"245", b"-999", 2)
        ),
        "dir_negative_both": with_entries(entry(b"245", b"-010", b"-0020")),
        "dir_plus_sign": with_entries(
            entry(b"001", b"+002", b"+0000"), entry(b"245", 8, 2)
        ),
        "dir_spaces_in_numbers": with_entries(
            entry(b"001", b" 2  ", b"   0 "), entry(b"245", b"8   ", b"   2 ")
        ),
        "dir_underscore_in_numbers": with_entries(
            entry(b"001", b"0_02", b"0_000"), entry(b"245", 8, b"00_02")
        ),
        "dir_bad_underscores": with_entries(entry(b"001", b"_002", 0)),
        "dir_letters_in_offset": with_entries(entry(b"001", 2, b"0a000")),
        "dir_letters_in_length": with_entries(entry(b"001", b"00x2", 0)),
        "dir_blank_numbers": with_entries(entry(b"001", b"    ", b"     ")),
        "dir_not_multiple_of_12": build(TWO, base=b"%05d" % (24 + 20 + 1)),
        # -- base address inside the leader, at its edge, or nonsense
        "base_00010": build(TWO, base=b"00010"),
        "base_00001": build(TWO, base=b"00001"),
        "base_00023": build(TWO, base=b"00023"),
        "base_00024": build(TWO, base=b"00024"),
        "base_00025": build(TWO, base=b"00025"),
        "base_zero": build(TWO, base=b"00000"),
        "base_negative": build(TWO, base=b"-0010"),
        "base_spaces": build(TWO, base=b" 0049"),
        "base_letters": build(TWO, base=b"00O49"),
        "base_at_length": build(TWO, base=b"%05d" % len(build(TWO))),
        "base_past_length": build(TWO, base=b"99999"),
        # -- zero-length fields
        "zero_length_control": with_entries(entry(b"001", 0, 0), entry(b"245", 8, 2)),
        "zero_length_data": with_entries(entry(b"001", 2, 0), entry(b"245", 0, 2)),
        "zero_length_all": with_entries(
            entry(b"001", 0, 0), entry(b"245", 0, 0), entry(b"500", 0, 9)
        ),
        "terminator_only_fields": build([(b"001", b""), (b"245", b""), (b"500", b"")]),
        "zero_length_then_good": with_entries(entry(b"245", 0, 2)) + GOOD,
        # -- a record that is only a leader (24 bytes + terminator)
        "leader_only_base_24": leader_only(b"00024"),
        "leader_only_base_25": leader_only(b"00025"),
        "leader_only_base_0": leader_only(b"00000"),
        "leader_only_base_26": leader_only(b"00026"),
        "leader_only_empty_directory": leader_only(b"00025", b"\x1e"),
        "leader_only_then_good": leader_only(b"00024")
        + GOOD
        + leader_only(b"00025")
        + GOOD2,
        "only_terminator_length_1": b"00001\x1d",
        "length_5_record": b"00005",
        "length_6_record": b"00006\x1d",
        # -- many tiny records in a row
        "10000_leader_only": leader_only(b"00024") * 10000,
        "10000_minimal": MINIMAL * 10000,
        "10000_mixed_minimal": (
            leader_only(b"00024")
            + MINIMAL
            + leader_only(b"00025")
            + build([(b"245", b"")])
        )
        * 2500,
        "10000_minimal_then_fatal": MINIMAL * 10000 + b"00050" + b"x" * 45,
        # -- NUL bytes
        "nul_1mb": b"\x00" * (1 << 20),
        "nul_after_good": GOOD + b"\x00" * (1 << 20),
        "nul_in_fields": build(
            [(b"001", b"\x00\x00"), (b"245", b"\x00\x00\x1f\x00\x00\x1fa\x00")]
        ),
        # -- one tag repeated many times
        "5000_control_fields": many_fields(5000, b"001", b"abcde"),
        "5000_data_fields": many_fields(5000, b"500", b"  \x1fax"),
        "5000_data_fields_no_subfields": many_fields(5000, b"500", b"12"),
        "5000_overlapping_empty_entries": same_offset_fields(5000),
        "7500_empty_data_fields": many_fields(7500, b"650", b""),
        # -- many subfields in one field
        "20000_subfields": many_subfields(20000, b"\x1fax"),
        "20000_empty_subfields": many_subfields(20000, b"\x1fa"),
        "40000_bare_delimiters": many_subfields(40000, b"\x1f"),
        "20000_subfields_varied_codes": many_subfields(
            2000, b"".join(b"\x1f%c1" % c for c in b"abcdez0189")
        ),
        "10000_non_ascii_subfield_codes": many_subfields(10000, b"\x1f\xc3\xa9x"),
        "20000_subfields_no_indicators": many_subfields(
            20000, b"\x1fax", indicators=b""
        ),
        "3332_subfields_true_length": honest_subfields(3332, b"\x1fax"),
        "4998_empty_subfields_true_length": honest_subfields(4998, b"\x1fa"),
        "10_fields_of_3000_subfields": build(
            [(b"5%02d" % j, b"  " + b"\x1fax" * 3000) for j in range(10)]
        ),
        # -- non-ASCII bytes in the leader
        "leader_non_ascii_status": patch(GOOD, 5, b"\xc3"),
        "leader_non_ascii_coding": patch(GOOD, 9, b"\xe1"),
        "leader_non_ascii_tail": patch(GOOD, 20, b"\xff\xfe\xfd\xfc"),
        "leader_non_ascii_base": patch(GOOD, 12, b"\xd9\xa1\xd9\xa2\x30"),
        "leader_non_ascii_length": patch(GOOD, 0, b"\xd9\xa1\xd9\xa2\x30") + GOOD2,
        "leader_utf8_digits_in_length": patch(GOOD, 1, b"\xef\xbc\x91"),
        "leader_all_high_bytes": b"%05d" % len(GOOD) + b"\xa0" * 19 + GOOD[24:],
        "leader_non_ascii_then_good": patch(GOOD, 7, b"\x80") + GOOD2,
        # -- non-ASCII bytes in the directory
        "directory_non_ascii_tag": patch(GOOD, 24, b"\xc3\xa9"),
        "directory_non_ascii_length": patch(GOOD, 24 + 12 + 3, b"\xe2\x80"),
        "directory_non_ascii_offset": patch(GOOD, 24 + 12 + 7, b"\xff"),
        "directory_non_ascii_terminator": patch(GOOD, 24 + 12 * 4, b"\x9e"),
        "directory_non_ascii_then_good": patch(GOOD, 24 + 5, b"\x85") + GOOD2 + GOOD,
        "directory_nul_tag": patch(GOOD, 24, b"\x00\x00\x00"),
        "directory_control_chars": patch(GOOD, 24 + 12, b"\x1f\x1e\x1d"),
        # -- fields that start or end inside a UTF-8 character (the record
        #    as a whole is valid UTF-8; found by the `decode` fuzz target)
        "span_control_starts_inside_char": with_entries(
            entry(b"245", 7, 0), entry(b"001", 2, 5), data=SPLIT_DATA
        ),
        "span_data_ends_inside_char": with_entries(
            entry(b"245", 6, 0), entry(b"500", 7, 0), data=SPLIT_DATA
        ),
        "span_data_starts_inside_char": with_entries(
            entry(b"245", 7, 0), entry(b"500", 3, 5), data=SPLIT_DATA
        ),
        "GOOD_then_split": GOOD
        + with_entries(entry(b"245", 6, 0), entry(b"246", 7, 0), data=SPLIT_DATA),
        "span_value_inside_char_then_good": with_entries(
            entry(b"245", 6, 0), data=SPLIT_DATA
        )
        + GOOD,
    }
    # The same hostile structures in records whose leader says MARC-8
    # (position 9 blank): those go through the exact Python decoder.
    for name in MARC8_VARIANTS:
        assert cases[name][9:10] == b"a", name
        cases["marc8_" + name] = patch(cases[name], 9, b" ")
    return cases


# "10\x1fa\xc3\xa9\x1e": a data field whose last character is two bytes.
SPLIT_DATA = b"10\x1fa\xc3\xa9\x1e"

MARC8_VARIANTS = [
    "claims_99999_in_40",
    "dir_offset_past_end",
    "dir_overlap_partial",
    "dir_negative_offset",
    "dir_negative_length",
    "dir_spaces_in_numbers",
    "base_00010",
    "base_00024",
    "zero_length_all",
    "leader_only_then_good",
    "nul_in_fields",
    "5000_data_fields",
    "20000_subfields",
    "10000_non_ascii_subfield_codes",
    "directory_non_ascii_then_good",
    "span_data_ends_inside_char",
    "span_value_inside_char_then_good",
]


CASES = _cases()

OPTIONS = {
    "default": {},
    "raw": {"to_unicode": False},
}

BACKENDS = ["bytes", "bytesio", "path", "path-workers1"]

# Text options, tried on the cases where text decoding matters.
TEXT_OPTIONS = {
    "replace": {"utf8_handling": "replace"},
    "ignore": {"utf8_handling": "ignore"},
    "force_utf8": {"force_utf8": True},
    "force_utf8_replace": {"force_utf8": True, "utf8_handling": "replace"},
}
TEXT_CASES = [
    name
    for name in CASES
    if name.startswith(("span_", "marc8_", "nul_in", "leader_non_ascii", "directory_non"))
] + ["GOOD_then_split", "10000_non_ascii_subfield_codes", "dir_overlap_partial"]
ALL_OPTIONS = {**OPTIONS, **TEXT_OPTIONS}


def observe(reader, limit):
    """Every item ``reader`` gives (at most ``limit``), then two more
    ``next()`` calls, which must both stop."""
    items = []
    with quiet():
        for _ in range(limit):
            try:
                record = next(reader)
            except StopIteration:
                break
            items.append(describe(reader, record))
        else:
            pytest.fail(f"more than {limit} items")
        again = []
        for _ in range(2):
            try:
                next(reader)
                again.append("item")
            except StopIteration:
                again.append("stop")
    return items, again


def item_limit(data: bytes) -> int:
    # Each item consumes at least one byte (five, but for the last).
    return len(data) + 5


@functools.cache
def expected(case: str, option: str):
    data = CASES[case]
    return observe(
        pymarc.MARCReader(io.BytesIO(data), **ALL_OPTIONS[option]), item_limit(data)
    )


def open_reader(backend, data, tmp_path, options):
    if backend == "bytes":
        return pymrrc.MARCReader(data, **options)
    if backend == "bytesio":
        return pymrrc.MARCReader(io.BytesIO(data), **options)
    path = tmp_path / "input.mrc"
    path.write_bytes(data)
    workers = {"path": None, "path-workers1": 1}[backend]
    return pymrrc.MARCReader(str(path), workers=workers, **options)


def first_difference(want, got):
    for index, (a, b) in enumerate(zip(want, got)):
        if a != b:
            return index, a, b
    return min(len(want), len(got)), want[len(got) :][:1], got[len(want) :][:1]


def _short(value, width=300):
    text = repr(value)
    return text if len(text) <= width else text[:width] + f"... ({len(text)} chars)"


def assert_same(want, got):
    (want_items, want_again), (got_items, got_again) = want, got
    if want_items != got_items:
        index, a, b = first_difference(want_items, got_items)
        pytest.fail(
            f"{len(want_items)} items from pymarc, {len(got_items)} from pymrrc; "
            f"first difference at item {index}:\n  pymarc: {_short(a)}\n  pymrrc: {_short(b)}"
        )
    assert got_again == want_again == ["stop", "stop"]


# -- every case, every backend -----------------------------------------------------------


def test_cases_are_what_they_claim():
    assert len(CASES["claims_99999_in_40"]) == 40
    assert len(leader_only(b"00024")) == 25
    assert len(CASES["nul_1mb"]) == 1 << 20
    for name in (
        "5000_control_fields",
        "5000_data_fields",
        "20000_subfields",
        "7500_empty_data_fields",
    ):
        assert len(CASES[name]) <= 99999
    record = next(iter(pymarc.MARCReader(CASES["5000_data_fields"])))
    assert len(record.get_fields("500")) == 5000
    record = next(iter(pymarc.MARCReader(CASES["20000_subfields"])))
    assert len(record["500"].subfields) == 20000


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("option", sorted(OPTIONS))
@pytest.mark.parametrize("case", list(CASES))
def test_case_matches_pymarc(case, option, backend, tmp_path):
    data = CASES[case]
    want = expected(case, option)
    reader = open_reader(backend, data, tmp_path, OPTIONS[option])
    try:
        got = observe(reader, item_limit(data))
    finally:
        with contextlib.suppress(Exception):
            reader.close()
    assert_same(want, got)


@pytest.mark.parametrize("backend", ["bytes", "bytesio", "path"])
@pytest.mark.parametrize("option", sorted(TEXT_OPTIONS))
@pytest.mark.parametrize("case", TEXT_CASES)
def test_text_options_match_pymarc(case, option, backend, tmp_path):
    data = CASES[case]
    want = expected(case, option)
    reader = open_reader(backend, data, tmp_path, TEXT_OPTIONS[option])
    try:
        got = observe(reader, item_limit(data))
    finally:
        with contextlib.suppress(Exception):
            reader.close()
    assert_same(want, got)


@pytest.mark.parametrize("backend", ["bytearray", "memoryview", "open-file"])
@pytest.mark.parametrize(
    "case",
    [
        "claims_99999_in_40",
        "dir_negative_offset",
        "base_00010",
        "leader_only_then_good",
        "nul_1mb",
        "5000_data_fields",
        "20000_subfields",
        "leader_non_ascii_base",
        "directory_non_ascii_then_good",
        "10000_mixed_minimal",
    ],
)
def test_other_targets_match_pymarc(case, backend, tmp_path):
    data = CASES[case]
    want = expected(case, "default")
    if backend == "bytearray":
        reader = pymrrc.MARCReader(bytearray(data))
    elif backend == "memoryview":
        reader = pymrrc.MARCReader(memoryview(data))
    else:
        path = tmp_path / "input.mrc"
        path.write_bytes(data)
        reader = pymrrc.MARCReader(open(path, "rb"))  # noqa: SIM115 - closed below
    try:
        assert_same(want, observe(reader, item_limit(data)))
    finally:
        reader.close()


def test_pathlike_target(tmp_path):
    path = tmp_path / "input.mrc"
    data = CASES["leader_only_then_good"]
    path.write_bytes(data)
    with pymrrc.MARCReader(path) as reader:
        assert_same(
            expected("leader_only_then_good", "default"),
            observe(reader, item_limit(data)),
        )

