"""pymrrc's type information: what a user's type checker sees.

``tests/typing/user_script.py`` is a typed program written against pymarc.
It is checked with mypy --strict and with pyright in strict mode twice: as
it is (pymarc, the installed test dependency) and with its ``pymarc``
imports switched to ``pymrrc``. Line by line the two must give the same
diagnostics and revealed types, except on lines the script marks
``# differs: <checkers>: <why>`` (where pymrrc's types are more precise
than pymarc's, which must then show); lines marked ``# error`` must be
flagged with both libraries, ``# error-pymrrc`` with pymrrc.

Also: the package's own Python passes mypy --strict.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "tests" / "typing" / "user_script.py"
BIN = Path(sys.executable).parent
MARKER = re.compile(r"#\s*differs:\s*([\w, ]+):")


def as_pymrrc(text):
    """The same program with pymrrc in place of pymarc, line for line."""
    text = re.sub(r"^import pymarc$", "import pymrrc as pymarc", text, flags=re.M)
    return re.sub(r"^from pymarc\b", "from pymrrc", text, flags=re.M)


def normalise(message):
    return message.replace("pymrrc", "pymarc")


def run_mypy(folder, name):
    # Run from the temporary folder: no project configuration applies.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-version", "3.11",
         "--hide-error-context", "--no-error-summary", "--show-error-codes", name],
        cwd=folder, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout + result.stderr
    found = {}
    for line in result.stdout.splitlines():
        match = re.match(rf"{re.escape(name)}:(\d+): (error|note): (.*)", line)
        assert match, line
        number, severity, message = match.groups()
        found.setdefault(int(number), []).append(f"{severity}: {normalise(message)}")
    return found


def run_pyright(folder, name):
    (folder / "pyrightconfig.json").write_text(
        json.dumps({"typeCheckingMode": "strict", "pythonVersion": "3.11", "reportUnusedCallResult": False})
    )
    result = subprocess.run(
        [BIN / "pyright", "--outputjson", "--pythonpath", sys.executable, name],
        cwd=folder, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout + result.stderr
    found = {}
    for diagnostic in json.loads(result.stdout)["generalDiagnostics"]:
        number = diagnostic["range"]["start"]["line"] + 1
        rule = diagnostic.get("rule", "")
        found.setdefault(number, []).append(
            f"{diagnostic['severity']}: {normalise(diagnostic['message'])} [{rule}]"
        )
    return found


CHECKERS = {"mypy": run_mypy, "pyright": run_pyright}


@pytest.fixture(scope="module")
def diagnostics(tmp_path_factory):
    text = SCRIPT.read_text()
    results = {}
    for library, source in (("pymarc", text), ("pymrrc", as_pymrrc(text))):
        folder = tmp_path_factory.mktemp(library)
        (folder / "user_script.py").write_text(source)
        for checker, run in CHECKERS.items():
            results[checker, library] = run(folder, "user_script.py")
    return text.splitlines(), results


@pytest.mark.parametrize("checker", CHECKERS)
def test_same_types_as_pymarc_except_where_more_precise(diagnostics, checker):
    lines, results = diagnostics
    ours, theirs = results[checker, "pymrrc"], results[checker, "pymarc"]
    unexpected, stale = [], []
    for number, line in enumerate(lines, start=1):
        marker = MARKER.search(line)
        differs = marker is not None and checker in marker.group(1).replace(" ", "").split(",")
        a, b = sorted(ours.get(number, [])), sorted(theirs.get(number, []))
        if differs and a == b:
            stale.append(f"{number}: {line.strip()}\n    both: {a}")
        elif not differs and a != b:
            unexpected.append(f"{number}: {line.strip()}\n    pymrrc: {a}\n    pymarc: {b}")
    assert not unexpected, f"{checker}: pymrrc's types differ from pymarc's:\n" + "\n".join(unexpected)
    assert not stale, f"{checker}: lines marked 'differs' that no longer differ:\n" + "\n".join(stale)


@pytest.mark.parametrize("checker", CHECKERS)
def test_mistakes_are_caught(diagnostics, checker):
    lines, results = diagnostics
    for number, line in enumerate(lines, start=1):
        expected = re.search(r"#.*\berror(-pymrrc)?\s*$", line)
        if not expected:
            continue
        libraries = ["pymrrc"] if expected.group(1) else ["pymrrc", "pymarc"]
        for library in libraries:
            errors = [d for d in results[checker, library].get(number, []) if d.startswith("error")]
            assert errors, f"{checker} with {library} does not flag line {number}: {line.strip()}"


def test_package_passes_mypy_strict():
    # pyproject.toml's [tool.mypy]: files = ["pymrrc"], strict = true.
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
