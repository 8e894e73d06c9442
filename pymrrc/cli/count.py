"""``pymrrc count``: records and rejected records per file, and the total."""

from __future__ import annotations

import argparse
import json
import sys

from pymrrc.cli.common import add_inputs, add_reader_options, open_inputs, progress_for, reader_options
from pymrrc.cli.engine import Job, Sink, run as run_job

NAME = "count"
HELP = "count the records (and the records pymarc's reader rejects) in each file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_inputs(parser)
    add_reader_options(parser, permissive=False)
    parser.add_argument("--json", action="store_true", help="write the counts as JSON")


def run(args: argparse.Namespace) -> int:
    options = reader_options(args)
    inputs = open_inputs(args)
    labels = [source.label for source in inputs]
    progress = progress_for(args, inputs)
    try:
        results = run_job(inputs, Sink(), Job(native="none", options=options, report_invalid=False), progress)
    finally:
        progress.close()
    records = sum(c.records for c in results)
    rejected = sum(c.rejected for c in results)
    if args.json:
        files = [{"file": label, "records": c.records, "rejected": c.rejected}
                 for label, c in zip(labels, results)]
        json.dump({"files": files, "records": records, "rejected": rejected}, sys.stdout)
        sys.stdout.write("\n")
        return 0
    rows = [(c.records, c.rejected, label) for label, c in zip(labels, results)]
    if len(rows) > 1:
        rows.append((records, rejected, "total"))
    width = max(len(f"{n:,}") for row in rows for n in row[:2])
    width = max(width, len("rejected"))
    print(f"{'records':>{width}}  {'rejected':>{width}}  file")
    for n, bad, label in rows:
        print(f"{n:>{width},}  {bad:>{width},}  {label}")
    return 0
