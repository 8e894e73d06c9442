"""The native side of :class:`pymrrc.reader.JSONReader`.

The document is parsed in Rust (``pymrrc._core.JsonDocument``, serde_json)
into records shaped as pymarc's ``JSONReader`` shapes them; each becomes a
``Record`` when the reader hands it out, its fields built on first use.
What serde_json does not read as ``json.loads(strict=False)`` does (control
characters in strings, ``NaN``, lone surrogates, a byte-order mark, other
encodings), and any record that pymarc's calls would build differently, is
left to the Python path, so records and exceptions stay pymarc's. The
native path is used only while nothing ``JSONReader`` calls was replaced
(the names in ``pymrrc.reader``) or overridden (on the classes).
"""

import json
import typing

from pymrrc._core import JsonCursor, JsonDocument
from pymrrc.field import Field, Indicators, Subfield
from pymrrc.leader import Leader
from pymrrc.record import Record

# What pymarc's JSONReader calls while it builds a record, on each class.
_HOOKS: tuple[tuple[type, tuple[str, ...]], ...] = (
    (Record, ("__init__", "add_field", "__setattr__", "__getattribute__", "leader")),
    (Field, ("__init__", "__setattr__", "__getattribute__")),
    (Leader, ("__init__", "__new__")),
    (Indicators, ("__new__",)),
    (Subfield, ("__new__",)),
)
_ORIGINAL_HOOKS = [(cls, name, getattr(cls, name, None)) for cls, names in _HOOKS for name in names]
_ORIGINAL_NAMES = [
    ("Record", Record),
    ("Field", Field),
    ("Leader", Leader),
    ("Indicators", Indicators),
    ("Subfield", Subfield),
]


def parse(text: object) -> JsonDocument | None:
    """The document ``text`` (what the reader's handle gave: ``str`` or
    ``bytes``) parsed natively, or ``None`` for the Python path."""
    if isinstance(text, str):
        if text.startswith("\ufeff"):
            return None  # json.loads refuses it with its own message
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            return None  # lone surrogates
    elif isinstance(text, (bytes, bytearray)):
        if json.detect_encoding(text) != "utf-8":
            return None
        data = bytes(text)
    else:
        return None
    return JsonDocument.parse(data)


def cursor(document: JsonDocument, reader_names: dict[str, typing.Any]) -> JsonCursor:
    """The reader's iterator over a natively parsed document: each record
    is built natively while the classes ``pymrrc.reader`` names
    (``reader_names``, its globals) and their methods are the originals,
    else its index is handed back for ``JSONReader._record_from_item`` to
    build from Python's parse of the document."""
    return JsonCursor(document, reader_names, _ORIGINAL_NAMES, _ORIGINAL_HOOKS)
