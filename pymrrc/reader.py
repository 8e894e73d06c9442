"""Readers: ``MARCReader`` (ISO 2709), ``JSONReader`` (MARC-in-JSON) and
``MARCMakerReader`` (MARCMaker text), plus ``map_records``.

``MARCReader`` frames, validates and decodes records natively
(``pymrrc._core.ReaderBase``); it yields ``None`` for a bad record and
exposes ``current_exception`` and ``current_chunk``, as pymarc does.
"""

import errno as _errno
import io
import json
import os
import sys
import typing as _typing
from io import BytesIO, IOBase, StringIO

from pymrrc._core import ReaderBase as _ReaderBase
from collections.abc import Callable, Iterator  # noqa: F401 - pymarc's namespace
from io import BufferedReader  # noqa: F401
from typing import IO, BinaryIO  # noqa: F401

from pymrrc.constants import END_OF_RECORD  # noqa: F401
from pymrrc.exceptions import (  # noqa: F401 - importable from here, as in pymarc
    EndOfRecordNotFound,
    FatalReaderError,
    PymarcException,
    RecordLengthInvalid,
    TruncatedRecord,
)
from pymrrc.field import Field, Indicators, Subfield
from pymrrc.leader import Leader
from pymrrc.record import Record

if _typing.TYPE_CHECKING:
    from typing_extensions import Self


class Reader:
    """Base class of the iterating readers."""


class MARCReader(Reader, _ReaderBase):
    """Iterates over the records in MARC 21 transmission format.

    ``marc_target`` may be a path (``str`` or ``os.PathLike``), a ``bytes``,
    ``bytearray`` or ``memoryview``, or a binary file object::

        reader = MARCReader("records.mrc")
        for record in reader:
            if record is None:
                print(reader.current_exception, reader.current_chunk)

    A path is read by Rust on a background thread and records are validated
    in parallel (``workers`` threads; default: one per core; ``workers=1``:
    a single background thread). A file object is read in large batches; if
    it is seekable it is left, after each record, at the end of that record,
    as with pymarc. ``current_offset`` is the byte offset of the record last
    read. Other Python threads keep running while records are parsed.

    Options are pymarc's: ``to_unicode`` decodes text to ``str`` (MARC-8 or
    UTF-8 per leader position 9), ``force_utf8`` treats every record as
    UTF-8, ``utf8_handling`` is the codec error handler for UTF-8 text,
    ``file_encoding`` the encoding of records that are not UTF-8 when it is
    not the MARC-8 default, and ``hide_utf8_warnings`` silences MARC-8
    conversion messages. ``permissive`` is accepted and stored, as in pymarc.
    """

    # pymarc's declared type; ``None`` when reading from a path.
    file_handle: IO[_typing.Any]

    def __init__(
        self,
        marc_target: "IO[bytes] | bytes | bytearray | memoryview | str | os.PathLike[str]",
        to_unicode: bool = True,
        force_utf8: bool = False,
        hide_utf8_warnings: bool = False,
        utf8_handling: str = "strict",
        file_encoding: str = "iso8859-1",
        permissive: bool = False,
        *,
        workers: int | None = None,
    ) -> None:
        super().__init__()
        self.to_unicode = to_unicode
        self.force_utf8 = force_utf8
        self.hide_utf8_warnings = hide_utf8_warnings
        self.utf8_handling = utf8_handling
        self.file_encoding = file_encoding
        self.permissive = permissive
        source: _typing.Any
        if isinstance(marc_target, (str, os.PathLike)):
            # Rust opens the file; a missing, unreadable or directory path
            # raises FileNotFoundError, PermissionError or IsADirectoryError
            # with the path in the message, as open() does.
            path = os.fspath(marc_target)
            if os.path.isdir(path):
                raise IsADirectoryError(_errno.EISDIR, os.strerror(_errno.EISDIR), path)
            self.file_handle = None  # type: ignore[assignment]
            kind, source = "path", path
        elif isinstance(marc_target, (bytes, bytearray, memoryview)):
            source = marc_target if type(marc_target) is bytes else bytes(marc_target)
            self.file_handle = BytesIO(source)
            kind = "memory"
        elif hasattr(marc_target, "read"):
            self.file_handle = marc_target
            kind, source = "file", marc_target
        else:
            raise TypeError(
                "MARCReader expects a path (str or os.PathLike), bytes, bytearray, "
                f"memoryview or a binary file object, not {type(marc_target).__name__}"
            )
        self._opened_path = kind == "path"
        self._start(kind, source, workers, to_unicode, force_utf8, hide_utf8_warnings,
                    utf8_handling, file_encoding, self.file_handle if kind == "memory" else None,
                    _positioning(source) if kind == "file" else "seek")

    def close(self) -> None:
        """Close the underlying file handle (or stop reading the path)."""
        self._close_source()
        if self.file_handle is not None:
            self.file_handle.close()

    def __enter__(self) -> "Self":
        return self

    def __exit__(self, *exc_info: object) -> _typing.Literal[False]:
        if self._opened_path:
            self._close_source()
        return False


