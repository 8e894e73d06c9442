"""Side-by-side checks of pymrrc.exceptions against pymarc.exceptions."""

import inspect
import pickle
import types
import warnings

import pytest

import pymarc.exceptions as ref
import pymrrc.exceptions as ours


def _defined_classes(module):
    return {
        name: obj
        for name, obj in vars(module).items()
        if isinstance(obj, type) and obj.__module__ == module.__name__
    }


REF_CLASSES = _defined_classes(ref)
OUR_CLASSES = _defined_classes(ours)
NAMES = sorted(REF_CLASSES)


def _outcome(fn):
    """Run ``fn`` and describe the result in a comparable way."""
    try:
        value = fn()
    except Exception as exc:  # noqa: BLE001 - we compare any failure
        return ("raised", type(exc).__name__, str(exc))
    return ("ok", value)


def test_reference_has_classes():
    # Guard against the comparison silently running over nothing.
    assert len(REF_CLASSES) >= 16


def test_same_set_of_classes():
    assert set(OUR_CLASSES) == set(REF_CLASSES)


@pytest.mark.parametrize("name", NAMES)
def test_class_defined_in_pymrrc(name):
    cls = getattr(ours, name)
    assert cls.__module__ == "pymrrc.exceptions"
    assert cls is not REF_CLASSES[name]


@pytest.mark.parametrize("name", NAMES)
def test_mro_matches(name):
    ref_mro = [c.__name__ for c in REF_CLASSES[name].__mro__]
    our_mro = [c.__name__ for c in OUR_CLASSES[name].__mro__]
    assert our_mro == ref_mro
    # Every package-level ancestor must come from pymrrc, not from pymarc.
    for cls in OUR_CLASSES[name].__mro__:
        assert cls.__module__ in ("pymrrc.exceptions", "builtins")


@pytest.mark.parametrize("name", NAMES)
def test_direct_bases_match(name):
    ref_bases = [c.__name__ for c in REF_CLASSES[name].__bases__]
    our_bases = [c.__name__ for c in OUR_CLASSES[name].__bases__]
    assert our_bases == ref_bases


@pytest.mark.parametrize("name", NAMES)
def test_constructor_signature_matches(name):
    # Classes inheriting Exception's C-level __init__ have no introspectable
    # signature; that failure must then be the same for both.
    # Same parameters (pymrrc's annotations may be more precise than pymarc's).
    def params(function):
        return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]

    def sig(cls):
        outcome = _outcome(lambda: str(params(cls)))
        return tuple(str(x).replace("pymarc.", "pymrrc.") for x in outcome)

    assert sig(OUR_CLASSES[name]) == sig(REF_CLASSES[name])
    init_ref = REF_CLASSES[name].__init__
    init_ours = OUR_CLASSES[name].__init__
    assert (init_ours is Exception.__init__) == (init_ref is Exception.__init__)
    if init_ref is not Exception.__init__:
        assert params(init_ours) == params(init_ref)


FIELD_LIKE = types.SimpleNamespace(tag="245")

ARG_SETS = [
    (),
    ("msg",),
    ("two", "args"),
    (42,),
    ("é non-ascii ✓",),
    (None,),
    (FIELD_LIKE,),
    (types.SimpleNamespace(tag="100"), "extra"),
    (types.SimpleNamespace(),),
]


def _describe(exc):
    data = {
        "type": type(exc).__name__,
        "str": _outcome(lambda: str(exc)),
        "repr": _outcome(lambda: repr(exc)),
        "args": exc.args,
    }
    for attr in ("subf", "field"):
        data[attr] = _outcome(lambda attr=attr: getattr(exc, attr))
    return data


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("args", ARG_SETS, ids=repr)
def test_behaviour_with_arguments(name, args):
    def build(classes):
        try:
            exc = classes[name](*args)
        except Exception as err:  # noqa: BLE001
            return ("raised", type(err).__name__, str(err))
        return ("ok", _describe(exc))

    assert build(OUR_CLASSES) == build(REF_CLASSES)


@pytest.mark.parametrize(
    "name, args, expected",
    [
        ("RecordLengthInvalid", (), "Invalid record length in first 5 bytes of record"),
        (
            "TruncatedRecord",
            ("ignored",),
            "Record length in leader is greater than the length of data",
        ),
        ("EndOfRecordNotFound", (), "Unable to locate end of record marker"),
        ("RecordLeaderInvalid", (), "Unable to extract record leader"),
        ("RecordDirectoryInvalid", (), "Invalid directory"),
        ("NoFieldsFound", (), "Unable to locate fields in record data"),
        ("BaseAddressInvalid", (), "Base address exceeds size of record"),
        ("BaseAddressNotFound", (), "Unable to locate base address of record"),
        (
            "WriteNeedsRecord",
            (),
            "Write requires a pymarc.Record object as an argument",
        ),
        (
            "NoActiveFile",
            (),
            "There is no active file to write to in call to write",
        ),
        ("FieldNotFound", ("x",), "Record does not contain the specified field"),
        (
            "BadSubfieldCodeWarning",
            ("ä",),
            "The subfield contained a non-ASCII subfield code: ä",
        ),
        ("BadLeaderValue", ("too long",), "too long"),
        ("PymarcException", ("plain",), "plain"),
        ("FatalReaderError", (), ""),
        (
            "MissingLinkedFields",
            (FIELD_LIKE,),
            "245 field includes a subfield 6 but no linked fields could be found.",
        ),
    ],
)
def test_literal_messages(name, args, expected):
    assert str(OUR_CLASSES[name](*args)) == expected
    assert str(REF_CLASSES[name](*args)) == expected


def test_missing_linked_fields_with_real_field():
    from pymarc import Field, Subfield

    field = Field(tag="100", indicators=["1", " "], subfields=[Subfield("6", "880-01")])
    ours_exc = ours.MissingLinkedFields(field)
    ref_exc = ref.MissingLinkedFields(field)
    assert str(ours_exc) == str(ref_exc)
    assert ours_exc.field is field
    assert ours_exc.args == (field,)


def test_bad_subfield_code_warning_is_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn(ours.BadSubfieldCodeWarning("ß"))
    assert len(caught) == 1
    assert caught[0].category is ours.BadSubfieldCodeWarning
    assert str(caught[0].message) == str(ref.BadSubfieldCodeWarning("ß"))
    assert not issubclass(ours.BadSubfieldCodeWarning, ours.PymarcException)


@pytest.mark.parametrize("name", NAMES)
def test_raise_and_catch_through_hierarchy(name):
    cls = OUR_CLASSES[name]
    arg = FIELD_LIKE if name == "MissingLinkedFields" else "x"
    with pytest.raises(cls.__mro__[1]):
        raise cls(arg)


@pytest.mark.parametrize("name", NAMES)
def test_pickle_roundtrip_matches(name):
    arg = "x"

    def roundtrip(classes):
        def go():
            exc = classes[name](arg) if name != "MissingLinkedFields" else None
            if exc is None:
                exc = classes[name]("not-a-field")
            back = pickle.loads(pickle.dumps(exc))
            return (type(back).__name__, back.args, vars(back))

        return _outcome(go)

    assert roundtrip(OUR_CLASSES) == roundtrip(REF_CLASSES)
