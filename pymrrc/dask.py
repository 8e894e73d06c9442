"""MARC files as Dask collections (a pymrrc extension; needs Dask:
``pip install 'pymrrc[dask]'``).

``read_marc(paths)`` is a ``dask.bag.Bag`` of ``Record`` objects,
``to_dataframe(paths, layout)`` a Dask DataFrame built by the columnar
export, and ``to_parquet(paths, dest_dir, layout)`` writes one Parquet file
per partition in parallel. Each file is cut into record-aligned partitions
of about ``blocksize`` bytes (:func:`pymrrc.partitions`); the graph frames
the partitions (lengths only), works out where sequential reading enters
each, and reads them, so the partitions together hold exactly what one
sequential ``MARCReader`` reads from each file, whatever damage the files
hold. The same code runs on Dask's threaded and process schedulers and on a
``distributed`` cluster: the files must be readable at the same paths by
every worker.
"""

from __future__ import annotations

import glob
import importlib
import os
import sys
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


def _import_dask() -> Any:
    """Dask, with its bags (used as an untyped module: its own annotations
    are partial)."""
    try:
        module = importlib.import_module("dask")
        importlib.import_module("dask.bag.core")
    except ImportError as missing:
        raise ImportError("pymrrc.dask needs Dask: pip install 'pymrrc[dask]'") from missing
    return module


dask: Any = _import_dask()

from ._core import RecordBase as _RecordBase

from .columnar import (
    DEFAULT_BATCH_SIZE,
    ConversionSummary,
    RecordsRejectedWarning,
    RejectedRecord,
    _pyarrow,
    to_arrow,
)
from .columnar import to_parquet as _to_parquet
from .marcxml import parse_xml_to_array
from .partition import Partition, Paths, by_file, frame, partitions, resolve_file
from .reader import MARCReader

# -- records in bags ------------------------------------------------------------------
# A pymarc record is its own iterator over its fields (it has ``__iter__``
# and ``__next__``), and Dask's bags make a list of every item that is an
# iterator whenever they materialise a partition (``dask.bag.core.reify``,
# after ``from_delayed``, ``map``, ``filter``...): a bag of records would
# become a bag of field lists. pymrrc.dask therefore installs, in every
# process that imports it, a ``reify`` that leaves MARC records alone and
# otherwise does what Dask's does (decision 0022). It also keeps a partition
# of records in a ``RecordList``, which ``distributed`` moves whole.


class RecordList(list[Any]):
    """A bag partition of records. A plain ``list`` is sent between Dask
    processes item by item (``distributed`` serialises each element on its
    own, about 50 microseconds apiece); a subclass is pickled whole, so a
    partition moves at the speed records pickle."""

    __slots__ = ()


def _is_record(item: object) -> bool:
    if isinstance(item, _RecordBase):
        return True
    pymarc_record = sys.modules.get("pymarc.record")
    return pymarc_record is not None and isinstance(item, pymarc_record.Record)


def _reify(seq: Any) -> Any:
    """Dask's ``reify``, except that MARC records stay records, and a
    partition of records is a ``RecordList`` (moved between processes
    whole)."""
    if isinstance(seq, Iterator):
        seq = list(seq)
    try:
        first = next(iter(seq))
    except StopIteration:
        return seq
    if _is_record(first):
        return seq if isinstance(seq, RecordList) else RecordList(seq)
    if isinstance(first, Iterator):
        seq = list(map(list, seq))
    return seq


if getattr(dask.bag.core, "reify", None) is not _reify:
    dask.bag.core.reify = _reify


# -- results that move whole ----------------------------------------------------------
# ``distributed`` sends a task result that is exactly a ``list``, ``tuple``,
# ``set`` or ``dict`` between processes one element at a time, at about 45
# microseconds an element here (dask/distributed#6368): a list of 250,000
# short strings takes 11.7 s to reach the client, the same list as a ``list``
# subclass 0.06 s. A bag aggregation over records (titles, identifiers)
# makes such results, partial counts and the final list of pairs, in Dask's
# own code. On a ``distributed`` worker a ``MarcBag`` therefore hands each
# task result that is exactly a list or a dict over as a subclass, which
# ``distributed`` pickles whole and which unpickles as the plain list or dict
# it was (decision 0040).


