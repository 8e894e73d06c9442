"""``pymrrc validate``: every record checked as pymarc's ``MARCReader``
checks it. Each rejected record is reported with its number, byte offset,
exception class and message; ``--invalid-out`` gets its bytes and
``--report`` a JSON line for it. Exit status 0 when every record is valid,
1 when any was rejected."""

from __future__ import annotations

import argparse
import contextlib
import json

from pymrrc.cli.common import add_inputs, add_reader_options, open_inputs, progress_for, reader_options
from pymrrc.cli.engine import Counts, Job, Sink, run as run_job
from pymrrc.cli.errors import EXIT_OK, EXIT_REJECTED, describe
from pymrrc.cli.inputs import Input
from pymrrc.cli.outputs import Output

NAME = "validate"
HELP = "check every record as pymarc's reader does; report and pull out the rejected ones"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_inputs(parser)
    parser.add_argument("--invalid-out", metavar="BAD", help="write the rejected records' bytes here")
    parser.add_argument("--report", metavar="REPORT",
                        help="write one JSON line per rejected record here (- for standard output)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no line per rejected record, only the summary")
    add_reader_options(parser, permissive=False)


class _Reporter(Sink):
    def __init__(self, quiet: bool, invalid: Output | None, report: Output | None) -> None:
        self.quiet = quiet
        self.invalid = invalid
        self.report = report
        self.label = ""

    def begin(self, source: Input) -> None:
        self.label = source.label

    def rejected(self, number: int, offset: int | None, chunk: bytes | None, exc: BaseException) -> None:
        where = f"record {number}" + ("" if offset is None else f" at byte {offset}")
        if not self.quiet:
            print(f"{self.label}: {where}: {describe(exc)}", flush=False)
        if self.invalid is not None and chunk:
            self.invalid.write(chunk)
        if self.report is not None:
            line = {"file": self.label, "record": number, "offset": offset,
                    "exception": type(exc).__name__, "message": str(exc)}
            self.report.write(json.dumps(line).encode("utf-8") + b"\n")


def run(args: argparse.Namespace) -> int:
    options = reader_options(args)
    inputs = open_inputs(args)
    progress = progress_for(args, inputs)
    results: list[Counts] = []
    try:
        with contextlib.ExitStack() as stack:
            invalid = stack.enter_context(Output(args.invalid_out, args.inputs)) if args.invalid_out else None
            report = stack.enter_context(Output(args.report, args.inputs)) if args.report else None
            sink = _Reporter(args.quiet or args.report == "-", invalid, report)
            results = run_job(inputs, sink, Job(native="none", options=options), progress)
    finally:
        progress.close()
        for source in inputs:
            source.close()
    records = sum(c.records for c in results)
    rejected = sum(c.rejected for c in results)
    if args.report != "-":
        print(f"{records + rejected:,} records read, {rejected:,} rejected")
    return EXIT_REJECTED if rejected else EXIT_OK
