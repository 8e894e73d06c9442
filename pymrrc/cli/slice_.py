"""``pymrrc slice``: the records from number K+1 to K+N (``--offset K
--limit N``) over the inputs taken in order, as their own bytes or, with
``--to``, converted. Reading stops once the slice is complete."""

from __future__ import annotations

import argparse

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
from pymrrc.cli.engine import run as run_job
from pymrrc.cli.formats import FormatWriter, OutputFormat
from pymrrc.cli.outputs import Output

NAME = "slice"
HELP = "the records from --offset K on, at most --limit N of them"


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_inputs(parser)
    parser.add_argument("--offset", type=_count, default=0, metavar="K",
                        help="records to skip first (default: 0)")
    parser.add_argument("--limit", type=_count, metavar="N", help="records to keep (default: all)")
    parser.add_argument("-o", "--output", default="-", metavar="OUT",
                        help="output file (default: standard output)")
    add_output_format(parser, default=None, help="convert the records (default: keep their bytes)")
    add_reader_options(parser)


def run(args: argparse.Namespace) -> int:
    options = reader_options(args)
    inputs = open_inputs(args)
    fmt = resolve_format(args, inputs)
    stop = None if args.limit is None else args.offset + args.limit
    raw = OutputFormat("raw", "raw", b"", b"", b"", ".mrc", lambda r: (r.as_marc(), 0))
    progress = progress_for(args, inputs)
    try:
        with Output(args.output, args.inputs) as out:
            writer = FormatWriter(fmt or raw, out.write)
            sink = RecordsSink(writer, args.permissive)
            job = native_job(fmt, options, start=args.offset, stop=stop)
            if args.limit != 0:
                run_job(inputs, sink, job, progress)
            writer.close()
    finally:
        progress.close()
        for source in inputs:
            source.close()
    sink.report()
    return 0
