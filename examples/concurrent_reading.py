"""Read several MARC files at once with a thread pool.

    python examples/concurrent_reading.py FILE [FILE ...]

pymrrc parses with the GIL released, so Python threads that each read their
own file run on several cores. This script reads every file once in turn and
once with one thread per file, and prints records/second for both and the
speedup. (With one file given, it reads four copies of it.)
"""

import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import pymrrc


def count_titles(path):
    """Read one file; return how many records have a title."""
    titled = 0
    with pymrrc.MARCReader(path) as reader:
        for record in reader:
            if record is not None and record.title:
                titled += 1
    return titled


def timed(label, run, files):
    started = time.perf_counter()
    results = run(files)
    elapsed = time.perf_counter() - started
    total = sum(results)
    print(f"{label:>10}: {total} titled records in {elapsed * 1000:7.1f} ms "
          f"({total / elapsed:12,.0f} records/s)")
    return elapsed


def main(paths):
    scratch = None
    if len(paths) == 1:
        scratch = tempfile.mkdtemp(prefix="pymrrc-example-")
        copies = [os.path.join(scratch, f"copy-{i}.mrc") for i in range(4)]
        for copy in copies:
            shutil.copyfile(paths[0], copy)
        paths = copies
    try:
        sequential = timed("sequential", lambda files: [count_titles(f) for f in files], paths)
        with ThreadPoolExecutor(max_workers=len(paths)) as pool:
            threaded = timed("threaded", lambda files: list(pool.map(count_titles, files)), paths)
        print(f"speedup with {len(paths)} threads on {os.cpu_count()} cores: {sequential / threaded:.2f}x")
    finally:
        if scratch:
            shutil.rmtree(scratch)


if __name__ == "__main__":
    main(sys.argv[1:] or ["examples/data/sample.mrc"])
