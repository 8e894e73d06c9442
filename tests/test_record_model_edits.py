"""The record model, compared side by side with pymarc 5.4.0: edits of lazy
records (fields, subfields, leader, decoding again), alone and in random
sequences, each followed by observations that must match pymarc's.
"""

import random

import pytest
import pymarc
import pymrrc
import pymrrc.record

from record_model_support import (  # noqa: F401
    CRAFTED,
    READ_OPS,
    _new_field,
    _test_files,
    build,
    outcome,
    read_with,
    some_corpus,
    split_records,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore::pymarc.exceptions.BadSubfieldCodeWarning"),
    pytest.mark.filterwarnings("ignore::pymrrc.exceptions.BadSubfieldCodeWarning"),
]


# -- edits -------------------------------------------------------------------------------------


def _set_leader_str(m, r):
    r.leader = str(r.leader)


def _set_leader_changed_str(m, r):
    text = str(r.leader)
    r.leader = text[:5] + "c" + text[6:9] + " " + text[10:]


EDIT_OPS = {
    "add_field": lambda m, r: r.add_field(_new_field(m, "999"), _new_field(m, "998")),
    "add_control": lambda m, r: r.add_field(_new_field(m, "007", value="cr |||")),
    "add_ordered": lambda m, r: r.add_ordered_field(_new_field(m, "035"), _new_field(m, "500"), _new_field(m, "001")),
    "add_ordered_alpha": lambda m, r: r.add_ordered_field(_new_field(m, "abc")),
    "add_grouped": lambda m, r: r.add_grouped_field(_new_field(m, "655"), _new_field(m, "020"), _new_field(m, "900")),
    "remove_245": lambda m, r: r.remove_field(r["245"]),
    "remove_absent": lambda m, r: r.remove_field(_new_field(m, "245")),
    "remove_fields": lambda m, r: r.remove_fields("650", "500", "001"),
    "remove_fields_one": lambda m, r: r.remove_fields("650"),
    "remove_fields_none": lambda m, r: r.remove_fields(),
    "set_subfield": lambda m, r: r["245"].__setitem__("a", "Changed title"),
    "set_subfield_b": lambda m, r: r["245"].__setitem__("b", "Changed subtitle"),
    "set_subfield_on_control": lambda m, r: r["001"].__setitem__("a", "x"),
    "add_subfield": lambda m, r: r["245"].add_subfield("z", "added", 1),
    "add_subfield_end": lambda m, r: r["245"].add_subfield("b", "tail"),
    "delete_subfield": lambda m, r: r["245"].delete_subfield("a"),
    "delete_subfield_b": lambda m, r: r["245"].delete_subfield("b"),
    "indicator1": lambda m, r: setattr(r["245"], "indicator1", "9"),
    "indicator2": lambda m, r: setattr(r.fields[-1], "indicator2", "8"),
    "indicators": lambda m, r: setattr(r["245"], "indicators", ["3", "4"]),
    "control_data": lambda m, r: setattr(r["001"], "data", "changed control"),
    "subfields_append": lambda m, r: r["245"].subfields.append(m.Subfield("q", "appended")),
    "subfields_replace": lambda m, r: setattr(r["245"], "subfields", [m.Subfield("a", "Replaced")]),
    "leader_index": lambda m, r: r.leader.__setitem__(5, "c"),
    "leader_property": lambda m, r: setattr(r.leader, "record_status", "d"),
    "leader_coding_blank": lambda m, r: setattr(r.leader, "coding_scheme", " "),
    "leader_slice": lambda m, r: r.leader.__setitem__(slice(6, 8), "zz"),
    "leader_to_str": _set_leader_str,
    "leader_to_changed_str": _set_leader_changed_str,
    "leader_new_object": lambda m, r: setattr(r, "leader", m.Leader("00000cas  2200000 i 4500")),
    "leader_short_str": lambda m, r: setattr(r, "leader", "short"),
    "leader_non_latin1": lambda m, r: setattr(r, "leader", "00000nam \u01002200000   4500"),
    "to_unicode_false": lambda m, r: setattr(r, "to_unicode", False),
    "to_unicode_zero": lambda m, r: setattr(r, "to_unicode", 0),
    "to_unicode_true": lambda m, r: setattr(r, "to_unicode", True),
    "force_utf8_true": lambda m, r: setattr(r, "force_utf8", True),
    "force_utf8_false": lambda m, r: setattr(r, "force_utf8", False),
    "fields_append": lambda m, r: r.fields.append(_new_field(m, "901")),
    "fields_insert": lambda m, r: r.fields.insert(0, _new_field(m, "002", value="inserted")),
    "fields_delete_first": lambda m, r: r.fields.__delitem__(0),
    "fields_reverse": lambda m, r: r.fields.reverse(),
    "fields_reassign": lambda m, r: setattr(r, "fields", list(reversed(r.fields))),
    "fields_clear": lambda m, r: setattr(r, "fields", []),
    "fields_tuple": lambda m, r: setattr(r, "fields", tuple(r.fields)),
    "fields_none": lambda m, r: setattr(r, "fields", None),
    "leader_none": lambda m, r: setattr(r, "leader", None),
    "pos": lambda m, r: setattr(r, "pos", 5),
    "non_latin1_value": lambda m, r: r["245"].add_subfield("c", "\u20ac uro"),
    "raw_field": lambda m, r: r.add_field(m.RawField("950", indicators=["1", "2"], subfields=[m.Subfield("a", b"raw")])),
    "decode_again": lambda m, r: r.decode_marc(CRAFTED["empty_245_a"]),
}

