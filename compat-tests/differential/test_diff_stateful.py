"""A Hypothesis state machine: random sequences of reads and edits done to
a pymarc record and a pymrrc record side by side, everything observable
compared after every step.

Each run starts from one record, read from one of pymarc's fixtures (with
both libraries' ``MARCReader``) or built through the API from a generated
description. The machine keeps the two records and any fields taken out of
them ("held" fields, which later steps may edit after they left their
record), and applies the same step to both sides:

* reads: ``record[tag]``, ``record.get(tag)``, ``tag in record``,
  ``get_fields(...)``, the properties (title, author, isbn, subjects, ...),
  and on a field: ``value()``, ``format_field()``, ``get_subfields()``,
  ``field[code]``, ``field.get(code)``, ``code in field``, ``str(field)``,
  indicators, the subfields list, ``subfields_as_dict()``; identity
  (``record['245'] is record['245']``), equality of fields, ``copy.copy``,
  ``copy.deepcopy``, a pickle round trip and ``as_marc()``;
* edits: ``add_field``, ``add_ordered_field``, ``add_grouped_field``,
  ``remove_field``, ``remove_fields``, ``field.add_subfield``,
  ``delete_subfield``, ``field[code] = value``, edits of the subfields list,
  indicator changes, tag and data changes, and edits of ``record.fields``.

A run may start "quiet" (records read by MARCReader only): until a step
reads ``record.fields`` (directly, or through ``look``), the checks after
each step use only lookups by tag and the held fields, so the pymrrc record
stays in its state of a record read from MARC that handed out some of its
fields but has no ``fields`` list yet; those fields, edited or not, must
then be in the list once it is built, exactly where pymarc has them.

Every step's answer (value, or exception class and message) must be the
same; after every step the whole record (diffharness.observe_record:
fields, str(), properties, as_dict, as_json, as_marc) and the held fields
must look the same, and a held field must be in its record exactly when
pymarc's is. The run is bounded (PYMRRC_STATEFUL_EXAMPLES runs of up to
PYMRRC_STATEFUL_STEPS steps) to keep CI fast; it guards the lazy-fields
work, where fields are built on first use.
"""

from __future__ import annotations

import copy
import os
import pickle

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import pymrrc_compat_diff as diff  # registered by compat-tests/conftest.py
import pymrrc_compat_sdist as sdist  # registered by compat-tests/conftest.py

EXAMPLES = int(os.environ.get("PYMRRC_STATEFUL_EXAMPLES", "150"))
STEPS = int(os.environ.get("PYMRRC_STATEFUL_STEPS", "40"))

FIXTURES = ("test.dat", "utf8_with_leader_flag.dat", "one.dat", "multi_isbn.dat", "regression45.dat")
TAGS = ("001", "005", "008", "020", "022", "100", "110", "245", "246", "260", "264", "300", "490",
        "500", "650", "651", "700", "830", "856", "880", "999")
CODES = "abcdvxz60"
TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x1d\x1e\x1f", exclude_categories=("Cs",)),
               max_size=12)
INDICATOR = st.sampled_from([" ", "0", "1", "4", "a", "\\"])
TAG = st.sampled_from(TAGS)
CODE = st.sampled_from(CODES)
INDEX = st.integers(min_value=0, max_value=1000)
SUBFIELDS = st.lists(st.tuples(CODE, TEXT), max_size=4)
FIELD_SPEC = st.one_of(
    st.tuples(st.just("control"), st.sampled_from(["001", "003", "005", "008"]), TEXT),
    st.tuples(st.just("data"), TAG, st.tuples(INDICATOR, INDICATOR), SUBFIELDS),
)


def _fixture_records():
    """(file name, record index, raw bytes) of every record of FIXTURES."""
    try:
        folder = sdist.ensure_test_dir()
    except sdist.SdistUnavailable as exc:  # pragma: no cover - needs the network once
        pytest.skip(f"pymarc's test files are not available: {exc}", allow_module_level=True)
    found = []
    for name in FIXTURES:
        for i, raw in enumerate(diff.split_records((folder / name).read_bytes())):
            found.append((name, i, raw))
    return found


RAW = _fixture_records()


def _read(lib, raw):
    return next(iter(lib.MARCReader(raw)))


def _make_field(lib, spec):
    if spec[0] == "control":
        return lib.Field(tag=spec[1], data=spec[2])
    _, tag, (ind1, ind2), subfields = spec
    return lib.Field(tag=tag, indicators=lib.Indicators(ind1, ind2),
                     subfields=[lib.Subfield(code=c, value=v) for c, v in subfields])


