"""Side-by-side checks of pymrrc.marcjson against pymarc.marcjson.

Records built by each library's JSONHandler / parse_json_to_array are
compared through a structural dump and their transmission-format bytes;
errors must match by class name and message.  JSON round trips go through
each library's JSONWriter.

Data files come from the pymarc 5.4.0 sdist and the LoC sample corpus, kept
in ``$PYMRRC_CACHE`` (default ``~/.cache/marc-corpus``); tests that need a
missing file are skipped.
"""

import copy
import importlib
import io
import json

import pytest
import serialize_support
from serialize_support import dump_record, dump_records, outcome
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

MODULES = ("record", "field", "leader", "reader", "writer", "exceptions", "marcjson")


REF = serialize_support.library("pymarc", MODULES)
OUR = serialize_support.library("pymrrc", MODULES)
LIBS = (REF, OUR)


# ---------------------------------------------------------------- data files


from serialize_support import (  # noqa: E402
    CORPUS_RECORDS,
    HYPOTHESIS_EXAMPLES,
    corpus_file,
    sdist_file,
)


def read_pairs(path, limit=None, **kwargs):
    """Records read from ``path`` by each library, as (pymarc, pymrrc) lists."""
    return serialize_support.read_pairs(REF, OUR, path, limit, **kwargs)


# ------------------------------------------------------------------ helpers


def parse_outcome(lib, source_factory):
    return outcome(lambda: dump_records(lib.marcjson.parse_json_to_array(source_factory())))


def assert_same_parse(source_factory):
    ref = parse_outcome(REF, source_factory)
    our = parse_outcome(OUR, source_factory)
    assert our == ref
    return ref


def handler_outcome(lib, data, call="elements", **kwargs):
    """Feed a deep copy of ``data`` to a new handler; include the mutated input."""
    data = copy.deepcopy(data)
    handler = lib.marcjson.JSONHandler()

    def run():
        if call == "elements":
            result = handler.elements(data)
            assert result is handler.records
        else:
            assert handler.element(data, **kwargs) is None
        return dump_records(handler.records)

    return (outcome(run), data, dump_records(handler.records))


def assert_same_handling(data, call="elements", **kwargs):
    ref = handler_outcome(REF, data, call, **kwargs)
    our = handler_outcome(OUR, data, call, **kwargs)
    assert our == ref
    return ref


# -------------------------------------------------------------- module level


def test_public_names_match():
    ref = {n for n in dir(REF.marcjson) if not n.startswith("_")}
    our = {n for n in dir(OUR.marcjson) if not n.startswith("_")}
    assert our == ref


def test_handler_initial_state():
    assert vars(OUR.marcjson.JSONHandler()) == vars(REF.marcjson.JSONHandler())


# --------------------------------------------------------------- sdist data


@pytest.mark.parametrize("file_name", ["one.json", "batch.json", "test.json"])
@pytest.mark.parametrize("kind", ["path", "text_handle", "string"])
def test_parse_sdist_json(file_name, kind):
    path = sdist_file(file_name)
    handles = []

    def source():
        if kind == "path":
            return str(path)
        if kind == "text_handle":
            handles.append(open(path, encoding="utf-8"))  # noqa: SIM115
            return handles[-1]
        return path.read_text(encoding="utf-8")

    try:
        ref = assert_same_parse(source)
    finally:
        for handle in handles:
            handle.close()
    assert ref[0] == "ok" and ref[1]


def test_json_matches_marc_for_one_record():
    """one.json and one.dat hold the same record (as pymarc's own test checks)."""
    ref_dat, our_dat = read_pairs(sdist_file("one.dat"))
    path = str(sdist_file("one.json"))
    for lib, dat in ((REF, ref_dat), (OUR, our_dat)):
        parsed = lib.marcjson.parse_json_to_array(path)
        assert [r.as_marc() for r in parsed] == [r.as_marc() for r in dat]


def test_json_matches_xml_for_batch():
    json_path = str(sdist_file("batch.json"))
    xml_path = str(sdist_file("batch.xml"))
    for lib in LIBS:
        marcxml = importlib.import_module(f"{lib.name}.marcxml")
        from_json = lib.marcjson.parse_json_to_array(json_path)
        from_xml = marcxml.parse_xml_to_array(xml_path)
        assert [r.as_marc() for r in from_json] == [r.as_marc() for r in from_xml]


