"""``pymrrc stats``: how many records have each tag and each tag and
subfield code, and how often they occur; leader positions 06-07 (type of
record, bibliographic level) and 09 (character coding); as a text table or
``--json``."""

from __future__ import annotations

import argparse
import json
import sys
import typing
from collections import Counter

from pymrrc.cli.common import add_inputs, add_reader_options, open_inputs, progress_for, reader_options
from pymrrc.cli.engine import Job, Sink, run as run_job

if typing.TYPE_CHECKING:
    from pymrrc.record import Record

NAME = "stats"
HELP = "tag and subfield frequencies, leader/06-07 and character coding counts"

_CODING = {"a": "UCS/Unicode (a)", " ": "MARC-8 (blank)"}


class Tally:
    """The counts, merged from Rust's and from records read in Python."""

    def __init__(self) -> None:
        self.records: int = 0
        self.tags: dict[str, list[int]] = {}
        self.subfields: dict[str, list[int]] = {}
        self.leader_06_07: Counter[str] = Counter()
        self.leader_09: Counter[str] = Counter()

    @staticmethod
    def _bump(table: dict[str, list[int]], key: str, records: int, occurrences: int) -> None:
        entry = table.setdefault(key, [0, 0])
        entry[0] += records
        entry[1] += occurrences

    def merge_native(self, native: typing.Any) -> None:
        records, tags, subfields, l67, l9 = native
        self.records += records
        for key, (n, m) in tags:
            self._bump(self.tags, key, n, m)
        for key, (n, m) in subfields:
            self._bump(self.subfields, key, n, m)
        self.leader_06_07.update(dict(l67))
        self.leader_09.update(dict(l9))

    def add(self, record: Record) -> None:
        self.records += 1
        leader = str(record.leader)
        self.leader_06_07[leader[6:8]] += 1
        self.leader_09[leader[9:10]] += 1
        tags: Counter[str] = Counter()
        codes: Counter[str] = Counter()
        for field in record.fields:
            tags[field.tag] += 1
            if not field.control_field:
                for sub in field.subfields:
                    codes[f"{field.tag}${sub.code}"] += 1
        for key, n in tags.items():
            self._bump(self.tags, key, 1, n)
        for key, n in codes.items():
            self._bump(self.subfields, key, 1, n)

    def as_dict(self, rejected: int) -> dict[str, typing.Any]:
        def table(t: dict[str, list[int]]) -> dict[str, dict[str, int]]:
            return {k: {"records": v[0], "occurrences": v[1]} for k, v in sorted(t.items())}

        return {
            "records": self.records,
            "rejected": rejected,
            "leader_06_07": dict(sorted(self.leader_06_07.items())),
            "leader_09": dict(sorted(self.leader_09.items())),
            "tags": table(self.tags),
            "subfields": table(self.subfields),
        }


class _Collector(Sink):
    def __init__(self) -> None:
        self.tally = Tally()

    def record(self, record: Record, number: int, offset: int | None) -> None:
        self.tally.add(record)

    def native_stats(self, stats: typing.Any) -> None:
        if stats is not None:
            self.tally.merge_native(stats)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_inputs(parser)
    parser.add_argument("--json", action="store_true", help="write the statistics as JSON")
    add_reader_options(parser, permissive=False)


def _print_table(data: dict[str, typing.Any]) -> None:
    out = sys.stdout
    out.write(f"records   {data['records']:,}\nrejected  {data['rejected']:,}\n")
    out.write("\nleader/06-07  records\n")
    for key, n in data["leader_06_07"].items():
        out.write(f"  {key!r:<10}  {n:,}\n")
    out.write("\nleader/09  records\n")
    for key, n in data["leader_09"].items():
        out.write(f"  {_CODING.get(key, repr(key)):<17} {n:,}\n")
    for title, table in (("tag", data["tags"]), ("subfield", data["subfields"])):
        width = max([len(title)] + [len(k) for k in table])
        out.write(f"\n{title:<{width}}  {'records':>10}  {'occurrences':>11}\n")
        for key, c in table.items():
            out.write(f"{key:<{width}}  {c['records']:>10,}  {c['occurrences']:>11,}\n")


def run(args: argparse.Namespace) -> int:
    options = reader_options(args)
    inputs = open_inputs(args)
    progress = progress_for(args, inputs)
    sink = _Collector()
    try:
        results = run_job(inputs, sink, Job(native="none", options=options, stats=True,
                                            report_invalid=False), progress)
    finally:
        progress.close()
        for source in inputs:
            source.close()
    data = sink.tally.as_dict(sum(c.rejected for c in results))
    if args.json:
        json.dump(data, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        _print_table(data)
    return 0