def _make_record(lib, specs):
    record = lib.Record()
    for spec in specs:
        record.add_field(_make_field(lib, spec))
    return record


def _answer(fn):
    """What ``fn()`` gives, as comparable data: ('ok', value) or ('raised', ...)."""
    return diff.observe(fn)


def _view(value):
    """Fields and subfields in an answer, turned into plain data."""
    if isinstance(value, (list, tuple)):
        return [_view(v) for v in value]
    if hasattr(value, "tag") and hasattr(value, "subfields"):
        return diff.observe_field(value)
    return value


class SideBySide(RuleBasedStateMachine):
    """One pymarc record and one pymrrc record, edited alike."""

    def __init__(self):
        super().__init__()
        self.ref_lib = __import__("pymarc")
        self.our_lib = diff.load_target()
        self.ref = self.our = None
        self.held: list[tuple] = []  # (pymarc field, pymrrc field)
        self.quiet = False  # no step has read record.fields yet

    # -- the starting record ----------------------------------------------------------------
    @initialize(start=st.one_of(st.integers(min_value=0, max_value=len(RAW) - 1),
                                st.lists(FIELD_SPEC, min_size=1, max_size=8)),
                quiet=st.booleans())
    def start(self, start, quiet):
        """A fixture record read by both libraries' MARCReader, or a record
        built through the API from generated field descriptions."""
        if isinstance(start, int):
            self.ref = _read(self.ref_lib, RAW[start][2])
            self.our = _read(self.our_lib, RAW[start][2])
            self.quiet = quiet
        else:
            self.ref = _make_record(self.ref_lib, start)
            self.our = _make_record(self.our_lib, start)

    # -- helpers ----------------------------------------------------------------------------------
    def same(self, ref_fn, our_fn):
        """Runs one step on each side; their answers must be the same."""
        ref, ours = _answer(ref_fn), _answer(our_fn)
        assert _view(ours) == _view(ref), (ours, ref)
        return ref[0] == "ok"

    def pick(self, index):
        """The field at ``index`` (modulo) of each record, or None when empty."""
        self.quiet = False
        if not self.ref.fields:
            return None
        i = index % len(self.ref.fields)
        return self.ref.fields[i], self.our.fields[i]

    def pick_any(self, index):
        """A field of the records, or a held one (odd indexes, when held)."""
        if self.held and index % 2:
            return self.held[(index // 2) % len(self.held)]
        return self.pick(index // 2)

    def data_field(self, index):
        pair = self.pick_any(index)
        if pair is None or pair[0].control_field:
            return None
        return pair

    # -- reads ---------------------------------------------------------------------------------------
    @rule(tag=TAG, hold=st.booleans())
    def get_item(self, tag, hold):
        self.same(lambda: self.ref[tag], lambda: self.our[tag])
        self.same(lambda: self.ref.get(tag), lambda: self.our.get(tag))
        self.same(lambda: tag in self.ref, lambda: tag in self.our)
        self.same(lambda: self.ref[tag] is self.ref[tag], lambda: self.our[tag] is self.our[tag])
        self.same(lambda: self.ref.get(tag) is self.ref.get_fields(tag)[0],
                  lambda: self.our.get(tag) is self.our.get_fields(tag)[0])
        if hold and tag in self.ref:
            self.held.append((self.ref[tag], self.our[tag]))

    @rule()
    def look(self):
        """Reads ``record.fields`` (ends a quiet start) and compares all."""
        self.quiet = False
        assert diff.observe_record(self.our) == diff.observe_record(self.ref)

    @rule(tags=st.lists(TAG, max_size=3), hold=st.booleans())
    def get_fields(self, tags, hold):
        ref, ours = self.ref.get_fields(*tags), self.our.get_fields(*tags)
        assert _view(ours) == _view(ref)
        assert [f is g for f, g in zip(ours, self.our.get_fields(*tags))] == \
            [f is g for f, g in zip(ref, self.ref.get_fields(*tags))]
        if hold and ref:
            self.held.append((ref[0], ours[0]))

    @rule(name=st.sampled_from(diff.SCALAR_PROPERTIES + diff.LIST_PROPERTIES))
    def property(self, name):
        self.same(lambda: getattr(self.ref, name), lambda: getattr(self.our, name))

    @rule(index=INDEX, code=CODE, codes=st.lists(CODE, max_size=3))
    def read_field(self, index, code, codes):
        pair = self.pick_any(index)
        if pair is None:
            return
        ref, ours = pair
        for fn in (lambda f: f.value(), lambda f: f.format_field(), lambda f: f.get_subfields(*codes),
                   lambda f: f[code], lambda f: f.get(code), lambda f: f.get(code, "-"), lambda f: code in f,
                   str, lambda f: f.indicators and tuple(f.indicators), lambda f: f.indicator1,
                   lambda f: f.indicator2, lambda f: list(f.subfields), lambda f: f.subfields_as_dict(),
                   lambda f: f.is_control_field(), lambda f: f.is_subject_field(), lambda f: f.data,
                   lambda f: f.linkage_occurrence_num(), lambda f: [s for s in f]):
            self.same(lambda fn=fn: fn(ref), lambda fn=fn: fn(ours))

    @rule(index=INDEX, other=INDEX)
    def identity_and_equality(self, index, other):
        first, second = self.pick_any(index), self.pick_any(other)
        if first is None or second is None:
            return
        self.same(lambda: first[0] == second[0], lambda: first[1] == second[1])
        self.same(lambda: first[0] is second[0], lambda: first[1] is second[1])
        i = index % len(self.ref.fields) if self.ref.fields else None
        if i is not None:
            self.same(lambda: self.ref.fields[i] is self.ref.fields[i], lambda: self.our.fields[i] is self.our.fields[i])
            self.same(lambda: [f for f in self.ref][i] is self.ref.fields[i],
                      lambda: [f for f in self.our][i] is self.our.fields[i])

    @rule(kind=st.sampled_from(["copy", "deepcopy", "pickle"]), adopt=st.booleans())
    def copy_record(self, kind, adopt):
        def clone(record):
            if kind == "copy":
                return copy.copy(record)
            if kind == "deepcopy":
                return copy.deepcopy(record)
            return pickle.loads(pickle.dumps(record))

        ref, ours = clone(self.ref), clone(self.our)
        assert diff.observe_record(ours) == diff.observe_record(ref)
        shares = [a is b for a, b in zip(ref.fields, self.ref.fields)]
        assert [a is b for a, b in zip(ours.fields, self.our.fields)] == shares
        if adopt:  # go on editing the copy; the original stays held through its fields
            self.held.extend(zip(self.ref.fields[:2], self.our.fields[:2]))
            self.ref, self.our = ref, ours

    @rule(index=INDEX, kind=st.sampled_from(["copy", "deepcopy", "pickle"]))
    def copy_field(self, index, kind):
        pair = self.pick_any(index)
        if pair is None:
            return
        clone = {"copy": copy.copy, "deepcopy": copy.deepcopy,
                 "pickle": lambda f: pickle.loads(pickle.dumps(f))}[kind]
        self.same(lambda: clone(pair[0]), lambda: clone(pair[1]))

    @rule()
    def as_marc(self):
        self.same(self.ref.as_marc, self.our.as_marc)

    # -- edits of the record ----------------------------------------------------------------------
    @rule(spec=FIELD_SPEC, how=st.sampled_from(["add_field", "add_ordered_field", "add_grouped_field"]),
          hold=st.booleans())
    def add_field(self, spec, how, hold):
        ref, ours = _make_field(self.ref_lib, spec), _make_field(self.our_lib, spec)
        self.same(lambda: getattr(self.ref, how)(ref), lambda: getattr(self.our, how)(ours))
        if hold:
            self.held.append((ref, ours))

    @rule(index=INDEX)
    def add_held_field(self, index):
        if self.held:
            ref, ours = self.held[index % len(self.held)]
            self.same(lambda: self.ref.add_field(ref), lambda: self.our.add_field(ours))

    @rule(index=INDEX, hold=st.booleans())
    def remove_field(self, index, hold):
        pair = self.pick_any(index)
        if pair is None:
            return
        self.same(lambda: self.ref.remove_field(pair[0]), lambda: self.our.remove_field(pair[1]))
        if hold:
            self.held.append(pair)

    @rule(tags=st.lists(TAG, min_size=1, max_size=2))
    def remove_fields(self, tags):
        self.same(lambda: self.ref.remove_fields(*tags), lambda: self.our.remove_fields(*tags))

    @rule(index=INDEX, to=INDEX,
          how=st.sampled_from(["delete", "pop", "insert", "swap", "reverse", "assign", "slice", "clear"]))
    def edit_fields_list(self, index, to, how):
        self.quiet = False

        def edit(record, spare):
            fields = record.fields
            n = len(fields)
            i, j = (index % n, to % n) if n else (0, 0)
            if how == "delete" and n:
                del fields[i]
            elif how == "pop" and n:
                return fields.pop(i)
            elif how == "insert":
                fields.insert(j, spare)
            elif how == "swap" and n:
                fields[i], fields[j] = fields[j], fields[i]
            elif how == "reverse":
                fields.reverse()
            elif how == "assign" and n:
                fields[i] = spare
            elif how == "slice":
                record.fields = fields[i:] + fields[:i]
            elif how == "clear" and index % 5 == 0:
                record.fields = []
            return None

        spec = ("data", "500", (" ", " "), [("a", f"note {index}")])
        self.same(lambda: edit(self.ref, _make_field(self.ref_lib, spec)),
                  lambda: edit(self.our, _make_field(self.our_lib, spec)))

    # -- edits of a field -----------------------------------------------------------------------------
    @rule(index=INDEX, code=CODE, value=TEXT, pos=st.none() | st.integers(min_value=0, max_value=5))
    def add_subfield(self, index, code, value, pos):
        pair = self.pick_any(index)
        if pair is not None:
            self.same(lambda: pair[0].add_subfield(code, value, pos), lambda: pair[1].add_subfield(code, value, pos))

    @rule(index=INDEX, code=CODE)
    def delete_subfield(self, index, code):
        pair = self.pick_any(index)
        if pair is not None:
            self.same(lambda: pair[0].delete_subfield(code), lambda: pair[1].delete_subfield(code))

    @rule(index=INDEX, code=CODE, value=TEXT)
    def set_subfield(self, index, code, value):
        pair = self.pick_any(index)
        if pair is not None:
            self.same(lambda: pair[0].__setitem__(code, value), lambda: pair[1].__setitem__(code, value))

    @rule(index=INDEX, at=INDEX, code=CODE, value=TEXT,
          how=st.sampled_from(["append", "delete", "assign", "insert", "replace_list", "reverse"]))
    def edit_subfields_list(self, index, at, code, value, how):
        pair = self.data_field(index)
        if pair is None:
            return

        def edit(lib, field):
            subfields = field.subfields
            n = len(subfields)
            new = lib.Subfield(code=code, value=value)
            if how == "append":
                subfields.append(new)
            elif how == "delete" and n:
                del subfields[at % n]
            elif how == "assign" and n:
                subfields[at % n] = new
            elif how == "insert":
                subfields.insert(at % (n + 1), new)
            elif how == "replace_list":
                field.subfields = [new, *subfields[:1]]
            elif how == "reverse":
                subfields.reverse()

        self.same(lambda: edit(self.ref_lib, pair[0]), lambda: edit(self.our_lib, pair[1]))

    @rule(index=INDEX, which=st.sampled_from(["indicator1", "indicator2", "indicators", "pair"]),
          value=INDICATOR, other=INDICATOR)
    def set_indicators(self, index, which, value, other):
        pair = self.data_field(index)
        if pair is None:
            return

        def edit(lib, field):
            if which == "indicators":
                field.indicators = lib.Indicators(value, other)
            elif which == "pair":
                field.indicators = [value, other]
            else:
                setattr(field, which, value)

        self.same(lambda: edit(self.ref_lib, pair[0]), lambda: edit(self.our_lib, pair[1]))

    @rule(index=INDEX, tag=TAG)
    def set_tag(self, index, tag):
        pair = self.pick_any(index)
        if pair is not None:
            self.same(lambda: setattr(pair[0], "tag", tag), lambda: setattr(pair[1], "tag", tag))

    @rule(index=INDEX, data=TEXT)
    def set_data(self, index, data):
        pair = self.pick_any(index)
        if pair is not None and pair[0].control_field:
            self.same(lambda: setattr(pair[0], "data", data), lambda: setattr(pair[1], "data", data))

    # -- after every step -------------------------------------------------------------------------------
    @invariant()
    def records_look_the_same(self):
        if self.ref is None:
            return
        if self.quiet:
            # Lookups by tag only: the fields list stays unbuilt.
            assert [t in self.our for t in TAGS] == [t in self.ref for t in TAGS]
            assert _view(self.our.get_fields(*TAGS[:8])) == _view(self.ref.get_fields(*TAGS[:8]))
            return
        assert diff.observe_record(self.our) == diff.observe_record(self.ref)

    @invariant()
    def held_fields_look_the_same(self):
        if self.ref is None:
            return
        for ref, ours in self.held:
            assert diff.observe_field(ours) == diff.observe_field(ref)
            if not self.quiet:
                where = [i for i, f in enumerate(self.our.fields) if f is ours]
                assert where == [i for i, f in enumerate(self.ref.fields) if f is ref]

    def teardown(self):
        """A quiet run ends with everything compared, the list built."""
        if self.ref is not None and self.quiet:
            self.quiet = False
            self.records_look_the_same()
            self.held_fields_look_the_same()


SideBySide.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
TestSideBySide = SideBySide.TestCase
