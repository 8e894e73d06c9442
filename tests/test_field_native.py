"""Fields with unusual contents, compared side by side with pymarc 5.4.0.

pymrrc's ``Field`` answers natively when it holds exactly the types the
reader produces and falls back to Python reference code otherwise. Every
case below is built the same way with both libraries' classes, and every
read-only method (and a few edits) must give the same result: the same
value and type, or the same exception class, ``str()`` and ``args``. Here:
the cases, mutations after construction, user subclasses and the
whitespace ``value()`` strips; encodings, construction, copies and
generated fields in test_field_native_objects.py (helpers in
field_native_support.py).
"""

import sys

import pytest

import pymarc

from field_native_support import (  # noqa: F401
    FIELD_CASES,
    MODULES,
    MyStr,
    assert_same_field,
    data_field,
    describe_field,
    describe_in_record,
    outcome,
)


@pytest.mark.parametrize("case", sorted(FIELD_CASES))
def test_unusual_field(case):
    assert_same_field(FIELD_CASES[case])


def test_cases_really_take_the_fallback():
    """The unusual cases must mostly not be the plain shape, and pymarc must
    raise on a fair share of operations, so the comparison means something."""
    raised = 0
    for make in FIELD_CASES.values():
        try:
            field = make(pymarc)
        except Exception:  # noqa: BLE001
            raised += 1
            continue
        raised += sum(1 for v in describe_field(field).values() if v[0] == "raised")
    assert raised > 200


# -- mutations after construction -----------------------------------------------------

MUTATIONS = {
    "subfields_to_tuple": lambda m, f: setattr(f, "subfields", tuple(f.subfields)),
    "append_tuple": lambda m, f: f.subfields.append(("z", "tuple")),
    "append_int_value": lambda m, f: f.subfields.append(m.Subfield("z", 7)),
    "replace_item": lambda m, f: f.subfields.__setitem__(0, m.Subfield("a", MyStr("new"))),
    "setitem_value": lambda m, f: f.__setitem__("b", 42),
    "setitem_missing": lambda m, f: f.__setitem__("q", "x"),
    "setitem_duplicate": lambda m, f: f.__setitem__("a", "x"),
    "add_subfield_pos": lambda m, f: f.add_subfield("y", "pos1", 1),
    "add_subfield_pos_big": lambda m, f: f.add_subfield("y", "end", 99),
    "add_subfield_negative": lambda m, f: f.add_subfield("y", "neg", -1),
    "add_subfield_non_str": lambda m, f: f.add_subfield(5, None),
    "delete_subfield": lambda m, f: f.delete_subfield("a"),
    "delete_subfield_missing": lambda m, f: f.delete_subfield("q"),
    "indicator1_set": lambda m, f: setattr(f, "indicator1", "9"),
    "indicator2_int": lambda m, f: setattr(f, "indicator2", 0),
    "indicators_list": lambda m, f: setattr(f, "indicators", ["4", "5"]),
    "indicators_str": lambda m, f: setattr(f, "indicators", "67"),
    "indicators_none": lambda m, f: setattr(f, "indicators", None),
    "indicators_bad": lambda m, f: setattr(f, "indicators", ["1"]),
    "private_indicators_list": lambda m, f: setattr(f, "_indicators", ["1", "2"]),
    "private_indicators_none": lambda m, f: setattr(f, "_indicators", None),
    "tag_int": lambda m, f: setattr(f, "tag", 245),
    "tag_control_string": lambda m, f: setattr(f, "tag", "001"),
    "control_flag_on": lambda m, f: setattr(f, "control_field", True),
    "control_flag_truthy": lambda m, f: setattr(f, "control_field", "yes"),
    "control_flag_zero": lambda m, f: setattr(f, "control_field", 0),
    "data_set": lambda m, f: setattr(f, "data", "data now"),
    "subfields_none": lambda m, f: setattr(f, "subfields", None),
    "subfields_clear": lambda m, f: f.subfields.clear(),
}


def _base_field(m):
    return m.Field(
        tag="245",
        indicators=m.Indicators("1", "0"),
        subfields=[m.Subfield("a", "A"), m.Subfield("a", "A2"), m.Subfield("b", " B ")],
    )


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_mutated_field(mutation):
    results = []
    for module in MODULES:
        field = _base_field(module)
        field.value()  # take the native path before the change
        str(field)
        mutation_outcome = outcome(lambda: MUTATIONS[mutation](module, field))
        results.append((mutation_outcome, describe_field(field), describe_in_record(field)))
    assert results[1] == results[0]


