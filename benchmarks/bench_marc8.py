"""MARC-8 reading benchmark: pymarc and pymrrc on the same file, in one run.

    python benchmarks/bench_marc8.py [--source UTF8_FILE] [--records N]
                                     [--repeat N] [--json OUT] [--keep PATH]

The MARC-8 file is made from the UTF-8 corpus by benchmarks/marc8_corpus.py
(first ``--records`` convertible records, default 10,000; the source defaults
to ~/.cache/marc-corpus/loc-50000.mrc). Before timing, the script checks that
pymarc and pymrrc decode it identically (str() and as_marc() of every
record). Each library then reads it ``--repeat`` times (default 3) and the
median is reported as records/second with the pymrrc/pymarc ratio: pymarc
through a file object, pymrrc through a file object and through a path
(its parallel path reader). Use a release build.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _corpus_module():
    spec = importlib.util.spec_from_file_location("marc8_corpus", HERE / "marc8_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_file_object(module, path):
    count = 0
    with open(path, "rb") as handle:
        for record in module.MARCReader(handle):
            count += 1
    return count


def read_path(module, path):
    count = 0
    for record in module.MARCReader(str(path)):
        count += 1
    return count


def check_identical(pymarc, pymrrc, path) -> int:
    """Both libraries give the same records (str and as_marc) for the file."""
    with open(path, "rb") as a, open(path, "rb") as b:
        count = 0
        for ref, got in zip(pymarc.MARCReader(a), pymrrc.MARCReader(b), strict=True):
            if ref is None or got is None or str(ref) != str(got) or ref.as_marc() != got.as_marc():
                raise SystemExit(f"record {count}: pymarc and pymrrc differ")
            count += 1
    return count


def median_rate(fn, module, path, repeat):
    times, count = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = fn(module, path)
        times.append(time.perf_counter() - started)
    return count / statistics.median(times), count


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path,
                        default=Path.home() / ".cache" / "marc-corpus" / "loc-50000.mrc")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json")
    parser.add_argument("--keep", type=Path, help="write the MARC-8 file here and keep it")
    args = parser.parse_args(argv)

    import pymarc

    import pymrrc

    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "marc8.mrc"
        written, skipped = _corpus_module().make_marc8_file(args.source, path, args.records)
        checked = check_identical(pymarc, pymrrc, path)
        print(f"file: {written:,} MARC-8 records made from {args.source} "
              f"({skipped} skipped; {path.stat().st_size / 1e6:.1f} MB); "
              f"{checked:,} decode identically in pymarc and pymrrc; median of {args.repeat} runs")
        ref_rate, _ = median_rate(read_file_object, pymarc, path, args.repeat)
        rows = [("pymarc, file object", ref_rate)]
        rows.append(("pymrrc, file object", median_rate(read_file_object, pymrrc, path, args.repeat)[0]))
        rows.append(("pymrrc, path", median_rate(read_path, pymrrc, path, args.repeat)[0]))

    print("| reader | records/s | vs pymarc |")
    print("|---|---:|---:|")
    for name, rate in rows:
        print(f"| {name} | {rate:,.0f} | {rate / ref_rate:.1f}x |")
    if args.json:
        result = {
            "source": str(args.source), "records": written, "repeat": args.repeat,
            "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(),
                        "platform": platform.platform(), "pymrrc": pymrrc.__version__},
            "rates": {name: rate for name, rate in rows},
            "ratios": {name: rate / ref_rate for name, rate in rows},
        }
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
