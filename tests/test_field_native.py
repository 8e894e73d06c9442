"""Fields with unusual contents, compared side by side with pymarc 5.4.0.

pymrrc's ``Field`` answers natively when it holds exactly the types the
reader produces and falls back to Python reference code otherwise. Every
case below is built the same way with both libraries' classes, and every
read-only method (and a few edits) must give the same result: the same
value and type, or the same exception class, ``str()`` and ``args``.
"""

import copy
import os
import pickle
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pymarc
import pymrrc

MODULES = (pymarc, pymrrc)
EXAMPLES = int(os.environ.get("PYMRRC_HYPOTHESIS_EXAMPLES", "200"))


# -- value types that are not plain --------------------------------------------------


class MyStr(str):
    """A str subclass with nothing overridden."""


class LoudStr(str):
    """A str subclass whose str() and format() differ from its contents."""

    def __str__(self):
        return "LOUD:" + super().__str__()

    def __format__(self, spec):
        return "FMT:" + super().__str__()

    def strip(self, *args):
        return "STRIPPED"


class AnyCode(str):
    """A subfield code that equals everything."""

    def __eq__(self, other):
        return True

    def __hash__(self):
        return 1


class Weird:
    """Not a str at all; formats and compares oddly."""

    def __format__(self, spec):
        return "<weird>"

    def __str__(self):
        return "<weird-str>"

    def __eq__(self, other):
        return other == "b"

    def __hash__(self):
        return 2


# -- outcome helpers ---------------------------------------------------------------


def _family(module_name):
    head, _, rest = module_name.partition(".")
    return "PKG." + rest if head in ("pymarc", "pymrrc") else module_name


def _neutral(text):
    """Text with the library's own name made neutral (messages that name a
    class by its qualified name differ only in that)."""
    return text.replace("pymarc.", "PKG.").replace("pymrrc.", "PKG.") if isinstance(text, str) else text


def exc_key(exc):
    cls = type(exc)
    return (
        "raised",
        cls.__name__,
        _family(cls.__module__),
        _neutral(str(exc)),
        tuple(_neutral(a) for a in exc.args),
    )


def shape(value):
    """A library-independent description of a result."""
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [shape(v) for v in value])
    if isinstance(value, dict):
        return ("dict", {k: shape(v) for k, v in value.items()})
    if isinstance(value, (pymarc.Field, pymrrc.Field)):
        return ("Field", str(value))
    if isinstance(value, (str, bytes, int, float, bool, type(None))):
        return (type(value).__name__, value)
    return (type(value).__name__, str(value))


def outcome(fn):
    try:
        return ("ok", shape(fn()))
    except Exception as exc:  # noqa: BLE001 - the failure is the result
        return exc_key(exc)


# -- the operations compared -------------------------------------------------------