OBSERVE_OPS = ["str", "as_marc", "title", "leader_str", "fields"]


def run_edits(module, chunk, steps, options=None):
    record = read_with(module, chunk, **(options or {}))
    out = []
    for kind, name in steps:
        if kind == "edit":
            out.append(outcome(lambda: EDIT_OPS[name](module, record)))
        else:
            out.append(outcome(lambda: READ_OPS[name](record)))
    return out


def assert_same_edits(chunk, steps, options=None):
    expected = run_edits(pymarc, chunk, steps, options)
    actual = run_edits(pymrrc, chunk, steps, options)
    for step, ours, ref in zip(steps, actual, expected):
        assert ours == ref, f"{step} differs in {steps}"


EDIT_CHUNKS = ["serial", "duplicate_codes", "unicode", "no_245"]


@pytest.mark.parametrize("before", ["lazy", "touched_title", "touched_leader", "touched_fields", "as_marc"])
@pytest.mark.parametrize("edit", sorted(EDIT_OPS))
def test_edit_then_observe(edit, before):
    prefix = {
        "lazy": [],
        "touched_title": [("read", "title")],
        "touched_leader": [("read", "leader_str")],
        "touched_fields": [("read", "fields")],
        "as_marc": [("read", "as_marc")],
    }[before]
    steps = prefix + [("edit", edit)] + [("read", op) for op in OBSERVE_OPS] + [("read", "as_marc")]
    for name in EDIT_CHUNKS:
        assert_same_edits(CRAFTED[name], steps)
    for chunk in some_corpus(slice(3, 4)):
        assert_same_edits(chunk, steps)


# Edits after which every later observation differs for one known reason
# are left to test_edit_then_observe, so that the random sequences below
# can still find other differences.
SWEEPING_EDITS = {"decode_again", "fields_none", "leader_none"}


@pytest.mark.parametrize("seed", range(8))
def test_random_edit_sequences(seed):
    rng = random.Random(1000 + seed)
    edits = sorted(set(EDIT_OPS) - SWEEPING_EDITS)
    reads = sorted(READ_OPS)
    chunks = list(CRAFTED.values()) + some_corpus(slice(60))
    for _ in range(25):
        chunk = rng.choice(chunks)
        steps = []
        for _ in range(rng.randint(2, 7)):
            if rng.random() < 0.5:
                steps.append(("edit", rng.choice(edits)))
            else:
                steps.append(("read", rng.choice(reads)))
        steps.append(("read", "str"))
        steps.append(("read", "as_marc"))
        assert_same_edits(chunk, steps)


def test_edits_on_force_utf8_record_with_blank_leader9():
    """A UTF-8 record whose leader says MARC-8, read with force_utf8: then
    switched back, encoded as Latin-1 (or failing as pymarc fails)."""
    crafted = CRAFTED["unicode"][:9] + b" " + CRAFTED["unicode"][10:]
    latin = build([("001", b"x"), ("245", b"10\x1faCaf\xc3\xa9")], leader9=" ")
    real = [chunk[:9] + b" " + chunk[10:] for chunk in some_corpus(slice(1, 2))]
    for data in [crafted, latin] + real:
        for steps in (
            [("read", "as_marc"), ("read", "leader_str")],
            [("edit", "force_utf8_false"), ("read", "as_marc"), ("read", "leader_str")],
            [("edit", "force_utf8_false"), ("edit", "to_unicode_false"), ("read", "as_marc")],
            [("edit", "to_unicode_false"), ("read", "as_marc"), ("read", "str")],
            [("read", "title"), ("edit", "to_unicode_false"), ("edit", "force_utf8_false"), ("read", "as_marc")],
            [("read", "fields"), ("edit", "to_unicode_false"), ("edit", "force_utf8_false"), ("read", "as_marc")],
        ):
            assert_same_edits(data, steps, {"force_utf8": True})


def test_marc8_records_set_to_unicode_false():
    files = _test_files()
    for path in files:
        if path.name not in ("test.dat", "marc8.dat", "diacritic.dat", "1251.dat"):
            continue
        data = split_records(path.read_bytes())[0]
        for steps in (
            [("edit", "to_unicode_false"), ("read", "as_marc")],
            [("edit", "to_unicode_false"), ("edit", "force_utf8_true"), ("read", "as_marc")],
            [("edit", "leader_to_str"), ("read", "as_marc"), ("read", "str")],
        ):
            assert_same_edits(data, steps)
