"""The record model, compared side by side with pymarc 5.4.0: copies and
pickles of lazy records and fields, ``Record(data=...)`` and
``decode_marc``, ``isinstance`` checks, attribute rules, user subclasses and
JSON round trips.
"""

import copy
import json
import pickle

import pytest
import pymarc
import pymrrc
import pymrrc.record

from record_model_support import (  # noqa: F401
    CRAFTED,
    MODULES,
    READ_OPS,
    _new_field,
    _test_files,
    build,
    corpus,
    exc_key,
    field_key,
    outcome,
    read_with,
    some_corpus,
    split_records,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore::pymarc.exceptions.BadSubfieldCodeWarning"),
    pytest.mark.filterwarnings("ignore::pymrrc.exceptions.BadSubfieldCodeWarning"),
]


# -- pickling and copying -----------------------------------------------------------------------


def _after_clone(module, chunk, touch, clone):
    record = read_with(module, chunk)
    if touch == "fields":
        record.fields
    elif touch == "as_marc":
        record.as_marc()
    elif touch == "title":
        record.title
    try:
        twin = clone(record)
    except Exception as exc:  # noqa: BLE001
        return exc_key(exc)
    out = [type(twin).__name__]
    out.append(outcome(lambda: twin.title))
    out.append(outcome(twin.as_marc))
    out.append(outcome(lambda: str(twin)))
    out.append(outcome(lambda: (twin.pos, twin.to_unicode, twin.force_utf8)))
    # editing the clone: what does the original see?
    out.append(outcome(lambda: twin.add_field(_new_field(module, "999"))))
    out.append(outcome(lambda: twin["245"].add_subfield("z", "on clone")))
    out.append(outcome(lambda: twin.leader.__setitem__(5, "x")))
    out.append(outcome(lambda: str(record)))
    out.append(outcome(lambda: str(twin)))
    out.append(outcome(record.as_marc))
    out.append(outcome(lambda: twin.fields is record.fields))
    out.append(outcome(lambda: twin.leader is record.leader))
    return out


CLONERS = {
    "copy": copy.copy,
    "deepcopy": copy.deepcopy,
    **{f"pickle{p}": (lambda p: lambda r: pickle.loads(pickle.dumps(r, p)))(p) for p in range(2, pickle.HIGHEST_PROTOCOL + 1)},
}


@pytest.mark.parametrize("touch", ["lazy", "title", "as_marc", "fields"])
@pytest.mark.parametrize("how", sorted(CLONERS))
def test_clone_records(how, touch):
    for chunk in [CRAFTED["serial"], CRAFTED["unicode"]] + some_corpus(slice(5, 6)):
        expected = _after_clone(pymarc, chunk, touch, CLONERS[how])
        actual = _after_clone(pymrrc, chunk, touch, CLONERS[how])
        assert actual == expected


@pytest.mark.parametrize("protocol", [0, 1])
def test_pickle_old_protocols(protocol):
    # Divergence D1 (compat-tests/DIVERGENCES.md): pymarc raises TypeError
    # for protocols 0 and 1; pymrrc pickles, giving protocol 2's result.
    chunk = CRAFTED["serial"]
    clone = lambda r: pickle.loads(pickle.dumps(r, protocol))  # noqa: E731
    with pytest.raises(TypeError):
        clone(read_with(pymarc, chunk))
    modern = lambda r: pickle.loads(pickle.dumps(r, 2))  # noqa: E731
    assert _after_clone(pymrrc, chunk, "lazy", clone) == _after_clone(pymarc, chunk, "lazy", modern)


@pytest.mark.parametrize("how", sorted(CLONERS))
def test_clone_fields_of_lazy_records(how):
    results = []
    for module in MODULES:
        record = read_with(module, CRAFTED["serial"])
        field = record["600"]
        twin = CLONERS[how](field)
        twin.add_subfield("z", "x")
        results.append((field_key(field), field_key(twin), str(twin), twin.format_field(), record.as_marc()))
    assert results[1] == results[0]


