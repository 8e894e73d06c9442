"""Type stubs for ``pymrrc._core``, the private Rust extension module.

These classes are the native bases of the public ``pymrrc`` classes
(``Field``, ``Record``, ``MARCReader``), the file ``MARCWriter(path)``
writes through, and the MARCXML reader behind ``pymrrc.marcxml``. They are not meant to be used directly.

Attribute types follow pymarc 5.4's annotations. The native storage itself
accepts any object (as pymarc's slots do); the natively implemented methods
defer to the Python ``_py_*`` methods of the subclass whenever a value is not
of these types.
"""

import os
from typing import Any, NoReturn, TypeVar, final, overload

from typing_extensions import Self, disjoint_base

from pymrrc.field import Field, Indicators, RawField, Subfield
from pymrrc.leader import Leader
from pymrrc.record import Record

__all__ = ["RecordBase", "FieldBase", "ReaderBase", "FileSink", "XmlParser", "JsonDocument", "JsonCursor", "JsonStream", "ArrowStream", "ArrowBatch", "ArrowRecords", "FileJob", "JobBatch", "marc8_translate", "marc8_encode", "record_as_marc8", "marc8_record_from_parts", "plan_partitions", "frame_partition", "resolve_partitions", "MAX_WORKERS", "__version__", "_panic_for_tests"]

__version__: str
#: The most threads ``MARCReader(path, workers=...)`` may ask for.
MAX_WORKERS: int

_T = TypeVar("_T")

@disjoint_base
class FieldBase:
    """Native storage and methods for MARC fields (base of ``Field``)."""

    tag: str
    data: str | None
    _indicators: Indicators | None
    subfields: list[Subfield]
    control_field: bool
    def __new__(cls, *_args: Any, **_kwargs: Any) -> Self: ...
    @property
    def _is_lazy(self) -> bool:
        """Whether the field still holds only its place in a record's bytes."""
    def value(self) -> str: ...
    @overload
    def get(self, code: str, default: None = None) -> str | None:
        """The first value of subfield ``code``, or ``default``."""
    @overload
    def get(self, code: str, default: _T) -> str | _T: ...
    def __getitem__(self, key: str, /) -> str: ...
    def __contains__(self, key: object, /) -> bool: ...
    def get_subfields(self, *codes: str) -> list[str]: ...
    def format_field(self) -> str: ...
    def is_subject_field(self) -> bool: ...
    def as_marc(self, encoding: str) -> bytes: ...

@disjoint_base
class RecordBase:
    """Native storage for MARC records (base of ``Record``).

    A record read by ``MARCReader`` keeps only its bytes until ``fields``
    or ``leader`` is first used; they are then built once.
    """

    pos: int
    force_utf8: bool
    to_unicode: bool
    def __new__(cls, *_args: Any, **_kwargs: Any) -> Self: ...
    @property
    def fields(self) -> list[Field | RawField]: ...
    @fields.setter
    def fields(self, value: list[Field | RawField]) -> None: ...
    @property
    def leader(self) -> Leader: ...
    @leader.setter
    def leader(self, value: Leader) -> None: ...
    # pymarc's private iteration position (``self.__pos`` in ``Record``);
    # setting ``None`` stores 0.
    @property
    def _Record__pos(self) -> int: ...
    @_Record__pos.setter
    def _Record__pos(self, value: int | None) -> None: ...
    def _pickle_state(self) -> tuple[bytes, Any, Any, Any, int] | None:
        """``(payload, to_unicode, force_utf8, pos, _Record__pos)`` of a
        record holding only its bytes, for pickling; otherwise ``None``."""
    def _restore_pickle_state(
        self, payload: bytes, to_unicode: Any, force_utf8: Any, pos: Any, iter_pos: int
    ) -> None: ...
    @property
    def _is_lazy(self) -> bool:
        """Whether the record still holds only its bytes."""
    @property
    def title(self) -> str | None:
        """Subfields a and b of the first 245 field."""
    @property
    def issn_title(self) -> str | None:
        """Subfields a and b of the first 222 field."""
    def __iter__(self) -> Self: ...
    def __next__(self) -> Field: ...
    def __getitem__(self, tag: str, /) -> Field:
        """The first field tagged ``tag``; ``KeyError`` if there is none."""
    def get(self, tag: str, default: Field | None = None) -> Field | None:
        """The first field tagged ``tag``, or ``default``."""
    def __contains__(self, tag: str, /) -> bool: ...
    def get_fields(self, *tags: str | list[str]) -> list[Field]:
        """The fields tagged with any of ``tags``; with none, ``fields``."""
    def as_marc(self) -> bytes: ...
    def as_marc21(self) -> bytes: ...
    def as_dict(self) -> dict[str, object]:
        """The record as a MARC-in-JSON dictionary."""
    def as_json(self, **kwargs: Any) -> str:
        """The record as MARC-in-JSON text (``json.dumps`` keywords allowed)."""
    def _json_text(self, compact: bool) -> str | None:
        """MARC-in-JSON text natively; ``None`` if Python must build it."""
    def _xml_bytes(self, namespace: object, utf8: bool) -> bytes | None:
        """MARCXML ``record`` bytes natively; ``None`` if Python must build them."""
    def _decode_marc(
        self,
        marc: object,
        to_unicode: object,
        force_utf8: object,
        utf8_handling: object,
        fresh: bool,
        hide_utf8_warnings: object = None,
        encoding: object = None,
    ) -> bool:
        """Decodes ``marc`` natively; ``False`` if Python must decode it."""

