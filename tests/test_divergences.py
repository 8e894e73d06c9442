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
