"""Side-by-side checks of pymrrc.leader.Leader against pymarc.leader.Leader."""

import copy
import pickle
import random
import types

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pymarc.constants
import pymarc.exceptions
import pymarc.leader
import pymrrc.constants
import pymrrc.exceptions
import pymrrc.leader

RefLeader = pymarc.leader.Leader
OurLeader = pymrrc.leader.Leader

PROPERTIES = [
    "record_length",
    "record_status",
    "type_of_record",
    "bibliographic_level",
    "type_of_control",
    "coding_scheme",
    "indicator_count",
    "subfield_code_count",
    "base_address",
    "encoding_level",
    "cataloging_form",
    "multipart_ressource",
    "length_of_field_length",
    "starting_character_position_length",
    "implementation_defined_length",
]

SAMPLE_LEADERS = [
    "00475casaa2200169 ib4500",
    "00475cas a2200169 i 4500",
    "00000nam a2200000 a 4500",
    "01234cjm  22003011i 4500",
    " " * 24,
    "0" * 24,
    "abcdefghijklmnopqrstuvwx",
    "ÀÉÎÕÜàéîõüçÇñÑ€£¥©®™✓☃★♥",
]

# Keys that are neither ints nor slices go through getattr / setattr.
NAME_KEYS = PROPERTIES + ["leader", "no_such_attribute", "_replace_values"]

INDEX_KEYS = list(range(-30, 31)) + [True, False]

SLICE_KEYS = [
    slice(0, 5),
    slice(12, 17),
    slice(None, 4),
    slice(5, None),
    slice(None, None),
    slice(-5, None),
    slice(-30, 30),
    slice(3, 1),
    slice(0, 24, 2),
    slice(None, None, -1),
    slice(20, 30),
    slice(24, 25),
    slice(30, 40),
    slice(1.5, 3),
    slice("a", 3),
]

ODD_KEYS = [None, 1.5, (1, 2), b"record_status"]

VALUES = ["", "x", "ab", "abc", "abcd", "abcde", "abcdef", "é", "x" * 24, "x" * 25]
ODD_VALUES = [None, 5, ["a"], ("a", "b", "c", "d", "e"), b"a", b"abcde"]


def _fmt_exc(exc):
    # The module is normalised so that a pymarc exception only compares equal
    # to the same-named pymrrc exception (never to pymarc's class leaking out).
    module = type(exc).__module__.replace("pymarc.", "pymrrc.")
    return ("raised", module, type(exc).__name__, str(exc))


def _outcome(fn):
    """Describe the result of ``fn``: value, or exception class name + message."""
    try:
        value = fn()
    except Exception as exc:  # noqa: BLE001 - every failure is compared
        return _fmt_exc(exc)
    if isinstance(value, types.MethodType):
        # Bound methods of different objects never compare equal; use the name.
        return ("method", value.__name__)
    return ("ok", value)


def _state(leader):
    return _outcome(lambda: leader.leader), _outcome(lambda: str(leader))


def _pair(text):
    return RefLeader(text), OurLeader(text)


def _compare_reads(ref, ours):
    for prop in PROPERTIES:
        assert _outcome(lambda: getattr(ours, prop)) == _outcome(
            lambda: getattr(ref, prop)
        ), prop
    for key in NAME_KEYS + INDEX_KEYS + SLICE_KEYS + ODD_KEYS:
        assert _outcome(lambda: ours[key]) == _outcome(lambda: ref[key]), key
    assert _state(ours) == _state(ref)


def _compare_write(ref, ours, op):
    """Apply ``op(leader)`` to both leaders and compare outcome and new state."""
    ref_result = _outcome(lambda: op(ref))
    our_result = _outcome(lambda: op(ours))
    assert our_result == ref_result
    assert _state(ours) == _state(ref)
    return our_result


# ---------------------------------------------------------------- constants


def test_constants_match():
    names = [n for n in vars(pymarc.constants) if n.isupper()]
    assert names, "reference constants not found"
    for name in names:
        assert getattr(pymrrc.constants, name) == getattr(pymarc.constants, name)
    assert pymrrc.constants.LEADER_LEN == 24


# ---------------------------------------------------------------- construction