READ_OPERATIONS = {
    "value": lambda f: f.value(),
    "get_a": lambda f: f.get("a"),
    "get_b_default": lambda f: f.get("b", "DEFAULT"),
    "get_missing": lambda f: f.get("zz"),
    "get_anycode": lambda f: f.get(AnyCode("q")),
    "get_weird": lambda f: f.get(Weird()),
    "get_int": lambda f: f.get(1),
    "getitem_a": lambda f: f["a"],
    "getitem_missing": lambda f: f["q"],
    "getitem_anycode": lambda f: f[AnyCode("q")],
    "contains_a": lambda f: "a" in f,
    "contains_missing": lambda f: "q" in f,
    "contains_int": lambda f: 1 in f,
    "contains_weird": lambda f: Weird() in f,
    "get_subfields_none": lambda f: f.get_subfields(),
    "get_subfields_a": lambda f: f.get_subfields("a"),
    "get_subfields_ab": lambda f: f.get_subfields("a", "b"),
    "get_subfields_aa": lambda f: f.get_subfields("a", "a"),
    "get_subfields_anycode": lambda f: f.get_subfields(AnyCode("q")),
    "get_subfields_weird_pair": lambda f: f.get_subfields(Weird(), "c"),
    "get_subfields_int": lambda f: f.get_subfields(1, "x"),
    "format_field": lambda f: f.format_field(),
    "str": lambda f: str(f),
    "as_marc_utf8": lambda f: f.as_marc("utf-8"),
    "as_marc_latin1": lambda f: f.as_marc("iso8859-1"),
    "as_marc_kw": lambda f: f.as_marc(encoding="utf-8"),
    "as_marc_ascii": lambda f: f.as_marc("ascii"),
    "as_marc_utf8_alias": lambda f: f.as_marc("UTF8"),
    "as_marc_latin1_alias": lambda f: f.as_marc("latin-1"),
    "as_marc21": lambda f: f.as_marc21("utf-8"),
    "subfields_as_dict": lambda f: f.subfields_as_dict(),
    "is_subject_field": lambda f: f.is_subject_field(),
    "is_control_field": lambda f: f.is_control_field(),
    "linkage": lambda f: f.linkage_occurrence_num(),
    "indicator1": lambda f: f.indicator1,
    "indicator2": lambda f: f.indicator2,
    "indicators": lambda f: f.indicators,
    "iteration": lambda f: list(f),
    "iteration_twice": lambda f: (list(f), list(f)),
    "attributes": lambda f: (f.tag, f.data, f.control_field, f.subfields),
    "bool": lambda f: bool(f),
}


def describe_field(field):
    return {name: outcome(lambda: op(field)) for name, op in READ_OPERATIONS.items()}


def describe_in_record(field, to_unicode=True, leader9="a"):
    """The field inside a record: Record.as_marc and str(record)."""
    module = pymarc if isinstance(field, pymarc.Field) else pymrrc
    record = module.Record()
    record.leader = module.Leader(record.leader[:9] + leader9 + record.leader[10:])
    record.to_unicode = to_unicode
    record.add_field(module.Field("001", data="x"), field)
    return (outcome(record.as_marc), outcome(lambda: str(record)), outcome(lambda: str(record.leader)))


def build_both(make):
    results = []
    for module in MODULES:
        try:
            results.append(("ok", make(module)))
        except Exception as exc:  # noqa: BLE001
            results.append(exc_key(exc))
    return results


def assert_same_field(make):
    ref, ours = build_both(make)
    if ref[0] != "ok" or ours[0] != "ok":
        assert ours == ref
        return
    ref_field, our_field = ref[1], ours[1]
    assert isinstance(our_field, pymrrc.Field)
    expected = describe_field(ref_field)
    actual = describe_field(our_field)
    for name in READ_OPERATIONS:
        assert actual[name] == expected[name], name
    for to_unicode, leader9 in ((True, "a"), (False, " "), (False, "a")):
        assert describe_in_record(our_field, to_unicode, leader9) == describe_in_record(
            ref_field, to_unicode, leader9
        ), (to_unicode, leader9)


# -- the cases ---------------------------------------------------------------------


def S(m, code, value):
    return m.Subfield(code=code, value=value)


def data_field(subfields, tag="245", indicators=("1", "0")):
    def make(m):
        subs = subfields(m) if callable(subfields) else subfields
        inds = indicators(m) if callable(indicators) else indicators
        return m.Field(tag=tag, indicators=inds, subfields=subs)

    return make


