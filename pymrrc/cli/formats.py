"""The output formats of ``pymrrc``: what a file holds around its records,
and each record's bytes, exactly as pymarc's writers write them.

* ``marc``: ``MARCWriter`` (``record.as_marc()``); ``marc8`` (a pymrrc
  extension): ``MARCWriter(..., encoding="marc8")``.
* ``xml``: ``XMLWriter``: the declaration and ``<collection>``, each
  record's ``<record>`` element, ``</collection>``.
* ``json``: ``JSONWriter``: one JSON array, compact separators.
* ``jsonl``: one ``record.as_json()`` per line.
* ``text``: ``TextWriter``: ``str(record)``, records a blank line apart.
* ``mrk``: the same MARCMaker text with MARCMaker's ``\\r\\n`` line ends.

Records handled natively get the same bytes from Rust
(``pymrrc_core::convert``); this module gives them for records handled in
Python (other input formats, records the native decoder leaves to the
Python decoder).
"""

from __future__ import annotations

import json
import typing

from pymrrc.cli.errors import DataError, describe

if typing.TYPE_CHECKING:
    from pymrrc.record import Record

XML_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><collection xmlns="http://www.loc.gov/MARC21/slim">'


def _marc(record: Record) -> tuple[bytes, int]:
    return record.as_marc(), 0


def _xml(record: Record) -> tuple[bytes, int]:
    from pymrrc import marcxml

    return marcxml._record_xml_bytes(record, "utf-8"), 0


def _marc8(record: Record) -> tuple[bytes, int]:
    from pymrrc.marc8 import record_to_marc8

    return record_to_marc8(record)


def _json(record: Record) -> tuple[bytes, int]:
    text = record._json_text(True)
    if text is None:
        text = json.dumps(record.as_dict(), separators=(",", ":"))
    return text.encode("ascii"), 0


def _jsonl(record: Record) -> tuple[bytes, int]:
    return record.as_json().encode("ascii") + b"\n", 0


def _text(record: Record) -> tuple[bytes, int]:
    return str(record).encode("utf-8"), 0


def _mrk(record: Record) -> tuple[bytes, int]:
    return str(record).replace("\n", "\r\n").encode("utf-8"), 0


class OutputFormat(typing.NamedTuple):
    """An output format."""

    name: str
    #: What each record is written as; also the native format's name.
    native: str
    header: bytes
    footer: bytes
    #: Between two records.
    separator: bytes
    #: The usual file name ending (``split``'s parts).
    suffix: str
    #: One record's bytes and its count of ``&#xXXXX;`` references.
    record_bytes: typing.Callable[[Record], tuple[bytes, int]]


FORMATS: dict[str, OutputFormat] = {
    f.name: f
    for f in (
        OutputFormat("marc", "marc", b"", b"", b"", ".mrc", _marc),
        OutputFormat("marc8", "marc8", b"", b"", b"", ".mrc", _marc8),
        OutputFormat("xml", "xml", XML_HEAD, b"</collection>", b"", ".xml", _xml),
        OutputFormat("json", "json", b"[", b"]", b",", ".json", _json),
        OutputFormat("jsonl", "jsonl", b"", b"", b"", ".jsonl", _jsonl),
        OutputFormat("text", "text", b"", b"", b"\n", ".txt", _text),
        OutputFormat("mrk", "mrk", b"", b"", b"\r\n", ".mrk", _mrk),
    )
}

#: The records' own bytes (ISO 2709 copied as read; a record read in
#: Python is written as ``as_marc()`` gives it).
RAW = OutputFormat("raw", "raw", b"", b"", b"", ".mrc", _marc)

#: ``--to`` choices.
OUTPUT_NAMES = ("marc", "xml", "json", "jsonl", "text", "mrk", "parquet")


def output_format(name: str, charset: str | None) -> OutputFormat:
    """The format for ``--to NAME`` and ``--charset``."""
    if name == "marc" and charset == "marc8":
        return FORMATS["marc8"]
    return FORMATS[name]


def record_bytes(fmt: OutputFormat, record: Record) -> tuple[bytes, int]:
    """``fmt.record_bytes(record)``; what pymarc's writer raises on the
    record (values it cannot write) becomes a one-line error."""
    try:
        return fmt.record_bytes(record)
    except Exception as exc:  # noqa: BLE001 - pymarc's writers raise many kinds
        raise DataError(f"a record cannot be written as {fmt.name}: {describe(exc)}") from exc


class FormatWriter:
    """Writes one output document: the header, records with separators
    between them, the footer."""

    def __init__(self, fmt: OutputFormat, write: typing.Callable[[bytes | memoryview], object]) -> None:
        self.fmt: OutputFormat = fmt
        self._write = write
        #: Records written, characters written as ``&#xXXXX;``, bytes written.
        self.records: int = 0
        self.references: int = 0
        self.bytes: int = 0
        self._emit(fmt.header)

    def _emit(self, data: bytes | memoryview) -> None:
        if data:
            self._write(data)
            self.bytes += len(data)

    def blob(self, data: bytes | memoryview, count: int) -> None:
        """``count`` records already joined by the separator."""
        if self.records and self.fmt.separator:
            self._emit(self.fmt.separator)
        self._emit(data)
        self.records += count

    def record(self, record: Record) -> None:
        data, references = record_bytes(self.fmt, record)
        self.references += references
        self.blob(data, 1)

    def close(self) -> None:
        self._emit(self.fmt.footer)
