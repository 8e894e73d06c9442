"""Shared setup for compat-tests/.

Nothing is added to sys.path here.  The two helper modules are loaded from
their files and registered under names that cannot shadow anything:

* ``pymrrc_compat_sdist`` = upstream/pymarc_sdist.py (the pinned pymarc sdist)
* ``pymrrc_compat_diff``  = differential/diffharness.py (snapshots)

pymrrc itself must be installed or importable (e.g. from the repo root when
running ``python -m pytest`` there).  Environment knobs:

* ``PYMRRC_DIFF_TARGET``: module compared with pymarc, and the upstream
  runner's target (default ``pymrrc``; ``pymarc`` validates the harness).
* ``PYMRRC_CACHE``: cache folder for the sdist and the corpus.
* ``PYMRRC_DIFF_RECORDS`` (default 50000), ``PYMRRC_HYPOTHESIS_EXAMPLES``
  (default 200), ``PYMRRC_CORPUS_SCRIPT``, ``PYMRRC_REQUIRE_CORPUS``,
  ``PYMRRC_MARC8_IN_SCOPE``: see the differential tests.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

COMPAT_DIR = Path(__file__).resolve().parent


def _load(name: str, path: Path):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


sdist = _load("pymrrc_compat_sdist", COMPAT_DIR / "upstream" / "pymarc_sdist.py")
diff = _load("pymrrc_compat_diff", COMPAT_DIR / "differential" / "diffharness.py")


@pytest.fixture(scope="session")
def pymarc_test_dir() -> Path:
    """pymarc 5.4.0's test/ folder (from the cached, sha256-checked sdist)."""
    try:
        return sdist.ensure_test_dir()
    except sdist.SdistUnavailable as exc:
        pytest.fail(f"cannot obtain the pymarc {sdist.PYMARC_VERSION} sdist: {exc}")


@pytest.fixture(scope="session")
def reference():
    """The real, pinned pymarc (the oracle)."""
    import pymarc

    try:
        from importlib.metadata import version

        found = version("pymarc")
    except Exception:  # noqa: BLE001
        found = None
    if found != sdist.PYMARC_VERSION:
        pytest.fail(f"the reference must be pymarc=={sdist.PYMARC_VERSION}, found {found}")
    return pymarc


@pytest.fixture(scope="session")
def target(reference):
    """The implementation under test (PYMRRC_DIFF_TARGET, default pymrrc)."""
    try:
        module = diff.load_target()
    except ImportError as exc:
        pytest.fail(str(exc))
    if diff.target_name() != "pymarc" and module is reference:
        pytest.fail("the target resolved to the real pymarc; check sys.modules aliases")
    return module
