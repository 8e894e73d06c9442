"""The native side of :class:`pymrrc.reader.JSONReader`.

The document is parsed in Rust (``pymrrc._core.JsonDocument``, serde_json)
into records laid out as records read from ISO 2709 are; each becomes a
``Record`` when the reader hands it out, its fields built on first use.
With ``stream=True`` the document is read from its file object one record
at a time instead (``pymrrc._core.JsonStream``, :func:`open_stream`).
What serde_json does not read as ``json.loads(strict=False)`` does (control
characters in strings, ``NaN``, lone surrogates, a byte-order mark, other
encodings), and any record that pymarc's calls would build differently, is
left to the Python path, so records and exceptions stay pymarc's. The
native path is used only while nothing ``JSONReader`` calls was replaced
(the names in ``pymrrc.reader``) or overridden (on the classes).
"""

import json
import typing

from pymrrc._core import JsonCursor, JsonDocument, JsonStream
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
    ``bytes``) parsed natively, or ``None`` for the Python path. An ASCII
    ``str`` (its own UTF-8) and ``bytes`` are read where they lie."""
    data: str | bytes
    if isinstance(text, str):
        if text.startswith("\ufeff"):
            return None  # json.loads refuses it with its own message
        if text.isascii():
            data = text
        else:
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


# How much of the document is read before deciding whether to stream it.
_FIRST_READ = 1 << 16
_JSON_SPACE = " \t\n\r"


def _lstrip(text: typing.Any) -> typing.Any:
    """``text`` (``str`` or bytes) less JSON's leading whitespace."""
    return text.lstrip(_JSON_SPACE if isinstance(text, str) else _JSON_SPACE.encode())


def open_stream(handle: typing.Any, reader_names: dict[str, typing.Any]) -> tuple[JsonStream | None, typing.Any]:
    """``(stream, None)`` reading ``handle`` one record at a time, or
    ``(None, text)`` with the whole document read (``str`` or ``bytes``)
    when it cannot be streamed exactly: a top-level value that is neither
    an array nor an object, a byte-order mark, an encoding other than
    UTF-8 (these are left to ``json.loads`` and its errors)."""
    first = handle.read(_FIRST_READ)
    while isinstance(first, (str, bytes, bytearray)) and first and not _lstrip(first):
        more = handle.read(_FIRST_READ)
        if not more:
            break
        first += more
    if isinstance(first, (bytes, bytearray)):
        streamable = json.detect_encoding(first) == "utf-8"
        start = bytes(_lstrip(first)[:1]).decode("latin-1")
    elif isinstance(first, str):
        streamable, start = True, _lstrip(first)[:1]
    else:
        return None, first
    if not streamable or start not in ("[", "{"):
        rest = handle.read()
        return None, first + rest if rest else first
    return JsonStream(handle, first, (reader_names, _ORIGINAL_NAMES, _ORIGINAL_HOOKS)), None


def decode_error(msg: str, pos: int, lineno: int, colno: int) -> json.JSONDecodeError:
    """``json.JSONDecodeError`` for ``msg`` at a place of a streamed
    document (which is not kept, so ``doc`` is empty)."""
    error = json.JSONDecodeError.__new__(json.JSONDecodeError)
    ValueError.__init__(error, f"{msg}: line {lineno} column {colno} (char {pos})")
    error.msg, error.doc, error.pos, error.lineno, error.colno = msg, "", pos, lineno, colno
    return error


def streamed_item(stream: JsonStream, found: tuple[typing.Any, int, int, int]) -> typing.Any:
    """The record object of an element ``stream`` handed over, parsed by
    Python's ``json`` (``json.loads(strict=False)``), or the error of a
    broken document, raised at its place in the whole document (which ends
    the stream, as the error ends pymarc's reading)."""
    element, pos, lineno, colno = found
    if isinstance(element, str):
        raise decode_error(element, pos, lineno, colno)
    try:
        # As json.loads decodes bytes (UTF-8 here).
        return json.loads(element.decode("utf-8", "surrogatepass"), strict=False)
    except json.JSONDecodeError as exc:
        stream.stop()
        column = exc.colno + colno - 1 if exc.lineno == 1 else exc.colno
        raise decode_error(exc.msg, pos + exc.pos, lineno + exc.lineno - 1, column) from None
    except BaseException:
        stream.stop()
        raise


def rest_of(stream: JsonStream, handle: typing.Any) -> typing.Any:
    """What is left of a streamed document, as ``records``: the whole
    document as ``json.load`` gives it if iteration did not begin, else the
    record objects not handed out yet."""
    if not stream.started():
        text: typing.Any = stream.take_buffered()
        rest = handle.read()
        text += rest.encode("utf-8", "surrogatepass") if isinstance(rest, str) else rest
        return json.loads(text, strict=False)
    items: list[typing.Any] = []
    while True:
        try:
            found = stream.next_element(False)
        except StopIteration:
            return items
        # Never a record: nothing is built natively here.
        items.append(streamed_item(stream, typing.cast("tuple[typing.Any, int, int, int]", found)))
