"""``pymrrc grep``: the records in which a field (or one of its subfields)
matches a regular expression (Python's ``re``), or with ``--invert`` does
not, in any output format. A data field is matched as pymarc's
``field.value()`` gives it, a subfield by each of its values, a control
field by its data."""

from __future__ import annotations

import argparse
import typing
import re

from pymrrc.cli.common import RecordsSink, add_inputs, add_output_format, add_reader_options
from pymrrc.cli.common import native_job, open_inputs, reader_options, resolve_format, write_records
from pymrrc.cli.errors import UsageError
from pymrrc.cli.formats import FormatWriter

if typing.TYPE_CHECKING:
    from pymrrc.record import Record

NAME = "grep"
HELP = "the records whose field (or subfield) matches a regular expression"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_inputs(parser)
    parser.add_argument("--field", required=True, metavar="TAG", help="the field's tag, e.g. 245")
    parser.add_argument("--subfield", metavar="C", help="match this subfield's values only")
    parser.add_argument("--regex", required=True, metavar="PAT", help="Python regular expression")
    parser.add_argument("-i", "--ignore-case", action="store_true", help="match case-insensitively")
    parser.add_argument("--invert", action="store_true", help="the records that do not match")
    parser.add_argument("-o", "--output", default="-", metavar="OUT",
                        help="output file (default: standard output)")
    add_output_format(parser, default=None, help="output format (default: the records' own bytes)")
    add_reader_options(parser)


class _Grep(RecordsSink):
    def __init__(self, writer: FormatWriter, args: argparse.Namespace, pattern: re.Pattern[str]) -> None:
        super().__init__(writer, args.permissive)
        self.search = pattern.search
        self.invert = args.invert
        self.tag, self.code = args.field, args.subfield
        self.matched = 0

    def select(self, values: list[str], owners: list[int], count: int) -> list[int]:
        search = self.search
        hits = {owner for owner, value in zip(owners, values) if search(value)}
        if not self.invert:
            return sorted(hits)
        return [i for i in range(count) if i not in hits]

    def record(self, record: Record, number: int, offset: int | None) -> None:
        fields = record.get_fields(self.tag)
        if self.code is None:
            values = [f.value() for f in fields]
        else:
            values = [v for f in fields if not f.control_field for v in f.get_subfields(self.code)]
        if any(self.search(v) for v in values) != self.invert:
            super().record(record, number, offset)

    def blob(self, data: bytes, count: int, sizes: object) -> None:
        super().blob(data, count, None)


def run(args: argparse.Namespace) -> int:
    options = reader_options(args)
    try:
        pattern = re.compile(args.regex, re.IGNORECASE if args.ignore_case else 0)
    except re.error as exc:
        raise UsageError(f"--regex {args.regex!r}: {exc}") from exc
    inputs = open_inputs(args)
    fmt = resolve_format(args, inputs)
    job = native_job(fmt, options, grep=(args.field, args.subfield))
    return write_records(args, inputs, fmt, lambda writer: _Grep(writer, args, pattern), job)
