"""The benchmark suite's one command works end to end (on a few hundred
records: the numbers of this smoke run mean nothing and are not checked).

What is checked: every case of every group ran in its own process and read
as many records with pymrrc as pymarc did, the results carry the machine
description, and the markdown tables and PNG plots were written.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SUITE = REPO / "benchmarks" / "suite.py"
CORPUS_SCRIPT = REPO.parent / "shared" / "corpus" / "get-loc-corpus.sh"

pytest.importorskip("matplotlib", reason="the benchmark suite draws its plots with matplotlib")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    if not CORPUS_SCRIPT.exists():
        pytest.skip("the corpus script ../shared/corpus/get-loc-corpus.sh is not there")
    out = tmp_path_factory.mktemp("suite")
    subprocess.run([sys.executable, str(SUITE), "--quick", "--out", str(out)], check=True,
                   capture_output=True, cwd=REPO, timeout=900)
    with open(out / "results.json", encoding="utf-8") as handle:
        return out, json.load(handle)


def test_every_group_ran(quick_run):
    _, results = quick_run
    groups = {row["group"] for row in results["cases"]}
    assert {"read", "write", "formats", "marc8", "threads", "memory", "fields"} <= groups
    for row in results["cases"]:
        assert row["records"] > 0, row
        assert row["rate"] > 0, row
        assert row["peak_rss_mib"] > 1, row


def test_libraries_read_the_same_number_of_records(quick_run):
    _, results = quick_run
    counts = {}
    for row in results["cases"]:
        if row["group"] in ("read", "formats", "marc8", "fields"):
            operation = row["label"].split(" / ")[0]
            counts.setdefault(operation, set()).add(row["records"])
    for operation, seen in counts.items():
        assert len(seen) == 1, (operation, seen)
    threads = [r for r in results["cases"] if r["group"] == "threads"]
    per_file = results["settings"]["records"]
    for row in threads:
        assert row["records"] == per_file * row["case"]["threads"], row


def test_machine_is_described(quick_run):
    _, results = quick_run
    machine = results["machine"]
    for key in ("cpu", "cores", "memory_gib", "os", "python", "rustc", "pymarc", "pymrrc", "corpus_sha256"):
        assert machine[key], key
    assert len(machine["corpus_sha256"]) == 64


def test_tables_and_plots_are_written(quick_run):
    out, _ = quick_run
    tables = (out / "results.md").read_text(encoding="utf-8")
    for heading in ("## Reading", "## Writing", "## MARCXML", "## MARC-8", "## Thread scaling", "## Memory",
                    "## Field access"):
        assert heading in tables
    for name in ("thread-scaling.png", "throughput.png"):
        data = (out / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000, name


def test_field_access_cases_pair_pymarc_with_pymrrc(quick_run):
    """Issue 14's workloads: each one measured for both libraries, with its
    goal in the targets table."""
    out, results = quick_run
    labels = {row["label"] for row in results["cases"] if row["group"] == "fields"}
    operations = {label.rsplit(" / ", 1)[0] for label in labels}
    assert len(operations) == 7, operations
    for operation in operations:
        assert {f"{operation} / pymarc", f"{operation} / pymrrc"} <= labels, operation
    tables = (out / "results.md").read_text(encoding="utf-8")
    for operation in operations:
        assert f"| {operation} vs pymarc |" in tables or operation.startswith("list(reader)"), operation
    assert "list(reader), file object, pymrrc peak" in tables