FIELD_CASES = {
    # the plain shape (native path), as a reference point
    "plain": data_field(lambda m: [S(m, "a", " Title "), S(m, "b", "sub"), S(m, "c", "c")]),
    "plain_empty": data_field(lambda m: []),
    "plain_subject": data_field(
        lambda m: [S(m, "a", "Topic"), S(m, "x", "Sub"), S(m, "6", "880-01"), S(m, "v", "Form"), S(m, "z", "Z")],
        tag="650",
    ),
    "plain_linkage": data_field(lambda m: [S(m, "6", "880-01/$1"), S(m, "a", "x")]),
    "plain_bad_linkage": data_field(lambda m: [S(m, "6", "nodash"), S(m, "a", "x")]),
    "plain_non_latin1": data_field(lambda m: [S(m, "a", "Ṣanʻāʾ €"), S(m, "b", "ok")]),
    "plain_latin1_only": data_field(lambda m: [S(m, "a", "café ÿ"), S(m, "b", "\xa0")]),
    "plain_nul_and_controls": data_field(lambda m: [S(m, "a", "\x00\x1d\x1e\x1f"), S(m, "\x1f", "x")]),
    "plain_multichar_code": data_field(lambda m: [S(m, "ab", "x"), S(m, "", "empty code")]),
    "plain_duplicate_codes": data_field(lambda m: [S(m, "a", "1"), S(m, "a", "2"), S(m, "b", "3")]),
    "plain_backslash_indicators": data_field(lambda m: [S(m, "a", "x")], indicators=("\\", " ")),
    "plain_empty_indicators": data_field(lambda m: [S(m, "a", "x")], indicators=("", "")),
    "plain_long_indicators": data_field(lambda m: [S(m, "a", "x")], indicators=("12", "é")),
    # subfield values that are not str
    "value_int": data_field(lambda m: [S(m, "a", 12), S(m, "b", "x")]),
    "value_none": data_field(lambda m: [S(m, "a", None)]),
    "value_bytes": data_field(lambda m: [S(m, "a", b"bytes"), S(m, "b", "x")]),
    "value_float": data_field(lambda m: [S(m, "b", 1.5)]),
    "value_list": data_field(lambda m: [S(m, "a", ["x"])]),
    "value_weird": data_field(lambda m: [S(m, "a", Weird())]),
    "value_mystr": data_field(lambda m: [S(m, "a", MyStr(" padded ")), S(m, "b", MyStr("b"))]),
    "value_loudstr": data_field(lambda m: [S(m, "a", LoudStr(" loud ")), S(m, "b", "plain")]),
    "value_loudstr_subject": data_field(lambda m: [S(m, "a", LoudStr("t")), S(m, "x", LoudStr("x"))], tag="651"),
    # subfield codes that are not str
    "code_int": data_field(lambda m: [S(m, 1, "one"), S(m, "a", "x")]),
    "code_none": data_field(lambda m: [S(m, None, "none")]),
    "code_mystr": data_field(lambda m: [S(m, MyStr("a"), "x"), S(m, MyStr("6"), "880-02")]),
    "code_anycode": data_field(lambda m: [S(m, AnyCode("z"), "any"), S(m, "a", "x")]),
    "code_loudstr": data_field(lambda m: [S(m, LoudStr("a"), "x")]),
    "code_weird": data_field(lambda m: [S(m, Weird(), "w"), S(m, "a", "x")]),
    # containers that are not a list of Subfield
    "plain_tuples": data_field(lambda m: [("a", "x"), ("b", "y")]),
    "mixed_tuple_and_subfield": data_field(lambda m: [S(m, "a", "x"), ("b", "y")]),
    "three_tuples": data_field(lambda m: [("a", "x", "extra")]),
    "lists_as_subfields": data_field(lambda m: [["a", "x"]]),
    "subfields_tuple": data_field(lambda m: (S(m, "a", "x"), S(m, "b", "y"))),
    "subfields_tuple_of_tuples": data_field(lambda m: (("a", "x"),)),
    "subfield_subclass": data_field(
        lambda m: [type("MySub", (m.Subfield,), {})("a", "x"), S(m, "b", "y")]
    ),
    "subfield_subclass_override": data_field(
        lambda m: [type("MySub", (m.Subfield,), {"value": property(lambda self: "overridden")})("a", "x")]
    ),
    "subfields_list_subclass": data_field(lambda m: type("MyList", (list,), {})([S(m, "a", "x")])),
    "subfields_string": data_field(lambda m: ["a", "x"]),
    "subfields_str_object": data_field(lambda m: "ax"),
    "subfields_generator": data_field(lambda m: (s for s in [S(m, "a", "x")])),
    "subfields_dict": data_field(lambda m: {"a": "x"}),
    "subfields_none": data_field(lambda m: None),
    "subfields_empty_tuple": data_field(lambda m: ()),
    # indicators in other shapes
    "indicators_list": data_field(lambda m: [S(m, "a", "x")], indicators=["1", "2"]),
    "indicators_tuple": data_field(lambda m: [S(m, "a", "x")], indicators=("1", "2")),
    "indicators_str": data_field(lambda m: [S(m, "a", "x")], indicators="12"),
    "indicators_str_three": data_field(lambda m: [S(m, "a", "x")], indicators="123"),
    "indicators_str_one": data_field(lambda m: [S(m, "a", "x")], indicators="1"),
    "indicators_list_one": data_field(lambda m: [S(m, "a", "x")], indicators=["1"]),
    "indicators_list_three": data_field(lambda m: [S(m, "a", "x")], indicators=["1", "2", "3"]),
    "indicators_empty_list": data_field(lambda m: [S(m, "a", "x")], indicators=[]),
    "indicators_ints": data_field(lambda m: [S(m, "a", "x")], indicators=[1, 2]),
    "indicators_none_values": data_field(lambda m: [S(m, "a", "x")], indicators=(None, " ")),
    "indicators_mystr": data_field(lambda m: [S(m, "a", "x")], indicators=(MyStr("1"), MyStr(" "))),
    "indicators_loudstr": data_field(lambda m: [S(m, "a", "x")], indicators=(LoudStr("1"), "\\")),
    "indicators_object": data_field(lambda m: [S(m, "a", "x")], indicators=lambda m: m.Indicators("3", "4")),
    "indicators_non_latin1": data_field(lambda m: [S(m, "a", "x")], indicators=("€", "1")),
    "indicators_dict": data_field(lambda m: [S(m, "a", "x")], indicators={"a": 1, "b": 2}),
    "indicators_set_one": data_field(lambda m: [S(m, "a", "x")], indicators={"1"}),
    # tags
    "tag_int": data_field(lambda m: [S(m, "a", "x")], tag=245),
    "tag_int_small": lambda m: m.Field(tag=1, data="ctrl"),
    "tag_str_one": lambda m: m.Field(tag="1", data="ctrl"),
    "tag_abc": data_field(lambda m: [S(m, "a", "x")], tag="abc"),
    "tag_four_digits": data_field(lambda m: [S(m, "a", "x")], tag="0245"),
    "tag_four_digits_big": data_field(lambda m: [S(m, "a", "x")], tag="1245"),
    "tag_empty": data_field(lambda m: [S(m, "a", "x")], tag=""),
    "tag_none": data_field(lambda m: [S(m, "a", "x")], tag=None),
    "tag_float": lambda m: m.Field(tag=2.5, data="ctrl"),
    "tag_negative": data_field(lambda m: [S(m, "a", "x")], tag=-1),
    "tag_arabic_digits": data_field(lambda m: [S(m, "a", "x")], tag="\u0662\u0664\u0665"),
    "tag_superscript": data_field(lambda m: [S(m, "a", "x")], tag="\u00b2"),
    "tag_spaces": data_field(lambda m: [S(m, "a", "x")], tag=" 45"),
    "tag_alnum_control_range": data_field(lambda m: [S(m, "a", "x")], tag="00a"),
    "tag_mystr": data_field(lambda m: [S(m, "a", "x")], tag=MyStr("650")),
    "tag_mystr_control": lambda m: m.Field(tag=MyStr("005"), data="x"),
    "tag_non_ascii": data_field(lambda m: [S(m, "a", "x")], tag="é45"),
    "tag_long_alpha": data_field(lambda m: [S(m, "a", "x")], tag="ABCD"),
    "tag_six_prefix": data_field(lambda m: [S(m, "a", "x"), S(m, "x", "y")], tag="6xx"),
    "tag_list": data_field(lambda m: [S(m, "a", "x")], tag=["2", "4", "5"]),
    # control fields
    "control_plain": lambda m: m.Field(tag="001", data="ocm 123 "),
    "control_empty": lambda m: m.Field(tag="001", data=""),
    "control_none": lambda m: m.Field(tag="001"),
    "control_int": lambda m: m.Field(tag="005", data=20240101),
    "control_zero": lambda m: m.Field(tag="005", data=0),
    "control_bytes": lambda m: m.Field(tag="001", data=b"raw bytes"),
    "control_mystr": lambda m: m.Field(tag="001", data=MyStr("a b")),
    "control_loudstr": lambda m: m.Field(tag="001", data=LoudStr("a b")),
    "control_list": lambda m: m.Field(tag="001", data=["x"]),
    "control_non_latin1": lambda m: m.Field(tag="001", data="Ṣ x"),
    "control_backslash": lambda m: m.Field(tag="008", data="a\\b c"),
    "control_with_subfields": lambda m: m.Field(tag="001", data="d", subfields=[S(m, "a", "x")]),
    "control_with_indicators": lambda m: m.Field(tag="003", data="d", indicators=["1", "2"]),
    "data_with_data": lambda m: m.Field(tag="245", data="ignored?", subfields=[S(m, "a", "x")]),
    "raw_field_bytes": lambda m: m.RawField(tag="245", indicators=["1", "0"], subfields=[S(m, "a", b"raw")]),
    "raw_field_control": lambda m: m.RawField(tag="001", data=b"raw"),
}


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


