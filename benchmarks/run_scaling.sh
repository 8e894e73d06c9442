#!/usr/bin/env bash
# pymrrc.dask scaling over Dask worker processes (1, 2, 4, 8, 16 by
# default), pickling against pymarc, and planning, on one MARC file, offline.
#
#   bash benchmarks/run_scaling.sh FILE [WORKERS ...]
#
# FILE is the 250,000-record LoC corpus file (BooksAll.2016.part01.utf8),
# e.g. copied to corpus/ in this repository (git-ignored). Runs in the
# project's venv (.venv, or $PYTHON): it needs pymarc, dask[distributed,
# dataframe], pyarrow and pandas there (`make venv` installs them) and
# builds the extension into it with `maturin develop --release`, cargo
# offline (the crates must be in cargo's cache), unless it is built
# already. Nothing is downloaded. Takes about 10 minutes on 16 cores.
#
# Results: benchmarks/results/scaling-<date>/results.json, and the tables
# printed (workers' speedup over 1 worker for a bag of records mapped to
# titles and counted, the same with title frequencies, and to_parquet).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || [ ! -f "$1" ]; then
    echo "usage: bash benchmarks/run_scaling.sh FILE [WORKERS ...]" >&2
    exit 2
fi
file=$(realpath "$1")
shift
workers=("${@:-1 2 4 8 16}")
PYTHON=${PYTHON:-.venv/bin/python}
if ! "$PYTHON" -c "import pymrrc._core" 2>/dev/null; then
    CARGO_NET_OFFLINE=true VIRTUAL_ENV=$(dirname "$(dirname "$PYTHON")") \
        "$PYTHON" -m maturin develop --release -q
fi
"$PYTHON" -c "import pymarc, dask, distributed, pyarrow, pandas" || {
    echo "run_scaling.sh: the venv lacks pymarc, dask[distributed,dataframe], pyarrow or pandas" >&2
    exit 1
}
out=benchmarks/results/scaling-$(date +%Y%m%d-%H%M%S)
# shellcheck disable=SC2068 # the worker counts are words
"$PYTHON" benchmarks/suite.py --only dask --slice "$file" --workers ${workers[@]} --repeat 3 --out "$out"
echo "results: $out/results.json"
