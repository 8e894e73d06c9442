#!/usr/bin/env bash
# The columnar export's cases alone (issue 15's targets: to_parquet nested,
# long and wide, pyarrow.table(to_arrow(...)), the peak memory of a whole
# to_parquet), against pymarc's plain read in the same run, on one MARC file,
# offline.
#
#   bash benchmarks/run_columnar.sh FILE [REPEAT]
#
# FILE is the 250,000-record LoC corpus file (BooksAll.2016.part01.utf8),
# e.g. copied to corpus/ in this repository (git-ignored). Runs in the
# project's venv (.venv, or $PYTHON): it needs pymarc and pyarrow there
# (`make venv` installs them) and builds the extension into it with
# `maturin develop --release`, cargo offline (the crates must be in cargo's
# cache), unless it is built already. Nothing is downloaded. REPEAT timed
# passes per case (default 5) after a warm-up; about 5 minutes on 16 cores
# (pymarc's read is most of it).
#
# Results: benchmarks/results/columnar-<date>/results.json, and the tables
# printed (records/s, ratio to pymarc's read, peak memory; targets met or
# not). Then, for the per-core picture, CPU time per record with one
# reader thread is printed for each layout (to_arrow alone, to_parquet).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || [ ! -f "$1" ]; then
    echo "usage: bash benchmarks/run_columnar.sh FILE [REPEAT]" >&2
    exit 2
fi
file=$(realpath "$1")
repeat=${2:-5}
PYTHON=${PYTHON:-.venv/bin/python}
if ! "$PYTHON" -c "import pymrrc._core" 2>/dev/null; then
    CARGO_NET_OFFLINE=true VIRTUAL_ENV=$(dirname "$(dirname "$PYTHON")") \
        "$PYTHON" -m maturin develop --release -q
fi
"$PYTHON" -c "import pymarc, pyarrow" || {
    echo "run_columnar.sh: the venv lacks pymarc or pyarrow" >&2
    exit 1
}
nproc
uptime
out=benchmarks/results/columnar-$(date +%Y%m%d-%H%M%S)
"$PYTHON" benchmarks/suite.py --only columnar --quick --slice "$file" --repeat "$repeat" --out "$out"
echo "results: $out/results.json"
"$PYTHON" - "$file" <<'PY'
import resource, sys
import pyarrow as pa
import pymrrc

path = sys.argv[1]

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

def arrow_table(layout):
    stream = pymrrc.to_arrow(path, layout, workers=1)
    pa.table(stream)
    return stream.records_written


def parquet(layout):
    return pymrrc.to_parquet(path, "/tmp/run_columnar.parquet", layout, workers=1).records_written


for layout in ("nested", "long", "wide"):
    for label, run in (("to_arrow -> pyarrow.table", arrow_table), ("to_parquet", parquet)):
        run(layout)  # warm-up: imports, thread pools, page cache
        start = cpu()
        records = run(layout)
        print(f"{layout:7s} {label:26s} {(cpu() - start) * 1e6 / records:6.2f} CPU µs/record (workers=1)")
PY
