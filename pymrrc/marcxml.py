"""MARCXML support: read MARCXML into records, and turn records into MARCXML.

Reading is streamed with the standard library's SAX parser (namespace aware),
so a subclass of :class:`XmlHandler` can consume each record as soon as its
closing tag is seen instead of keeping them all in memory.

Writing builds :mod:`xml.etree.ElementTree` elements
(:func:`record_to_xml_node`).  When only the serialized bytes are needed
(:func:`record_to_xml` and ``XMLWriter``), records holding plain text are
serialized natively, byte for byte as ``ElementTree.tostring`` would; other
records go through ElementTree itself.
"""

import os as _os
import typing as _typing
import unicodedata
import xml.etree.ElementTree as ET
from xml.sax import make_parser
from xml.sax.handler import ContentHandler, feature_namespaces
from xml.sax.xmlreader import AttributesNSImpl as _AttributesNSImpl

from pymrrc import _xml_native
from pymrrc import partition as _partition
from pymrrc.field import Field, Indicators
from pymrrc.leader import Leader
from pymrrc.marc8 import MARC8ToUnicode
from pymrrc.record import Record

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
MARC_XML_NS = "http://www.loc.gov/MARC21/slim"
MARC_XML_SCHEMA = (
    "http://www.loc.gov/MARC21/slim "
    "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
)

# What the parsing functions read: a path, or a file object (binary or text).
_XmlSource = _typing.Union[
    str, "_os.PathLike[str]", _typing.IO[bytes], _typing.IO[str], "_partition.Partition"
]
# The Unicode normalisation forms unicodedata.normalize knows.
_NormalForm = _typing.Literal["NFC", "NFD", "NFKC", "NFKD"]


class XmlHandler(ContentHandler):
    """SAX content handler that assembles MARCXML elements into records.

    Every finished record is passed to :meth:`process_record`, which by
    default collects it in ``self.records``.  Override that method in a
    subclass (or replace it on an instance) to handle records one at a time,
    e.g. to stream them into a database.

    ``strict=True`` makes the handler skip every element that is not in the
    MARC 21 slim namespace.  ``normalize_form`` (``"NFC"``, ``"NFD"``,
    ``"NFKC"`` or ``"NFKD"``) is applied with :func:`unicodedata.normalize`
    to all element text.
    """

    # ContentHandler.__init__ is deliberately not called (it only presets
    # ``_locator``), which keeps instances identical to pymarc's.
    def __init__(self, strict: bool = False, normalize_form: _NormalForm | None = None) -> None:
        """Prepare an empty handler; see the class docstring for the options."""
        self.records: list[Record] = []
        self._record: Record | None = None
        self._field: Field | None = None
        self._subfield_code: str | None = None
        self._text: list[str] = []
        self._strict = strict
        self.normalize_form = normalize_form

    def startElementNS(
        self, name: tuple[str | None, str], qname: str | None, attrs: _AttributesNSImpl
    ) -> None:
        """Open a record, a field or a subfield."""
        if self._strict and name[0] != MARC_XML_NS:
            return

        local = name[1]
        self._text = []

        if local == "record":
            self._record = Record()
        elif local == "controlfield":
            self._field = Field(attrs.getValue((None, "tag")))
        elif local == "datafield":
            tag = attrs.getValue((None, "tag"))
            first = attrs.get((None, "ind1"), " ")
            second = attrs.get((None, "ind2"), " ")
            self._field = Field(tag, Indicators(first, second))
        elif local == "subfield":
            self._subfield_code = attrs[(None, "code")]

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
        """Close an element, storing the text gathered since it opened."""
        if self._strict and name[0] != MARC_XML_NS:
            return

        local = name[1]
        text = "".join(self._text)
        if self.normalize_form is not None:
            text = unicodedata.normalize(self.normalize_form, text)

        record = self._record
        field = self._field
        if local == "record" and record:
            self.process_record(record)
            self._record = None
        elif local == "leader" and record:
            record.leader = Leader(text)
        elif local == "controlfield" and record and field:
            field.data = text
            record.add_field(field)
            self._field = None
        elif local == "datafield" and record and field:
            record.add_field(field)
            self._field = None
        elif local == "subfield" and field and self._subfield_code:
            field.add_subfield(self._subfield_code, text)
            self._subfield_code = None

        self._text = []

    def characters(self, content: str) -> None:
        """Collect a chunk of character data."""
        self._text.append(content)

    def process_record(self, record: Record) -> None:
        """Receive one finished record (default: add it to ``self.records``)."""
        self.records.append(record)


def parse_xml(xml_file: _XmlSource, handler: ContentHandler) -> None:
    """Run a namespace-aware SAX parse of ``xml_file`` into ``handler``.

    ``handler`` is any :class:`xml.sax.handler.ContentHandler`, typically an
    :class:`XmlHandler` or a subclass of it.
    """
    parser = make_parser()
    parser.setContentHandler(handler)
    parser.setFeature(feature_namespaces, 1)
    parser.parse(_partition.xml_source(xml_file))