@pytest.mark.parametrize(
    "arg",
    [
        "",
        "x",
        "0" * 23,
        "0" * 24,
        "0" * 25,
        list("0" * 24),
        tuple("0" * 24),
        b"0" * 24,
        bytearray(b"0" * 24),
        None,
        24,
        {i: str(i) for i in range(24)},
    ],
    ids=repr,
)
def test_construction_matches(arg):
    def build(cls):
        leader = cls(copy.copy(arg))
        return (
            _outcome(lambda: leader.leader),
            _outcome(lambda: str(leader)),
            [_outcome(lambda p=p: getattr(leader, p)) for p in PROPERTIES],
        )

    assert _outcome(lambda: build(OurLeader)) == _outcome(lambda: build(RefLeader))


def test_bad_length_raises_pymrrc_exception():
    with pytest.raises(pymrrc.exceptions.RecordLeaderInvalid) as info:
        OurLeader("0" * 23)
    assert str(info.value) == "Unable to extract record leader"
    assert info.value.args == ()
    # Catching by the base class works just as with pymarc.
    with pytest.raises(pymrrc.exceptions.PymarcException):
        OurLeader("")


@given(st.text(max_size=40))
@settings(max_examples=300)
def test_construction_random_lengths(text):
    assert _outcome(lambda: str(OurLeader(text))) == _outcome(
        lambda: str(RefLeader(text))
    )


# ---------------------------------------------------------------- reading


@pytest.mark.parametrize("text", SAMPLE_LEADERS)
def test_reads_match_on_samples(text):
    _compare_reads(*_pair(text))


def test_known_property_values():
    ldr = OurLeader("00475casaa2200169 ib4500")
    assert ldr.record_length == "00475"
    assert ldr.record_status == "c"
    assert ldr.type_of_record == "a"
    assert ldr.bibliographic_level == "s"
    assert ldr.type_of_control == "a"
    assert ldr.coding_scheme == "a"
    assert ldr.indicator_count == "2"
    assert ldr.subfield_code_count == "2"
    assert ldr.base_address == "00169"
    assert ldr.encoding_level == " "
    assert ldr.cataloging_form == "i"
    assert ldr.multipart_ressource == "b"
    assert ldr.length_of_field_length == "4"
    assert ldr.starting_character_position_length == "5"
    assert ldr.implementation_defined_length == "0"
    assert ldr[0:5] == "00475"
    assert ldr["base_address"] == "00169"
    assert str(ldr) == ldr.leader == "00475casaa2200169 ib4500"


@given(st.text(min_size=24, max_size=24))
@settings(max_examples=300)
def test_reads_match_on_random_leaders(text):
    _compare_reads(*_pair(text))


def test_sequence_protocol_matches():
    ref, ours = _pair(SAMPLE_LEADERS[0])
    assert list(ours) == list(ref)
    assert ("c" in ours) == ("c" in ref)
    assert ("#" in ours) == ("#" in ref)
    assert _outcome(lambda: len(ours)) == _outcome(lambda: len(ref))
    assert _outcome(lambda: ours == OurLeader(SAMPLE_LEADERS[0])) == _outcome(
        lambda: ref == RefLeader(SAMPLE_LEADERS[0])
    )
    assert _outcome(lambda: hash(ours) is not None) == _outcome(
        lambda: hash(ref) is not None
    )


# ---------------------------------------------------------------- writing


@pytest.mark.parametrize("text", SAMPLE_LEADERS[:3])
@pytest.mark.parametrize("key", INDEX_KEYS + SLICE_KEYS + NAME_KEYS + ODD_KEYS, ids=repr)
def test_item_assignment_matches(text, key):
    for value in VALUES + ODD_VALUES:
        ref, ours = _pair(text)

        def op(leader, value=value):
            leader[key] = value

        _compare_write(ref, ours, op)


@pytest.mark.parametrize("prop", PROPERTIES)
def test_property_assignment_matches(prop):
    for value in VALUES + ODD_VALUES:
        ref, ours = _pair(SAMPLE_LEADERS[1])
        _compare_write(ref, ours, lambda leader, v=value: setattr(leader, prop, v))


@pytest.mark.parametrize("prop", PROPERTIES)
def test_setter_error_messages(prop):
    ref, ours = _pair(SAMPLE_LEADERS[0])
    width = len(getattr(ref, prop))
    bad = "q" * (width + 1)
    with pytest.raises(pymrrc.exceptions.BadLeaderValue) as our_info:
        setattr(ours, prop, bad)
    with pytest.raises(pymarc.exceptions.BadLeaderValue) as ref_info:
        setattr(ref, prop, bad)
    assert str(our_info.value) == str(ref_info.value)
    assert our_info.value.args == ref_info.value.args
    assert ours.leader == SAMPLE_LEADERS[0]


