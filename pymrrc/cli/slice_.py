"""``pymrrc slice``: the records from number K+1 to K+N (``--offset K
--limit N``) over the inputs taken in order, as their own bytes or, with
``--to``, converted. Reading stops once the slice is complete."""

from __future__ import annotations

import argparse

from pymrrc.cli.common import RecordsSink, add_inputs, add_output_format, add_reader_options
from pymrrc.cli.common import native_job, open_inputs, reader_options, resolve_format, write_records

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
    job = native_job(fmt, options, start=args.offset, stop=stop)
    return write_records(args, inputs, fmt, lambda writer: RecordsSink(writer, args.permissive), job)
