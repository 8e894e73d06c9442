"""``pymrrc convert``: records from one format to another, byte for byte as
pymarc's writers write them (``--to parquet``: through
``pymrrc.to_parquet``)."""

from __future__ import annotations

import argparse
import importlib.util
import typing
import warnings

from pymrrc.cli.common import RecordsSink, add_inputs, add_output_format, add_reader_options
from pymrrc.cli.common import native_job, open_inputs, reader_options, write_records
from pymrrc.cli.engine import ReaderOptions, python_reading, warn
from pymrrc.cli.errors import CliError, DataError, UsageError, describe
from pymrrc.cli.formats import output_format
from pymrrc.cli.inputs import Input, text_stream
from pymrrc.cli.outputs import Output

NAME = "convert"
HELP = "convert records between ISO 2709, MARC-8, MARCXML, MARC-in-JSON, MARCMaker text and Parquet"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_inputs(parser)
    parser.add_argument("output", metavar="OUT", help="output file (- for standard output)")
    add_output_format(parser, default="marc", help="output format (default: marc)", parquet=True)
    parser.add_argument("--layout", default="nested", choices=("nested", "long", "wide"),
                        help="--to parquet: the table layout (see docs/columnar.md)")
    add_reader_options(parser)


def run(args: argparse.Namespace) -> int:
    options = reader_options(args)
    if args.to == "parquet":
        return _parquet(args, options)
    if args.charset == "marc8" and args.to != "marc":
        raise UsageError("--charset marc8 applies to --to marc only")
    fmt = output_format(args.to, args.charset)
    inputs = open_inputs(args)
    return write_records(args, inputs, fmt, lambda writer: RecordsSink(writer, args.permissive),
                         native_job(fmt, options))


def _records(inputs: list[Input], options: ReaderOptions, permissive: bool) -> typing.Iterator[typing.Any]:
    """Every record of the inputs, for ``to_parquet``."""
    from pymrrc.marcxml import parse_xml_to_array
    from pymrrc.reader import JSONReader, MARCMakerReader, MARCReader

    for source in inputs:
        target: typing.Any = source.path if source.path is not None else source.stream
        if source.format == "marc":
            reader = MARCReader(target, **options.reader_kwargs())
            for number, record in enumerate(reader, 1):
                if record is None:
                    if not permissive:
                        raise DataError(f"{source.label}: record {number}: "
                                        f"{describe(typing.cast(BaseException, reader.current_exception))} "
                                        "(--permissive skips rejected records)")
                    continue
                yield record
        elif source.format == "xml":
            yield from parse_xml_to_array(target)
        elif source.format == "json":
            yield from JSONReader(text_stream(target))
        else:
            yield from MARCMakerReader(text_stream(target))


def _parquet(args: argparse.Namespace, options: ReaderOptions) -> int:
    if importlib.util.find_spec("pyarrow") is None:
        raise UsageError("--to parquet needs pyarrow: pip install 'pymrrc[arrow]'")
    from pymrrc import to_parquet

    python_reading()
    if args.output == "-":
        raise UsageError("--to parquet writes a file: give its name, not -")
    inputs = open_inputs(args)
    only = inputs[0] if len(inputs) == 1 and inputs[0].path is not None else None
    with Output(args.output, args.inputs) as out, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        source: typing.Any = only.path if only else _records(inputs, options, args.permissive)
        kwargs: dict[str, typing.Any] = dict(options.reader_kwargs(), workers=options.workers) if only else {}
        try:
            summary = to_parquet(source, out.temporary_path(), args.layout,
                                 errors="skip" if args.permissive else "raise", **kwargs)
        except CliError:
            raise
        except Exception as exc:  # noqa: BLE001 - pymarc's or pyarrow's error, in one line
            raise DataError(f"--to parquet: {describe(exc)}") from exc
        finally:
            for opened in inputs:
                opened.close()
    if summary.records_rejected:
        warn(f"skipped {summary.records_rejected:,} rejected record(s)")
    del caught
    return 0
