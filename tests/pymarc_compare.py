"""The one description of results that tests/ modules compare between pymarc
5.4.0 and pymrrc (compat-tests/ has its own, differential/diffharness.py,
which observes whole records and reads).

A value is described library-independently (``shape``: a field in full,
leaders and records by their text, containers element by element); an
exception by its class name, the module family it comes from (``PKG.`` for
either library's own modules), its class hierarchy, its message and its
``args`` with the library's name made neutral (``exc_key``).
"""

from __future__ import annotations

import pymarc

import pymrrc

PLAIN = (str, bytes, int, float, bool, type(None))


def family(module_name: str) -> str:
    head, _, rest = module_name.partition(".")
    return "PKG." + rest if head in ("pymarc", "pymrrc") else module_name


def neutral(text):
    """Text with the library's own name made neutral (messages that name a
    class by its qualified name differ only in that)."""
    return text.replace("pymarc.", "PKG.").replace("pymrrc.", "PKG.") if isinstance(text, str) else text


def exc_key(exc):
    """Everything comparable about an exception (``None`` for none)."""
    if exc is None:
        return None
    cls = type(exc)
    return (
        "raised",
        cls.__name__,
        family(cls.__module__),
        [c.__name__ for c in cls.__mro__],
        neutral(str(exc)),
        tuple(neutral(a) for a in exc.args),
    )


def field_key(field):
    """A field in full: its class, tag, kind, data, indicators and subfields
    (with the types of the containers and items)."""
    subfields = field.subfields
    return (
        type(field).__name__,
        field.tag,
        field.control_field,
        field.data,
        None if field.indicators is None else (type(field.indicators).__name__, tuple(field.indicators)),
        type(subfields).__name__,
        [(type(s).__name__, tuple(s)) for s in subfields],
    )


def shape(value):
    """A library-independent description of a result."""
    if isinstance(value, (pymarc.Field, pymrrc.Field)):
        return field_key(value)
    if isinstance(value, (pymarc.Leader, pymrrc.Leader)):
        return ("Leader", str(value))
    if isinstance(value, (pymarc.Record, pymrrc.Record)):
        return ("Record", str(value))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [shape(v) for v in value])
    if isinstance(value, dict):
        return ("dict", {k: shape(v) for k, v in value.items()})
    if isinstance(value, PLAIN):
        return (type(value).__name__, value)
    return (type(value).__name__, str(value))


def outcome(fn):
    """``("ok", shape(fn()))``, or the exception's ``exc_key``."""
    try:
        return ("ok", shape(fn()))
    except Exception as exc:  # noqa: BLE001 - the failure is the result
        return exc_key(exc)
