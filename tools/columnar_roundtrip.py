"""The columnar round trip on a whole file, against pymarc: ISO 2709 ->
nested and long -> Parquet -> from_arrow -> as_marc(), compared record by
record with pymarc's as_marc() of the same record.

    python tools/columnar_roundtrip.py [FILE]   (default: the 250,000-record corpus)

Too slow for CI on the whole corpus (tests/test_columnar.py runs the same
check on the 10,000-record slice); run once locally, and say so in the
closing note.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymarc

import pymrrc

CORPUS_SCRIPT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "get-loc-corpus.sh"


def main():
    if len(sys.argv) > 1:
        path = sys.argv[1]
    else:
        path = subprocess.run(["bash", str(CORPUS_SCRIPT), ""], check=True, capture_output=True,
                              text=True).stdout.strip().splitlines()[-1]
    started = time.perf_counter()
    with open(path, "rb") as handle:
        expected = [None if r is None else r.as_marc() for r in pymarc.MARCReader(handle)]
    print(f"pymarc: {len(expected):,} records ({expected.count(None)} rejected) "
          f"in {time.perf_counter() - started:.0f} s", flush=True)
    good = [b for b in expected if b is not None]
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        for layout in ("nested", "long"):
            dest = os.path.join(scratch, f"{layout}.parquet")
            started = time.perf_counter()
            summary = pymrrc.to_parquet(path, dest, layout)
            back = 0
            for ours, theirs in zip(pymrrc.from_arrow(dest), good):
                back += 1
                if ours.as_marc() != theirs:
                    failures += 1
            same = back == len(good) == summary.records_written
            print(f"{layout}: {summary.records_written:,} written, {summary.records_rejected} rejected, "
                  f"{back:,} read back, {'all' if same and not failures else 'NOT all'} byte-identical "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
            failures += not same
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
