"""Record-aligned partitions of MARC files, for reading one file in several
processes or on several machines (a pymrrc extension; pymarc has nothing
like it).

``partitions(paths, target_bytes)`` cuts each file into byte ranges of about
``target_bytes``, each starting where a record starts; it reads a few
kilobytes around each cut, never the whole file. A record belongs to the
partition in which it starts. ``MARCReader(partition)``, ``to_arrow`` and
``to_parquet`` read exactly the records that start in a partition, so the
partitions of a file, read one after the other, give what one sequential
``MARCReader`` gives: the same records, ``None`` values and exceptions.

Where sequential reading enters a partition depends on every record before
it: a damaged record whose length is wrong moves the framing of what
follows, and a framing error ends reading. ``resolve(partitions)`` works
that out for every partition at once, framing each in parallel (lengths
only, nothing decoded) and chaining the results; a partition read without
it works it out alone by framing the file up to its start. docs/scaling.md
explains the reasoning.

A gzip, bzip2 or xz file is one partition; so is a MARCXML file (it is not
split on ``<record>`` elements).
"""

from __future__ import annotations

import bz2
import glob
import gzip
import io
import lzma
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import IO, Any, Union

from ._core import frame_partition as _frame_partition
from ._core import plan_partitions as _plan_partitions
from ._core import resolve_partitions as _resolve_partitions

#: Partition size when none is given: 128 MiB.
DEFAULT_TARGET_BYTES = 128 * 2**20

#: One path, or several.
Paths = Union[str, "os.PathLike[str]", Iterable[Union[str, "os.PathLike[str]"]]]

#: ``(next, records)``: where framing left a partition (``None`` after a
#: framing error) and how many records start in it.
Span = tuple[Union[int, None], int]

_OPENERS: dict[str, Any] = {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}


@dataclass(frozen=True)
class Partition:
    """The records of ``path`` that start at a byte offset in ``[start,
    end)``.

    ``format`` is ``"iso2709"`` or ``"marcxml"``; ``compression`` is
    ``"gzip"``, ``"bz2"``, ``"xz"`` or ``None``. ``entry`` is the offset of
    the first record sequential reading finds in the partition (``end`` when
    none starts in it) and ``records_before`` the number of records, bad
    ones included, before that one in the file; both are ``None`` until
    known (see :func:`resolve`). Partitions pickle, so they can be sent to
    other processes.
    """

    path: str
    start: int
    end: int
    format: str = "iso2709"
    compression: str | None = None
    entry: int | None = None
    records_before: int | None = None

    @property
    def splittable(self) -> bool:
        """Whether the file may hold several partitions: plain ISO 2709."""
        return self.format == "iso2709" and self.compression is None

    @property
    def resolved(self) -> bool:
        """Whether ``entry`` and ``records_before`` are known."""
        return self.entry is not None and self.records_before is not None

    def open(self) -> IO[bytes]:
        """The file, opened for reading (decompressed, when compressed)."""
        if self.compression is None:
            return open(self.path, "rb")  # noqa: SIM115 - the caller closes it
        handle: IO[bytes] = _OPENERS[self.compression](self.path, "rb")
        return handle


class ClosingStream(io.RawIOBase):
    """A binary stream that closes the stream it reads from once that one
    is exhausted (or this one is closed or collected): for a reader that
    reads to the end and never closes what it was given."""

    def __init__(self, inner: IO[bytes]) -> None:
        super().__init__()
        self._inner = inner

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self._inner.closed:
            return b""
        data = self._inner.read(-1 if size is None else size)
        if not data and size != 0:
            self.close()
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def xml_source(source: Any) -> Any:
    """What the MARCXML readers read for ``source``: a MARCXML partition's
    path, or its decompressed stream; anything else as it is."""
    if not isinstance(source, Partition):
        return source
    if source.format != "marcxml":
        raise ValueError(f"{source.path} is ISO 2709, not MARCXML: read its partitions with MARCReader")
    return source.path if source.compression is None else ClosingStream(source.open())


def expand_paths(paths: Paths) -> list[str]:
    """The file paths ``paths`` names: one path, a list of paths, or glob
    patterns (``"dump/*.mrc"``), expanded in sorted order. A path that
    exists is taken as it is, glob characters and all."""
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    found: list[str] = []
    for item in items:
        path = os.fspath(item)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not os.path.exists(path) and glob.has_magic(path):
            matches = sorted(glob.glob(path))
            if not matches:
                raise FileNotFoundError(2, "no file matches the pattern", path)
            found.extend(matches)
        else:
            found.append(path)
    return found


