"""``pymrrc split``: record-aligned parts of at most N records or about
SIZE bytes. Without ``--to`` the parts hold the records' own bytes, and
put back together they are the input byte for byte; with ``--to`` each
part is a whole file in that format. Parts are named PREFIX0001.mrc, ...
and appear together at the end (nothing is left behind on an error or
Ctrl-C)."""

from __future__ import annotations

import argparse
import os
import re
import typing

from pymrrc.cli.common import (
    RecordsSink,
    add_inputs,
    add_output_format,
    add_reader_options,
    native_job,
    open_inputs,
    progress_for,
    reader_options,
    resolve_format,
)
from pymrrc.cli.engine import run as run_job, warn
from pymrrc.cli.errors import UsageError
from pymrrc.cli.formats import RAW, FormatWriter, OutputFormat, record_bytes
from pymrrc.cli.outputs import Output

if typing.TYPE_CHECKING:
    from pymrrc.record import Record

NAME = "split"
HELP = "split records into parts of N records or SIZE bytes"
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def size(text: str) -> int:
    """``SIZE``: bytes, or with a K, M or G suffix (powers of 1024)."""
    match = re.fullmatch(r"\s*(\d+)\s*([kmg]?)i?b?\s*", text.lower())
    if not match or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (say 500000, 64K, 100M or 2G)")
    return int(match.group(1)) * _UNITS[match.group(2)]


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_inputs(parser)
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--records", type=positive, metavar="N", help="at most N records per part")
    how.add_argument("--bytes", type=size, metavar="SIZE",
                     help="at most SIZE bytes per part (a bigger record gets a part of its own)")
    parser.add_argument("--prefix", metavar="P",
                        help="part names: P0001.mrc, P0002.mrc, ... (default: the first input's "
                             "name without its extension and a dash)")
    add_output_format(parser, default=None, help="convert the records (default: keep their bytes)")
    add_reader_options(parser)


class _Parts(RecordsSink):
    """Writes records into parts, starting a new one when the current one
    is full."""

    def __init__(self, fmt: OutputFormat | None, prefix: str, suffix: str, args: argparse.Namespace) -> None:
        super().__init__(None, args.permissive)
        self.fmt = fmt or RAW
        self.prefix, self.suffix = prefix, suffix
        self.max_records: int | None = args.records
        self.max_bytes: int | None = args.bytes
        self.inputs = args.inputs
        self.parts: list[Output] = []
        self.references = 0

    def _full(self, size: int) -> bool:
        writer = self.writer
        if writer is None:
            return True
        if self.max_records is not None:
            return writer.records >= self.max_records
        assert self.max_bytes is not None
        used = writer.bytes + len(self.fmt.footer) + (len(self.fmt.separator) if writer.records else 0)
        return writer.records > 0 and used + size > self.max_bytes

    def _next_part(self) -> None:
        self._close_part()
        name = f"{self.prefix}{len(self.parts) + 1:04d}{self.suffix}"
        out = Output(name, self.inputs)
        self.parts.append(out)
        self.writer = FormatWriter(self.fmt, out.write)

    def _close_part(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.references += self.writer.references
            self.parts[-1].close()
            self.writer = None

    def _one(self, data: bytes | memoryview, references: int = 0) -> None:
        if self._full(len(data)):
            self._next_part()
        assert self.writer is not None
        self.writer.blob(data, 1)
        self.writer.references += references

    def blob(self, data: bytes, count: int, sizes: typing.Sequence[int] | None) -> None:
        assert sizes is not None
        view = memoryview(data)
        if self.fmt.separator:
            at = 0
            for length in sizes:
                self._one(view[at : at + length])
                at += length
            return
        # No separator: the records that go into one part are one write.
        at, first = 0, 0
        while first < len(sizes):
            if self._full(sizes[first]):
                self._next_part()
            assert self.writer is not None
            end = self._fitting(sizes, first)
            length = sum(sizes[first:end])
            self.writer.blob(view[at : at + length], end - first)
            at += length
            first = end

    def _fitting(self, sizes: typing.Sequence[int], first: int) -> int:
        """Where the run of records from ``first`` that the current part
        (with room for ``sizes[first]``) still takes ends."""
        assert self.writer is not None
        if self.max_records is not None:
            return min(len(sizes), first + self.max_records - self.writer.records)
        assert self.max_bytes is not None
        room = self.max_bytes - self.writer.bytes - len(self.fmt.footer)
        end = first
        while end < len(sizes) and (end == first or sizes[end] <= room):
            room -= sizes[end]
            end += 1
        return end

    def record(self, record: Record, number: int, offset: int | None) -> None:
        data, references = record_bytes(self.fmt, record)
        self._one(data, references)

    def trailing(self, data: bytes) -> None:
        if self.writer is None:
            self._next_part()
        assert self.writer is not None
        self.writer.blob(data, 0)

    def finish(self) -> None:
        self._close_part()
        for part in self.parts:
            part.commit()

    def abandon(self) -> None:
        for part in self.parts:
            part.discard()


def default_prefix(first: str) -> str:
    if first == "-":
        return "part-"
    name = os.path.basename(first)
    for ending in (".gz",):
        if name.endswith(ending):
            name = name[: -len(ending)]
    return os.path.join(os.path.dirname(first), os.path.splitext(name)[0] + "-")


def run(args: argparse.Namespace) -> int:
    options = reader_options(args)
    inputs = open_inputs(args)
    fmt = resolve_format(args, inputs)
    if fmt is None and any(source.format != "marc" for source in inputs):
        raise UsageError("only ISO 2709 records can be split as they are: give --to")
    suffix = fmt.suffix if fmt else ".mrc"
    prefix = args.prefix if args.prefix is not None else default_prefix(args.inputs[0])
    if os.path.dirname(prefix) and not os.path.isdir(os.path.dirname(prefix)):
        raise UsageError(f"cannot write the parts: no folder {os.path.dirname(prefix)}")
    sink = _Parts(fmt, prefix, suffix, args)
    progress = progress_for(args, inputs)
    try:
        run_job(inputs, sink, native_job(fmt, options, sizes=True), progress)
        sink.finish()
    except BaseException:
        sink.abandon()
        raise
    finally:
        progress.close()
        for source in inputs:
            source.close()
    sink.writer = None
    if sink.skipped:
        warn(f"skipped {sink.skipped:,} rejected record(s)")
    if sink.references:
        warn(f"{sink.references:,} character(s) have no MARC-8 form and were written as &#xXXXX;")
    warn(f"wrote {len(sink.parts)} part(s): {sink.parts[0].name} ... {sink.parts[-1].name}"
         if len(sink.parts) > 1 else f"wrote {len(sink.parts)} part(s)")
    return 0
