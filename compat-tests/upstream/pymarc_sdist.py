"""Obtain the pinned pymarc 5.4.0 source distribution and its test/ folder.

Nothing of pymarc is committed to this repository.  The sdist is downloaded
from PyPI with pip, checked against a pinned sha256 and kept in a cache
folder, which is shared with ``shared/corpus/get-loc-corpus.sh``:

* ``$PYMRRC_CACHE`` if set, else ``${XDG_CACHE_HOME:-~/.cache}/marc-corpus``.

Set ``PYMRRC_PYMARC_SDIST`` to the path of an already downloaded
``pymarc-5.4.0.tar.gz`` to seed the cache without network access (the file is
checked against the same sha256).

This module is used by ``run_upstream.py`` (as a script-local import) and by
the differential tests (loaded by path from ``compat-tests/conftest.py``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PYMARC_VERSION = "5.4.0"
SDIST_NAME = f"pymarc-{PYMARC_VERSION}.tar.gz"
SDIST_SHA256 = "b2016b1674d1956636c99b9bf95b31840c5cb8f22645672a660e66326371b2f3"
# Top folder inside the archive, and the part of it that we extract.
ARCHIVE_ROOT = f"pymarc-{PYMARC_VERSION}"
TEST_PREFIX = f"{ARCHIVE_ROOT}/test/"


class SdistUnavailable(RuntimeError):
    """The pinned sdist could not be found, downloaded or verified."""


def cache_dir() -> Path:
    """The cache folder shared with get-loc-corpus.sh (created on demand)."""
    env = os.environ.get("PYMRRC_CACHE")
    if env:
        path = Path(env).expanduser()
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
            os.path.expanduser("~"), ".cache"
        )
        path = Path(base) / "marc-corpus"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def _locked(cache: Path, name: str):
    """Serialise concurrent fillers of the cache (best effort; POSIX only)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - non-POSIX
        yield
        return
    with open(cache / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _log(msg: str) -> None:
    print(f"[pymarc-sdist] {msg}", file=sys.stderr, flush=True)


def ensure_sdist(cache: Path | None = None) -> Path:
    """Return the path of the verified pymarc 5.4.0 sdist, fetching it if needed."""
    cache = cache or cache_dir()
    target = cache / SDIST_NAME
    with _locked(cache, "pymarc-sdist"):
        if target.is_file():
            if sha256_of(target) == SDIST_SHA256:
                return target
            _log(f"cached {target} has a wrong sha256; fetching it again")
            target.unlink()

        tmp = Path(tempfile.mkdtemp(prefix=".sdist-", dir=cache))
        try:
            seed = os.environ.get("PYMRRC_PYMARC_SDIST")
            if seed and Path(seed).is_file():
                _log(f"copying {seed}")
                shutil.copyfile(seed, tmp / SDIST_NAME)
            else:
                _log(f"downloading pymarc=={PYMARC_VERSION} sdist from PyPI")
                cmd = [
                    sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                    "--no-binary", ":all:", f"pymarc=={PYMARC_VERSION}",
                    "-d", str(tmp),
                ]
                proc = subprocess.run(cmd, capture_output=True, text=True)
                if proc.returncode != 0:
                    raise SdistUnavailable(
                        "pip download of the pymarc sdist failed:\n"
                        + proc.stderr[-2000:]
                    )
            got = tmp / SDIST_NAME
            if not got.is_file():
                raise SdistUnavailable(f"{SDIST_NAME} not found after download")
            digest = sha256_of(got)
            if digest != SDIST_SHA256:
                raise SdistUnavailable(
                    f"sha256 mismatch for {SDIST_NAME}: got {digest}, "
                    f"expected {SDIST_SHA256}"
                )
            os.replace(got, target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def ensure_test_dir(cache: Path | None = None) -> Path:
    """Return a cached, read-only-by-convention copy of pymarc-5.4.0/test/.

    The folder returned is ``<cache>/pymarc-5.4.0-src/test``; its parent is
    the folder that pymarc's tests expect as their working directory (they
    open ``test/test.dat`` and friends).  Callers that run tests which write
    files must work on a copy (see :func:`copy_test_tree`).
    """
    cache = cache or cache_dir()
    root = cache / f"{ARCHIVE_ROOT}-src"
    marker = root / ".complete"
    if marker.is_file() and marker.read_text().strip() == SDIST_SHA256:
        return root / "test"
    sdist = ensure_sdist(cache)
    with _locked(cache, "pymarc-test-dir"):
        if marker.is_file() and marker.read_text().strip() == SDIST_SHA256:
            return root / "test"
        tmp = Path(tempfile.mkdtemp(prefix=".extract-", dir=cache))
        os.chmod(tmp, 0o755)
        try:
            with tarfile.open(sdist, "r:gz") as tar:
                members = []
                for member in tar:
                    if not member.name.startswith(TEST_PREFIX):
                        continue
                    rel = member.name[len(ARCHIVE_ROOT) + 1:]
                    if ".." in Path(rel).parts or not (member.isfile() or member.isdir()):
                        continue
                    members.append(member)
                    dest = tmp / rel
                    if member.isdir():
                        dest.mkdir(parents=True, exist_ok=True)
                        continue
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    src = tar.extractfile(member)
                    assert src is not None
                    with src, open(dest, "wb") as out:
                        shutil.copyfileobj(src, out)
            if not members:
                raise SdistUnavailable(f"no {TEST_PREFIX} members in {sdist}")
            (tmp / ".complete").write_text(SDIST_SHA256 + "\n")
            if root.exists():
                shutil.rmtree(root)
            os.replace(tmp, root)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return root / "test"


def copy_test_tree(dest_parent: Path, cache: Path | None = None) -> Path:
    """Copy the cached test/ folder to ``dest_parent/test`` and return dest_parent."""
    src = ensure_test_dir(cache)
    shutil.copytree(src, Path(dest_parent) / "test")
    return Path(dest_parent)


if __name__ == "__main__":  # pragma: no cover - manual use
    print(ensure_test_dir())