# -- as_marc encodings and encode errors ----------------------------------------------------


ENCODING_VALUES = ["plain ascii", "café", "\xff", "€uro", "Ṣanʻāʾ", "\U0001f600", "\x00\x80\x9f", ""]


@pytest.mark.parametrize("encoding", ["utf-8", "iso8859-1", "ascii", "cp1252", "utf-16", "latin-1", "UTF-8"])
@pytest.mark.parametrize("position", ["indicator", "code", "value", "control"])
def test_as_marc_encodings(encoding, position):
    for text in ENCODING_VALUES:

        def make(m, text=text):
            if position == "control":
                return m.Field("001", data=text)
            inds = [text or " ", "0"] if position == "indicator" else ["1", "0"]
            code = text if position == "code" else "a"
            value = text if position == "value" else "v"
            return m.Field("245", indicators=inds, subfields=[m.Subfield("b", "first"), m.Subfield(code, value)])

        ref = make(pymarc)
        ours = make(pymrrc)
        assert outcome(lambda: ours.as_marc(encoding)) == outcome(lambda: ref.as_marc(encoding)), text


def test_unicode_encode_error_details():
    found = []
    for module in MODULES:
        field = module.Field("245", subfields=[module.Subfield("a", "abc"), module.Subfield("b", "x€y")])
        try:
            field.as_marc("iso8859-1")
        except UnicodeEncodeError as exc:
            found.append((exc.encoding, exc.object, exc.start, exc.end, exc.reason, str(exc)))
        else:
            found.append(None)
    assert found[0] is not None
    assert found[1] == found[0]