@disjoint_base
class ReaderBase:
    """The native engine under ``MARCReader``."""

    def __new__(cls, *_args: Any, **_kwargs: Any) -> Self: ...
    def _start(
        self,
        kind: str,
        source: Any,
        workers: Any = None,
        handle: Any = None,
        reading: str = "exact",
        buffer_size: int | None = None,
        start: int = 0,
        stop: int | None = None,
    ) -> None:
        """Starts reading ``source`` (or reads from it from now on): a path
        (``kind="path"``), a ``bytes`` object (``"memory"``, kept in step
        with ``handle``) or a binary file object (``"file"``), which
        ``reading`` says how to read (see ``pymrrc.reader._reading``).
        ``workers`` is ``None`` or an int from 1 to ``MAX_WORKERS``. A path
        is read from ``start`` up to the first record that starts at or
        after ``stop`` (a partition)."""
    def _close_source(self) -> None: ...
    def _read_on_calling_thread(self) -> None: ...
    # pymarc's options, read at every record.
    to_unicode: Any
    force_utf8: Any
    hide_utf8_warnings: Any
    utf8_handling: Any
    file_encoding: Any
    @property
    def current_chunk(self) -> bytes | None:
        """The bytes of the record (or failed chunk) last read."""
    @property
    def current_exception(self) -> Exception | None:
        """The exception raised by the record last read, or ``None``."""
    @property
    def current_offset(self) -> int | None:
        """Byte offset of the record last read (``None`` before the first):
        the stream position for a seekable file object, otherwise counted
        from where reading began."""
    def __iter__(self) -> Self: ...
    def __next__(self) -> Record | None: ...

@disjoint_base
class FileSink:
    """A buffered output file owned by Rust (what ``MARCWriter(path)``
    writes to)."""

    def __new__(cls, path: str | os.PathLike[str]) -> Self: ...
    def write(self, data: bytes) -> None: ...
    def write_record(self, record: Record) -> None:
        """Appends ``record.as_marc()``; a record nobody edited is queued
        and encoded later with the GIL released."""
    def flush(self) -> None: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    @property
    def name(self) -> str | os.PathLike[str]:
        """The path, as given."""
    def _finalize(self) -> None:
        """``ResourceWarning`` and ``close()`` for a sink dropped unclosed;
        errors go to ``sys.unraisablehook``."""

def marc8_translate(
    data: bytes, g0: int, g1: int, quiet: bool, /
) -> tuple[str, int, int, list[str]] | None:
    """MARC-8 to text as pymarc's ``MARC8ToUnicode.translate``: the text,
    G0 and G1 afterwards and the lines pymarc writes to ``sys.stderr``;
    ``None`` where pymarc raises."""

def marc8_encode(text: str, /) -> tuple[bytes, int]:
    """``text`` in MARC-8 and the number of characters written as
    ``&#xXXXX;``."""

def record_as_marc8(record: Any, /) -> tuple[bytes, int] | None:
    """A plain record in MARC-8 (and the reference count); ``None`` when the
    record is not plain enough to walk natively."""

def marc8_record_from_parts(
    leader: str, fields: list[tuple[Any, ...]], /
) -> tuple[bytes, int]:
    """A MARC-8 record from the leader text and per-field tuples."""

@final
class XmlParser:
    """Incremental native MARCXML reader behind ``pymrrc.marcxml``."""

    def __new__(cls, strict: bool, normalize: Any = None) -> Self: ...
    def feed(self, chunk: Any) -> list[Record]: ...
    def finish(self) -> list[Record]: ...
    def is_clean(self) -> bool: ...
    def take_leftover(self) -> tuple[Field | None, str | None]: ...
    @property
    def fallback(self) -> tuple[str, int] | None: ...

@final
class JsonDocument:
    """A MARC-in-JSON document parsed natively, behind ``pymrrc.JSONReader``."""

    @staticmethod
    def parse(data: str | bytes) -> JsonDocument | None: ...
    def __len__(self) -> int: ...

@final
class JsonCursor:
    """One iteration of ``JSONReader`` over a ``JsonDocument``."""

    def __new__(
        cls,
        document: JsonDocument,
        names: dict[str, Any],
        originals: list[tuple[str, Any]],
        hooks: list[tuple[Any, str, Any]],
    ) -> JsonCursor: ...
    def next_record(self) -> Record | int: ...

