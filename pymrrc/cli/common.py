"""What the subcommands share: their common options, opening the inputs,
progress, and the sink that writes records in an output format."""

from __future__ import annotations

import argparse
import typing

from pymrrc._core import MAX_WORKERS
from pymrrc.cli.engine import Job, ReaderOptions, Sink, warn
from pymrrc.cli.engine import run as run_job
from pymrrc.cli.outputs import Output
from pymrrc.cli.errors import DataError, UsageError, describe
from pymrrc.cli.formats import OUTPUT_NAMES, RAW, FormatWriter, OutputFormat, output_format
from pymrrc.cli.inputs import INPUT_FORMATS, Input, open_input
from pymrrc.cli.progress import Progress

if typing.TYPE_CHECKING:
    from pymrrc.record import Record

UTF8_HANDLINGS = ("strict", "replace", "ignore", "backslashreplace", "surrogateescape")


def add_inputs(parser: argparse.ArgumentParser, nargs: str = "+") -> None:
    parser.add_argument("inputs", nargs=nargs, metavar="IN",
                        help="input files (- for standard input; .gz is read as gzip)")
    parser.add_argument("--from", dest="from_format", choices=INPUT_FORMATS,
                        help="input format (default: detected from the first bytes)")


def add_reader_options(parser: argparse.ArgumentParser, permissive: bool = True) -> None:
    group = parser.add_argument_group("reading (pymarc's MARCReader options)")
    group.add_argument("--force-utf8", action="store_true", help="read every record as UTF-8")
    group.add_argument("--utf8-handling", default="strict", metavar="HANDLER",
                       help="codec error handler for UTF-8 text (default: strict)")
    group.add_argument("--file-encoding", default="iso8859-1", metavar="ENCODING",
                       help="encoding of records that are not UTF-8 (default: iso8859-1, "
                            "which pymarc reads as MARC-8)")
    group.add_argument("--hide-utf8-warnings", action="store_true",
                       help="no MARC-8 conversion messages on standard error")
    if permissive:
        group.add_argument("--permissive", action="store_true",
                           help="skip records pymarc's reader rejects (default: stop at the first)")
    group.add_argument("--workers", type=int, metavar="N",
                       help="threads that validate records (default: one per core)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="show progress on standard error (default: when it is a terminal)")


def add_output_format(
    parser: argparse.ArgumentParser, default: str | None, help: str, parquet: bool = False
) -> None:
    names = [n for n in OUTPUT_NAMES if parquet or n != "parquet"]
    parser.add_argument("--to", choices=names, default=default, help=help)
    parser.add_argument("--charset", choices=("utf8", "marc8"), default="utf8",
                        help="text encoding of --to marc output (default: utf8)")


def reader_options(args: argparse.Namespace) -> ReaderOptions:
    import codecs

    try:
        codecs.lookup(args.file_encoding)
        codecs.lookup_error(args.utf8_handling)
    except LookupError as exc:
        raise UsageError(str(exc)) from exc
    if args.workers is not None and not 1 <= args.workers <= MAX_WORKERS:
        raise UsageError(f"--workers must be from 1 to {MAX_WORKERS}, not {args.workers}")
    return ReaderOptions(
        force_utf8=args.force_utf8,
        utf8_handling=args.utf8_handling,
        file_encoding=args.file_encoding,
        hide_utf8_warnings=args.hide_utf8_warnings,
        workers=args.workers,
    )


def open_inputs(args: argparse.Namespace) -> list[Input]:
    if args.inputs.count("-") > 1:
        raise UsageError("standard input (-) can be read once only")
    opened: list[Input] = []
    try:
        for name in args.inputs:
            opened.append(open_input(name, args.from_format))
    except BaseException:
        for source in opened:
            source.close()
        raise
    return opened


def progress_for(args: argparse.Namespace, inputs: typing.Sequence[Input]) -> Progress:
    sizes = [source.size for source in inputs]
    total = None if any(s is None for s in sizes) else sum(typing.cast(list[int], sizes))
    return Progress(args.progress, total)


def resolve_format(args: argparse.Namespace, inputs: typing.Sequence[Input]) -> OutputFormat | None:
    """The output format (``None``: the records' own bytes, for ``split``
    and ``slice`` of ISO 2709 inputs)."""
    if args.charset == "marc8" and args.to not in (None, "marc"):
        raise UsageError("--charset marc8 applies to --to marc only")
    name = args.to
    if name is None:
        if all(source.format == "marc" for source in inputs) and args.charset != "marc8":
            return None
        name = "marc"
    return output_format(name, args.charset)


class RecordsSink(Sink):
    """Writes every record in an output format through ``writer``; a
    rejected record stops the job unless ``permissive``."""

    def __init__(self, writer: FormatWriter | None, permissive: bool) -> None:
        self.writer: FormatWriter | None = writer
        self.permissive: bool = permissive
        self.skipped: int = 0
        self.label: str = ""

    def begin(self, source: Input) -> None:
        self.label = source.label

    def blob(self, data: bytes, count: int, sizes: typing.Sequence[int] | None) -> None:
        assert self.writer is not None
        self.writer.blob(data, count)

    def record(self, record: Record, number: int, offset: int | None) -> None:
        assert self.writer is not None
        self.writer.record(record)

    def rejected(self, number: int, offset: int | None, chunk: bytes | None, exc: BaseException) -> None:
        if not self.permissive:
            where = f"record {number}" + ("" if offset is None else f" at byte {offset}")
            raise DataError(f"{self.label}: {where}: {describe(exc)} "
                            "(--permissive skips rejected records)")
        self.skipped += 1

    def trailing(self, data: bytes) -> None:
        if self.writer is not None:
            self.writer.blob(data, 0)

    def report(self) -> None:
        """Tells what was left out on standard error."""
        if self.skipped:
            warn(f"skipped {self.skipped:,} rejected record(s)")
        references = self.writer.references if self.writer else 0
        if references:
            warn(f"{references:,} character(s) have no MARC-8 form and were written as &#xXXXX;")


def write_records(
    args: argparse.Namespace,
    inputs: list[Input],
    fmt: OutputFormat | None,
    make_sink: typing.Callable[[FormatWriter], RecordsSink],
    job: Job,
) -> int:
    """Runs ``job`` over ``inputs``, writing their records to
    ``args.output`` in ``fmt`` (``None``: their own bytes) through the sink
    ``make_sink`` makes; says on standard error what was left out."""
    progress = progress_for(args, inputs)
    try:
        with Output(args.output, args.inputs) as out:
            writer = FormatWriter(fmt or RAW, out.write)
            sink = make_sink(writer)
            run_job(inputs, sink, job, progress)
            writer.close()
    finally:
        progress.close()
        for source in inputs:
            source.close()
    sink.report()
    return 0


def native_job(fmt: OutputFormat | None, options: ReaderOptions, **kwargs: typing.Any) -> Job:
    """The engine's job for writing records in ``fmt`` (``None``: raw)."""
    if fmt is None:
        return Job(native="raw", options=options, **kwargs)
    return Job(native=fmt.native, options=options, separator=fmt.separator, **kwargs)