# ------------------------------------------------------------- round trips


def _json_text(lib, records):
    buf = io.StringIO()
    writer = lib.writer.JSONWriter(buf)
    for record in records:
        writer.write(record)
    writer.close(close_fh=False)
    return buf.getvalue()


@pytest.mark.parametrize(
    "file_name", ["one.dat", "marc.dat", "test.dat", "regression45.dat", "utf8_with_leader_flag.dat"]
)
def test_round_trip_sdist(file_name):
    ref_records, our_records = read_pairs(sdist_file(file_name))
    ref_text = _json_text(REF, ref_records)
    our_text = _json_text(OUR, our_records)
    assert our_text == ref_text
    ref = assert_same_parse(lambda: ref_text)
    assert ref[0] == "ok"
    assert [d[1] for d in ref[1]] == [("ok", r.as_marc()) for r in ref_records]


def test_round_trip_corpus():
    ref_records, our_records = read_pairs(corpus_file(), CORPUS_RECORDS)
    ref_text = _json_text(REF, ref_records)
    our_text = _json_text(OUR, our_records)
    assert our_text == ref_text
    ref = assert_same_parse(lambda: io.StringIO(ref_text))
    assert ref[0] == "ok" and len(ref[1]) == len(ref_records)


def test_round_trip_as_json():
    ref_records, our_records = read_pairs(sdist_file("marc.dat"))
    for ref_record, our_record in zip(ref_records, our_records):
        ref_text = ref_record.as_json()
        assert our_record.as_json() == ref_text
        assert assert_same_parse(lambda: ref_text)[0] == "ok"


# ----------------------------------------------------------- handler quirks

