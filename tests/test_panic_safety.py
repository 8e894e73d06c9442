"""A Rust panic inside the extension reaches Python as an exception and
never aborts the interpreter.

The core is written to have no panicking path on any input (the fuzz
targets in fuzz/ and rust/core/tests/ check that); these tests check the
second line of defence: the release profile unwinds (``panic = "unwind"``)
and pyo3 turns a panic into ``pyo3_runtime.PanicException`` (a
``BaseException``), whether it happens with the GIL held or inside a
GIL-released section, on the main thread or another. The trigger is the
private test hook ``pymrrc._core._panic_for_tests``.

The file also checks that every ``unsafe`` block in the binding crate
carries a ``// SAFETY:`` comment.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import pymrrc
from pymrrc import _core

REPO = Path(__file__).resolve().parents[1]


def panic_exception_of(fn):
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - the exception is the observation
        return exc
    pytest.fail("no exception")


@pytest.mark.parametrize("detached", [False, True], ids=["gil-held", "gil-released"])
def test_panic_becomes_python_exception(detached):
    exc = panic_exception_of(lambda: _core._panic_for_tests("boom 42", detached))
    assert type(exc).__name__ == "PanicException"
    assert not isinstance(exc, Exception), "pyo3 raises it as a BaseException"
    assert "boom 42" in str(exc)
    # The interpreter and the extension carry on.
    record = pymrrc.Record()
    record.add_field(pymrrc.Field(tag="001", data="x"))
    assert next(iter(pymrrc.MARCReader(record.as_marc()))).as_marc() == record.as_marc()


def test_panic_in_another_thread():
    caught = []

    def body():
        caught.append(panic_exception_of(lambda: _core._panic_for_tests("in a thread", True)))

    thread = threading.Thread(target=body)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    assert type(caught[0]).__name__ == "PanicException"


def test_uncaught_panic_does_not_abort():
    """An uncaught panic ends the program like an uncaught Python exception
    (exit status 1 and a traceback), not with SIGABRT."""
    code = (
        "from pymrrc import _core\n"
        "try:\n"
        "    _core._panic_for_tests('first', True)\n"
        "except BaseException as e:\n"
        "    print('caught', type(e).__name__)\n"
        "_core._panic_for_tests('second')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    assert "caught PanicException" in proc.stdout
    assert "PanicException: second" in proc.stderr


def test_release_profile_unwinds():
    # A regex rather than tomllib, which Python 3.10 lacks.
    text = (REPO / "Cargo.toml").read_text()
    section = re.search(r"^\[profile\.release\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    assert section, "no [profile.release] in Cargo.toml"
    panic = re.search(r'^\s*panic\s*=\s*"(\w+)"', section.group(1), re.M)
    assert panic is None or panic.group(1) == "unwind", panic


def test_every_unsafe_block_has_a_safety_comment():
    """An ``unsafe`` keyword in rust/py must have a ``// SAFETY:`` comment
    among the eight lines before it (after its ``#[allow]``)."""
    missing = []
    for path in sorted((REPO / "rust" / "py" / "src").rglob("*.rs")):
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            code = line.split("//", 1)[0]
            if not re.search(r"\bunsafe\b", code) or "unsafe_code" in code:
                continue
            before = lines[max(0, number - 8) : number + 1]
            if not any("// SAFETY:" in b for b in before):
                missing.append(f"{path.relative_to(REPO)}:{number + 1}: {line.strip()}")
    assert not missing, missing
    # The core crate has none at all.
    lib = (REPO / "rust" / "core" / "src" / "lib.rs").read_text()
    assert "#![forbid(unsafe_code)]" in lib