class _WholeList(list[Any]):
    """A list that ``distributed`` moves whole; a plain ``list`` again in
    the process that receives it."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        return list, (list(self),)


class _WholeDict(dict[Any, Any]):
    """A dict that ``distributed`` moves whole; a plain ``dict`` again in
    the process that receives it."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        return dict, (dict(self),)


def _on_distributed_worker() -> bool:
    worker = sys.modules.get("distributed.worker")
    if worker is None:
        return False
    try:
        worker.get_worker()
    except ValueError:
        return False
    return True


def _moved_whole(value: Any) -> Any:
    """``value``, on a ``distributed`` worker as a subclass that is pickled
    whole where it is exactly a ``list`` or ``dict``."""
    kind = type(value)
    if (kind is list or kind is dict) and _on_distributed_worker():
        return _WholeList(value) if kind is list else _WholeDict(value)
    return value


def _optimize(dsk: Any, keys: Any, **kwargs: Any) -> Any:
    """Dask's bag optimisation, then every task's result passed through
    ``_moved_whole`` (left as Dask makes it by a Dask older than its task
    objects, 2024.12)."""
    graph = dask.bag.core.Bag.__dask_optimize__(dsk, keys, **kwargs)
    try:
        spec: Any = importlib.import_module("dask._task_spec")
    except ImportError:
        return graph
    graph = spec.convert_legacy_graph(graph)
    return {key: spec.Task(key, _moved_whole, node, _data_producer=node.data_producer)
            for key, node in graph.items()}


class MarcBag(dask.bag.Bag):  # type: ignore[misc]  # dask.bag is untyped
    """The ``dask.bag.Bag`` that ``read_marc`` returns: a bag in every
    respect, except that on a ``distributed`` cluster the results of its
    tasks that are exactly a ``list`` or a ``dict`` (bag partitions, partial
    counts, the final list of pairs) are pickled whole on their way to
    another process or the client, instead of one element at a time as
    ``distributed`` sends plain lists and dicts, and arrive as the plain
    list or dict they were. A function that a bag method calls on a whole
    partition or partial result made in the same worker process may see a
    ``list`` or ``dict`` subclass. Bags made from it (``map``, ``filter``,
    ``frequencies``, ``topk``, ``distinct``...) are ``MarcBag`` objects too."""

    __dask_optimize__ = staticmethod(_optimize)

    def reduction(self, perpartition: Any, aggregate: Any, split_every: Any = None,
                  out_type: Any = dask.bag.core.Item, name: Any = None) -> Any:
        result = super().reduction(perpartition, aggregate, split_every=split_every,
                                   out_type=out_type, name=name)
        if type(result) is dask.bag.Bag:
            return MarcBag(result.dask, result.name, result.npartitions)
        return result


#: Partition size when none is given, as Dask writes it.
DEFAULT_BLOCKSIZE = "128MiB"

_ERRORS = ("skip", "raise", "collect")


@dataclass(frozen=True)
class PartitionSummary:
    """What ``to_parquet`` did with one partition: the file it wrote and
    its ``ConversionSummary`` (records written and rejected)."""

    partition: Partition
    file: str
    summary: ConversionSummary


@dataclass(frozen=True)
class DatasetSummary:
    """What ``to_parquet`` wrote: one ``PartitionSummary`` per partition,
    in order, and their totals."""

    partitions: list[PartitionSummary] = field(default_factory=list)

    @property
    def files(self) -> list[str]:
        """The Parquet files written, one per partition, in order."""
        return [p.file for p in self.partitions]

    @property
    def records_written(self) -> int:
        """Records written, all partitions together."""
        return sum(p.summary.records_written for p in self.partitions)

    @property
    def records_rejected(self) -> int:
        """Records rejected, all partitions together."""
        return sum(p.summary.records_rejected for p in self.partitions)

    @property
    def rejected_reasons(self) -> dict[str, int]:
        """Rejected records by exception class, all partitions together."""
        total: Counter[str] = Counter()
        for p in self.partitions:
            total.update(p.summary.rejected_reasons)
        return dict(total)


# -- planning -----------------------------------------------------------------------
def _planned(paths: Paths | list[Partition], blocksize: int | str) -> list[Partition]:
    """The partitions to read: ``paths`` planned in ``blocksize`` pieces, or
    partitions given as they are."""
    if isinstance(paths, list) and paths and all(isinstance(p, Partition) for p in paths):
        return list(paths)
    size = dask.utils.parse_bytes(blocksize) if isinstance(blocksize, str) else int(blocksize)
    return partitions(paths, size)  # type: ignore[arg-type]  # Paths, not Partitions