def _sniff_compressed(path: str, compression: str) -> str:
    """The format of a compressed file's content: "marcxml" when its first
    byte after blanks (and a byte order mark) is ``<``."""
    try:
        with _OPENERS[compression](path, "rb") as handle:
            head = handle.read(512)
    except (OSError, EOFError, lzma.LZMAError):
        return "iso2709"  # damaged: read as MARCReader would read it
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return "marcxml" if text.startswith(b"<") or head.startswith((b"\xff\xfe", b"\xfe\xff")) else "iso2709"


def partitions(paths: Paths, target_bytes: int = DEFAULT_TARGET_BYTES) -> list[Partition]:
    """Record-aligned partitions of about ``target_bytes`` for each file of
    ``paths`` (one path, a list, or glob patterns), in file order.

    Each boundary is found by seeking to it, finding the next record
    terminator and taking the byte after it when a record with a sound
    leader starts there (otherwise scanning on), so planning reads a few
    kilobytes per boundary. A compressed or MARCXML file is one partition,
    an empty file one empty partition.
    """
    if target_bytes < 1:
        raise ValueError(f"target_bytes must be at least 1, not {target_bytes}")
    planned: list[Partition] = []
    for path in expand_paths(paths):
        if os.path.isdir(path):
            raise IsADirectoryError(21, os.strerror(21), path)
        kind, compression, bounds = _plan_partitions(path, int(target_bytes))
        if compression is not None:
            kind = _sniff_compressed(path, compression)
        for i, (start, end) in enumerate(zip(bounds, bounds[1:])):
            first = i == 0
            planned.append(Partition(path, start, end, kind, compression,
                                     entry=0 if first else None,
                                     records_before=0 if first else None))
    return planned


def frame(partition: Partition) -> Span:
    """Frames ``partition`` from its start as if a record started there:
    ``(next, records)``. Reads the partition's bytes, decodes nothing."""
    return _frame_partition(partition.path, partition.start, partition.end)


def resolve_file(parts: Sequence[Partition], spans: Sequence[Span | None]) -> list[Partition]:
    """``parts`` (all of one file, sorted, not overlapping) with ``entry`` and
    ``records_before`` set; ``spans[i]`` is ``frame(parts[i])`` where known
    (what is missing is framed here when needed)."""
    if not parts:
        return []
    if not parts[0].splittable:
        return [replace(p, entry=p.start, records_before=0) for p in parts]
    entries = _resolve_partitions(parts[0].path, [(p.start, p.end) for p in parts], list(spans))
    return [replace(p, entry=entry, records_before=before) for p, (entry, before) in zip(parts, entries)]


def by_file(parts: Iterable[Partition]) -> dict[str, list[Partition]]:
    """The distinct partitions of each file, sorted by offset (a partition
    given twice, e.g. a file listed twice, is resolved once). Partitions of
    one file must not overlap."""
    files: dict[str, list[Partition]] = {}
    for part in dict.fromkeys(p for p in parts if not p.resolved):
        files.setdefault(part.path, []).append(part)
    for path, group in files.items():
        group.sort(key=lambda p: (p.start, p.end))
        for a, b in zip(group, group[1:]):
            if b.start < a.end:
                raise ValueError(f"partitions of {path} overlap: {a.start}-{a.end} and {b.start}-{b.end}")
    return files


def resolve(parts: Iterable[Partition], *, workers: int | None = None) -> list[Partition]:
    """``parts`` with ``entry`` and ``records_before`` set, in the same
    order: each partition is framed (in ``workers`` threads, default one
    per core; lengths only, nothing decoded) and the results are chained
    file by file. Partitions already resolved are kept as they are."""
    items = list(parts)
    files = by_file(items)
    # The last partition of a file needs no span: nothing follows it.
    to_frame = [p for group in files.values() for p in group[:-1] if p.splittable]
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count()) as pool:
        spans = dict(zip(to_frame, pool.map(frame, to_frame)))
    done: dict[Partition, Partition] = {}
    for group in files.values():
        done.update(zip(group, resolve_file(group, [spans.get(p) for p in group])))
    return [done.get(p, p) for p in items]


def resolved(partition: Partition) -> Partition:
    """``partition`` with its entry known: as given when it is, otherwise
    found by framing the file up to the partition's start."""
    if partition.resolved:
        return partition
    return resolve_file([partition], [None])[0]


__all__ = ["Partition", "partitions", "resolve", "resolved", "expand_paths", "DEFAULT_TARGET_BYTES"]
