"""Inputs, descriptions of results and read-only operations shared by the
record-model tests (test_record_model*.py), which compare pymrrc's lazy
records side by side with pymarc 5.4.0.

Inputs: a slice of real Library of Congress records
(``~/.cache/marc-corpus/loc-10000.mrc``), pymarc's own test files, and a few
crafted records with rarely seen fields.
"""

import os
from pathlib import Path

import pytest
import pymarc
import pymrrc
import pymrrc.record
from pymarc_compare import exc_key, field_key, outcome, shape  # noqa: F401 - for the test modules
from marc_bytes import build  # noqa: F401 (for the test modules)

MODULES = (pymarc, pymrrc)
# -- inputs ---------------------------------------------------------------------------


def _corpus_path():
    base = os.environ.get("PYMRRC_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "marc-corpus"
    )
    return Path(base) / "loc-10000.mrc"


def _pymarc_test_dir():
    here = Path(__file__).resolve().parent
    candidates = [
        here / "data",
        Path("/tmp/pm/pymarc-5.4.0/test"),
        _corpus_path().parent / "pymarc-5.4.0-src" / "test",
        here.parent / "compat-tests" / "_cache" / "pymarc-5.4.0" / "test",
    ]
    for path in candidates:
        if (path / "test.dat").is_file() and (path / "utf8_with_leader_flag.dat").is_file():
            return path
    return None


def split_records(data):
    """Transmission-format records, split by their length prefix."""
    out = []
    pos = 0
    while pos + 5 <= len(data):
        length = int(data[pos : pos + 5])
        out.append(data[pos : pos + length])
        pos += length
    return out


def _tags(chunk):
    base = int(chunk[12:17])
    directory = chunk[24 : base - 1]
    return {directory[i : i + 3] for i in range(0, len(directory), 12)}


RARE_TAGS = {b"880", b"086", b"264", b"111", b"110", b"130", b"240", b"022", b"222", b"852", b"066", b"410", b"263"}


def _load_corpus_sample():
    path = _corpus_path()
    if not path.is_file():
        return None
    chunks = split_records(path.read_bytes())
    picked = {}
    for index, chunk in enumerate(chunks):
        if index < 40 or index % 97 == 0 or _tags(chunk) & RARE_TAGS:
            picked[index] = chunk
    return list(picked.values())


CORPUS = _load_corpus_sample()
TEST_DIR = _pymarc_test_dir()


def corpus():
    """The corpus sample; skips the test when it is not available."""
    if CORPUS is None:
        pytest.skip(f"corpus slice not available at {_corpus_path()}")
    return CORPUS


def some_corpus(selection):
    """Corpus records to add to crafted ones: none when it is absent."""
    return [] if CORPUS is None else CORPUS[selection]


def require_test_dir():
    if TEST_DIR is None:
        pytest.skip("pymarc 5.4.0 test data not found (tests/data, /tmp/pm, marc-corpus cache)")
    return TEST_DIR


CRAFTED = {
    "serial": build(
        [
            ("001", b"ser 1"),
            ("022", b"0 \x1fa1234-5678\x1fl8765-4321\x1fy0000-0000"),
            ("086", b"0 \x1faY 4.G 74/7:C 73\x1f6880-01"),
            ("110", b"2 \x1faCorporate body.\x1fbSub unit."),
            ("130", b"0 \x1faUniform title.\x1fpPart."),
            ("222", b" 0\x1faKey title\x1fb(Print)"),
            ("245", b"00\x1fa\x1fbonly subtitle"),
            ("264", b" 0\x1faNowhere :\x1fbNot publisher,\x1fc1900."),
            ("264", b" 1\x1faPlace :\x1fbReal publisher,\x1fc2001-"),
            ("300", b"  \x1fav. ;\x1fc28 cm."),
            ("440", b" 0\x1faOld series"),
            ("490", b"1 \x1faSeries"),
            ("500", b"  \x1faA note."),
            ("599", b"  \x1faLocal note."),
            ("600", b"10\x1faPerson\x1fxTopic\x1fvForm\x1fyDate\x1fzPlace\x1f6880-02"),
            ("690", b" 0\x1faLocal subject"),
            ("700", b"1 \x1faAdded, Entry."),
            ("799", b"  \x1faLocal added"),
            ("830", b" 0\x1faSeries entry."),
            ("852", b"  \x1faLocation\x1fbSub"),
            ("880", b"10\x1f6600-02/(N\x1faLinked"),
            ("880", b"00\x1f6245-01/$1\x1fa\xe4\xb8\xad\xe6\x96\x87"),
        ]
    ),
    "empty_245_a": build([("001", b"x"), ("245", b"10\x1fa\x1fbsub"), ("111", b"2 \x1faMeeting")]),
    "no_245": build([("001", b"x"), ("020", b"  \x1fzcancelled"), ("022", b"  \x1fzx"), ("260", b"  \x1fcno publisher")]),
    "bad_isbn": build([("001", b"x"), ("020", b"  \x1fa(pbk.)"), ("245", b"10\x1fbsubtitle only")]),
    "isbn_x": build([("020", b"  \x1fa 0-8044-2957-X (v. 1)"), ("245", b"10\x1faT\x1fb")]),
    "duplicate_codes": build([("245", b"10\x1faOne\x1faTwo\x1fbB1\x1fbB2"), ("240", b"10\x1faU")]),
    "indicator_oddities": build([("245", b"\x1faNo indicators"), ("246", b"1\x1faOne"), ("247", b"123\x1faThree")]),
    "alpha_tags": build([("001", b"x"), ("ABC", b"12\x1faalpha"), ("00A", b"  \x1fab"), ("245", b"10\x1faT")]),
    "empty_subfields": build([("001", b""), ("245", b"10\x1f\x1fa\x1f\x1fbB\x1f")]),
    "unicode": build(
        [
            ("001", b"u\xc3\xa9"),
            ("100", b"1 \x1faSa\xe1\xb9\xa3\xc3\xa1n\xca\xbb"),
            ("245", b"10\x1fa\xe2\x80\x83\xc2\xa0Spaced\xe3\x80\x80\x1fb\xc2\x85x\xe2\x80\xa8"),
        ]
    ),
    "no_fields_but_leader_a": build([("001", b"only control")]),
}