def test_pickled_record_is_usable_after_unpickling_twice():
    results = []
    for module in MODULES:
        record = read_with(module, CRAFTED["unicode"])
        data = pickle.dumps(record)
        a = pickle.loads(data)
        b = pickle.loads(data)
        a.add_field(_new_field(module, "999"))
        results.append((str(a), str(b), a.as_marc(), b.as_marc(), a.title))
    assert results[1] == results[0]


# -- Record(data=...) built directly -------------------------------------------------------------

BAD_CHUNKS = {
    "truncated": CRAFTED["serial"][:-20],
    "short": CRAFTED["serial"][:10],
    "leader_only": CRAFTED["serial"][:24],
    "non_ascii_leader": CRAFTED["serial"][:5] + b"\xc3\xa9" + CRAFTED["serial"][7:],
    "bad_base": CRAFTED["serial"][:12] + b"abcde" + CRAFTED["serial"][17:],
    "zero_base": CRAFTED["serial"][:12] + b"00000" + CRAFTED["serial"][17:],
    "huge_base": CRAFTED["serial"][:12] + b"99999" + CRAFTED["serial"][17:],
    "leader_length_big": b"99999" + CRAFTED["serial"][5:],
    "leader_length_bad": b"x9999" + CRAFTED["serial"][5:],
    "no_end_of_record": CRAFTED["serial"][:-1],
    "directory_bad": CRAFTED["serial"][:30] + b"zz" + CRAFTED["serial"][32:],
    "no_fields": build([]),
    "bad_utf8": build([("245", b"10\x1fa\xff")]),
    "bad_utf8_control": build([("001", b"\xff")]),
    "bad_code": build([("245", b"10\x1f\xc3\xa9x")]),
}


def _construct(module, data, kwargs):
    try:
        record = module.Record(data, **kwargs)
    except Exception as exc:  # noqa: BLE001
        return exc_key(exc)
    return [type(record).__name__] + [
        outcome(lambda op=op: READ_OPS[op](record)) for op in ("title", "as_marc", "fields", "str", "attributes")
    ]


CONSTRUCT_OPTIONS = [
    {},
    {"force_utf8": True},
    {"to_unicode": False},
    {"utf8_handling": "replace"},
    {"utf8_handling": "ignore"},
    {"file_encoding": "cp1251"},
    {"hide_utf8_warnings": True},
]


@pytest.mark.parametrize("kwargs", CONSTRUCT_OPTIONS, ids=lambda k: "-".join(f"{a}={b}" for a, b in k.items()) or "default")
def test_record_from_chunk(kwargs):
    chunks = list(CRAFTED.values()) + list(BAD_CHUNKS.values()) + some_corpus(slice(30))
    for chunk in chunks:
        assert _construct(pymrrc, chunk, kwargs) == _construct(pymarc, chunk, kwargs), chunk[:40]


def test_record_from_test_file_chunks():
    for path in _test_files():
        data = path.read_bytes()
        try:
            chunks = split_records(data)
        except ValueError:
            continue
        for chunk in chunks[:20]:
            for kwargs in ({}, {"force_utf8": True}, {"to_unicode": False}):
                assert _construct(pymrrc, chunk, kwargs) == _construct(pymarc, chunk, kwargs), path.name


@pytest.mark.parametrize(
    "data",
    [
        "a str of 24 characters!!" + "x" * 10,
        bytearray(CRAFTED["serial"]),
        memoryview(CRAFTED["serial"]),
        b"",
        "",
        None,
        0,
        [1, 2],
    ],
    ids=["str", "bytearray", "memoryview", "empty_bytes", "empty_str", "none", "zero", "list"],
)
def test_record_from_other_types(data):
    results = []
    for module in MODULES:
        results.append(_construct(module, data, {}))
    assert results[1] == results[0]


