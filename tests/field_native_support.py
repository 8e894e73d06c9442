"""Fields with unusual contents, built the same way with pymarc 5.4.0's and
pymrrc's classes: the value types that are not plain, the read-only
operations compared (``READ_OPERATIONS``), how results and exceptions are
described (the same value and type, or the same exception class, ``str()``
and ``args``), and the cases (``FIELD_CASES``); shared by
test_field_native.py and test_field_native_objects.py.
"""

import os

import pymarc
import pymrrc
from pymarc_compare import exc_key, outcome, shape  # noqa: F401 - for the test modules

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