# -- describing results ------------------------------------------------------------------


# -- read-only operations ---------------------------------------------------------------


def _iterate(r):
    return [f for f in r]


def _nested_iteration(r):
    return [(a.tag, b.tag) for a in r for b in r][:50]


def _field_values(r):
    return [(f.value(), f.format_field(), str(f), f.get("a"), "a" in f, f.get_subfields("a", "b")) for f in r.fields]


def _linked(r):
    return [[str(x) for x in r.get_linked_fields(f)] for f in r.fields if f.tag != "880"]


def _identity(r):
    fields = r.fields
    first = r.get("245")
    return (
        r.fields is fields,
        r.leader is r.leader,
        r.get("245") is first,
        (r["245"] is r["245"]) if "245" in r else None,
        all(a is b for a, b in zip(r, r.fields)),
        all(f is g for f, g in zip(r.get_fields(), fields)),
        r.get_fields() is fields,
        [f.subfields is f.subfields for f in fields],
        [f.indicators is f.indicators for f in fields],
    )


READ_OPS = {
    "title": lambda r: r.title,
    "issn_title": lambda r: r.issn_title,
    "as_marc": lambda r: r.as_marc(),
    "as_marc21": lambda r: r.as_marc21(),
    "leader_str": lambda r: str(r.leader),
    "leader_type": lambda r: type(r.leader).__name__,
    "leader_9": lambda r: r.leader[9],
    "leader_props": lambda r: (r.leader.record_status, r.leader.coding_scheme, r.leader.base_address),
    "fields": lambda r: r.fields,
    "fields_type": lambda r: type(r.fields).__name__,
    "get_245": lambda r: r.get("245"),
    "get_missing": lambda r: r.get("999", "DEFAULT"),
    "getitem_245": lambda r: r["245"],
    "getitem_001": lambda r: r["001"],
    "getitem_missing": lambda r: r["999"],
    "contains_245": lambda r: "245" in r,
    "contains_missing": lambda r: "999" in r,
    "get_fields_subjects": lambda r: r.get_fields("650", "651"),
    "get_fields_one": lambda r: r.get_fields("650"),
    "get_fields_all": lambda r: r.get_fields(),
    "iterate": _iterate,
    "iterate_twice": lambda r: (_iterate(r), _iterate(r)),
    "nested_iteration": _nested_iteration,
    "isbn": lambda r: r.isbn,
    "issn": lambda r: r.issn,
    "issnl": lambda r: r.issnl,
    "author": lambda r: r.author,
    "uniformtitle": lambda r: r.uniformtitle,
    "sudoc": lambda r: r.sudoc,
    "publisher": lambda r: r.publisher,
    "pubyear": lambda r: r.pubyear,
    "series": lambda r: r.series,
    "subjects": lambda r: r.subjects,
    "addedentries": lambda r: r.addedentries,
    "location": lambda r: r.location,
    "notes": lambda r: r.notes,
    "physicaldescription": lambda r: r.physicaldescription,
    "str": lambda r: str(r),
    "as_dict": lambda r: r.as_dict(),
    "as_json": lambda r: r.as_json(),
    "as_json_kwargs": lambda r: r.as_json(indent=1, sort_keys=True, ensure_ascii=False),
    "field_values": _field_values,
    "linked": _linked,
    "attributes": lambda r: (r.pos, r.to_unicode, r.force_utf8),
    "private_pos": lambda r: r._Record__pos,
    "identity": _identity,
    "len": lambda r: len(r),
    "bool": lambda r: bool(r),
}

LAZY_SENSITIVE = ["title", "as_marc", "leader_str", "fields", "issn_title"]


def read_with(module, chunk, **options):
    return next(module.MARCReader(chunk, **options))


def run_sequence(module, chunk, ops, options=None):
    record = read_with(module, chunk, **(options or {}))
    if record is None:
        return ("none",)
    return [outcome(lambda op=op: READ_OPS[op](record)) for op in ops]


def assert_same_sequence(chunk, ops, options=None):
    expected = run_sequence(pymarc, chunk, ops, options)
    actual = run_sequence(pymrrc, chunk, ops, options)
    if expected != actual:
        for op, ours, ref in zip(ops, actual, expected):
            assert ours == ref, f"{op} differs (sequence {ops}, options {options})"
    assert actual == expected


def _test_files():
    directory = require_test_dir()
    return sorted(p for p in directory.iterdir() if p.suffix in (".dat", ".mrc"))

def _new_field(m, tag, code="a", value="new value"):
    if tag < "010" and tag.isdigit():
        return m.Field(tag, data=value)
    return m.Field(tag, indicators=m.Indicators("1", "2"), subfields=[m.Subfield(code, value)])