def _positioning(handle: _typing.Any) -> str:
    """How the native reader keeps a seekable ``handle`` at the end of each
    record it returns, as pymarc's reads leave it.

    ``"seek"``: a ``BytesIO`` or unbuffered ``FileIO``, which seek cheaply;
    ``"window"``: a buffered regular file (``open(path, "rb")``), moved within
    its own buffer; ``"exact"``: any other stream (``gzip.open()``, wrappers),
    read record by record, because a backward seek there may cost a
    decompression from the start.
    """
    cls = type(handle)
    if cls is io.BytesIO or cls is io.FileIO:
        return "seek"
    if cls is io.BufferedReader or cls is io.BufferedRandom:
        if type(handle.raw) is io.FileIO:
            return "window"
    return "exact"


def map_records(
    f: Callable[..., _typing.Any],
    *files: "IO[bytes] | bytes | bytearray | memoryview | str | os.PathLike[str]",
) -> None:
    """Call ``f`` on every record of each file in turn."""
    for handle in files:
        for record in MARCReader(handle):
            f(record)


def _open_text_target(target: _typing.Any, encoding: str | None = None) -> IO[str]:
    """A text handle for a file object, an existing path, or literal text."""
    if isinstance(target, IOBase):
        return target  # type: ignore[return-value]  # a text stream, as pymarc assumes
    if isinstance(target, str) and os.path.exists(target):
        return open(target, encoding=encoding) if encoding else open(target)  # noqa: SIM115
    return StringIO(target)


class JSONReader(Reader):
    """Iterates over records in a MARC-in-JSON document (an array or one
    object) given as text, a path or a file object."""

    def __init__(self, marc_target: "str | bytes | IO[str]", encoding: str = "utf-8", stream: bool = False) -> None:
        self.encoding = encoding
        self.file_handle: IO[str] = _open_text_target(marc_target)
        if stream:
            sys.stderr.write("Streaming not yet implemented, your data will be loaded into memory\n")
        self.records: _typing.Any = json.load(self.file_handle, strict=False)

    def __iter__(self) -> Iterator[Record]:
        records = self.records
        is_sequence = hasattr(records, "__iter__") and not isinstance(records, dict)
        self.iter: Iterator[_typing.Any] = iter(records if is_sequence else [records])
        return self

    def __next__(self) -> Record:
        item = next(self.iter)
        record = Record()
        record.leader = Leader(item["leader"])
        for entry in item["fields"]:
            tag, body = list(entry.items())[0]
            if "subfields" in body and hasattr(body, "update"):
                subfields = [
                    Subfield(code=code, value=value)
                    for pair in body["subfields"]
                    for code, value in pair.items()
                ]
                field = Field(
                    tag=tag,
                    subfields=subfields,
                    indicators=Indicators(body["ind1"], body["ind2"]),
                )
            else:
                field = Field(tag=tag, data=body)
            record.add_field(field)
        return record


class MARCMakerReader(Reader):
    """Iterates over records in MARCMaker text (as ``str(record)`` writes
    it); records are separated by a blank line."""

    def __init__(self, target: "str | bytes | IO[str]", encoding: str = "utf-8") -> None:
        handle = _open_text_target(target, encoding)
        content = handle.read()
        handle.close()
        self.records: list[str] = list(content.split("\n\n"))
        self.iter: Iterator[str] = iter(self.records)

    def _parse_line(self, line: str) -> Leader | Field:
        """A ``Leader`` or ``Field`` from one line such as ``=245  10$aTitle``."""
        if line[0] != "=":
            raise ValueError('Line should start with a "=".')
        if line[4:6] != "  ":
            raise ValueError("Tag should be separated from the rest of the field by two spaces.")
        tag, rest = line[1:4], line[6:]
        if tag == "LDR":
            return Leader(rest)
        if tag < "010":
            return Field(tag, data=rest)
        subfields = [Subfield(piece[:1], piece[1:]) for piece in rest[3:].split("$")]
        return Field(tag, indicators=Indicators(rest[0], rest[1]), subfields=subfields)

    def __iter__(self) -> "Self":
        return self

    def __next__(self) -> Record:
        text = next(self.iter)
        record = Record()
        for line in text.splitlines():
            try:
                item = self._parse_line(line)
            except Exception as exc:
                raise PymarcException(f'Unable to parse line "{line}"') from exc
            if isinstance(item, Leader):
                record.leader = item
            else:
                record.add_field(item)
        return record


__all__ = ["Reader", "MARCReader", "map_records", "JSONReader", "MARCMakerReader"]
