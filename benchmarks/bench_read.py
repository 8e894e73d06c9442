"""Reading benchmark: pymarc and pymrrc on the same file, in one run.

    python benchmarks/bench_read.py [FILE] [--repeat N] [--json OUT]

FILE defaults to the first 50,000 records of the Library of Congress corpus
(fetched with ../shared/corpus/get-loc-corpus.sh). For each workload, each
library reads the file through a file object (``open(path, "rb")``), ``N``
times (default 3), and the median time is reported as records/second with
the pymrrc/pymarc ratio. Peak memory (max RSS) of holding every record in a
list is measured in a fresh process per library. Use a release build
(``make develop``); debug builds are several times slower.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def workload_iterate(record):
    return None


def workload_title(record):
    return record.title


def workload_values(record):
    for field in record.fields:
        field.value()


def workload_as_marc(record):
    return record.as_marc()


WORKLOADS = {
    "iterate": workload_iterate,
    "iterate + title": workload_title,
    "iterate + every field's value()": workload_values,
    "iterate + as_marc()": workload_as_marc,
}


def time_once(module, path, work):
    started = time.perf_counter()
    count = 0
    with open(path, "rb") as handle:
        for record in module.MARCReader(handle):
            work(record)
            count += 1
    return count, time.perf_counter() - started


def peak_rss_of_list(library, path):
    """Max RSS (MiB) of a fresh process that holds every record in a list."""
    code = (
        "import resource, sys\n"
        f"import {library} as lib\n"
        "with open(sys.argv[1], 'rb') as fh:\n"
        "    records = list(lib.MARCReader(fh))\n"
        "print(len(records), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, path], check=True, capture_output=True, text=True)
    count, kib = out.stdout.split()
    return int(count), int(kib) / 1024


def default_corpus():
    script = os.path.join(ROOT, "..", "shared", "corpus", "get-loc-corpus.sh")
    out = subprocess.run(["bash", script, "", "50000"], check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args()
    path = args.file or default_corpus()

    import pymarc

    import pymrrc

    results = {"file": path, "machine": {
        "python": platform.python_version(), "cpu_count": os.cpu_count(),
        "platform": platform.platform(), "pymarc": pymarc.__name__, "pymrrc": pymrrc.__version__,
    }, "workloads": {}}
    print(f"file: {path}  ({os.path.getsize(path) / 1e6:.1f} MB), median of {args.repeat} runs")
    print(f"| workload | pymarc rec/s | pymrrc rec/s | ratio |")
    print(f"|---|---:|---:|---:|")
    for name, work in WORKLOADS.items():
        rates = {}
        for label, module in (("pymarc", pymarc), ("pymrrc", pymrrc)):
            times = []
            for _ in range(args.repeat):
                count, seconds = time_once(module, path, work)
                times.append(seconds)
            rates[label] = count / statistics.median(times)
        ratio = rates["pymrrc"] / rates["pymarc"]
        results["workloads"][name] = {**rates, "ratio": ratio}
        print(f"| {name} | {rates['pymarc']:,.0f} | {rates['pymrrc']:,.0f} | {ratio:.1f}x |")

    memory = {}
    for library in ("pymarc", "pymrrc"):
        count, mib = peak_rss_of_list(library, path)
        memory[library] = mib
    results["list_peak_rss_mib"] = memory
    print(f"\npeak RSS holding all {count:,} records in a list: "
          f"pymarc {memory['pymarc']:.0f} MiB, pymrrc {memory['pymrrc']:.0f} MiB "
          f"({memory['pymrrc'] / memory['pymarc']:.2f} of pymarc's)")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
