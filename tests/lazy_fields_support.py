"""What the lazy-field tests read of a field (MARC and MARCXML records alike)."""

import copy
import pickle

import pymarc

import pymrrc

SUBJECT_CODES = ("a", "b", "v", "x", "y", "z", "6")


def reads(field):
    """Every read a lazy field answers from its bytes."""
    out = {"value": field.value(), "format": field.format_field(), "str": str(field)}
    for code in SUBJECT_CODES + ("q",):
        out[f"get {code}"] = field.get(code, "?")
        out[f"in {code}"] = code in field
        try:
            out[f"[{code}]"] = field[code]
        except KeyError:
            out[f"[{code}]"] = KeyError
    out["subfields a"] = field.get_subfields("a")
    out["subfields a e x"] = field.get_subfields("a", "e", "x")
    out["subfields none"] = field.get_subfields()
    out["subfields long code"] = field.get_subfields("ab")
    return out


def data_fields(record):
    """The data fields of `record`, in order."""
    return [f for f in record.fields if not f.is_control_field()]


def assert_copies_and_serialisers_agree(ours, theirs, tags, fresh):
    """Copies, pickles and ``as_marc`` of fields ``tags`` of ``ours`` equal
    those of pymarc's ``theirs``; then a fresh pair (``fresh()``), its
    fields built but each still lazy, serialises as pymarc's."""
    for tag in tags:
        assert str(copy.copy(ours[tag])) == str(theirs[tag])
        assert str(copy.deepcopy(ours[tag])) == str(theirs[tag])
        assert str(pickle.loads(pickle.dumps(ours[tag]))) == str(theirs[tag])
        assert ours[tag].as_marc("utf-8") == theirs[tag].as_marc("utf-8")
    ours, theirs = fresh()
    ours.fields  # noqa: B018  (fields built, each still lazy)
    assert ours.as_marc() == theirs.as_marc()
    assert ours.as_json() == theirs.as_json()
    assert ours.as_dict() == theirs.as_dict()
    assert pymrrc.record_to_xml(ours) == pymarc.record_to_xml(theirs)
    assert pickle.loads(pickle.dumps(ours)).as_marc() == theirs.as_marc()