def map_xml(function: _typing.Callable[[Record], object], *files: _XmlSource) -> None:
    """Call ``function`` with each record found in each of ``files``, in order.

    .. code-block:: python

        map_xml(print, 'records.xml', 'more-records.xml')
    """
    handler = XmlHandler()
    handler.process_record = function  # type: ignore[method-assign, assignment]
    native = _native_reading_allowed(False)
    for xml_file in map(_partition.xml_source, files):
        if native:
            parser: _typing.Any = _xml_native.make_parser(False, None)
            outcome = _xml_native.run(
                xml_file, parser, function, _xml_native.REPLAY_LIMIT
            )
            if outcome is None:
                native = False
            elif outcome == _xml_native.DONE:
                if parser.is_clean():
                    continue
                # A field (or subfield code) was left open: pymarc's handler
                # carries it into the next file, so the Python handler takes
                # over from here with that state.
                handler._field, handler._subfield_code = parser.take_leftover()
                native = False
                continue
            else:
                # Read again by expat, skipping what was delivered; the
                # handler then carries its state into the next files.
                source, delivered = outcome
                native = False
                _parse_skipping(source, handler, function, delivered)
                continue
        parse_xml(xml_file, handler)


def _parse_skipping(
    source: _XmlSource, handler: XmlHandler, function: _typing.Callable[[Record], object], skip: int
) -> None:
    """``parse_xml(source, handler)``, not handing the first ``skip``
    records to ``function`` (they were handed to it already)."""
    remaining = [skip]

    def deliver(record: Record) -> None:
        if remaining[0]:
            remaining[0] -= 1
            return
        function(record)

    handler.process_record = deliver  # type: ignore[method-assign]
    try:
        parse_xml(source, handler)
    finally:
        handler.process_record = function  # type: ignore[method-assign, assignment]


# What pymarc's MARCXML reading calls: its handler's methods, the record,
# field and leader classes it builds, and their methods. The native reader
# builds the same objects without calling any of them, so it is used only
# while all are the originals (not replaced in this module, not overridden
# on the classes); otherwise the handler runs and calls them as pymarc does.
_READING_HOOKS: tuple[tuple[type, tuple[str, ...]], ...] = (
    (XmlHandler, ("__init__", "startElementNS", "endElementNS", "characters")),
    (Record, ("__init__", "add_field", "__setattr__", "__getattribute__", "leader", "__bool__", "__len__")),
    (Field, ("__init__", "add_subfield", "__setattr__", "__getattribute__", "data", "__bool__", "__len__")),
    (Leader, ("__init__", "__new__")),
    (Indicators, ("__new__",)),
)
_original_hooks = [(cls, name, getattr(cls, name, None)) for cls, names in _READING_HOOKS for name in names]
_original_process_record = XmlHandler.process_record
_READING_NAMES = ("XmlHandler", "Record", "Field", "Indicators", "Leader", "parse_xml")
_original_names = tuple(globals()[name] for name in _READING_NAMES)


def _native_reading_allowed(uses_process_record: bool) -> bool:
    """Whether the native reader sees what pymarc's handler would: nothing it
    calls was replaced or overridden (``XmlHandler.process_record`` matters
    only to ``parse_xml_to_array``; ``map_xml`` replaces it)."""
    names = globals()
    if any(names.get(name) is not value for name, value in zip(_READING_NAMES, _original_names)):
        return False
    if uses_process_record and XmlHandler.process_record is not _original_process_record:
        return False
    return all(getattr(cls, name, None) is value for cls, name, value in _original_hooks)


def parse_xml_to_array(
    xml_file: _XmlSource, strict: bool = False, normalize_form: _NormalForm | None = None
) -> list[Record]:
    """Parse MARCXML and return a list of the records it contains.

    ``xml_file`` may be a path, an open file or a file-like object such as
    ``io.BytesIO`` (or a MARCXML :class:`~pymrrc.partition.Partition`).  With ``strict=True`` only elements in the MARC 21 slim
    namespace are taken into account.  ``normalize_form`` is one of
    ``"NFC"``, ``"NFKC"``, ``"NFD"`` or ``"NFKD"`` (see
    :func:`unicodedata.normalize`), or ``None`` to leave text untouched.
    """
    xml_file = _partition.xml_source(xml_file)
    parser = _xml_native.make_parser(strict, normalize_form) if _native_reading_allowed(True) else None
    if parser is not None:
        records: list[Record] = []
        outcome = _xml_native.run(xml_file, parser, records.append)
        if outcome == _xml_native.DONE:
            return records
        if outcome is not None:
            xml_file = outcome[0]
    handler = XmlHandler(strict, normalize_form)
    parse_xml(xml_file, handler)
    return handler.records


# ---------------------------------------------------------------------------
# Record -> MARCXML
# ---------------------------------------------------------------------------