def _resolved(planned: list[Partition]) -> list[Any]:
    """Each partition, or a ``Delayed`` of it with its entry known: per file,
    one task frames each partition but the last and one resolves the file.
    A partition already resolved (the first of each file always is) needs
    neither, so its reading starts at once."""
    done: dict[Partition, Any] = {}
    for group in by_file(planned).values():
        frame_task = dask.delayed(frame, pure=True)
        spans = [frame_task(p, dask_key_name=_key("pymrrc-frame", p)) for p in group[:-1]] + [None]
        resolved = dask.delayed(resolve_file, pure=True, nout=len(group))(
            group, spans, dask_key_name=_key("pymrrc-resolve", group[0]))
        done.update((p, resolved[i]) for i, p in enumerate(group))
    return [done.get(p, p) for p in planned]


def _key(prefix: str, part: Partition) -> str:
    """A readable, deterministic task name for a partition."""
    return f"{prefix}-{dask.base.tokenize(part)}"


def _check_errors(errors: str, allowed: tuple[str, ...] = _ERRORS) -> None:
    if errors not in allowed:
        raise ValueError(f"errors must be one of {', '.join(map(repr, allowed))}, not {errors!r}")


def _note(exc: BaseException, part: Partition, offset: int | None) -> BaseException:
    """``exc`` with the file and byte offset it concerns: as attributes
    ``path`` and ``offset`` and, where Python has them, a note."""
    where = f"at byte {offset}" if offset is not None else f"in bytes {part.start}-{part.end}"
    try:
        if not hasattr(exc, "path"):
            exc.path = part.path  # type: ignore[attr-defined]
        if getattr(exc, "offset", None) is None and offset is not None:
            exc.offset = offset  # type: ignore[attr-defined]
    except AttributeError:
        pass
    if hasattr(exc, "add_note"):
        exc.add_note(f"pymrrc.dask: {part.path}, {where}")
    return exc


def _warn_skipped(part: Partition, reasons: Counter[str]) -> None:
    detail = ", ".join(f"{name}: {n}" for name, n in sorted(reasons.items()))
    warnings.warn(
        RecordsRejectedWarning(
            f"{part.path} (bytes {part.start}-{part.end}): {sum(reasons.values())} "
            f"record(s) rejected and skipped ({detail})"
        ),
        stacklevel=2,
    )


# -- a bag of records ------------------------------------------------------------------
def _read_records(part: Partition, errors: str, reader_options: dict[str, Any]) -> "RecordList":
    """The records that start in ``part``, as one bag partition."""
    if part.format == "marcxml":
        try:
            return RecordList(parse_xml_to_array(part))
        except Exception as exc:
            raise _note(exc, part, None) from None
    options = {"workers": 1, **reader_options}
    out: list[Any] = []
    skipped: Counter[str] = Counter()
    record_id = part.records_before or 0
    offset: int | None = None
    try:
        with MARCReader(part, **options) as reader:
            for record in reader:
                offset = reader.current_offset
                if record is not None:
                    out.append(record)
                else:
                    failure: Any = reader.current_exception
                    if errors == "raise":
                        failure.record_id = record_id
                        raise failure
                    if errors == "collect":
                        out.append(RejectedRecord(record_id, offset, reader.current_chunk, failure, part.path))
                    skipped[type(failure).__name__] += 1
                record_id += 1
    except Exception as exc:
        raise _note(exc, part, offset) from None
    if skipped and errors == "skip":
        _warn_skipped(part, skipped)
    return RecordList(out)


