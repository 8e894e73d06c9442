"""``pymrrc dump``: ``str(record)`` for each record, after a ``# record N``
line (with ``--offsets``, the record's byte offset too); a rejected record
gets its line with pymarc's exception instead."""

from __future__ import annotations

import argparse
import typing

from pymrrc.cli.common import add_inputs, add_reader_options, open_inputs, progress_for, reader_options
from pymrrc.cli.engine import Job, Sink, run as run_job
from pymrrc.cli.errors import describe
from pymrrc.cli.outputs import Output

if typing.TYPE_CHECKING:
    from pymrrc.record import Record

NAME = "dump"
HELP = "print each record as MARCMaker text (str(record)) with its number and byte offset"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_inputs(parser)
    parser.add_argument("--offsets", action="store_true", help="give each record's byte offset")
    parser.add_argument("-o", "--output", default="-", metavar="OUT",
                        help="output file (default: standard output)")
    add_reader_options(parser, permissive=False)


def header(number: int, offset: int | None, offsets: bool) -> str:
    """The line before a record (as ``pymrrc_core::convert::dump_header``)."""
    if offsets and offset is not None:
        return f"# record {number}, offset {offset}"
    return f"# record {number}"


class _Dumper(Sink):
    def __init__(self, out: Output, offsets: bool) -> None:
        self.out = out
        self.offsets = offsets

    def blob(self, data: bytes, count: int, sizes: object) -> None:
        self.out.write(data)

    def record(self, record: Record, number: int, offset: int | None) -> None:
        text = f"{header(number, offset, self.offsets)}\n{record}\n"
        self.out.write(text.encode("utf-8"))

    def rejected(self, number: int, offset: int | None, chunk: bytes | None, exc: BaseException) -> None:
        text = f"{header(number, offset, self.offsets)}: {describe(exc)}\n\n"
        self.out.write(text.encode("utf-8"))


def run(args: argparse.Namespace) -> int:
    options = reader_options(args)
    inputs = open_inputs(args)
    progress = progress_for(args, inputs)
    native = "dump-offsets" if args.offsets else "dump"
    try:
        with Output(args.output, args.inputs) as out:
            run_job(inputs, _Dumper(out, args.offsets), Job(native=native, options=options), progress)
    finally:
        progress.close()
        for source in inputs:
            source.close()
    return 0
