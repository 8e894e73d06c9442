"""Reference cycles through pymrrc's objects are collected, as they are with
pymarc's pure-Python objects (whose slots the garbage collector sees)."""

import gc

import pymarc
import pytest

import pymrrc


class Marker:
    """Sets a flag in ``box`` when it is freed."""

    def __init__(self, box):
        self.box = box

    def __del__(self):
        self.box.append("freed")


def field_cycle(module, box):
    field = module.Field(tag="245", indicators=["1", "0"], subfields=[module.Subfield("a", "x")])
    field.subfields.append(Marker(box))
    field.subfields.append(field)  # the field's own list holds the field


def record_cycle(module, box):
    record = module.Record()
    record.add_field(module.Field(tag="001", data="x"))
    record.fields.append(Marker(box))
    record.fields.append(record)


def read_record_cycle(module, box):
    chunk = module.Record(fields=[module.Field(tag="001", data="x")]).as_marc()
    record = next(iter(module.MARCReader(chunk)))
    record.fields.append(Marker(box))
    record.leader = [record]


@pytest.mark.parametrize("make", [field_cycle, record_cycle, read_record_cycle])
def test_cycles_are_collected_like_pymarc(make):
    outcomes = []
    for module in (pymarc, pymrrc):
        box = []
        make(module, box)
        gc.collect()
        outcomes.append(box)
    assert outcomes[0] == ["freed"]
    assert outcomes[1] == outcomes[0]
