"""Lookups by tag on a record read from MARC (issue 14, part 2): record[tag],
get, in, get_fields and the properties read the directory's tags and make
only the fields they return. Everything they answer, and everything seen
after (the fields list once built, edits, serialisers, copies), equals
pymarc's."""

import copy
import io
import pickle

import pymarc
import pytest

import pymrrc
from data_support import corpus_slice
from test_lazy_fields import ODD

TAGS = ("001", "008", "100", "110", "245", "650", "651", "700", "856", "999")
PROPERTIES = ("title", "author", "isbn", "issn", "issnl", "sudoc", "uniformtitle", "publisher",
              "pubyear", "issn_title")
LIST_PROPERTIES = ("subjects", "addedentries", "series", "notes", "location", "physicaldescription")


def _pair(data):
    ours = next(iter(pymrrc.MARCReader(io.BytesIO(data))))
    theirs = next(iter(pymarc.MARCReader(io.BytesIO(data))))
    return ours, theirs


def _seen(value):
    """Fields in an answer as comparable text."""
    if isinstance(value, list):
        return [_seen(v) for v in value]
    if hasattr(value, "tag") and hasattr(value, "subfields"):
        return str(value)
    return value


def _answer(fn):
    try:
        return ("ok", _seen(fn()))
    except Exception as exc:  # noqa: BLE001 - the class is what is compared
        return ("raised", type(exc))


def _lookups(record):
    out = []
    for tag in TAGS:
        out.append(_answer(lambda tag=tag: record[tag]))
        out.append(_answer(lambda tag=tag: record.get(tag, "default")))
        out.append(tag in record)
        out.append(_answer(lambda tag=tag: record.get_fields(tag)))
    out.append(_answer(lambda: record.get_fields("650", "700", "100", "650")))
    for name in PROPERTIES + LIST_PROPERTIES:
        out.append(_answer(lambda name=name: getattr(record, name)))
    return out


def _positions(record, fields):
    """Where each of ``fields`` (objects) sits in ``record.fields``."""
    return [[i for i, f in enumerate(record.fields) if f is field] for field in fields]


def _records():
    found = [ODD]
    path = corpus_slice(300)
    if hasattr(path, "open"):
        with open(path, "rb") as handle:
            found.extend(r.as_marc() for r in pymarc.MARCReader(handle))
    return found


def test_lookups_on_unbuilt_records_equal_pymarcs_and_keep_identity():
    for data in _records():
        ours, theirs = _pair(data)
        assert _lookups(ours) == _lookups(theirs)
        assert not ours._is_lazy or "999" not in [f.tag for f in theirs.fields]
        handed = [ours[t] for t in TAGS if t in ours] + ours.get_fields("650", "700")
        assert all(a is b for a, b in zip(handed, [ours[t] for t in TAGS if t in ours] + ours.get_fields("650", "700")))
        wanted = [theirs[t] for t in TAGS if t in theirs] + theirs.get_fields("650", "700")
        assert _positions(ours, handed) == _positions(theirs, wanted)
        assert _lookups(ours) == _lookups(theirs)


def test_a_lookup_that_finds_nothing_leaves_the_record_untouched():
    ours, _ = _pair(ODD)
    assert "999" not in ours and ours.get("999") is None and ours.get_fields("998", "999") == []
    assert ours._is_lazy
    ours["245"]  # noqa: B018
    assert not ours._is_lazy


def test_edits_through_handed_out_fields_are_in_the_record():
    ours, theirs = _pair(ODD)
    for record, lib in ((ours, pymrrc), (theirs, pymarc)):
        record["245"].add_subfield("d", "added")
        record.get_fields("700")[0]["e"] = "edited"
        record.get("650").tag = "655"
        record["100"].subfields.append(lib.Subfield("q", "appended"))
    assert _lookups(ours) == _lookups(theirs)
    assert ours.as_marc() == theirs.as_marc()
    assert ours.as_dict() == theirs.as_dict()
    assert str(ours) == str(theirs)


@pytest.mark.parametrize("how", ["as_marc", "as_json", "pickle", "copy", "iterate", "str"])
def test_what_reads_every_field_sees_handed_out_edits(how):
    ours, theirs = _pair(ODD)
    for record in (ours, theirs):
        record["245"]["a"] = "Changed"
        record["110"].indicator1 = "2"
    read = {
        "as_marc": lambda r: r.as_marc(),
        "as_json": lambda r: r.as_json(),
        "pickle": lambda r: pickle.loads(pickle.dumps(r)).as_marc(),
        "copy": lambda r: (copy.copy(r).as_marc(), copy.copy(r).fields[1] is r.fields[1]),
        "iterate": lambda r: [str(f) for f in r],
        "str": str,
    }[how]
    assert read(ours) == read(theirs)


def test_assigning_fields_drops_the_handed_out_ones():
    ours, theirs = _pair(ODD)
    held = [(ours["245"], theirs["245"])]
    for record, lib in ((ours, pymrrc), (theirs, pymarc)):
        record.fields = [lib.Field(tag="245", indicators=["0", "0"], subfields=[lib.Subfield("a", "New")])]
    assert _lookups(ours) == _lookups(theirs)
    assert [ours["245"] is held[0][0]] == [theirs["245"] is held[0][1]]


def test_tags_that_are_not_plain_str_behave_as_in_pymarc():
    class Tag(str):
        def __eq__(self, other):
            return str(self) == "245" or super().__eq__(other)

        __hash__ = str.__hash__

    for tag in (245, b"245", Tag("100"), ["245"], "24", "2455", "\u0132\u0132\u0132", "\udc80"):
        ours, theirs = _pair(ODD)
        assert _answer(lambda: ours[tag]) == _answer(lambda: theirs[tag])
        assert _answer(lambda: ours.get(tag)) == _answer(lambda: theirs.get(tag))
        assert _answer(lambda: tag in ours) == _answer(lambda: tag in theirs)
        assert _answer(lambda: ours.get_fields(tag)) == _answer(lambda: theirs.get_fields(tag))
        assert _answer(lambda: ours.get_fields(tag, "650")) == _answer(lambda: theirs.get_fields(tag, "650"))
    ours, theirs = _pair(ODD)
    assert ours.get_fields() is ours.fields
    assert _answer(lambda: ours.get_fields(["245"], ["650"])) == _answer(lambda: theirs.get_fields(["245"], ["650"]))
    assert _answer(lambda: ours.get(tag="245", default=None)) == _answer(lambda: theirs.get(tag="245", default=None))


def test_subclasses_are_looked_up_through_their_overrides():
    def define(lib):
        class Shelved(lib.Record):
            @property
            def fields(self):
                return [lib.Field(tag="245", indicators=["0", "0"], subfields=[lib.Subfield("a", "Shelved")])]

            @fields.setter
            def fields(self, value):
                pass

        class Subjects(lib.Record):
            def get_fields(self, *args):
                return ["from the override", *args]

        return Shelved, Subjects

    (our_shelved, our_subjects), (their_shelved, their_subjects) = define(pymrrc), define(pymarc)
    assert _lookups(our_shelved()) == _lookups(their_shelved())
    ours, theirs = our_subjects(data=ODD), their_subjects(data=ODD)
    assert ours.subjects == theirs.subjects
    assert _answer(lambda: ours["245"]) == _answer(lambda: theirs["245"])