def test_control_field_mutated_to_data_field():
    results = []
    for module in MODULES:
        field = module.Field("001", data="abc")
        steps = [describe_field(field)]
        field.control_field = False
        steps.append(describe_field(field))
        field._indicators = module.Indicators("1", "2")
        steps.append(describe_field(field))
        field.subfields.append(module.Subfield("a", "x"))
        steps.append(describe_field(field))
        steps.append(outcome(lambda: setattr(field, "indicator1", "5")))
        steps.append(describe_field(field))
        results.append(steps)
    assert results[1] == results[0]


def test_indicator_setters_on_control_field():
    results = []
    for module in MODULES:
        field = module.Field("001", data="abc")
        results.append(
            (
                outcome(lambda: setattr(field, "indicator1", "1")),
                outcome(lambda: setattr(field, "indicator2", "2")),
                describe_field(field),
            )
        )
    assert results[1] == results[0]


def test_subfields_list_is_shared_not_copied():
    results = []
    for module in MODULES:
        subs = [module.Subfield("a", "x")]
        field = module.Field("245", subfields=subs)
        subs.append(module.Subfield("b", "y"))
        results.append((field.subfields is subs, field.subfields is field.subfields, field.value(), str(field)))
        subs[0] = ("a", "tuple now")
        results.append(outcome(field.value))
    assert results[2:] == results[:2]


# -- user subclasses ----------------------------------------------------------------


def _subclass(m, **methods):
    return type("MyField", (m.Field,), methods)


SUBCLASS_CASES = {
    "override_value": {"value": lambda self: "OVERRIDDEN"},
    "override_is_subject": {"is_subject_field": lambda self: True},
    "override_is_subject_false": {"is_subject_field": lambda self: False},
    "override_as_marc": {"as_marc": lambda self, encoding: b"XYZ\x1e"},
    "override_str": {"__str__": lambda self: "custom"},
    "override_get": {"get": lambda self, code, default=None: "G"},
    "override_getitem": {"__getitem__": lambda self, code: "I"},
    "override_contains": {"__contains__": lambda self, code: True},
    "override_py_value": {"_py_value": lambda self: "private"},
    "with_slots": {"__slots__": ("extra",)},
    "plain_subclass": {},
}


@pytest.mark.parametrize("tag", ["245", "650", "001"])
@pytest.mark.parametrize("case", sorted(SUBCLASS_CASES))
def test_field_subclass(case, tag):
    def make(m):
        cls = _subclass(m, **SUBCLASS_CASES[case])
        if tag == "001":
            return cls(tag, data="ctrl data")
        return cls(tag, indicators=["0", "1"], subfields=[m.Subfield("a", "A"), m.Subfield("x", "X")])

    assert_same_field(make)


# -- strip() whitespace in value() ---------------------------------------------------------

WHITESPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
NOT_WHITESPACE = ["\u200b", "\u180e", "\ufeff", "\x00", "\x1b", "\u2060", "\u00ad", "\x7f", "\u200c", "a"]


def test_whitespace_set_is_pythons():
    # Hand-checked anchors, so that the generated list is what we think.
    for char in "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000":
        assert char in WHITESPACE
    for char in NOT_WHITESPACE:
        assert char not in WHITESPACE


@pytest.mark.parametrize("char", WHITESPACE + NOT_WHITESPACE, ids=lambda c: f"U+{ord(c):04X}")
def test_value_strip_and_format_field(char):
    values = [f"{char}x{char}", char, char * 3, f"{char}{char}y", f"z{char}", f" {char} "]
    results = []
    for module in MODULES:
        subs = [module.Subfield(code, value) for code, value in zip("abcdvx", values)]
        data_field = module.Field("245", indicators=["1", "0"], subfields=subs)
        subject = module.Field("650", indicators=[char, "0"], subfields=list(subs))
        control = module.Field("001", data=f"{char}c{char}")
        results.append(
            [
                f.value() for f in (data_field, subject, control)
            ]
            + [f.format_field() for f in (data_field, subject, control)]
            + [str(f) for f in (data_field, subject, control)]
            + [f.get_subfields("a", "b") for f in (data_field, subject)]
        )
    assert results[1] == results[0]


def test_value_strip_every_character_at_once():
    chars = [chr(c) for c in range(0x3100) if not 0xD800 <= c <= 0xDFFF]
    results = []
    for module in MODULES:
        subs = [module.Subfield("a", f"{c}{c}m{c}") for c in chars]
        field = module.Field("245", subfields=subs)
        results.append((field.value(), field.format_field()))
    assert results[1] == results[0]
