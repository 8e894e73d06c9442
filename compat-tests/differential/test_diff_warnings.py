"""pymarc vs pymrrc: who warnings and log lines are attributed to, so that
the filters and formats of a program that moved from pymarc keep working.

* ``BadSubfieldCodeWarning`` is reported under pymarc's module name
  (``pymarc.record``) wherever pymarc reports it there, so
  ``warnings.filterwarnings("ignore", module="pymarc")`` and
  ``-W error:::pymarc.record`` act the same; ``decode_marc`` called
  directly names its caller, in both.
* The ``default`` and ``module`` actions show the same number of warnings.
* Log lines (logger ``pymarc``) read the same through a format naming
  ``%(name)s``, ``%(module)s``, ``%(filename)s`` and ``%(funcName)s``, on
  the native paths (the reader, ``Record(data=...)``) and the Python one.

See docs/decisions/0003-logger-name.md and 0009-warning-attribution.md.
"""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
import warnings

import pytest

import pymrrc_compat_diff as diff  # registered by compat-tests/conftest.py


@pytest.fixture(scope="module")
def bad_code(pymarc_test_dir):
    return (pymarc_test_dir / "bad_subfield_code.dat").read_bytes()


@pytest.fixture(scope="module")
def bad_indicators(pymarc_test_dir):
    return (pymarc_test_dir / "bad_indicator.dat").read_bytes()


def _read_all(lib, data, how):
    if how == "reader":
        reader = lib.MARCReader(data)
        return [(r is not None, diff.observe(lambda: reader.current_exception)) for r in reader]
    if how == "init":
        return [diff.observe(lambda c=c: str(lib.Record(data=c))) for c in diff.split_records(data)]
    out = []
    for chunk in diff.split_records(data):
        record = lib.Record()
        out.append(diff.observe(lambda: record.decode_marc(chunk)))  # the caller: this file
    return out


HOW = ("reader", "init", "decode_marc")


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("module", ["pymarc", r"pymarc\.record", "pymarc.record$", "pym"])
def test_module_filter_silences_both(reference, target, bad_code, how, module):
    results = []
    for lib in (reference, target):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("error")
            warnings.filterwarnings("ignore", module=module)
            outcome = _read_all(lib, bad_code, how)
        results.append((outcome, [w.category.__name__ for w in caught]))
    assert results[1] == results[0]
    # Through the reader and Record(data=...), the filter silences them; a
    # direct decode_marc() call names this module, so "error" applies.
    silenced = how != "decode_marc"
    assert any(o[0] == "raised" for o in results[0][0]) != silenced, results[0]


@pytest.mark.parametrize("how", HOW)
def test_attribution(reference, target, bad_code, how):
    results = []
    for lib in (reference, target):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _read_all(lib, bad_code, how)
        assert caught
        results.append([
            (w.category.__name__, str(w.message), os.path.basename(w.filename),
             w.lineno if w.filename == __file__ else None)
            for w in caught
        ])
    assert results[1] == results[0]
    expected = "test_diff_warnings.py" if how == "decode_marc" else "record.py"
    assert {entry[2] for entry in results[0]} == {expected}


SCRIPT = """
import sys, warnings
lib = __import__(sys.argv[1])
with open(sys.argv[2], "rb") as handle:
    data = handle.read()
for _ in range(2):
    reader = lib.MARCReader(data)
    print([type(reader.current_exception).__name__ for record in reader])
    try:
        lib.Record(data=data[:int(data[:5])])
    except Exception as exc:
        print(type(exc).__name__, exc)
"""


def _normalise(text):
    """Stderr with the warning's location (path, line, quoted source line)
    taken out: they are each library's own."""
    return re.sub(r"[^\s:]*/(pymarc|pymrrc)/record\.py:\d+:(.*)\n  .*\n", r"record.py:N:\2\n", text)


@pytest.mark.parametrize("flag", ["error:::pymarc.record", "ignore:::pymarc.record", "default", "module",
                                  "always", "error::UserWarning"])
def test_command_line_filters(reference, target, pymarc_test_dir, flag):
    path = pymarc_test_dir / "bad_subfield_code.dat"
    results = []
    for lib in (reference, target):
        proc = subprocess.run(
            [sys.executable, "-W", flag, "-c", SCRIPT, lib.__name__, str(path)],
            capture_output=True, text=True, timeout=120,
        )
        results.append((proc.returncode, proc.stdout, _normalise(proc.stderr)))
    assert results[1] == results[0]


FORMAT = "%(name)s|%(module)s|%(filename)s|%(funcName)s|%(levelname)s|%(message)s"


@pytest.mark.parametrize("how", HOW + ("raw", "failing"))
def test_log_record_attributes(reference, target, bad_indicators, how):
    results = []
    for lib in (reference, target):
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter(FORMAT))
        logger = logging.getLogger("pymarc")
        logger.addHandler(handler)
        try:
            if how == "raw":
                # to_unicode=False: the Python decoder, and RawField's own message.
                records = [lib.Record(data=c, to_unicode=False) for c in diff.split_records(bad_indicators)]
                for record in records:
                    record.fields[-1].as_marc("utf-8")
            elif how == "failing":
                # The indicators are logged, then decoding fails further on.
                chunk = diff.split_records(bad_indicators)[0]
                diff.observe(lambda: lib.Record(data=chunk[:-40] + b"\xff" * 39 + chunk[-1:]))
            else:
                _read_all(lib, bad_indicators, how)
        finally:
            logger.removeHandler(handler)
        results.append(stream.getvalue())
    assert results[0].count("\n") >= 1
    assert results[1] == results[0]
