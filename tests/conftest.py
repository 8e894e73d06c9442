"""Session set-up for pymrrc's tests: make sure the shared test data is in
the cache before any test looks for it.

Tests compare pymrrc with pymarc on pymarc 5.4.0's own test files (from its
sdist, sha256-pinned) and on a slice of the Library of Congress corpus. Both
are fetched once into the cache (``$PYMRRC_CACHE`` or ``~/.cache/marc-corpus``)
by the same helpers the compatibility suite uses. Where a download is not
possible the tests that need the data skip with a reason.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SDIST_HELPER = REPO / "compat-tests" / "upstream" / "pymarc_sdist.py"
CORPUS_SCRIPT = REPO.parent / "shared" / "corpus" / "get-loc-corpus.sh"


def _fetch_pymarc_test_files():
    name = "pymrrc_compat_sdist"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, SDIST_HELPER)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    module.ensure_test_dir()


def _fetch_corpus_slice():
    if CORPUS_SCRIPT.exists():
        subprocess.run(["bash", str(CORPUS_SCRIPT), "", "10000"], check=True, capture_output=True)


def pytest_sessionstart(session):
    for fetch in (_fetch_pymarc_test_files, _fetch_corpus_slice):
        try:
            fetch()
        except Exception as error:  # noqa: BLE001 - tests skip without the data
            print(f"tests/conftest.py: {fetch.__name__} failed: {error}", file=sys.stderr)
