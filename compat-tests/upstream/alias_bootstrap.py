"""Child-process entry point of run_upstream.py: alias pymarc, then run pytest.

Usage (run_upstream.py builds this command line; cwd is a scratch folder that
holds a copy of pymarc's ``test/`` folder):

    python3 alias_bootstrap.py --target pymrrc --results OUT.json \
        [--repo-root DIR] -- PYTEST_ARGS...

With ``--target pymrrc`` this installs, before pytest imports any test
module, ``sys.modules["pymarc"] = pymrrc`` and ``sys.modules["pymarc.X"] =
pymrrc.X`` for every pymarc submodule that pymrrc provides.  Any other import
of ``pymarc`` or ``pymarc.*`` is refused by a meta-path finder, so the real,
installed pymarc can never be picked up; a test that needs a submodule that
pymrrc lacks fails with ModuleNotFoundError and is reported.

With ``--target pymarc`` nothing is aliased: the installed pymarc is used
(the baseline).

The outcome of every test (subtests folded into their test) is written to
the ``--results`` JSON file.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.abc
import importlib.util
import json
import os
import sys
import traceback

# Running this file as a script put its own folder first on sys.path; take it
# off again so that nothing in compat-tests/upstream/ is importable by tests.
_HERE = os.path.dirname(os.path.abspath(__file__))
if sys.path and os.path.abspath(sys.path[0] or ".") == _HERE:
    sys.path.pop(0)

# Every submodule of pymarc 5.4.0 (pymarc/*.py).
PYMARC_SUBMODULES = (
    "constants",
    "exceptions",
    "field",
    "leader",
    "marc8",
    "marc8_mapping",
    "marcjson",
    "marcxml",
    "reader",
    "record",
    "writer",
)


class _BlockPymarc(importlib.abc.MetaPathFinder):
    """Refuse every ``pymarc``/``pymarc.*`` import that is not aliased."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "pymarc" or fullname.startswith("pymarc."):
            raise ModuleNotFoundError(
                f"No module named {fullname!r} (compat-tests alias: the target "
                f"package does not provide it, and the real pymarc is blocked)",
                name=fullname,
            )
        return None


