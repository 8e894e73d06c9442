"""Filter MARC files in parallel: each thread reads one file and writes the
records that have an ISBN to its own output file.

    python examples/concurrent_writing.py FILE [FILE ...]

Reading and writing a path happen in Rust with the GIL released, so the
threads overlap. Prints records/second sequentially and with threads.
(With one file given, it processes four copies of it.)
"""

import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import pymrrc


def keep_books_with_isbn(paths):
    """Copy the records of ``source`` that have an ISBN to ``target``."""
    source, target = paths
    kept = 0
    with pymrrc.MARCReader(source) as reader, pymrrc.MARCWriter(target) as writer:
        for record in reader:
            if record is not None and record.isbn:
                writer.write(record)
                kept += 1
    return kept


def main(paths):
    scratch = tempfile.mkdtemp(prefix="pymrrc-example-")
    try:
        if len(paths) == 1:
            copies = [os.path.join(scratch, f"copy-{i}.mrc") for i in range(4)]
            for copy in copies:
                shutil.copyfile(paths[0], copy)
            paths = copies
        jobs = [(p, os.path.join(scratch, f"out-{i}.mrc")) for i, p in enumerate(paths)]
        timings = {}
        for label in ("sequential", "threaded"):
            started = time.perf_counter()
            if label == "sequential":
                kept = [keep_books_with_isbn(job) for job in jobs]
            else:
                with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
                    kept = list(pool.map(keep_books_with_isbn, jobs))
            timings[label] = time.perf_counter() - started
            print(f"{label:>10}: kept {sum(kept)} records in {timings[label] * 1000:7.1f} ms")
        written = sum(1 for _ in pymrrc.MARCReader(jobs[0][1]))
        assert written == kept[0], (written, kept[0])
        print(f"speedup with {len(jobs)} threads on {os.cpu_count()} cores: "
              f"{timings['sequential'] / timings['threaded']:.2f}x")
    finally:
        shutil.rmtree(scratch)


if __name__ == "__main__":
    main(sys.argv[1:] or ["examples/data/sample.mrc"])
