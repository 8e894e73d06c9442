"""Tests that pin the deliberate divergences listed in
compat-tests/DIVERGENCES.md which no other test module covers."""

import pymarc
import pytest

import pymrrc


@pytest.mark.parametrize("name", ["fields", "leader"])
def test_deleting_record_attributes(name):
    # pymarc: the slot is deleted and a later read raises AttributeError.
    original = pymarc.Record()
    delattr(original, name)
    with pytest.raises(AttributeError):
        getattr(original, name)
    # pymrrc: the deletion itself is refused; the attribute keeps its value.
    record = pymrrc.Record()
    before = getattr(record, name)
    with pytest.raises(AttributeError):
        delattr(record, name)
    assert getattr(record, name) is before
    # Assignment, None included, is as in pymarc.
    setattr(original, name, None)
    setattr(record, name, None)
    assert getattr(record, name) is None and getattr(original, name) is None


def _chunk():
    return pymarc.Record(
        fields=[
            pymarc.Field("100", pymarc.Indicators("1", " "), [pymarc.Subfield("a", "Author")]),
            pymarc.Field("245", pymarc.Indicators("1", "0"), [pymarc.Subfield("a", "Title")]),
        ],
        leader="00000nam a2200000   4500",
    ).as_marc()


def _get_100_for_245(original):
    return lambda self, tag, default=None: original(self, "100" if tag == "245" else tag, default)


def test_methods_replaced_on_the_library_classes():
    """D12: a method replaced on the library's own ``Record`` class is seen by
    pymarc everywhere; pymrrc's native answers for a record nobody has
    looked into do not consult it. A subclass overriding it is honoured, and
    what decoding calls is honoured either way (compat-tests/differential/
    test_diff_subclasses.py)."""
    chunk = _chunk()
    titles = {}
    for lib in (pymarc, pymrrc):
        original = lib.Record.get
        lib.Record.get = _get_100_for_245(original)
        try:
            titles[lib.__name__] = lib.Record(data=chunk).title
        finally:
            lib.Record.get = original
        subclass = type("MyRecord", (lib.Record,), {"__slots__": (), "get": _get_100_for_245(original)})
        titles[lib.__name__ + " subclass"] = subclass(data=chunk).title
    assert titles == {
        "pymarc": "Author",
        "pymrrc": "Title",
        "pymarc subclass": "Author",
        "pymrrc subclass": "Author",
    }