def test_replace_errors_use_pymrrc_classes():
    ours = OurLeader(SAMPLE_LEADERS[0])
    with pytest.raises(IndexError, match="Position must be positive"):
        ours[-1] = "a"
    with pytest.raises(pymrrc.exceptions.BadLeaderValue) as info:
        ours[22] = "abc"
    assert str(info.value) == "abc is too long to be inserted at 22"


def test_slice_write_uses_only_start():
    ref, ours = _pair(SAMPLE_LEADERS[0])
    ours[0:2] = "99999"
    ref[0:2] = "99999"
    assert ours.leader == ref.leader == "99999casaa2200169 ib4500"


def test_named_item_assignment_sets_plain_attributes():
    ref, ours = _pair(SAMPLE_LEADERS[0])
    ours["custom"] = 123
    ref["custom"] = 123
    assert ours["custom"] == ref["custom"] == 123
    ours.other = "x"
    ref.other = "x"
    assert vars(ours) == vars(ref)


def test_copy_and_pickle_match():
    ref, ours = _pair(SAMPLE_LEADERS[0])
    ours.record_status = "d"
    ref.record_status = "d"
    for dup in (copy.copy, copy.deepcopy, lambda o: pickle.loads(pickle.dumps(o))):
        a, b = dup(ours), dup(ref)
        assert type(a) is OurLeader
        assert a is not ours
        assert a.leader == b.leader == ours.leader


# Random sequences of operations, applied to both implementations in lockstep.

_keys = st.one_of(
    st.integers(min_value=-30, max_value=30),
    st.builds(
        slice,
        st.one_of(st.none(), st.integers(min_value=-30, max_value=30)),
        st.one_of(st.none(), st.integers(min_value=-30, max_value=30)),
    ),
    st.sampled_from(PROPERTIES + ["leader", "missing"]),
)
_values = st.one_of(st.text(max_size=8), st.sampled_from(ODD_VALUES))
_ops = st.lists(
    st.tuples(
        st.sampled_from(["get", "set", "prop_set", "prop_get"]),
        _keys,
        _values,
        st.sampled_from(PROPERTIES),
    ),
    max_size=25,
)


@given(st.text(min_size=24, max_size=24), _ops)
@settings(max_examples=300, deadline=None)
def test_random_operation_sequences(text, ops):
    ref, ours = _pair(text)
    for kind, key, value, prop in ops:
        if kind == "get":
            assert _outcome(lambda: ours[key]) == _outcome(lambda: ref[key])
        elif kind == "set":

            def op(leader):
                leader[key] = value

            _compare_write(ref, ours, op)
        else:
            if kind == "prop_get":
                assert _outcome(lambda: getattr(ours, prop)) == _outcome(
                    lambda: getattr(ref, prop)
                )
            else:
                _compare_write(ref, ours, lambda leader: setattr(leader, prop, value))
        _compare_reads(ref, ours)


def test_many_random_ascii_leaders_with_writes():
    rng = random.Random(20240501)
    alphabet = "0123456789 abcdefghijklmnopqrstuvwxyz|#"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(24))
        ref, ours = _pair(text)
        _compare_reads(ref, ours)
        for _ in range(10):
            pos = rng.randint(-2, 26)
            value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))

            def op(leader, pos=pos, value=value):
                leader[pos] = value

            _compare_write(ref, ours, op)
        _compare_reads(ref, ours)


def test_public_surface_matches():
    def public(cls):
        return sorted(n for n in dir(cls) if not n.startswith("__"))

    assert public(OurLeader) == public(RefLeader)
    for name in PROPERTIES:
        assert isinstance(vars(OurLeader)[name], property)
        assert vars(OurLeader)[name].fset is not None


@pytest.mark.parametrize(
    "method", ["__init__", "__getitem__", "__setitem__", "__str__", "_replace_values"]
)
def test_method_parameters_match(method):
    import inspect

    def params(cls):
        sig = inspect.signature(getattr(cls, method))
        return [(p.name, p.kind, p.default) for p in sig.parameters.values()]

    assert params(OurLeader) == params(RefLeader)
