"""Thread-scaling benchmark: several Python threads, each reading (or
writing) its own copy of the same file.

    python benchmarks/bench_threads.py [FILE] [--threads 1 2 4 8] [--json OUT]

FILE defaults to the first 50,000 records of the LoC corpus. Each thread
gets its own copy of the file (so the OS cache, not a shared handle, serves
them). Reported: aggregate records/second per case and thread count, and
the speedup over one thread. Cases:

- path, workers=1: ``MARCReader(path, workers=1)``, iterate records
- path, default pool: ``MARCReader(path)``
- file object: ``MARCReader(open(path, "rb"))``
- writer: read with the path backend, ``MARCWriter`` to a file per thread
Use a release build (``make develop``).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import pymrrc

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def read_path_one(path, out):
    return sum(1 for _ in pymrrc.MARCReader(path, workers=1))


def read_path_pool(path, out):
    return sum(1 for _ in pymrrc.MARCReader(path))


def read_file_object(path, out):
    with open(path, "rb") as handle:
        return sum(1 for _ in pymrrc.MARCReader(handle))


def write_records(path, out):
    count = 0
    with open(out, "wb") as handle:
        writer = pymrrc.MARCWriter(handle)
        for record in pymrrc.MARCReader(path, workers=1):
            writer.write(record)
            count += 1
        writer.close(close_fh=False)
    return count


CASES = {
    "path, workers=1": read_path_one,
    "path, default pool": read_path_pool,
    "file object": read_file_object,
    "read + MARCWriter": write_records,
}


def run_case(work, copies, outputs, threads, repeat):
    times = []
    total = 0
    for _ in range(repeat):
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            counts = list(pool.map(work, copies[:threads], outputs[:threads]))
        times.append(time.perf_counter() - started)
        total = sum(counts)
    return total / statistics.median(times)


def default_corpus():
    script = os.path.join(ROOT, "..", "shared", "corpus", "get-loc-corpus.sh")
    out = subprocess.run(["bash", script, "", "50000"], check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args()
    source = args.file or default_corpus()
    scratch = tempfile.mkdtemp(prefix="pymrrc-bench-")
    try:
        copies, outputs = [], []
        for i in range(max(args.threads)):
            copy = os.path.join(scratch, f"in-{i}.mrc")
            shutil.copyfile(source, copy)
            copies.append(copy)
            outputs.append(os.path.join(scratch, f"out-{i}.mrc"))
        results = {"file": source, "cpu_count": os.cpu_count(), "python": sys.version.split()[0], "cases": {}}
        print(f"file: {source}; {os.cpu_count()} cores; median of {args.repeat} runs; aggregate records/s")
        header = " | ".join(f"{t} thr" for t in args.threads)
        print(f"| case | {header} | speedup at 2 |")
        print("|---|" + "---:|" * (len(args.threads) + 1))
        for name, work in CASES.items():
            rates = {t: run_case(work, copies, outputs, t, args.repeat) for t in args.threads}
            results["cases"][name] = rates
            speedup = rates.get(2, 0) / rates[args.threads[0]] if 2 in rates else float("nan")
            cells = " | ".join(f"{rates[t]:,.0f}" for t in args.threads)
            print(f"| {name} | {cells} | {speedup:.2f}x |")
        one = results["cases"]["path, workers=1"][args.threads[0]]
        pool = results["cases"]["path, default pool"][args.threads[0]]
        print(f"\none thread, default pool vs workers=1: {pool / one:.2f}x")
        if args.json:
            with open(args.json, "w") as out:
                json.dump(results, out, indent=2)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
