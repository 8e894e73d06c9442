"""Build pymrrc's release artefacts: an sdist, and from it one wheel per CPython.

    python tools/build_wheels.py [--out dist] [--python PY ...]

The sdist is built first and every wheel is built from the unpacked sdist,
so a wheel also proves that the sdist builds. Wheels are release builds,
stripped, linked through zig against glibc 2.17 (manylinux2014, the oldest
glibc Rust supports), one per interpreter: ``--python`` names them,
otherwise CPython 3.10-3.13 are looked for on PATH and under pyenv. Each
wheel is then checked: ``auditwheel show`` must find it consistent with
manylinux_2_17, and the sdist must hold only the files a build needs
(docs/decisions/0017-wheels-manylinux2014-per-python.md).

Needs maturin, ziglang and auditwheel in the running interpreter's
environment (``make wheels`` installs them into .venv).
"""

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VERSIONS = ("3.10", "3.11", "3.12", "3.13")
PLATFORM_TAG = "manylinux_2_17_x86_64"

# What the sdist may hold: the build files, the Rust sources of the three
# crates the extension needs, the Python package, and the licence and readme.
SDIST_ALLOWED = (
    "PKG-INFO", "pyproject.toml", "Cargo.toml", "Cargo.lock", "README.md", "LICENSE",
    "rust/core/Cargo.toml", "rust/core/src/*.rs", "rust/core/src/*/*.rs", "rust/core/tests/*.rs",
    "rust/columnar/Cargo.toml", "rust/columnar/src/*.rs", "rust/columnar/tests/*.rs",
    "rust/py/Cargo.toml", "rust/py/src/*.rs", "rust/py/src/*/*.rs",
    "pymrrc/*.py", "pymrrc/*/*.py", "pymrrc/*.pyi", "pymrrc/py.typed",
)  # fmt: skip
SDIST_MAX_BYTES = 2_000_000


def find_interpreters():
    """CPython 3.10-3.13 interpreters on this machine, one per version."""
    found = []
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for version in VERSIONS:
        candidates = [shutil.which(f"python{version}")]
        candidates += sorted(pyenv_root.glob(f"versions/{version}.*/bin/python{version}"))
        for candidate in filter(None, candidates):
            probe = subprocess.run(
                [str(candidate), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True, text=True, check=False,
            )
            if probe.returncode == 0 and probe.stdout.strip() == version:
                found.append(str(candidate))
                break
    return found


def check_sdist(sdist):
    """Fail on any file in the sdist that a build does not need."""
    with tarfile.open(sdist) as archive:
        members = [m for m in archive.getmembers() if m.isfile()]
    unexpected = []
    for member in members:
        relative = member.name.split("/", 1)[1]
        if not any(fnmatch.fnmatchcase(relative, pattern) for pattern in SDIST_ALLOWED):
            unexpected.append(relative)
    if unexpected:
        raise SystemExit(f"sdist {sdist.name} holds files a build does not need: {unexpected}")
    size = sdist.stat().st_size
    if size > SDIST_MAX_BYTES:
        raise SystemExit(f"sdist {sdist.name} is {size} bytes, more than {SDIST_MAX_BYTES}")
    return [m.name.split("/", 1)[1] for m in members]


def check_wheel(wheel):
    """``auditwheel show`` must place the wheel on manylinux_2_17."""
    report = subprocess.run(
        [sys.executable, "-m", "auditwheel", "show", str(wheel)],
        capture_output=True, text=True, check=True,
    ).stdout
    if f'"{PLATFORM_TAG}"' not in " ".join(report.split()):
        raise SystemExit(f"auditwheel does not place {wheel.name} on {PLATFORM_TAG}:\n{report}")
    if PLATFORM_TAG not in wheel.name:
        raise SystemExit(f"{wheel.name} is not tagged {PLATFORM_TAG}")
    return report


def build(out, interpreters):
    out.mkdir(parents=True, exist_ok=True)
    maturin = [sys.executable, "-m", "maturin"]
    before = set(out.iterdir())
    subprocess.run([*maturin, "sdist", "--out", str(out)], cwd=REPO, check=True)
    sdist = next(p for p in set(out.iterdir()) - before if p.name.endswith(".tar.gz"))
    check_sdist(sdist)
    # Wheels are built from the unpacked sdist; the Cargo target folder stays
    # in the repository so that dependencies compile once across builds.
    # maturin runs zig as ``python -m ziglang`` with the first python on PATH.
    env = dict(
        os.environ,
        CARGO_TARGET_DIR=str(REPO / "target" / "wheels"),
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    )
    wheels = []
    with tempfile.TemporaryDirectory() as unpacked:
        with tarfile.open(sdist) as archive:
            archive.extractall(unpacked, filter="data")
        source = next(Path(unpacked).iterdir())
        # The sdist's files carry a fixed old timestamp; cargo would take the
        # crates compiled from an earlier sdist as fresh. Date them now.
        for path in source.rglob("*"):
            os.utime(path)
        for interpreter in interpreters:
            before = set(out.iterdir())
            subprocess.run(
                [*maturin, "build", "--release", "--strip", "--zig",
                 "--compatibility", "manylinux2014", "--interpreter", interpreter,
                 "--out", str(out)],
                cwd=source, env=env, check=True,
            )  # fmt: skip
            wheels += [p for p in set(out.iterdir()) - before if p.suffix == ".whl"]
    for wheel in wheels:
        check_wheel(wheel)
    return sdist, sorted(wheels)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "dist")
    parser.add_argument("--python", action="append", help="interpreter to build for (repeatable)")
    args = parser.parse_args(argv)
    interpreters = args.python or find_interpreters()
    if not interpreters:
        raise SystemExit("no CPython 3.10-3.13 interpreter found")
    sdist, wheels = build(args.out.resolve(), interpreters)
    print(f"\n{'artefact':<80} {'bytes':>10}")
    for path in [sdist, *wheels]:
        print(f"{path.name:<80} {path.stat().st_size:>10,}")
    missing = [v for v in VERSIONS if not any(re.search(rf"-cp{v.replace('.', '')}-", w.name) for w in wheels)]
    if missing and not args.python:
        print(f"no interpreter here for CPython {', '.join(missing)}: no wheel built for it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
