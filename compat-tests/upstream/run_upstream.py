#!/usr/bin/env python3
"""Run pymarc 5.4.0's own test suite, unmodified, against pymrrc.

    python3 compat-tests/upstream/run_upstream.py [--modules test_reader ...]
        [--target pymrrc|pymarc] [--report PATH] [--no-baseline] [--jobs N]

What it does:

1. fetches the pymarc 5.4.0 sdist from PyPI (cached, sha256-pinned; see
   pymarc_sdist.py for the cache folder) and extracts its ``test/`` folder;
2. for every test module, copies that folder into a fresh scratch directory
   and runs pytest there in a subprocess (``alias_bootstrap.py``), with
   ``pymarc`` and all its submodules aliased to the target's in
   ``sys.modules`` before any test is imported (the tests open files by
   relative paths such as ``test/test.dat``, so the scratch directory is the
   working directory);
3. unless ``--target pymarc`` or ``--no-baseline``, runs the same modules on
   the real pymarc too, so that tests failing on pymarc itself are marked;
4. prints per-module counts, the overall pass rate and the failing test ids
   with the first line of their error, and writes a JSON report (``--report``,
   default ``compat-tests/_cache/upstream-<target>.json``) plus a Markdown
   one next to it (same name, ``.md``).

Exit status: 0 when every test passes (tests that also fail on real pymarc
excepted), 1 when some fail, 2 when the suite could not be set up.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
COMPAT_DIR = HERE.parent
REPO_ROOT = COMPAT_DIR.parent
BOOTSTRAP = HERE / "alias_bootstrap.py"

sys.path.insert(0, str(HERE))
import pymarc_sdist  # noqa: E402  (script-local helper)

sys.path.pop(0)

# All unittest modules of pymarc 5.4.0's test/ folder.
ALL_MODULES = (
    "test_encode",
    "test_field",
    "test_json",
    "test_leader",
    "test_marc8",
    "test_ordered_fields",
    "test_reader",
    "test_record",
    "test_utf8",
    "test_writer",
    "test_xml",
)

PASSING = ("passed", "xfailed")


def normalize_module(name: str) -> str:
    base = Path(name).name
    if base.endswith(".py"):
        base = base[:-3]
    if not base.startswith("test_"):
        base = "test_" + base
    if base not in ALL_MODULES:
        raise SystemExit(f"unknown pymarc test module {name!r}; known: {', '.join(ALL_MODULES)}")
    return base


def run_module(module: str, target: str, timeout: float, keep: bool) -> dict:
    """Run one test module for one target in a scratch copy of test/."""
    scratch = Path(tempfile.mkdtemp(prefix=f"pymarc-upstream-{target}-{module}-"))
    try:
        pymarc_sdist.copy_test_tree(scratch)
        # An explicit, empty config pins rootdir to the scratch folder and
        # keeps any pytest/pyproject config of enclosing folders out.
        (scratch / "pytest.ini").write_text("[pytest]\n")
        results = scratch / "results.json"
        cmd = [
            sys.executable, str(BOOTSTRAP),
            "--target", target,
            "--results", str(results),
            "--repo-root", str(REPO_ROOT),
            "--",
            "-q", "-p", "no:cacheprovider", "-c", "pytest.ini",
            "--rootdir", str(scratch), f"test/{module}.py",
        ]
        env = dict(os.environ)
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTEST_ADDOPTS", None)
        try:
            proc = subprocess.run(
                cmd, cwd=scratch, env=env, capture_output=True, text=True,
                timeout=timeout,
            )
            rc, out = proc.returncode, proc.stdout + proc.stderr
        except subprocess.TimeoutExpired as exc:
            rc = "timeout"
            out = exc.stdout or ""
            if isinstance(out, bytes):
                out = out.decode(errors="replace")
        data: dict = {}
        if results.is_file():
            data = json.loads(results.read_text(encoding="utf-8"))
        if not data:
            data = {"info": {}, "tests": {}, "collect_errors": [], "fatal": None}
            data["fatal"] = f"no results (exit status {rc}); output tail:\n{out[-3000:]}"
        data["module"] = module
        data["process_returncode"] = rc
        data["output_tail"] = out[-4000:]
        return data
    finally:
        if keep:
            print(f"[upstream] kept {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def run_suite(modules, target, jobs, timeout, keep):
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {m: pool.submit(run_module, m, target, timeout, keep) for m in modules}
        return {m: f.result() for m, f in futures.items()}


def real_pymarc_available() -> bool:
    proc = subprocess.run(
        [sys.executable, "-c", "import pymarc"], capture_output=True,
        cwd=tempfile.gettempdir(),
    )
    return proc.returncode == 0


def merge(modules, target_runs, baseline_runs):
    """One row per test id; tests the target never ran count as failures."""
    rows = []
    per_module = {}
    for module in modules:
        run = target_runs[module]
        base = baseline_runs.get(module) if baseline_runs else None
        tests = run.get("tests", {})
        base_tests = base.get("tests", {}) if base else {}
        ids = list(tests)
        ids += [i for i in base_tests if i not in tests]
        problem = run.get("fatal") or "; ".join(
            f"{e['nodeid']}: {e['message']}" for e in run.get("collect_errors", [])
        )
        module_rows = []
        for test_id in ids:
            entry = tests.get(test_id)
            if entry is None:
                outcome, message = "error", f"not run: {problem or 'not collected'}"
            else:
                outcome, message = entry["outcome"], entry["message"]
            base_entry = base_tests.get(test_id)
            module_rows.append({
                "id": test_id,
                "module": module,
                "outcome": outcome,
                "message": message,
                "subtests_failed": (entry or {}).get("subtests_failed", 0),
                "baseline": base_entry["outcome"] if base_entry else None,
            })
        if not ids and problem:
            # Nothing collected and no baseline to say what was expected.
            module_rows.append({
                "id": f"test/{module}.py::<module>", "module": module,
                "outcome": "error", "message": problem.splitlines()[0],
                "subtests_failed": 0, "baseline": None,
            })
        for row in module_rows:
            row["passed"] = row["outcome"] in PASSING
            row["fails_on_pymarc_too"] = (
                not row["passed"] and row["baseline"] is not None
                and row["baseline"] not in PASSING
            )
        passed = sum(r["passed"] for r in module_rows)
        per_module[module] = {
            "total": len(module_rows),
            "passed": passed,
            "failed": len(module_rows) - passed,
            "failed_on_pymarc_too": sum(r["fails_on_pymarc_too"] for r in module_rows),
            "fatal": run.get("fatal"),
            "collect_errors": run.get("collect_errors", []),
            "baseline_passed": (
                sum(1 for t in base_tests.values() if t["outcome"] in PASSING)
                if base else None
            ),
            "baseline_total": len(base_tests) if base else None,
        }
        rows.extend(module_rows)
    return rows, per_module


def pct(passed: int, total: int) -> str:
    return f"{100.0 * passed / total:.1f}%" if total else "n/a"


def render_markdown(report: dict) -> str:
    s = report["summary"]
    lines = [
        f"# pymarc {pymarc_sdist.PYMARC_VERSION} upstream tests against `{report['target']}`",
        "",
        f"- date: {report['date']}",
        f"- python: {report['python']}",
        f"- `pymarc` resolved to: `{report['target_info'].get('pymarc_resolves_to')}`",
        f"- overall: **{s['passed']}/{s['total']} passed ({pct(s['passed'], s['total'])})**, "
        f"{s['failed']} failing, of which {s['failed_on_pymarc_too']} fail on real pymarc too",
    ]
    missing = report["target_info"].get("missing_submodules") or {}
    if missing:
        lines.append("- submodules not aliased (absent from the target): "
                     + ", ".join(f"`pymarc.{m}`" for m in sorted(missing)))
    lines += ["", "| module | passed | total | pass rate | baseline (real pymarc) |",
              "|---|---:|---:|---:|---:|"]
    for module, m in report["modules"].items():
        base = (f"{m['baseline_passed']}/{m['baseline_total']}"
                if m["baseline_total"] is not None else "-")
        lines.append(f"| {module} | {m['passed']} | {m['total']} | "
                     f"{pct(m['passed'], m['total'])} | {base} |")
    failing = [r for r in report["tests"] if not r["passed"]]
    if failing:
        lines += ["", "## Failing tests", ""]
        for r in failing:
            tag = " *(fails on real pymarc too)*" if r["fails_on_pymarc_too"] else ""
            msg = r["message"].replace("|", "\\|")
            lines.append(f"- `{r['id']}` [{r['outcome']}]{tag}: {msg}")
    fatal = [(m, d["fatal"]) for m, d in report["modules"].items() if d["fatal"]]
    if fatal:
        lines += ["", "## Module-level problems", ""]
        for m, f in fatal:
            lines.append(f"- {m}: {f.splitlines()[0]}")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", nargs="+", default=list(ALL_MODULES),
                        help="test modules to run (default: all)")
    parser.add_argument("--target", default="pymrrc",
                        help="package that `pymarc` is aliased to (default pymrrc); "
                             "'pymarc' runs the suite on the real pymarc")
    parser.add_argument("--report", type=Path,
                        help="JSON report path (a .md report is written beside it); "
                             "default compat-tests/_cache/upstream-<target>.json")
    parser.add_argument("--no-baseline", action="store_true",
                        help="do not also run the modules on the real pymarc")
    parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds per module and target (default 600)")
    parser.add_argument("--keep", action="store_true", help="keep scratch folders")
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="print only the summary lines")
    args = parser.parse_args(argv)

    modules = list(dict.fromkeys(normalize_module(m) for m in args.modules))
    try:
        pymarc_sdist.ensure_test_dir()
    except pymarc_sdist.SdistUnavailable as exc:
        print(f"[upstream] cannot obtain pymarc's tests: {exc}", file=sys.stderr)
        return 2

    target_runs = run_suite(modules, args.target, args.jobs, args.timeout, args.keep)
    baseline_runs = None
    if args.target != "pymarc" and not args.no_baseline:
        if real_pymarc_available():
            baseline_runs = run_suite(modules, "pymarc", args.jobs, args.timeout, args.keep)
        else:
            print("[upstream] real pymarc not importable: no baseline", file=sys.stderr)

    rows, per_module = merge(modules, target_runs, baseline_runs)
    passed = sum(r["passed"] for r in rows)
    summary = {
        "total": len(rows),
        "passed": passed,
        "failed": len(rows) - passed,
        "failed_on_pymarc_too": sum(r["fails_on_pymarc_too"] for r in rows),
        "pass_rate": (passed / len(rows)) if rows else None,
    }
    first_info = next((r.get("info", {}) for r in target_runs.values() if r.get("info")), {})
    report = {
        "target": args.target,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "pymarc_sdist": {"version": pymarc_sdist.PYMARC_VERSION,
                         "sha256": pymarc_sdist.SDIST_SHA256},
        "target_info": first_info,
        "baseline_ran": baseline_runs is not None,
        "summary": summary,
        "modules": per_module,
        "tests": rows,
        "module_output_tails": {m: r.get("output_tail", "") for m, r in target_runs.items()
                                if r.get("fatal") or r.get("collect_errors")},
    }

    report_path = args.report or COMPAT_DIR / "_cache" / f"upstream-{args.target}.json"
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    md_path = report_path.with_suffix(".md")
    md_path.write_text(render_markdown(report), encoding="utf-8")

    width = max(len(m) for m in modules)
    print(f"pymarc {pymarc_sdist.PYMARC_VERSION} upstream tests, target={args.target} "
          f"(pymarc -> {first_info.get('pymarc_resolves_to')})")
    for module, m in per_module.items():
        base = (f"   [real pymarc: {m['baseline_passed']}/{m['baseline_total']}]"
                if m["baseline_total"] is not None else "")
        print(f"  {module:<{width}}  {m['passed']:>4}/{m['total']:<4} passed  "
              f"{m['failed']:>4} failed  {pct(m['passed'], m['total']):>6}{base}")
    print(f"  {'TOTAL':<{width}}  {passed:>4}/{len(rows):<4} passed  "
          f"{summary['failed']:>4} failed  {pct(passed, len(rows)):>6}")
    if first_info.get("missing_submodules"):
        print("  not aliased (absent from target): "
              + ", ".join(f"pymarc.{m}" for m in sorted(first_info["missing_submodules"])))
    if not args.quiet:
        failing = [r for r in rows if not r["passed"]]
        if failing:
            print("failing tests:")
            for r in failing:
                tag = " (fails on real pymarc too)" if r["fails_on_pymarc_too"] else ""
                print(f"  {r['id']} [{r['outcome']}]{tag}: {r['message']}")
        for module, m in per_module.items():
            if m["fatal"]:
                print(f"  {module}: {m['fatal'].splitlines()[0]}")
    print(f"report: {report_path} (+ {md_path.name})")
    unexplained = summary["failed"] - summary["failed_on_pymarc_too"]
    return 0 if unexplained == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
