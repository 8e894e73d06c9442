"""MARC as columns: Apache Arrow and Parquet export, and back (a pymrrc
extension; pymarc has no such thing).

``to_arrow(source)`` reads records as ``MARCReader`` reads them and returns a
stream of Arrow record batches that pyarrow, Polars and DuckDB read through
the Arrow PyCapsule interface (``__arrow_c_stream__``), with no copy and no
pyarrow needed by pymrrc itself. ``to_parquet(source, dest)`` writes a
Parquet file (needs pyarrow: ``pip install pymrrc[arrow]``). ``from_arrow``
turns a ``nested`` or ``long`` table (any ``__arrow_c_stream__`` object, or a
Parquet path) back into ``Record`` objects. The layouts and their schemas
are described in docs/columnar.md.
"""

from __future__ import annotations

import importlib
import os
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Union

from ._core import ArrowRecords as _ArrowRecords
from ._core import ArrowStream
from . import partition as _partition
from .field import Field, Indicators, Subfield
from .leader import Leader
from .record import Record

#: A field as the extension passes it: ``(tag, None, None, data, None)`` or
#: ``(tag, ind1, ind2, None, [(code, value), ...])``.
FieldParts = tuple[str, Union[str, None], Union[str, None], Union[str, None],
                   Union[list[tuple[str, str]], None]]

#: Records per record batch (and per Parquet row group) unless told.
DEFAULT_BATCH_SIZE = 5_000

_ARROW_EXTRA = "this needs pyarrow: pip install 'pymrrc[arrow]'"


class RecordsRejectedWarning(UserWarning):
    """Some records were rejected (``errors="skip"``): how many, and why."""


@dataclass(frozen=True)
class RejectedRecord:
    """A record the reader rejected (kept with ``errors="collect"``);
    ``source`` is the file it was read from, where known."""

    record_id: int
    offset: int | None
    chunk: bytes | None
    exception: BaseException
    source: str | None = None


@dataclass(frozen=True)
class ConversionSummary:
    """What ``to_parquet`` (or a consumed ``to_arrow`` stream) did."""

    records_written: int
    records_rejected: int
    rejected_reasons: dict[str, int] = field(default_factory=dict)
    rejected: list[RejectedRecord] = field(default_factory=list)


def summary(stream: ArrowStream) -> ConversionSummary:
    """The summary of a ``to_arrow`` stream, as far as it has been read."""
    return ConversionSummary(
        records_written=stream.records_written,
        records_rejected=stream.records_rejected,
        rejected_reasons=dict(stream.rejected_reasons),
        rejected=[RejectedRecord(*item) for item in stream.rejected],
    )