def _import_target(name: str, repo_root: str | None, info: dict):
    """Import the target package; fall back to the repo root (appended)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name or not repo_root:
            raise
    # Appended, not prepended: an installed pymrrc keeps precedence over the
    # source folder (which may lack the compiled extension).
    sys.path.append(repo_root)
    info["repo_root_appended_to_sys_path"] = repo_root
    return importlib.import_module(name)


def install_alias(target: str, repo_root: str | None, info: dict) -> None:
    """Make ``import pymarc[.X]`` resolve to ``<target>[.X]``."""
    real = importlib.util.find_spec("pymarc")
    info["real_pymarc_location"] = (
        os.path.dirname(real.origin) if real and real.origin else None
    )
    sys.meta_path.insert(0, _BlockPymarc())
    module = _import_target(target, repo_root, info)
    sys.modules["pymarc"] = module
    aliases = {"pymarc": target}
    missing = {}
    for sub in PYMARC_SUBMODULES:
        full = f"{target}.{sub}"
        try:
            submodule = importlib.import_module(full)
        except Exception as exc:  # missing, or broken: report and go on
            missing[sub] = f"{type(exc).__name__}: {exc}"
            continue
        sys.modules[f"pymarc.{sub}"] = submodule
        aliases[f"pymarc.{sub}"] = full
    info["aliases"] = aliases
    info["missing_submodules"] = missing
    for sub, why in missing.items():
        print(f"[alias] pymarc.{sub} not aliased: {why}", file=sys.stderr)


def _module_file(module) -> str | None:
    path = getattr(module, "__file__", None)
    if path:
        return path
    locations = getattr(module, "__path__", None)
    return f"namespace:{list(locations)}" if locations is not None else None


def _first_line(text: str) -> str:
    lines = [ln for ln in str(text).splitlines() if ln.strip()]
    # pytest marks the exception lines of a traceback with "E   ".
    for ln in lines:
        if ln.startswith("E "):
            return ln[1:].strip()
    return lines[0].strip() if lines else ""


class ResultCollector:
    """pytest plugin recording one outcome per test id (subtests folded in)."""

    def __init__(self) -> None:
        self.tests: dict[str, dict] = {}
        self.collect_errors: list[dict] = []

    def _entry(self, nodeid: str) -> dict:
        return self.tests.setdefault(
            nodeid,
            {"outcome": None, "message": "", "subtests_passed": 0, "subtests_failed": 0},
        )

    def pytest_runtest_logreport(self, report):
        entry = self._entry(report.nodeid)
        is_subtest = hasattr(report, "context") and type(report).__name__ != "TestReport"
        message = ""
        if report.failed:
            crash = getattr(report.longrepr, "reprcrash", None)
            message = crash.message if crash is not None else str(report.longrepr)
            message = message.strip().splitlines()[0] if message.strip() else ""
            if not message:
                message = _first_line(str(report.longrepr))
        if is_subtest:
            if report.failed:
                entry["subtests_failed"] += 1
                desc = getattr(report, "_sub_test_description", lambda: "")()
                if not entry["message"]:
                    entry["message"] = f"subtest {desc}: {message}".strip()
            elif report.passed:
                entry["subtests_passed"] += 1
            return
        if report.when == "call":
            if hasattr(report, "wasxfail"):
                outcome = "xfailed" if report.skipped else "xpassed"
            else:
                outcome = report.outcome
            if entry["outcome"] in (None, "passed"):
                entry["outcome"] = outcome
            if report.failed and not entry["message"]:
                entry["message"] = message
        elif report.failed:  # setup or teardown error
            entry["outcome"] = "error"
            entry["message"] = entry["message"] or f"{report.when}: {message}"
        elif report.skipped and report.when == "setup":
            entry["outcome"] = "skipped"
            longrepr = report.longrepr
            if isinstance(longrepr, tuple) and len(longrepr) == 3:
                entry["message"] = str(longrepr[2])

    def pytest_collectreport(self, report):
        if report.failed:
            self.collect_errors.append(
                {"nodeid": report.nodeid, "message": _first_line(str(report.longrepr))}
            )

    def finish(self) -> None:
        for entry in self.tests.values():
            if entry["subtests_failed"] and entry["outcome"] in (None, "passed"):
                entry["outcome"] = "failed"
            if entry["outcome"] is None:
                entry["outcome"] = "error"


def main() -> int:
    argv = sys.argv[1:]
    if "--" in argv:
        split = argv.index("--")
        own, pytest_args = argv[:split], argv[split + 1:]
    else:
        own, pytest_args = argv, []
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--results", required=True)
    parser.add_argument("--repo-root")
    args = parser.parse_args(own)

    info: dict = {"target": args.target, "python": sys.version.split()[0]}
    result: dict = {"info": info, "tests": {}, "collect_errors": [], "fatal": None}

    def write() -> None:
        with open(args.results, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=1)

    try:
        if args.target == "pymarc":
            import pymarc  # the real, installed one

            info["aliases"] = {}
            info["missing_submodules"] = {}
            info["real_pymarc_location"] = os.path.dirname(pymarc.__file__)
        else:
            install_alias(args.target, args.repo_root, info)
        info["pymarc_resolves_to"] = _module_file(sys.modules["pymarc"])
    except BaseException as exc:
        result["fatal"] = (
            f"could not import target {args.target!r}: {type(exc).__name__}: {exc}\n"
            + traceback.format_exc()
        )
        write()
        return 3

    import pytest

    info["pytest"] = pytest.__version__
    collector = ResultCollector()
    try:
        rc = int(pytest.main(pytest_args, plugins=[collector]))
    except BaseException as exc:  # pragma: no cover - pytest itself blew up
        result["fatal"] = f"pytest crashed: {type(exc).__name__}: {exc}"
        rc = 4
    collector.finish()
    result["tests"] = collector.tests
    result["collect_errors"] = collector.collect_errors
    result["returncode"] = rc

    if args.target != "pymarc":
        # Leak check: no module of the real pymarc may have been loaded.
        real_dir = info.get("real_pymarc_location")
        leaked = []
        if real_dir:
            prefix = os.path.join(os.path.realpath(real_dir), "")
            for name, mod in list(sys.modules.items()):
                path = getattr(mod, "__file__", None)
                if path and os.path.realpath(path).startswith(prefix):
                    leaked.append(name)
        info["real_pymarc_modules_loaded"] = sorted(leaked)
        if sys.modules.get("pymarc") is not sys.modules.get(args.target):
            info["alias_replaced_during_run"] = True
        if leaked:
            result["fatal"] = f"real pymarc modules were loaded: {sorted(leaked)}"
    write()
    return rc


if __name__ == "__main__":
    sys.exit(main())