def read_marc(
    paths: Paths | list[Partition],
    blocksize: int | str = DEFAULT_BLOCKSIZE,
    *,
    errors: str = "skip",
    **reader_options: Any,
) -> Any:
    """A ``dask.bag.Bag`` of the ``Record`` objects in ``paths`` (one path, a
    list of paths or glob patterns, or a list of ``Partition`` objects), in
    file order, one bag partition per record-aligned partition of about
    ``blocksize`` bytes (an int, or a string such as ``"64MiB"``).

    Reader options (``to_unicode``, ``force_utf8``, ``utf8_handling``,
    ``file_encoding``, ``hide_utf8_warnings``, ``workers``) mean what they
    mean for ``MARCReader``; each partition is read with ``workers=1`` unless
    told otherwise. A record ``MARCReader`` would reject (yield ``None``
    for) is left out with ``errors="skip"`` (each partition warns with a
    ``RecordsRejectedWarning`` that counts them), raises pymarc's exception
    with ``errors="raise"`` (with ``path``, ``offset`` and ``record_id``
    attributes), or is kept in its place as a ``RejectedRecord`` (record id
    in its file, offset, chunk, exception and path) with
    ``errors="collect"``, so the bag holds, in order, what one sequential
    ``MARCReader`` yields. A gzip, bzip2 or xz file, and a MARCXML file
    (read as ``parse_xml_to_array`` reads it), are one partition each.
    """
    _check_errors(errors)
    parts = _resolved(_planned(paths, blocksize))
    read = dask.delayed(_read_records, pure=True)
    values = [read(p, errors, reader_options, dask_key_name=_key("pymrrc-read", p) + f"-{i}")
              for i, p in enumerate(parts)]
    bag = dask.bag.from_delayed(values)
    return MarcBag(bag.dask, bag.name, bag.npartitions)


# -- columns -----------------------------------------------------------------------
def _wide_columns(first: Partition, batch_size: int, reader_options: dict[str, Any]) -> list[str]:
    """The columns ``to_arrow(file, "wide")`` gives the file of ``first``:
    those its first batch needs (read now, on the client)."""
    whole = Partition(first.path, 0, first.end if not first.splittable else os.path.getsize(first.path),
                      first.format, first.compression, entry=0, records_before=0)
    stream = to_arrow(whole, "wide", batch_size=batch_size, **reader_options)
    return [name for name in stream.column_names if name != "record_id"]


def _columns_for(parts: list[Partition], layout: str, columns: Any, batch_size: int,
                 reader_options: dict[str, Any]) -> list[str] | None:
    if isinstance(columns, str):
        return [columns]
    if columns is not None:
        return list(columns)
    if layout == "wide" and parts:
        return _wide_columns(parts[0], batch_size, reader_options)
    return None


def _arrow_table(part: Partition, layout: str, columns: list[str] | None, batch_size: int,
                 errors: str, reader_options: dict[str, Any]) -> Any:
    """``part``'s records as a pyarrow Table; pymarc's exception (with the
    file and offset) when ``errors="raise"`` meets a bad record."""
    pa, _ = _pyarrow()
    options = {"workers": 1, **reader_options}
    try:
        stream = to_arrow(part, layout, columns=columns, batch_size=batch_size, errors=errors, **options)
        schema = pa.schema(stream)
        batches = [pa.record_batch(b) for b in iter(stream._next_batch, None)]
    except Exception as exc:
        raise _note(exc, part, getattr(exc, "offset", None)) from None
    return pa.Table.from_batches(batches, schema=schema)


def _frame(part: Partition, layout: str, columns: list[str] | None, batch_size: int,
           errors: str, reader_options: dict[str, Any]) -> Any:
    """One DataFrame partition: pandas, with Arrow-backed columns."""
    pd: Any = importlib.import_module("pandas")
    table = _arrow_table(part, layout, columns, batch_size, errors, reader_options)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _meta(layout: str, columns: list[str] | None, reader_options: dict[str, Any]) -> Any:
    """An empty DataFrame with the layout's schema."""
    pd: Any = importlib.import_module("pandas")
    pa, _ = _pyarrow()
    schema = pa.schema(to_arrow(b"", layout, columns=columns, **reader_options))
    return schema.empty_table().to_pandas(types_mapper=pd.ArrowDtype)