SURROGATE_CASES = {
    "value": lambda m: m.Field("245", indicators=["1", "0"], subfields=[m.Subfield("a", "x\ud800 "), m.Subfield("b", "y")]),
    "value_low": lambda m: m.Field("245", subfields=[m.Subfield("a", "\udcff")]),
    "code": lambda m: m.Field("245", subfields=[m.Subfield("\udc80", "x")]),
    "indicator": lambda m: m.Field("245", indicators=["\ud800", "1"], subfields=[m.Subfield("a", "x")]),
    "control": lambda m: m.Field("001", data="a\udcff b"),
    "subject": lambda m: m.Field("650", subfields=[m.Subfield("a", "t"), m.Subfield("x", "\ud83d")]),
}


@pytest.mark.parametrize("case", sorted(SURROGATE_CASES))
def test_lone_surrogates(case):
    """Strings with lone surrogates (as ``utf8_handling='surrogateescape'``
    produces) are ordinary Python text."""
    assert_same_field(SURROGATE_CASES[case])


# -- construction ----------------------------------------------------------------------


CONSTRUCTION_CASES = {
    "legacy_string_subfields": lambda m: m.Field("245", subfields=["a", "x"]),
    "legacy_conversion": lambda m: m.Field(
        "245", indicators=["0", "1"], subfields=m.Field.convert_legacy_subfields(["a", "x", "b", "y"])
    ),
    "legacy_conversion_odd": lambda m: m.Field.convert_legacy_subfields(["a", "x", "b"]),
    "no_tag": lambda m: m.Field(),
    "positional": lambda m: m.Field("245", ["1", "2"], [m.Subfield("a", "x")]),
    "keyword_data_only": lambda m: m.Field(tag="245", data="x"),
    "indicators_generator": lambda m: m.Field("245", indicators=(c for c in "12")),
    "indicators_bytes": lambda m: m.Field("245", indicators=b"12"),
    "indicators_int": lambda m: m.Field("245", indicators=12),
    "indicators_zero": lambda m: m.Field("245", indicators=0),
}


