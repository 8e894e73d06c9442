"""MARCXML and MARC-in-JSON benchmark: pymarc and pymrrc on the same records.

    python benchmarks/bench_formats.py [FILE] [--records N] [--repeat R] [--json OUT]

FILE defaults to the first N records (default 10,000) of the Library of
Congress corpus (fetched with ../shared/corpus/get-loc-corpus.sh). Each
library reads the records once into a list; the timed part is only the
conversion. pymrrc is measured twice for output: on records straight from
the reader (untouched: their fields were never built, so output is written
from the record's bytes) and on records whose fields were already built
(materialised). Input workloads parse the documents pymarc itself produced
(its XMLWriter and JSONWriter output for the same records). Each timing is
the median of R runs (default 3), given as records/second with the
pymrrc/pymarc ratio; a markdown table goes to stdout and, with --json, the
numbers to OUT. Use a release build (``make develop``).
"""

import argparse
import io
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def default_corpus(records):
    script = os.path.join(ROOT, "..", "shared", "corpus", "get-loc-corpus.sh")
    out = subprocess.run(
        ["bash", script, "", str(records)], check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


def read_records(lib, path, limit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with open(path, "rb") as fh:
            return list(itertools.islice(lib.MARCReader(fh), limit))


def xml_document(lib, records):
    sink = io.BytesIO()
    writer = lib.XMLWriter(sink)
    for record in records:
        writer.write(record)
    writer.close(close_fh=False)
    return sink.getvalue()


def json_document(lib, records):
    sink = io.StringIO()
    writer = lib.JSONWriter(sink)
    for record in records:
        writer.write(record)
    writer.close(close_fh=False)
    return sink.getvalue()


def each(fn):
    """A workload applying ``fn`` to every record of a list."""

    def run(lib, records):
        for record in records:
            fn(lib, record)

    return run


OUTPUT_WORKLOADS = {
    "record_to_xml": each(lambda lib, r: lib.record_to_xml(r)),
    "record_to_xml(namespace=True)": each(lambda lib, r: lib.record_to_xml(r, namespace=True)),
    "as_json()": each(lambda lib, r: r.as_json()),
    "as_dict()": each(lambda lib, r: r.as_dict()),
    "XMLWriter (BytesIO)": xml_document,
    "JSONWriter (StringIO)": json_document,
}


def median_seconds(work, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args()
    path = args.file or default_corpus(args.records)

    import pymarc

    import pymrrc

    ref = read_records(pymarc, path, args.records)
    untouched = read_records(pymrrc, path, args.records)
    built = read_records(pymrrc, path, args.records)
    for record in built:
        record.fields  # noqa: B018 - builds the Field objects
    count = len(ref)
    assert count == len(untouched) == len(built) > 0

    results = {
        "file": path,
        "records": count,
        "repeat": args.repeat,
        "machine": {
            "python": platform.python_version(), "cpu_count": os.cpu_count(),
            "platform": platform.platform(), "pymrrc": pymrrc.__version__,
        },
        "workloads": {},
    }
    print(f"file: {path}; {count:,} records, median of {args.repeat} runs")
    print("| workload | pymrrc records | pymarc rec/s | pymrrc rec/s | ratio |")
    print("|---|---|---:|---:|---:|")

    def report(name, kind, pymarc_seconds, pymrrc_seconds):
        rates = {"pymarc": count / pymarc_seconds, "pymrrc": count / pymrrc_seconds}
        ratio = pymarc_seconds / pymrrc_seconds
        results["workloads"][f"{name} [{kind}]"] = {**rates, "ratio": ratio}
        print(f"| {name} | {kind} | {rates['pymarc']:,.0f} | {rates['pymrrc']:,.0f} "
              f"| {ratio:.1f}x |")
        sys.stdout.flush()

    for name, work in OUTPUT_WORKLOADS.items():
        reference = median_seconds(lambda: work(pymarc, ref), args.repeat)
        for kind, records in (("untouched", untouched), ("materialised", built)):
            ours = median_seconds(lambda: work(pymrrc, records), args.repeat)
            report(name, kind, reference, ours)
    still_untouched = sum(1 for r in untouched if getattr(r, "_is_lazy", False))
    results["untouched_after_output"] = still_untouched

    xml_doc = xml_document(pymarc, ref)
    json_doc = json_document(pymarc, ref)
    input_workloads = {
        "parse_xml_to_array": lambda lib: lib.parse_xml_to_array(io.BytesIO(xml_doc)),
        "JSONReader": lambda lib: list(lib.JSONReader(json_doc)),
        "parse_json_to_array": lambda lib: lib.parse_json_to_array(io.StringIO(json_doc)),
    }
    for name, work in input_workloads.items():
        assert len(work(pymrrc)) == count
        reference = median_seconds(lambda: work(pymarc), args.repeat)
        ours = median_seconds(lambda: work(pymrrc), args.repeat)
        report(name, "(parsed)", reference, ours)

    print(f"\n{still_untouched:,} of {count:,} untouched records were still untouched "
          "after the output workloads.")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
