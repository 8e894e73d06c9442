"""Pickling records (how records move between processes under Dask and
multiprocessing): a record nobody has looked into pickles as its bytes and
options; every record, edited or not, comes back indistinguishable from the
original in every observable. Speed is measured by benchmarks/suite.py
(``--only pickle``), not here."""

from __future__ import annotations

import copy
import io
import pickle
import warnings

import pytest

import pymrrc
from pymrrc import Field, Indicators, Record, Subfield
from tests.data_support import corpus_slice, pymarc_test_dir

pytestmark = [
    pytest.mark.filterwarnings("ignore::pymrrc.exceptions.BadSubfieldCodeWarning"),
]


def _outcome(get):
    try:
        return ("ok", get())
    except Exception as exc:  # noqa: BLE001 - the failure is the observable
        return ("raises", type(exc).__name__, str(exc))


def _field_view(field):
    if field.is_control_field():
        return (type(field).__name__, field.tag, True, field.data)
    return (type(field).__name__, field.tag, False, tuple(field.indicators),
            [(type(s).__name__, s.code, s.value) for s in field.subfields])


def observables(record):
    """Everything a script can see of a record, in an order that reads the
    lazy state first (later steps build fields and set leader/09)."""
    out = [type(record), record._is_lazy, record.pos, record._Record__pos,
           record.to_unicode, record.force_utf8]
    out.append(_outcome(lambda: record.title))
    out.append(_outcome(lambda: record.issn_title))
    out.append(_outcome(lambda: (type(record.leader).__name__, str(record.leader))))
    out.append(_outcome(lambda: [_field_view(f) for f in record.fields]))
    for name in ("isbn", "issn", "issnl", "sudoc", "author", "uniformtitle", "publisher", "pubyear"):
        out.append(_outcome(lambda name=name: getattr(record, name)))
    for name in ("series", "subjects", "addedentries", "location", "notes", "physicaldescription"):
        out.append(_outcome(lambda name=name: [str(f) for f in getattr(record, name)]))
    out.append(_outcome(lambda: str(record)))
    out.append(_outcome(record.as_dict))
    out.append(_outcome(record.as_json))
    out.append(_outcome(lambda: pymrrc.record_to_xml(record)))
    out.append(_outcome(lambda: [f.tag for f in record]))
    out.append(record._Record__pos)
    out.append(_outcome(record.as_marc))
    out.append(_outcome(lambda: str(record.leader)))
    return out


def assert_round_trip(record, protocol=pickle.HIGHEST_PROTOCOL):
    twin = pickle.loads(pickle.dumps(record, protocol))
    assert twin is not record
    assert observables(twin) == observables(record)


def _edit(record):
    record.add_field(Field("999", Indicators("1", " "), [Subfield("a", "added")]))
    record.remove_fields("500")
    fields = record.get_fields("245")
    if fields:
        fields[0].add_subfield("z", "edited")
    record.leader = pymrrc.Leader(str(record.leader)[:5] + "c" + str(record.leader)[6:])


@pytest.fixture(scope="module")
def slice_chunks():
    path = corpus_slice(10_000)
    if isinstance(path, str):
        pytest.skip(path)
    with open(path, "rb") as handle:
        return [record.as_marc() for record in pymrrc.MARCReader(handle.read())]


def test_every_record_of_the_slice_unedited(slice_chunks):
    # Read the slice as MARCReader reads it: every record still lazy.
    records = list(pymrrc.MARCReader(b"".join(slice_chunks)))
    assert len(records) == 10_000
    for record in records:
        assert record._is_lazy
        assert_round_trip(record)


def test_every_record_of_the_slice_edited(slice_chunks):
    for record in pymrrc.MARCReader(b"".join(slice_chunks)):
        _edit(record)
        assert_round_trip(record)


@pytest.mark.parametrize("touch", ["title", "as_marc", "leader", "fields", "next", "pos", "options", "iter_pos"])
def test_records_in_every_state(slice_chunks, touch):
    for record in pymrrc.MARCReader(b"".join(slice_chunks[::97])):
        if touch == "title":
            record.title
        elif touch == "as_marc":
            record.as_marc()  # sets leader/09 in the record's own bytes view
        elif touch == "leader":
            record.leader
        elif touch == "fields":
            record.fields
        elif touch == "next":
            next(iter(record))
            next(record)
        elif touch == "pos":
            record.pos = 7
        elif touch == "iter_pos":
            record._Record__pos = 2  # pymarc's private iteration position
        elif touch == "options":
            record.to_unicode = 1
            record.force_utf8 = "yes"
        lazy = record._is_lazy
        assert_round_trip(record)
        assert lazy == (touch not in ("fields", "next"))