@pytest.mark.parametrize("case", sorted(CONSTRUCTION_CASES))
def test_construction(case):
    results = []
    for module in MODULES:
        value = outcome(lambda: CONSTRUCTION_CASES[case](module))
        results.append(value)
    assert results[1] == results[0]
    ref, ours = (CONSTRUCTION_CASES[case](m) if results[0][0] == "ok" else None for m in MODULES)
    if isinstance(ref, pymarc.Field):
        assert describe_field(ours) == describe_field(ref)


def test_isinstance_and_types():
    for module_name, module in (("pymarc", pymarc), ("pymrrc", pymrrc)):
        field = module.Field("245", subfields=[module.Subfield("a", "x")])
        raw = module.RawField("245")
        assert isinstance(field, module.Field)
        assert isinstance(raw, module.Field)
        assert isinstance(raw, module.RawField)
        assert isinstance(field.indicators, tuple)
        assert isinstance(field.subfields[0], tuple)
    assert pymrrc.Field is pymrrc.field.Field
    assert pymrrc.Subfield is pymrrc.field.Subfield
    assert pymrrc.Indicators is pymrrc.field.Indicators
    assert pymrrc.Subfield._fields == pymarc.Subfield._fields
    assert pymrrc.Indicators._fields == pymarc.Indicators._fields
    assert [c.__name__ for c in pymrrc.RawField.__mro__ if c.__module__.startswith("pymrrc.field")] == [
        c.__name__ for c in pymarc.RawField.__mro__ if c.__module__.startswith("pymarc.field")
    ]


def test_attribute_assignment_rules():
    """pymarc's Field has __slots__; RawField (no __slots__) takes any attribute."""
    results = []
    for module in MODULES:
        row = []
        for make in (
            lambda: module.Field("245"),
            lambda: module.Field("001", data="x"),
            lambda: module.RawField("245"),
        ):
            obj = make()
            row.append(outcome(lambda obj=obj: setattr(obj, "extra", 1)))
            row.append(outcome(lambda obj=obj: getattr(obj, "extra")))
        results.append(row)
    assert results[1] == results[0]


def test_field_identity_and_equality():
    results = []
    for module in MODULES:
        a = module.Field("245", subfields=[module.Subfield("a", "x")])
        b = module.Field("245", subfields=[module.Subfield("a", "x")])
        results.append((a == b, a != b, a == a, len({a, b}), outcome(lambda a=a: len(a))))
    assert results[1] == results[0]


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
@pytest.mark.parametrize("case", ["plain", "value_mystr", "control_plain", "plain_tuples", "indicators_str"])
def test_pickle_fields(case, protocol):
    # Divergence D1 (compat-tests/DIVERGENCES.md): pymarc cannot pickle
    # fields with protocols 0 and 1; pymrrc can, with protocol 2's result.
    results = []
    for module in MODULES:
        field = FIELD_CASES[case](module)
        used = max(protocol, 2) if module is pymarc else protocol
        try:
            clone = pickle.loads(pickle.dumps(field, used))
        except Exception as exc:  # noqa: BLE001
            results.append(exc_key(exc))
            continue
        results.append((type(clone).__name__, describe_field(clone)))
    assert results[1] == results[0]