def _plain_iteration(field_type: type, _cache: dict[type, bool] = {}) -> bool:
    """True when iterating a field of this type just walks ``field.subfields``.

    That holds for pymrrc's own field classes and for subclasses that do not
    override ``__iter__``/``__next__``; for those the (slower, stateful)
    iterator protocol can be skipped.  The only observable difference is that
    the field's own iteration position is left where it was instead of being
    run to the end.
    """
    known = _cache.get(field_type)
    if known is None:
        known = (
            getattr(field_type, "__iter__", None) is Field.__iter__
            and getattr(field_type, "__next__", None) is Field.__next__
        )
        _cache[field_type] = known
    return known


def _collect(record: Record, quiet: bool) -> tuple[str, list[tuple[_typing.Any, ...]]]:
    """Read everything MARCXML output needs from ``record``, in document order.

    Returns ``(leader_text, entries)``; an entry is ``(tag, data)`` for a
    control field and ``(ind1, ind2, tag, [(code, value), ...])`` for a data
    field.  Values that are not ``str`` (e.g. ``bytes`` from a RawField) are
    decoded as MARC-8, with one converter shared by the whole record so that
    escape-sequence state carries over exactly as it does in pymarc.
    """
    converter = None
    leader_text = str(record.leader)
    entries: list[tuple[_typing.Any, ...]] = []
    append = entries.append
    for field in record:
        if field.control_field:
            tag = field.tag
            data = field.data
            if type(data) is not str:
                if converter is None:
                    converter = MARC8ToUnicode(quiet=quiet)
                data = converter.translate(data)  # type: ignore[arg-type]  # bytes (a RawField)
            append((tag, data))
            continue
        indicators = field.indicators
        ind1 = indicators.first  # type: ignore[union-attr]
        ind2 = indicators.second  # type: ignore[union-attr]
        tag = field.tag
        subfields = field.subfields if _plain_iteration(type(field)) else field
        pairs: list[tuple[_typing.Any, _typing.Any]] = []
        add = pairs.append
        for subfield in subfields:
            code = subfield.code
            value = subfield.value
            if type(value) is not str:
                if converter is None:
                    converter = MARC8ToUnicode(quiet=quiet)
                value = converter.translate(value)  # type: ignore[arg-type]  # bytes (a RawField)
            add((code, value))
        append((ind1, ind2, tag, pairs))
    return leader_text, entries


def _build_node(leader_text: str, entries: list[tuple[_typing.Any, ...]], namespace: bool) -> ET.Element:
    """Turn collected record data into an ElementTree ``record`` element."""
    root = ET.Element("record")
    if namespace:
        root.set("xmlns", MARC_XML_NS)
        root.set("xmlns:xsi", XSI_NS)
        root.set("xsi:schemaLocation", MARC_XML_SCHEMA)
    sub = ET.SubElement
    sub(root, "leader").text = leader_text
    for entry in entries:
        if len(entry) == 2:
            node = sub(root, "controlfield")
            node.set("tag", entry[0])
            node.text = entry[1]
        else:
            ind1, ind2, tag, pairs = entry
            node = sub(root, "datafield")
            node.set("ind1", ind1)
            node.set("ind2", ind2)
            node.set("tag", tag)
            for code, value in pairs:
                child = sub(node, "subfield")
                child.set("code", code)
                child.text = value
    return root


def record_to_xml_node(record: Record, quiet: bool = False, namespace: bool = False) -> ET.Element:
    """Return ``record`` as an ElementTree ``record`` element.

    With ``namespace=True`` the element carries the MARC 21 slim namespace
    declaration and its schema location.  ``quiet`` is handed to the MARC-8
    converter used for values that are not already text.
    """
    leader_text, entries = _collect(record, quiet)
    return _build_node(leader_text, entries, namespace)


def _record_xml_bytes(record: Record, encoding: str, quiet: bool = False, namespace: bool = False) -> bytes:
    """``ET.tostring(record_to_xml_node(...), encoding=encoding)``, faster.

    ``encoding`` is ``"us-ascii"`` or ``"utf-8"``. A :class:`Record` holding
    plain text is serialized natively (from its bytes while untouched); any
    other record (a subclass that overrides what is read, fields holding
    bytes or other objects) goes through ElementTree, as in pymarc.
    """
    if isinstance(record, Record):
        native = record._xml_bytes(namespace, encoding == "utf-8")
        if native is not None:
            return native
    leader_text, entries = _collect(record, quiet)
    data: bytes = ET.tostring(_build_node(leader_text, entries, namespace), encoding=encoding)
    return data


_record_to_xml_node = record_to_xml_node


def record_to_xml(record: Record, quiet: bool = False, namespace: bool = False) -> bytes:
    """Return ``record`` as MARCXML ``bytes`` (ASCII, non-ASCII as char refs)."""
    if record_to_xml_node is not _record_to_xml_node:
        # record_to_xml_node was replaced on this module: honour the override.
        return ET.tostring(record_to_xml_node(record, quiet, namespace))
    return _record_xml_bytes(record, "us-ascii", quiet, namespace)
