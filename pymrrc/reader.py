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
import threading
import typing as _typing
import warnings
from io import BytesIO, IOBase, StringIO

from pymrrc._core import MAX_WORKERS as _MAX_WORKERS
from pymrrc._core import JsonCursor as _JsonCursor
from pymrrc._core import JsonStream as _JsonStream
from pymrrc._core import ReaderBase as _ReaderBase
from pymrrc import partition as _partition
from pymrrc import _json_native
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


#: The most threads ``workers=`` may ask for (the shared pool, sized by the
#: ``RAYON_NUM_THREADS`` environment variable or the number of cores, is
#: capped at the same number).
MAX_WORKERS = _MAX_WORKERS

#: A path longer than this is cut to ``_SHOWN_PATH_CHARS`` characters in an
#: ``OSError`` message (a whole file's records passed as a ``str``).
_LONGEST_SHOWN_PATH = 1024
_SHOWN_PATH_CHARS = 200


class MARCReader(Reader, _ReaderBase):
    """Iterates over the records in MARC 21 transmission format.

    ``marc_target`` may be a path (``str`` or ``os.PathLike``), a ``bytes``,
    ``bytearray`` or ``memoryview``, a binary file object, or (pymrrc
    extension) a :class:`pymrrc.partition.Partition`, whose records, those
    that start in it, are exactly what one sequential read of the whole file
    yields there::

        reader = MARCReader("records.mrc")
        for record in reader:
            if record is None:
                print(reader.current_exception, reader.current_chunk)

    A path is read by Rust on a background thread and records are validated
    in parallel (``workers`` threads, at most ``MAX_WORKERS``; default: the
    pool shared by all readers, one thread per core or ``RAYON_NUM_THREADS``;
    ``workers=1``: a single background thread). ``workers`` has no effect on
    other targets, whose records are validated on the calling thread. A file
    object is read in large batches where it can seek (and left, after each
    record, at the end of that record, as with pymarc), as records arrive
    where it cannot (a pipe, a socket), and record by record as pymarc reads
    it otherwise. ``current_offset`` is the byte offset of the record last
    read. Other Python threads keep running while records are parsed.

    Options are pymarc's, and as in pymarc they are read at every record, so
    that setting one between records affects the records after it:
    ``to_unicode`` decodes text to ``str`` (MARC-8 or UTF-8 per leader
    position 9), ``force_utf8`` treats every record as UTF-8,
    ``utf8_handling`` is the codec error handler for UTF-8 text,
    ``file_encoding`` the encoding of records that are not UTF-8 when it is
    not the MARC-8 default, and ``hide_utf8_warnings`` silences MARC-8
    conversion messages. ``permissive`` is accepted and stored, as in pymarc.
    Assigning ``file_handle`` reads the next records from the new stream, as
    pymarc does.
    """

    _handle: "IO[_typing.Any] | None"
    _opened_path: bool

    def __init__(
        self,
        marc_target: "IO[bytes] | bytes | bytearray | memoryview | str | os.PathLike[str] | _partition.Partition",
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
        if isinstance(marc_target, _partition.Partition):
            self._start_partition(marc_target, workers)
            return
        if isinstance(marc_target, (str, os.PathLike)):
            # Rust opens the file; a missing, unreadable or directory path
            # raises FileNotFoundError, PermissionError or IsADirectoryError
            # with the path in the message, as open() does.
            path = os.fspath(marc_target)
            if os.path.isdir(path):
                raise IsADirectoryError(_errno.EISDIR, os.strerror(_errno.EISDIR), path)
            self._handle = None
            self._opened_path = True
            try:
                self._start("path", path, workers)
            except OSError as error:
                raise _shortened(error, path) from None
            return
        self._opened_path = False
        if isinstance(marc_target, (bytes, bytearray, memoryview)):
            source = marc_target if type(marc_target) is bytes else bytes(marc_target)
            self._handle = BytesIO(source)
            self._start("memory", source, workers, self._handle)
        elif hasattr(marc_target, "read"):
            self._handle = marc_target
            self._start("file", marc_target, workers, None, *_reading(marc_target))
        else:
            raise TypeError(
                "MARCReader expects a path (str or os.PathLike), bytes, bytearray, "
                f"memoryview or a binary file object, not {type(marc_target).__name__}"
            )
        if workers is not None and workers != 1:
            warnings.warn(
                "MARCReader(workers=...) has no effect on bytes or a file object, whose "
                "records are validated on the calling thread; pass a path to use worker threads",
                stacklevel=2,
            )

    def _start_partition(self, part: "_partition.Partition", workers: int | None) -> None:
        """Reads the records that start in ``part`` (pymrrc extension):
        exactly those one sequential read of the file yields there."""
        if part.format != "iso2709":
            raise ValueError(
                f"{part.path} is MARCXML: read its partition with pymrrc.parse_xml_to_array or map_xml"
            )
        self._opened_path = True
        if part.compression is not None:
            # One partition, the whole file, read through the decompressor.
            self._handle = part.open()
            self._start("file", self._handle, workers, None, *_reading(self._handle))
            return
        if os.path.isdir(part.path):
            raise IsADirectoryError(_errno.EISDIR, os.strerror(_errno.EISDIR), part.path)
        entry = _partition.resolved(part).entry or 0
        self._handle = None
        self._start("path", part.path, workers, None, "exact", None, entry, part.end)

    @property
    def file_handle(self) -> IO[_typing.Any]:
        """The stream records are read from (``None`` for a path; pymarc's
        declared type)."""
        return self._handle  # type: ignore[return-value]

    @file_handle.setter
    def file_handle(self, handle: IO[_typing.Any]) -> None:
        # pymarc reads from whatever file_handle is at each record.
        if handle is getattr(self, "_handle", None):
            return
        self._handle = handle
        self._start("file", handle, None, None, *_reading(handle))

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
            if self._handle is not None:  # a compressed partition's decompressor
                self._handle.close()
        return False


def _shortened(error: OSError, path: str) -> OSError:
    """``error`` with the path in its message cut to a readable length: a
    ``str`` holding a whole file's records is taken for a path."""
    if len(path) <= _LONGEST_SHOWN_PATH:
        return error
    shown = f"{path[:_SHOWN_PATH_CHARS]}... ({len(path):,} characters in all)"
    reason = error.strerror or str(error)
    if "\x1d" in path or "\x1e" in path:
        reason += "; MARCReader takes a str for a path: pass records held in memory as bytes"
    return type(error)(error.errno, reason, shown)


#: The buffer a plain ``open(path, "rb")`` file is given while pymrrc reads
#: it (see ``_reading``).
_FILE_BUFFER = 512 * 1024


def _reading(handle: _typing.Any) -> tuple[str, int | None]:
    """How the native reader asks ``handle`` for bytes, and the size of its
    own buffer if it is a buffered file.

    A seekable stream is kept at the end of each record returned, as pymarc's
    reads leave it: ``"seek"``, a ``BytesIO`` or unbuffered ``FileIO`` (or a
    ``BufferedRandom``), read ahead and moved by ``seek()``; ``"buffer"``, a
    plain ``open(path, "rb")`` file, read through its own buffer, which is
    made large so that stepping from record to record within it makes no
    system call (each would hand the GIL to other threads); ``"records"``,
    any other seekable stream (``gzip.open()``, wrappers), read record by
    record, because a backward seek there may cost a decompression from the
    start. A stream that cannot seek is read as its records arrive:
    ``"read1"`` where it has ``read1()``, ``"raw"`` for a raw stream (whose
    ``read()`` returns what has arrived), and ``"exact"``, as pymarc reads
    it, for a stream with only ``read()``.
    """
    try:
        seekable = bool(handle.seekable())
    except Exception:
        seekable = False
    cls = type(handle)
    if seekable:
        if cls is io.BytesIO or cls is io.FileIO:
            return "seek", None
        if cls is io.BufferedRandom:
            return "seek", _buffer_size(handle)
        if cls is io.BufferedReader and type(handle.raw) is io.FileIO:
            size = _buffer_size(handle)
            try:
                _enlarge_buffer(handle)
            except Exception:
                return "seek", size
            return "buffer", size
        return "records", None
    if hasattr(handle, "read1"):
        return "read1", None
    if isinstance(handle, io.RawIOBase):
        return "raw", None
    return "exact", None


def _buffer_size(handle: _typing.Any) -> int:
    """The size of a ``BufferedReader``'s or ``BufferedRandom``'s buffer
    (its ``__sizeof__`` counts it)."""
    size: int = handle.__sizeof__() - type(handle).__basicsize__
    return size


def _enlarge_buffer(handle: _typing.Any) -> None:
    """Gives a ``BufferedReader`` over a ``FileIO`` a buffer of
    ``_FILE_BUFFER`` bytes (if it is smaller), keeping its position:
    re-running its ``__init__`` with the same raw file is how Python lets a
    buffer be resized, and it drops what the old buffer held, so the stream
    is put back where it stood."""
    if _buffer_size(handle) >= _FILE_BUFFER:
        return
    position = handle.tell()
    handle.__init__(handle.raw, _FILE_BUFFER)
    handle.seek(position)


def _resume_as_pymarc(handle: _typing.Any, position: int, origin: int, buffer_size: int | None) -> None:
    """Called by the native reader after a read ahead failed: puts
    ``handle`` at ``position`` (where pymarc's next ``read(5)`` starts), and
    a buffered file in the state pymarc's reads would have left it: its
    own buffer size, holding the block that pymarc's sequential reads from
    ``origin`` would hold, so that the reads that follow fail where
    pymarc's fail."""
    cls = type(handle)
    if cls is io.BufferedReader or cls is io.BufferedRandom:
        if buffer_size is None:
            buffer_size = _buffer_size(handle)
        elif _buffer_size(handle) != buffer_size:
            handle.__init__(handle.raw, buffer_size)
        if position >= origin:
            block = origin + (position - origin) // buffer_size * buffer_size
            handle.seek(block)
            handle.read(position - block)
            return
    handle.seek(position)


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


_NOT_DECODED: _typing.Any = object()


class JSONReader(Reader):
    """Iterates over records in a MARC-in-JSON document (an array or one
    object) given as text, a path or a file object.

    The document is parsed natively and each record is built when it is
    handed out (see ``pymrrc._json_native``); ``records`` is the document as
    ``json.load`` gives it, decoded on first use (iterating afterwards reads
    it, so that changes made to it are seen, as in pymarc).

    With ``stream=True`` (which pymarc accepts but does not do) the
    document is read from its file object one record at a time, in bounded
    memory, and a malformed document raises ``json.JSONDecodeError`` when
    iteration reaches the fault rather than at construction. ``records``
    asked for before iterating reads the whole document as pymarc does;
    asked for later, it reads the records not handed out yet. See
    compat-tests/DIVERGENCES.md (D17)."""

    _records: _typing.Any = _NOT_DECODED
    _document: _typing.Any = None
    _stream: _typing.Any = None

    def __init__(self, marc_target: "str | bytes | IO[str]", encoding: str = "utf-8", stream: bool = False) -> None:
        self.encoding = encoding
        self.file_handle: IO[str] = _open_text_target(marc_target)
        if stream:
            self._stream, text = _json_native.open_stream(self.file_handle, globals())
            if self._stream is not None:
                # Threads sharing the iteration take records in turn.
                self._stream_lock = threading.Lock()
                return
        else:
            text = self.file_handle.read()
        self._read_whole(text)

    def _read_whole(self, text: _typing.Any) -> None:
        self._document = _json_native.parse(text)
        if self._document is None:
            self.records = json.loads(text, strict=False)
        else:
            self._text = text

    @property
    def records(self) -> _typing.Any:
        """The decoded document (a list of record objects, or one object)."""
        if self._stream is not None:
            self._stop_streaming()
        self._document = None
        return self._decoded()

    @records.setter
    def records(self, value: _typing.Any) -> None:
        self._document = None
        self._stream = None
        self._records = value

    def _stop_streaming(self) -> None:
        """Reads what is left of a streamed document into ``records``: the
        whole document if iteration did not begin, else the record objects
        not handed out yet."""
        with self._stream_lock:
            if self._stream is not None:  # not read by another thread meanwhile
                self._records = _json_native.rest_of(self._stream, self.file_handle)
                self._stream = None

    def _decoded(self) -> _typing.Any:
        if self._records is _NOT_DECODED:
            self._records = json.loads(self._text, strict=False)
        return self._records

    def _decoded_items(self) -> list[_typing.Any]:
        """The record objects of a document read natively (an array, or one object)."""
        decoded = self._decoded()
        return [decoded] if isinstance(decoded, dict) else decoded

    def __iter__(self) -> Iterator[Record]:
        self.iter: _typing.Any
        if self._stream is not None:
            self.iter = self._stream
            return self
        if self._document is not None:
            self.iter = _json_native.cursor(self._document, globals())
            return self
        records = self.records
        is_sequence = hasattr(records, "__iter__") and not isinstance(records, dict)
        self.iter = iter(records if is_sequence else [records])
        return self

    def __next__(self) -> Record:
        iterator = self.iter
        if type(iterator) is _JsonCursor:
            record = iterator.next_record()
            if isinstance(record, int):  # built by pymarc's calls
                return self._record_from_item(self._decoded_items()[record])
            return record
        if type(iterator) is _JsonStream:
            with self._stream_lock:
                found = iterator.next_element(True)
                if not isinstance(found, tuple):
                    return found
                item = _json_native.streamed_item(iterator, found)  # for pymarc's calls
            return self._record_from_item(item)
        return self._record_from_item(next(iterator))

    def _record_from_item(self, item: _typing.Any) -> Record:
        """A record from one decoded record object, by pymarc's calls."""
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
