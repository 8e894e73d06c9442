"""Where the tests' shared data lives: the cache that tests/conftest.py fills
(``$PYMRRC_CACHE``, else ``${XDG_CACHE_HOME:-~/.cache}/marc-corpus``), slices of
the Library of Congress corpus, and pymarc 5.4.0's test files."""

from __future__ import annotations

import functools
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# pymarc 5.4.0's test/*.dat and test/*.mrc (test_backends checks the folder
# holds exactly these).
PYMARC_DATA_FILES = (
    "1251.dat",
    "alphatag.dat",
    "bad_eacc_encoding.dat",
    "bad_indicator.dat",
    "bad_marc8_escape.dat",
    "bad_records.mrc",
    "bad_subfield_code.dat",
    "diacritic.dat",
    "marc.dat",
    "marc8-to-unicode.dat",
    "marc8.dat",
    "multi_isbn.dat",
    "one.dat",
    "regression45.dat",
    "test.dat",
    "testunimarc.dat",
    "utf8_errors.dat",
    "utf8_invalid.mrc",
    "utf8_with_leader_flag.dat",
    "utf8_without_leader_flag.dat",
)

# Those of them that hold MARC-8 records.
PYMARC_MARC8_FILES = (
    "1251.dat",
    "bad_eacc_encoding.dat",
    "bad_marc8_escape.dat",
    "diacritic.dat",
    "marc8-to-unicode.dat",
    "marc8.dat",
    "test.dat",
)


def cache_dir() -> Path:
    env = os.environ.get("PYMRRC_CACHE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "marc-corpus"


def load_by_path(name: str, path: Path):
    """The module in the file ``path``, imported once under ``name``."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@functools.cache
def pymarc_test_dir() -> Path | str:
    """pymarc's test/ folder, or a string saying why it is unavailable."""
    done = cache_dir() / "pymarc-5.4.0-src"
    if (done / ".complete").is_file() and (done / "test").is_dir():
        return done / "test"
    helper = REPO / "compat-tests" / "upstream" / "pymarc_sdist.py"
    if not helper.is_file():
        return f"{helper} is missing"
    try:
        sdist = load_by_path("pymrrc_compat_sdist", helper)
        return sdist.ensure_test_dir()
    except Exception as exc:  # noqa: BLE001 - any failure means "unavailable"
        return f"the pymarc 5.4.0 sdist test/ folder is unavailable: {exc}"


def _slice_records(src: Path, dst: Path, count: int) -> None:
    tmp = dst.with_name(dst.name + f".part{os.getpid()}")
    with open(src, "rb") as f, open(tmp, "wb") as out:
        for _ in range(count):
            head = f.read(5)
            if len(head) < 5:
                break
            out.write(head + f.read(int(head) - 5))
    os.replace(tmp, dst)


@functools.cache
def corpus_slice(count: int) -> Path | str:
    """A file holding the first ``count`` LoC corpus records, or why not."""
    cache = cache_dir()
    exact = cache / f"loc-{count}.mrc"
    if exact.is_file():
        return exact
    sources = sorted(
        (p for p in cache.glob("loc-*.mrc") if p.stem[4:].isdigit() and int(p.stem[4:]) > count),
        key=lambda p: int(p.stem[4:]),
    )
    full = cache / "BooksAll.2016.part01.utf8"
    if full.is_file():
        sources.append(full)
    if sources:
        try:
            _slice_records(sources[0], exact, count)
            return exact
        except OSError:
            pass
    script = REPO.parent / "shared" / "corpus" / "get-loc-corpus.sh"
    if not script.is_file():
        return f"no LoC corpus in {cache} and no {script} to fetch it"
    try:
        proc = subprocess.run(
            ["bash", str(script), str(cache), str(count)],
            capture_output=True, text=True, timeout=900, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{script} failed: {exc}"
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines or not Path(lines[-1]).is_file():
        return f"{script} failed ({proc.returncode}): {proc.stderr[-500:]}"
    return Path(lines[-1])


def run_spark_block(document: str, tmp_path: Path, monkeypatch) -> dict:
    """Runs the ```python-spark block of ``docs/<document>`` (which the
    generic docs test leaves alone) in ``tmp_path``, beside a copy of the
    bundled sample as ``records.mrc``, and returns its namespace; skips
    where pyspark or a Java runtime is missing (neither is a test
    dependency: a JVM and a 300 MB package)."""
    import re
    import shutil

    import pytest

    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime for Spark")
    text = (REPO / "docs" / document).read_text(encoding="utf-8")
    (code,) = re.findall(r"^```python-spark\n(.*?)^```", text, re.S | re.M)
    shutil.copyfile(REPO / "examples" / "data" / "sample.mrc", tmp_path / "records.mrc")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
    namespace = {"__name__": "__doc_example__"}
    exec(compile(code, f"<docs/{document} spark>", "exec"), namespace)  # noqa: S102
    return namespace