def _source_kind(source: Any) -> tuple[str, Any, Any, str | None]:
    """(kind, native source, the iterable itself, source name) for ``source``."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if os.path.isdir(path):
            raise IsADirectoryError(21, os.strerror(21), path)
        return "path", path, None, path
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = source if type(source) is bytes else bytes(source)
        return "memory", data, None, None
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        return "file", source, None, name if isinstance(name, str) else None
    try:
        iterator = iter(source)
    except TypeError:
        raise TypeError(
            "to_arrow expects a path, bytes, a binary file object or an iterable of "
            f"Records, not {type(source).__name__}"
        ) from None
    return "records", iterator, source, None


def to_arrow(
    source: Any,
    layout: str = "nested",
    *,
    columns: Iterable[str] | str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    errors: str = "skip",
    workers: int | None = None,
    to_unicode: bool = True,
    force_utf8: bool = False,
    hide_utf8_warnings: bool = False,
    utf8_handling: str = "strict",
    file_encoding: str = "iso8859-1",
    permissive: bool = False,
) -> ArrowStream:
    """The records of ``source`` as a stream of Arrow record batches.

    ``source`` is anything ``MARCReader`` reads (a path, ``bytes``, a binary
    file object, a :class:`~pymrrc.partition.Partition`: its records keep
    the ids and offsets they have in the whole file) or an iterable of
    ``Record`` objects. ``layout`` is
    ``"nested"`` (one row per record, lossless), ``"long"`` (one row per
    subfield, control field and leader, lossless) or ``"wide"`` (marctable's
    columns; ``columns=["245a", "650a"]`` selects some). Records the reader
    rejects are counted and reported with a ``RecordsRejectedWarning``
    (``errors="skip"``), raised (``"raise"``: pymarc's exception, with
    ``offset`` and ``record_id`` attributes) or kept (``"collect"``). Reader
    options mean what they mean for ``MARCReader``; ``workers`` is the path
    reader's thread count (1 to ``pymrrc.reader.MAX_WORKERS``, as for
    ``MARCReader``).

    The stream is read once, by ``pyarrow.table(s)``, ``polars.DataFrame(s)``,
    ``duckdb`` or anything else that takes ``__arrow_c_stream__``.
    """
    del permissive  # accepted and ignored, as by MARCReader
    if not to_unicode:
        raise ValueError("to_arrow holds text: to_unicode=False (bytes values) is not supported")
    if isinstance(columns, str):
        columns = [columns]
    start, stop, first_id = 0, None, 0
    name: str | None
    if isinstance(source, _partition.Partition):
        kind, native, origin, name, (start, stop, first_id) = _partition_source(source)
    else:
        kind, native, origin, name = _source_kind(source)
    return ArrowStream(
        kind, native, origin, layout, None if columns is None else list(columns),
        int(batch_size), errors, workers, name,
        to_unicode, force_utf8, hide_utf8_warnings, utf8_handling, file_encoding,
        start, stop, first_id,
    )


def _partition_source(part: _partition.Partition) -> tuple[str, Any, Any, str, tuple[int, int | None, int]]:
    """What ``to_arrow`` reads for a partition: the records that start in
    it, with their ids and offsets in the whole file."""
    if part.format == "marcxml":
        from .marcxml import parse_xml_to_array

        records = parse_xml_to_array(part)
        return "records", iter(records), records, part.path, (0, None, 0)
    if part.compression is not None:
        return "file", _partition.ClosingStream(part.open()), None, part.path, (0, None, 0)
    part = _partition.resolved(part)
    assert part.entry is not None and part.records_before is not None
    return "path", part.path, None, part.path, (part.entry, part.end, part.records_before)


def _pyarrow() -> tuple[Any, Any]:
    """pyarrow and pyarrow.parquet (untyped, hence imported as modules)."""
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError as error:
        raise ImportError(_ARROW_EXTRA) from error


def to_parquet(
    source: Any,
    dest: str | os.PathLike[str] | IO[bytes],
    layout: str = "nested",
    *,
    compression: str = "zstd",
    compression_level: int | None = None,
    row_group_size: int | None = None,
    columns: Iterable[str] | str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    errors: str = "skip",
    workers: int | None = None,
    **reader_options: Any,
) -> ConversionSummary:
    """Writes the records of ``source`` to the Parquet file ``dest`` (a path
    or a binary file object) and returns a ``ConversionSummary``.

    Batches are built in Rust with the GIL released, on the thread pool
    that also validates the records of a path, while pyarrow's Parquet
    writer writes the previous batch (``batch_size`` records), so memory
    stays bounded whatever the file's size. ``row_group_size`` caps the rows of a
    row group (default: one row group per batch). On an error the partly
    written file at a ``dest`` path is removed.
    """
    stream = to_arrow(source, layout, columns=columns, batch_size=batch_size, errors=errors,
                      workers=workers, **reader_options)
    return _write_parquet(stream, dest, layout, compression=compression,
                          compression_level=compression_level, row_group_size=row_group_size)


def _write_parquet(
    stream: ArrowStream,
    dest: str | os.PathLike[str] | IO[bytes],
    layout: str,
    *,
    compression: str = "zstd",
    compression_level: int | None = None,
    row_group_size: int | None = None,
) -> ConversionSummary:
    """Writes a ``to_arrow`` stream of ``layout`` to the Parquet file
    ``dest`` as ``to_parquet`` does (``to_parquet`` is ``to_arrow`` and
    then this), and returns its ``ConversionSummary``."""
    pa, pq = _pyarrow()
    schema = pa.schema(stream)
    writer = pq.ParquetWriter(dest, schema, compression=compression,
                              compression_level=compression_level,
                              memory_pool=_writer_pool(pa),
                              **_writer_options(schema.names, layout))
    try:
        # While pyarrow writes a batch (GIL released), the next ones are
        # being built on the reader's thread pool. A written batch is let
        # go before the next is asked for: its memory is what the next
        # batch is built in.
        while (batch := stream._next_batch()) is not None:
            writer.write_batch(pa.record_batch(batch), row_group_size=row_group_size)
            del batch
    except BaseException:
        writer.close()
        if isinstance(dest, (str, os.PathLike)) and os.path.exists(dest):
            os.remove(dest)
        raise
    writer.close()
    return summary(stream)


def _writer_pool(pa: Any) -> Any:
    """pyarrow's jemalloc pool where pyarrow has one: same speed, a lower
    peak of memory than the default pool (docs/decisions/0028)."""
    try:
        return pa.jemalloc_memory_pool()
    except (AttributeError, NotImplementedError):  # built without jemalloc
        return pa.default_memory_pool()


# Columns whose few distinct values make dictionary encoding pay off (tags,
# indicators, codes, provenance); min/max statistics only for the ids and
# offsets, where they let a reader skip row groups. The text columns skip
# both: statistics on the small columns cost an eighth of the writer's time
# and dictionaries on text a third, for a few percent of file size
# (docs/decisions/0011).
_SMALL_COLUMNS = {
    "nested": ["source", "fields.list.element.tag", "fields.list.element.ind1",
               "fields.list.element.ind2", "fields.list.element.subfields.list.element.code"],
    "long": ["tag", "ind1", "ind2", "code"],
    "wide": [],
}
_ID_COLUMNS = ["record_id", "offset", "length", "field_seq", "subfield_seq"]


def _writer_options(names: list[str], layout: str) -> dict[str, Any]:
    def present(columns: list[str]) -> list[str]:
        return [name for name in columns if name.split(".")[0] in names]

    return {"use_dictionary": present(_SMALL_COLUMNS.get(layout, [])),
            "write_statistics": present(_ID_COLUMNS)}


def from_arrow(data: Any, *, batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[Record]:
    """``Record`` objects from a ``nested`` or ``long`` table: any object
    with ``__arrow_c_stream__`` (a pyarrow Table, a Polars DataFrame, a
    ``to_arrow`` stream, ...) or the path of a Parquet file (needs pyarrow).
    Records come back in row order, as ``MARCReader`` would have read them."""
    if isinstance(data, (str, os.PathLike)):
        pa, pq = _pyarrow()
        parquet = pq.ParquetFile(data)
        data = pa.RecordBatchReader.from_batches(
            parquet.schema_arrow, parquet.iter_batches(batch_size=batch_size))
    export = getattr(data, "__arrow_c_stream__", None)
    if export is None:
        raise TypeError(
            "from_arrow expects an object with __arrow_c_stream__ or a Parquet path, "
            f"not {type(data).__name__}"
        )
    return _ArrowRecords(export())


# -- called by the extension -------------------------------------------------------
def _warn_rejected(count: int, reasons: dict[str, int]) -> None:
    detail = ", ".join(f"{name}: {n}" for name, n in sorted(reasons.items()))
    warnings.warn(
        RecordsRejectedWarning(f"{count} record(s) rejected and skipped ({detail})"),
        stacklevel=2,
    )


def _record_parts(record: Record) -> tuple[str, list[FieldParts]]:
    """(leader, fields) of a record whose fields are not plain ``Field``
    objects, read through its public API: each field is ``(tag, None, None,
    data, None)`` or ``(tag, ind1, ind2, None, [(code, value), ...])``."""
    fields: list[FieldParts] = []
    for item in record.fields:
        if item.is_control_field():
            if not isinstance(item.data, str):
                raise TypeError(f"to_arrow needs text; field {item.tag} holds {type(item.data).__name__}")
            fields.append((item.tag, None, None, item.data, None))
        else:
            subfields = [(sub.code, sub.value) for sub in item.subfields]
            fields.append((item.tag, item.indicator1, item.indicator2, None, subfields))
    return str(record.leader), fields


def _record_from_parts(leader: str, fields: list[FieldParts]) -> Record:
    """A ``Record`` built from its parts (rows that MARC text cannot carry)."""
    record = Record()
    record.leader = Leader(leader)
    for tag, ind1, ind2, data, subfields in fields:
        if subfields is None:
            record.add_field(Field(tag=tag, data=data))
        elif ind1 is None or ind2 is None:
            raise ValueError(f"data field {tag} without indicators")
        else:
            record.add_field(Field(tag=tag, indicators=Indicators(ind1, ind2),
                                   subfields=[Subfield(code, value) for code, value in subfields]))
    return record


__all__ = ["to_arrow", "to_parquet", "from_arrow", "summary", "ConversionSummary",
           "RejectedRecord", "RecordsRejectedWarning", "ArrowStream", "DEFAULT_BATCH_SIZE"]