def to_dataframe(
    paths: Paths | list[Partition],
    layout: str = "nested",
    *,
    blocksize: int | str = DEFAULT_BLOCKSIZE,
    columns: Any = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    errors: str = "skip",
    **reader_options: Any,
) -> Any:
    """A Dask DataFrame of the records in ``paths``, in a columnar layout
    (``"nested"``, ``"long"`` or ``"wide"``, as for ``pymrrc.to_arrow``):
    each partition is ``to_arrow`` of one record-aligned partition, as pandas
    with Arrow-backed columns, so the whole equals ``to_arrow`` of each file
    (``record_id`` and ``offset`` count in the whole file). ``wide`` without
    ``columns`` takes the columns ``to_arrow`` would give the first file
    (reading its first batch now), so every partition has the same columns.
    ``errors`` is ``"skip"`` (counted and warned about per partition) or
    ``"raise"`` (pymarc's exception, with the file and offset). Needs pandas
    and pyarrow (``pip install 'pymrrc[dask]'``).
    """
    dd: Any = importlib.import_module("dask.dataframe")
    _check_errors(errors, ("skip", "raise"))
    planned = _planned(paths, blocksize)
    cols = _columns_for(planned, layout, columns, batch_size, reader_options)
    meta = _meta(layout, cols, reader_options)
    build = dask.delayed(_frame, pure=True)
    frames = [build(p, layout, cols, batch_size, errors, reader_options,
                    dask_key_name=_key("pymrrc-frame-df", p) + f"-{i}")
              for i, p in enumerate(_resolved(planned))]
    return dd.from_delayed(frames, meta=meta, verify_meta=False)


# -- Parquet -------------------------------------------------------------------------
def _write(part: Partition, dest: str, layout: str, columns: list[str] | None,
           errors: str, parquet_options: dict[str, Any], reader_options: dict[str, Any]) -> PartitionSummary:
    options = {"workers": 1, **reader_options}
    try:
        summary = _to_parquet(part, dest, layout, columns=columns, errors=errors, **parquet_options, **options)
    except Exception as exc:
        raise _note(exc, part, getattr(exc, "offset", None)) from None
    return PartitionSummary(part, dest, summary)


def _combine(parts: list[PartitionSummary]) -> DatasetSummary:
    return DatasetSummary(list(parts))


def to_parquet(
    paths: Paths | list[Partition],
    dest_dir: str | os.PathLike[str],
    layout: str = "nested",
    *,
    blocksize: int | str = DEFAULT_BLOCKSIZE,
    columns: Any = None,
    compression: str = "zstd",
    compression_level: int | None = None,
    row_group_size: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    errors: str = "skip",
    overwrite: bool = False,
    compute: bool = True,
    **reader_options: Any,
) -> Any:
    """Writes the records in ``paths`` to ``dest_dir`` as Parquet, one file
    per record-aligned partition (``part-00000.parquet``, ... in file
    order), in parallel, each with ``pymrrc.to_parquet``. Returns a
    ``DatasetSummary`` (records written and rejected per partition, and
    their sums), or with ``compute=False`` a ``Delayed`` of it.

    Read back in file order (``pyarrow.parquet.read_table(dest_dir)``,
    Spark, DuckDB's ``read_parquet('dest_dir/*.parquet')``), the files equal
    ``to_arrow`` of each file. ``wide`` without ``columns`` gives every file
    the columns of the first file's first batch. A ``dest_dir`` that holds
    ``part-*.parquet`` files already is refused unless ``overwrite=True``
    (which removes them first).
    """
    _check_errors(errors, ("skip", "raise"))
    dest = os.fspath(dest_dir)
    os.makedirs(dest, exist_ok=True)
    stale = sorted(glob.glob(os.path.join(glob.escape(dest), "part-*.parquet")))
    if stale and not overwrite:
        raise FileExistsError(17, f"{dest} holds part-*.parquet files already (overwrite=True replaces them)", dest)
    for old in stale:
        os.remove(old)
    planned = _planned(paths, blocksize)
    cols = _columns_for(planned, layout, columns, batch_size, reader_options)
    parquet_options = {"compression": compression, "compression_level": compression_level,
                       "row_group_size": row_group_size, "batch_size": batch_size}
    write = dask.delayed(_write, pure=False)
    written = [write(p, os.path.join(dest, f"part-{i:05d}.parquet"), layout, cols, errors,
                     parquet_options, reader_options, dask_key_name=_key("pymrrc-parquet", p) + f"-{i}")
               for i, p in enumerate(_resolved(planned))]
    summary = dask.delayed(_combine, pure=True)(written)
    return summary.compute() if compute else summary


__all__ = ["read_marc", "to_dataframe", "to_parquet", "DatasetSummary", "PartitionSummary", "MarcBag",
           "RecordList", "DEFAULT_BLOCKSIZE"]