@final
class JsonStream:
    """``JSONReader(..., stream=True)``: a MARC-in-JSON document read from
    its file object one record at a time."""

    def __new__(
        cls,
        handle: Any,
        first: str | bytes | bytearray,
        names: tuple[dict[str, Any], list[tuple[str, Any]], list[tuple[Any, str, Any]]],
    ) -> JsonStream: ...
    def next_element(self, native: bool) -> Record | tuple[bytes | str, int, int, int]: ...
    def stop(self) -> None: ...
    def started(self) -> bool: ...
    def take_buffered(self) -> bytes: ...

@final
class ArrowStream:
    """Record batches of MARC records (``pymrrc.to_arrow``), read once
    through the Arrow PyCapsule interface."""

    def __new__(
        cls,
        kind: str,
        source: Any,
        origin: Any,
        layout: str,
        columns: list[str] | None,
        batch_size: int,
        errors: str,
        workers: int | None,
        source_name: str | None,
        to_unicode: Any,
        force_utf8: Any,
        hide_utf8_warnings: Any,
        utf8_handling: Any,
        file_encoding: Any,
        start: int = 0,
        stop: int | None = None,
        first_id: int = 0,
    ) -> Self: ...
    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any: ...
    def __arrow_c_schema__(self) -> Any: ...
    @property
    def column_names(self) -> list[str]: ...
    def _read_on_calling_thread(self) -> None: ...
    def _next_batch(self) -> ArrowBatch | None: ...
    @property
    def records_written(self) -> int: ...
    @property
    def records_rejected(self) -> int: ...
    @property
    def rejected_reasons(self) -> dict[str, int]: ...
    @property
    def rejected(self) -> list[tuple[int, int | None, bytes | None, BaseException]]: ...
    def _take_error(self) -> BaseException | None: ...

@final
class ArrowBatch:
    """One record batch (``__arrow_c_array__``)."""

    def __arrow_c_array__(self, requested_schema: Any = None) -> tuple[Any, Any]: ...
    @property
    def num_rows(self) -> int: ...

@final
class ArrowRecords:
    """``Record``s read back from a nested or long Arrow stream."""

    def __new__(cls, capsule: Any) -> Self: ...
    def __iter__(self) -> Self: ...
    def __next__(self) -> Record: ...

@final
class JobBatch:
    """One batch of a ``FileJob``: output parts, counts, ``grep`` values."""

    @property
    def parts(self) -> list[tuple[Any, ...]]:
        """``(bytes, count)`` runs of converted records and
        ``(number, offset, chunk, exception)`` records for Python."""
    @property
    def sizes(self) -> bytes | None: ...
    @property
    def records(self) -> int: ...
    @property
    def rejected(self) -> int: ...
    @property
    def references(self) -> int: ...
    @property
    def position(self) -> int: ...
    @property
    def values(self) -> list[str] | None: ...
    @property
    def owners(self) -> list[int] | None: ...
    @property
    def count(self) -> int: ...

@final
class FileJob:
    """A ``pymrrc`` command's job over one input (a path or a binary
    stream), batch by batch with the GIL released."""

    def __new__(
        cls,
        source: str | Any,
        *,
        format: str,
        force_utf8: bool = False,
        utf8_handling: str = "strict",
        file_encoding: str = "iso8859-1",
        hide_utf8_warnings: bool = False,
        workers: int | None = None,
        separator: bytes | None = None,
        sizes: bool = False,
        start: int = 0,
        stop: int | None = None,
        report_invalid: bool = True,
        stats: bool = False,
        grep_tag: str | None = None,
        grep_code: str | None = None,
        xml: bool = False,
        json: bytes | None = None,
    ) -> Self: ...
    def __iter__(self) -> Self: ...
    def __next__(self) -> JobBatch: ...
    def select(self, selected: list[int]) -> JobBatch: ...
    def stats(
        self,
    ) -> tuple[int, list[tuple[str, tuple[int, int]]], list[tuple[str, tuple[int, int]]],
               list[tuple[str, int]], list[tuple[str, int]]] | None: ...
    def unframed(self) -> bytes: ...
    @property
    def position(self) -> int: ...
    @property
    def seen(self) -> int: ...
    @property
    def stopped(self) -> str | None: ...
    def close(self) -> None: ...
# -- partitions (pymrrc.partition) -------------------------------------------
def plan_partitions(
    path: str | os.PathLike[str], target: int
) -> tuple[str, str | None, list[int]]: ...
def frame_partition(path: str | os.PathLike[str], entry: int, end: int) -> tuple[int | None, int]: ...
def resolve_partitions(
    path: str | os.PathLike[str],
    ranges: list[tuple[int, int]],
    spans: list[tuple[int | None, int] | None],
) -> list[tuple[int, int]]: ...

def _panic_for_tests(message: str, detached: bool = False) -> NoReturn:
    """Test hook, not API: panics in Rust (with the GIL released if
    ``detached``), which arrives as pyo3's ``PanicException``."""