@pytest.mark.parametrize("how", ["copy", "deepcopy"])
def test_copy_fields(how):
    results = []
    for module in MODULES:
        field = FIELD_CASES["plain"](module)
        clone = getattr(copy, how)(field)
        clone.add_subfield("z", "added to clone")
        clone.indicator1 = "7"
        results.append(
            (
                describe_field(field),
                describe_field(clone),
                clone.subfields is field.subfields,
                clone.indicators is field.indicators,
            )
        )
    assert results[1] == results[0]


# -- hypothesis ----------------------------------------------------------------------------

_text = st.text(max_size=8)
_odd_values = st.one_of(
    _text,
    _text.map(MyStr),
    _text.map(LoudStr),
    st.integers(-5, 5),
    st.none(),
    st.binary(max_size=4),
    st.sampled_from([" \t", "\xa0x\u3000", "\x1cq\x1f", "\x85", "€", "Ṣ", "\U0001f600"]),
)
_codes = st.one_of(
    st.sampled_from(["a", "b", "c", "6", "v", "x", "y", "z", "", "ab", "é", "\x1f"]),
    st.text(max_size=2),
    st.sampled_from([1, None]).map(lambda v: v),
    st.sampled_from(["a", "x"]).map(MyStr),
)
_tags = st.one_of(
    st.sampled_from(["245", "650", "651", "600", "001", "008", "009", "010", "880", "abc", "00a", "6", "", "0245"]),
    st.integers(-2, 1200),
    st.text(max_size=4),
)


@st.composite
def field_specs(draw):
    tag = draw(_tags)
    n = draw(st.integers(0, 5))
    subs = [(draw(_codes), draw(_odd_values), draw(st.sampled_from(["Subfield", "tuple"]))) for _ in range(n)]
    container = draw(st.sampled_from(["list", "list", "list", "tuple"]))
    indicators = draw(
        st.one_of(
            st.tuples(st.sampled_from([" ", "0", "1", "\\", "", "é", "12"]), st.sampled_from([" ", "0", "9", "\\"])),
            st.lists(st.sampled_from(["1", "2", " "]), min_size=0, max_size=3),
            st.text(max_size=3),
            st.none(),
        )
    )
    indicator_kind = draw(st.sampled_from(["Indicators", "list", "tuple", "as_is"]))
    data = draw(st.one_of(_text, st.none(), st.integers(0, 3), _text.map(MyStr)))
    return tag, subs, container, indicators, indicator_kind, data


def build_from_spec(m, spec):
    tag, subs, container, indicators, indicator_kind, data = spec
    items = [m.Subfield(c, v) if kind == "Subfield" else (c, v) for c, v, kind in subs]
    subfields = items if container == "list" else tuple(items)
    if isinstance(indicators, tuple) and indicator_kind == "Indicators":
        indicators = m.Indicators(*indicators)
    elif isinstance(indicators, (tuple, list)) and indicator_kind in ("list", "tuple"):
        indicators = list(indicators) if indicator_kind == "list" else tuple(indicators)
    return m.Field(tag=tag, indicators=indicators, subfields=subfields, data=data)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(field_specs())
def test_hypothesis_fields(spec):
    assert_same_field(lambda m: build_from_spec(m, spec))


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(st.lists(st.tuples(st.sampled_from("abcvxyz6"), st.text(max_size=10)), max_size=8), st.sampled_from(["245", "650", "001", "600"]))
def test_hypothesis_plain_fields(pairs, tag):
    """The native path itself, on arbitrary (surrogate-free) text."""

    def make(m):
        if tag == "001":
            return m.Field(tag, data="".join(v for _, v in pairs))
        return m.Field(tag, indicators=m.Indicators("1", " "), subfields=[m.Subfield(c, v) for c, v in pairs])

    assert_same_field(make)
