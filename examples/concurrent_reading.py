"""Read several MARC files at once with a thread pool.

    python examples/concurrent_reading.py [FILE ...]

pymrrc parses with the GIL released, so Python threads that each read their
own file can use several cores. This script reads the files one after the
other and then with one thread per file, twice:

- with ``MARCReader(path, workers=1)``: each reader validates its records
  on one background thread, so the threads are what spread the work over
  the cores;
- with the default ``MARCReader(path)``: each reader already validates on a
  pool of one thread per core, so a single reader keeps every core busy and
  more threads add little.

The passes alternate (one thread, then the threads) after one untimed
pass of each, and each rate is the median of its passes, so that a busy
machine slows both alike. With one file given, the script reads one copy
of it per core (at least two); with none, copies of the bundled
250-record sample, repeated eight times in each copy.

What to expect: on the small sample a pass takes a few milliseconds, so
the start of each reader weighs more than on real files and the numbers
move from run to run. On real files (tens of thousands of records and
up), N threads with ``workers=1`` approach N times one thread until the
cores run out, and the default pool gains little from threads, but one
default reader is already faster than one ``workers=1`` reader. The
benchmark suite measures both on the Library of Congress corpus
(docs/PERFORMANCE.md, section "Threads"; docs/threading.md explains them).
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import pymrrc

PASSES = 15
SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "sample.mrc")


def count_titles(path, workers):
    """Read one file; return how many records have a title."""
    titled = 0
    with pymrrc.MARCReader(path, workers=workers) as reader:
        for record in reader:
            if record is not None and record.title:
                titled += 1
    return titled


def median_seconds(*runs):
    """Each run once untimed, then PASSES alternating timed passes of each;
    the median seconds of each run, and the records it counted."""
    expected = [run() for run in runs]
    times = [[] for _ in runs]
    for _ in range(PASSES):
        for run, seconds, result in zip(runs, times, expected):
            started = time.perf_counter()
            assert run() == result
            seconds.append(time.perf_counter() - started)
    return [statistics.median(seconds) for seconds in times], sum(expected[0])


def compare(paths, workers, label):
    """Print one thread vs one thread per file for readers with ``workers``."""
    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        (one, many), total = median_seconds(
            lambda: [count_titles(p, workers) for p in paths],
            lambda: list(pool.map(count_titles, paths, [workers] * len(paths))),
        )
    print(f"{label}:")
    print(f"  1 thread:  {total / one:12,.0f} records/s")
    print(f"  {len(paths)} threads: {total / many:12,.0f} records/s  ({one / many:.2f}x one thread)")
    return one


def main(paths):
    scratch = None
    if len(paths) <= 1:
        source, repeat = (paths[0], 1) if paths else (SAMPLE, 8)
        with open(source, "rb") as handle:
            data = handle.read() * repeat
        scratch = tempfile.mkdtemp(prefix="pymrrc-example-")
        paths = [os.path.join(scratch, f"copy-{i}.mrc") for i in range(max(2, os.cpu_count() or 1))]
        for path in paths:
            with open(path, "wb") as handle:
                handle.write(data)
    try:
        print(f"{len(paths)} files, {os.cpu_count()} cores, median of {PASSES} passes")
        single = compare(paths, 1, "MARCReader(path, workers=1)")
        pooled = compare(paths, None, "MARCReader(path), default pool")
        print(f"one default reader vs one workers=1 reader: {single / pooled:.2f}x")
    finally:
        if scratch:
            shutil.rmtree(scratch)


if __name__ == "__main__":
    main(sys.argv[1:])