def test_lazy_records_pickle_as_their_bytes(slice_chunks):
    record = next(pymrrc.MARCReader(slice_chunks[0]))
    data = pickle.dumps(record)
    # One bytes payload, not a Field object per field.
    assert b"Field" not in data and b"Subfield" not in data
    assert len(data) < len(slice_chunks[0]) + 500
    twin = pickle.loads(data)
    assert twin._is_lazy and record._is_lazy
    # The twin is independent of the original.
    twin.add_field(Field("999", data="x"))
    assert "999" not in record


@pytest.mark.parametrize("protocol", range(0, pickle.HIGHEST_PROTOCOL + 1))
def test_every_protocol(slice_chunks, protocol):
    # Divergence D1: pymrrc pickles with protocols 0 and 1 too.
    for record in pymrrc.MARCReader(b"".join(slice_chunks[:20])):
        assert_round_trip(record, protocol)


def test_copies_keep_pymarc_sharing(slice_chunks):
    record = next(pymrrc.MARCReader(slice_chunks[3]))
    shallow = copy.copy(record)
    assert shallow.fields is record.fields and shallow.leader is record.leader
    deep = copy.deepcopy(next(pymrrc.MARCReader(slice_chunks[3])))
    assert deep.as_marc() == slice_chunks[3]


def _test_file(name):
    folder = pymarc_test_dir()
    if isinstance(folder, str):
        pytest.skip(folder)
    return folder / name


@pytest.mark.parametrize(
    "options",
    [{}, {"force_utf8": True}, {"utf8_handling": "replace"}, {"utf8_handling": "ignore"},
     {"to_unicode": False}, {"hide_utf8_warnings": True}],
    ids=["default", "force_utf8", "replace", "ignore", "raw", "hide"],
)
def test_pymarc_test_files_with_options(options):
    folder = _test_file("marc8.dat").parent
    files = sorted(p for p in folder.iterdir() if p.suffix in (".dat", ".mrc"))
    seen = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in files:
            for record in pymrrc.MARCReader(path.read_bytes(), **options):
                if record is not None:
                    assert_round_trip(record)
                    seen += 1
    assert seen > 50


def test_marc8_records_stay_lazy():
    data = _test_file("marc8.dat").read_bytes()
    records = [r for r in pymrrc.MARCReader(data) if r is not None]
    assert records and all(r._is_lazy and r.leader[9] == " " for r in pymrrc.MARCReader(data) if r)
    for record in records:
        assert_round_trip(record)


def test_marcxml_records():
    records = pymrrc.parse_xml_to_array(io.BytesIO(_test_file("batch.xml").read_bytes()))
    records += pymrrc.parse_xml_to_array(io.BytesIO(_test_file("utf8.xml").read_bytes()))
    assert len(records) > 2
    for record in records:
        assert_round_trip(record)


class MyRecord(Record):
    pass


def test_built_records_and_subclasses(slice_chunks):
    record = Record()
    record.add_field(Field("245", Indicators("0", "0"), [Subfield("a", "Built")]))
    assert_round_trip(record)
    mine = MyRecord()
    mine.add_field(Field("001", data="x"))
    assert_round_trip(mine)
    assert_round_trip(MyRecord(data=slice_chunks[0]))


def test_damaged_payloads_raise_value_error(slice_chunks):
    from pymrrc.record import _restore_lazy

    record = next(pymrrc.MARCReader(slice_chunks[0]))
    payload = record._pickle_state()[0]
    for bad in (b"", b"\x02" + payload[1:], payload[:40], payload[:60]):
        with pytest.raises(ValueError):
            _restore_lazy(Record, bad, True, False, 0, 0)
    # A span pointing past the bytes is refused, not followed.
    broken = bytearray(payload)
    broken[57:61] = (10**6).to_bytes(4, "little")
    with pytest.raises(ValueError):
        _restore_lazy(Record, bytes(broken), True, False, 0, 0)