BASIC = {
    "leader": "00000nam a2200000 i 4500",
    "fields": [
        {"001": "id1"},
        {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": "Title"}, {"b": "Sub"}]}},
    ],
}


def test_elements_single_dict():
    ref = assert_same_handling(BASIC)
    assert ref[0][0] == "ok" and len(ref[0][1]) == 1


def test_elements_list():
    ref = assert_same_handling([copy.deepcopy(BASIC), copy.deepcopy(BASIC), {"leader": "11111cam a2200000 a 4500", "fields": []}])
    assert ref[0][0] == "ok" and len(ref[0][1]) == 3


def test_elements_empty_list():
    assert assert_same_handling([])[0] == ("ok", [])


def test_input_is_consumed_by_popitem():
    """Fields and subfields are popped out of the caller's dicts."""
    ref = assert_same_handling(BASIC)
    assert ref[1] == {"leader": BASIC["leader"], "fields": [{}, {}]}


def test_last_key_of_a_field_wins():
    data = {
        "leader": "00000nam a2200000 i 4500",
        "fields": [
            {"245": {"ind1": "0", "ind2": "0", "subfields": [{"a": "x"}]}, "001": "last wins"},
            {"500": {"ind1": " ", "ind2": " ", "subfields": [{"a": "first", "b": "second"}]}},
        ],
    }
    assert_same_handling(data)


def test_handler_is_reused_across_calls():
    results = []
    for lib in LIBS:
        handler = lib.marcjson.JSONHandler()
        handler.elements(copy.deepcopy(BASIC))
        handler.elements([copy.deepcopy(BASIC)])
        results.append(dump_records(handler.records))
    assert results[1] == results[0]
    assert len(results[0]) == 2


@pytest.mark.parametrize(
    "name,data",
    [
        ("missing_leader", {"fields": []}),
        ("missing_fields", {"leader": "00000nam a2200000 i 4500"}),
        ("bad_leader", {"leader": "short", "fields": []}),
        ("missing_ind1", {"leader": "00000nam a2200000 i 4500", "fields": [{"245": {"ind2": "0", "subfields": []}}]}),
        ("missing_subfields", {"leader": "00000nam a2200000 i 4500", "fields": [{"245": {"ind1": "0", "ind2": "0"}}]}),
        ("empty_field", {"leader": "00000nam a2200000 i 4500", "fields": [{}]}),
        ("data_field_as_string", {"leader": "00000nam a2200000 i 4500", "fields": [{"245": "text"}]}),
        ("control_field_as_dict", {"leader": "00000nam a2200000 i 4500", "fields": [{"001": {"ind1": "0"}}]}),
        ("numeric_control_value", {"leader": "00000nam a2200000 i 4500", "fields": [{"001": 42}]}),
        ("null_control_value", {"leader": "00000nam a2200000 i 4500", "fields": [{"008": None}]}),
        ("long_indicators", {"leader": "00000nam a2200000 i 4500", "fields": [{"245": {"ind1": "10", "ind2": "", "subfields": [{"a": "x"}]}}]}),
        ("odd_tags", {"leader": "00000nam a2200000 i 4500", "fields": [{"00A": {"ind1": " ", "ind2": " ", "subfields": [{"a": "x"}]}}, {"1": "short"}, {"CAT": {"ind1": "0", "ind2": "1", "subfields": []}}]}),
        ("non_str_subfield", {"leader": "00000nam a2200000 i 4500", "fields": [{"245": {"ind1": "0", "ind2": "0", "subfields": [{"a": 1}]}}]}),
        ("tuple_input", ({"leader": "00000nam a2200000 i 4500", "fields": []},)),
        ("string_input", "not a record"),
        ("none_input", None),
    ],
)
def test_malformed_input(name, data):
    assert_same_handling(data)


@pytest.mark.parametrize(
    "name,kwargs",
    [("record", {}), ("leader", {"name": "leader"}), ("fields", {"name": "fields"}), ("subfields", {"name": "subfields"}), ("other", {"name": "other"})],
)
def test_element_called_directly(name, kwargs):
    """Only a name-less call starts a record; named calls need prior state."""
    assert_same_handling(BASIC, call="element", **kwargs)


def test_subclass_process_record():
    logs = []
    for lib in LIBS:

        class Streaming(lib.marcjson.JSONHandler):
            def __init__(self):
                super().__init__()
                self.log = []

            def process_record(self, record):
                self.log.append((dump_record(record), len(self.records), self._field.tag))

        handler = Streaming()
        result = handler.elements([copy.deepcopy(BASIC), copy.deepcopy(BASIC)])
        logs.append((handler.log, result))
    assert logs[1] == logs[0]
    assert logs[0][1] == []


def test_records_are_library_records():
    for lib in LIBS:
        records = lib.marcjson.JSONHandler().elements(copy.deepcopy(BASIC))
        assert all(type(r) is lib.record.Record for r in records)
        assert all(isinstance(f, lib.field.Field) for r in records for f in r.fields)
        assert all(type(r.leader) is lib.leader.Leader for r in records)


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        "{}",
        json.dumps(BASIC),
        json.dumps([BASIC, BASIC]),
        '{"leader": "00000nam a2200000 i 4500", "fields": [{"001": "tab\there"}]}',
        "not json",
        "",
    ],
)
def test_parse_json_to_array_strings(text):
    assert_same_parse(lambda: text)


# --------------------------------------------------------- property testing

_texts = st.text(max_size=10)
_control = st.builds(lambda t, v: {t: v}, st.sampled_from(["001", "003", "005", "008"]), _texts)
_data = st.builds(
    lambda tag, i1, i2, subs: {tag: {"ind1": i1, "ind2": i2, "subfields": [{c: v} for c, v in subs]}},
    st.sampled_from(["010", "245", "500", "650", "880", "00A", "CAT"]),
    st.sampled_from([" ", "0", "1", "\\"]),
    st.sampled_from([" ", "0", "1", "\\"]),
    st.lists(st.tuples(st.text(min_size=1, max_size=1), _texts), max_size=4),
)
_records = st.builds(
    lambda fields: {"leader": "00000nam a2200000 i 4500", "fields": fields},
    st.lists(st.one_of(_control, _data), max_size=6),
)


@settings(
    max_examples=HYPOTHESIS_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(records=st.lists(_records, max_size=3))
def test_random_json_round_trip(records):
    text = json.dumps(records)
    ref = assert_same_parse(lambda: text)
    assert ref[0] == "ok"
    assert assert_same_handling(records)[0] == ref