def test_record_constructor_arguments():
    cases = [
        dict(),
        dict(force_utf8=True),
        dict(leader="01234cam a2200301 i 4500"),
        dict(leader="0123456789abcdefghijklmnopqrstuvwxyz"),
        dict(leader="short"),
        dict(to_unicode=False),
        dict(fields="not a list"),
    ]
    for kwargs in cases:
        results = []
        for module in MODULES:
            results.append(_construct(module, "", kwargs))
        assert results[1] == results[0], kwargs
    results = []
    for module in MODULES:
        fields = [_new_field(module, "245"), _new_field(module, "001")]
        results.append(_construct(module, CRAFTED["serial"], {"fields": fields}))
        results.append(_construct(module, CRAFTED["serial"], {"fields": []}))
    assert results[2:] == results[:2]


def test_decode_marc_into_existing_record():
    """decode_marc appends to the record's existing field list."""
    results = []
    for module in MODULES:
        record = module.Record()
        fields = record.fields
        record.decode_marc(CRAFTED["serial"])
        results.append((fields is record.fields, len(fields), str(record)))
        record.decode_marc(CRAFTED["unicode"])
        results.append((fields is record.fields, len(fields), str(record), record.as_marc()))
    assert results[2:] == results[:2]


def test_decode_marc_twice_on_a_read_record():
    results = []
    for module in MODULES:
        record = read_with(module, CRAFTED["serial"])
        record.decode_marc(CRAFTED["unicode"])
        results.append((str(record), record.as_marc(), record.title))
        record = read_with(module, CRAFTED["serial"])
        record.fields
        record.decode_marc(CRAFTED["unicode"], utf8_handling="replace")
        results.append((str(record), record.as_marc(), record.title))
    assert results[2:] == results[:2]


# -- isinstance ------------------------------------------------------------------------------------


def test_isinstance_checks():
    record = read_with(pymrrc, CRAFTED["serial"])
    assert isinstance(record, pymrrc.Record)
    assert isinstance(record, pymrrc.record.Record)
    assert pymrrc.Record is pymrrc.record.Record
    assert type(record) is pymrrc.Record
    assert all(isinstance(f, pymrrc.Field) for f in record.fields)
    assert all(type(f) is pymrrc.Field for f in record.fields)
    assert isinstance(record.leader, pymrrc.Leader)
    raw = read_with(pymrrc, CRAFTED["serial"], to_unicode=False)
    assert all(isinstance(f, pymrrc.RawField) for f in raw.fields)
    marc8 = read_with(pymrrc, build([("245", b"10\x1faT")], leader9=" "))
    assert type(marc8) is pymrrc.Record

    shapes = []
    for module in MODULES:
        rec = read_with(module, CRAFTED["serial"])
        rawrec = read_with(module, CRAFTED["serial"], to_unicode=False)
        shapes.append(
            (
                type(rec).__name__,
                [type(f).__name__ for f in rec.fields],
                [type(f).__name__ for f in rawrec.fields],
                type(rec.leader).__name__,
                type(rec.fields).__name__,
                [type(f.indicators).__name__ for f in rec.fields],
                [type(s).__name__ for f in rec.fields for s in f.subfields],
                isinstance(rec, object),
            )
        )
    assert shapes[1] == shapes[0]


def test_record_attribute_rules():
    results = []
    for module in MODULES:
        record = read_with(module, CRAFTED["serial"])
        results.append(outcome(lambda: setattr(record, "extra", 1)))
        results.append(outcome(lambda: record.extra))
        results.append(outcome(lambda: record == read_with(module, CRAFTED["serial"])))
        results.append(outcome(lambda: record == record))
    assert results[4:] == results[:4]


def test_user_subclass_of_record():
    results = []
    for module in MODULES:

        class MyRecord(module.Record):
            __slots__ = ()

            @property
            def title(self):
                return "overridden"

        record = MyRecord(CRAFTED["serial"])
        results.append((record.title, record.as_marc(), str(record), type(record).__name__))
    assert results[1] == results[0]


def test_json_round_trip_of_lazy_records():
    results = []
    for module in MODULES:
        out = []
        for chunk in corpus()[:10]:
            record = read_with(module, chunk)
            text = record.as_json()
            back = next(iter(module.JSONReader(text)))
            out.append((json.loads(text), str(back), back.as_marc()))
        results.append(out)
    assert results[1] == results[0]
