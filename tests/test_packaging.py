"""What a user gets from ``pip install pymrrc``: the wheel and the sdist
``make wheels`` builds (tools/build_wheels.py), their metadata, and the
package installed from a wheel into a fresh virtual environment with no Rust
toolchain on PATH.

The build is one release build for the running interpreter (about a
minute on 2 cores); ``make wheels`` builds the same for every CPython
3.10-3.13 on the machine.
"""

import email
import json
import os
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

import pymrrc

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "data" / "sample.mrc"

sys.path.insert(0, str(REPO / "tools"))
import build_wheels  # noqa: E402


def cargo_version():
    with open(REPO / "Cargo.toml", "rb") as handle:
        return tomllib.load(handle)["workspace"]["package"]["version"]


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory):
    """The sdist, and the wheel built from it for this interpreter."""
    out = tmp_path_factory.mktemp("dist")
    sdist, wheels = build_wheels.build(out, [sys.executable])
    assert len(wheels) == 1, wheels
    return sdist, wheels[0]


def wheel_metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(archive.read(name)), archive.namelist()


def test_version_is_cargos_and_the_metadata_s():
    # Not written down separately: it is the string the extension was
    # compiled with (Cargo's version), which the wheel metadata carries too.
    assert pymrrc.__version__ is pymrrc._core.__version__
    assert pymrrc.__version__ == cargo_version()
    assert pymrrc.__version__ == metadata.version("pymrrc")


def test_wheel_is_manylinux2014_stripped_and_per_python(artefacts):
    _, wheel = artefacts
    tag = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    assert f"-{tag}-{tag}-" in wheel.name, "one wheel per CPython version, not abi3"
    assert "manylinux_2_17_x86_64" in wheel.name
    report = build_wheels.check_wheel(wheel)
    assert "manylinux_2_17_x86_64" in report
    with zipfile.ZipFile(wheel) as archive:
        extension = next(n for n in archive.namelist() if n.startswith("pymrrc/_core") and n.endswith(".so"))
        data = archive.read(extension)
    # A stripped shared object has no static symbol table (.symtab).
    assert b".symtab" not in data and b".strtab" not in data


def test_wheel_metadata_is_complete(artefacts):
    _, wheel = artefacts
    meta, names = wheel_metadata(wheel)
    assert meta["Version"] == cargo_version()
    assert meta["License-Expression"] == "BSD-2-Clause"
    assert meta["License-File"] == "LICENSE"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert meta["Author"]
    assert meta["Keywords"]
    assert meta["Requires-Python"] == ">=3.10"
    urls = meta.get_all("Project-URL")
    assert {u.split(",")[0] for u in urls} >= {"Homepage", "Repository", "Documentation", "Changelog"}
    classifiers = set(meta.get_all("Classifier"))
    for version in build_wheels.VERSIONS:
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert "Typing :: Typed" in classifiers
    assert any(c.startswith("Development Status ::") for c in classifiers)
    assert any(c.startswith("Operating System ::") for c in classifiers)
    assert any(c.startswith("Topic ::") for c in classifiers)
    # pymarc is a test dependency, not something users are offered.
    assert meta.get_all("Provides-Extra") is None or "test" not in meta.get_all("Provides-Extra")
    assert not [r for r in meta.get_all("Requires-Dist") or [] if "pymarc" in r or "pytest" in r]
    assert "pymrrc/py.typed" in names and "pymrrc/_core.pyi" in names


def test_sdist_holds_only_what_a_build_needs(artefacts):
    sdist, _ = artefacts
    names = build_wheels.check_sdist(sdist)
    assert "LICENSE" in names and "pymrrc/py.typed" in names and "Cargo.lock" in names
    with tarfile.open(sdist) as archive:
        pkg_info = archive.extractfile(next(m for m in archive.getmembers() if m.name.endswith("/PKG-INFO")))
        assert email.message_from_bytes(pkg_info.read())["License-Expression"] == "BSD-2-Clause"


def test_sdist_check_rejects_stray_files(tmp_path):
    stray = tmp_path / "pymrrc-0.0.0.tar.gz"
    with tarfile.open(stray, "w:gz") as archive:
        archive.add(SAMPLE, arcname="pymrrc-0.0.0/tests/data/sample.mrc")
    with pytest.raises(SystemExit, match="does not need"):
        build_wheels.check_sdist(stray)


@pytest.fixture(scope="module")
def installed(artefacts, tmp_path_factory):
    """A fresh venv with the wheel installed, and an environment whose PATH
    has that venv and the system's basic tools only: no cargo, rustc or
    maturin, so nothing can be compiled on the way."""
    _, wheel = artefacts
    home = tmp_path_factory.mktemp("fresh")
    env_dir = home / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-index", "--no-deps", wheel],
        check=True, capture_output=True,
    )  # fmt: skip
    path = os.pathsep.join([str(env_dir / "bin"), "/usr/bin", "/bin"])
    clean_env = {"PATH": path, "HOME": str(home), "LANG": "C.UTF-8", "VIRTUAL_ENV": str(env_dir)}
    for tool in ("cargo", "rustc", "maturin"):
        found = subprocess.run(["sh", "-c", f"command -v {tool}"], env=clean_env, capture_output=True)
        assert found.returncode != 0, f"{tool} is on the test's PATH: {found.stdout!r}"
    return home, env_dir, python, clean_env


def test_wheel_works_in_a_fresh_venv_without_rust(installed):
    home, env_dir, python, clean_env = installed
    # Run from outside the repository, so its pymrrc/ folder cannot shadow the install.
    run = subprocess.run(
        [python, "-c", "import pymrrc, sys; print(pymrrc.__file__, pymrrc.__version__)"],
        cwd=home, env=clean_env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    location, version = run.stdout.split()
    assert Path(location).is_relative_to(env_dir), location
    assert version == cargo_version()
    sample = subprocess.run(
        [python, REPO / "examples" / "read_sample.py", SAMPLE],
        cwd=home, env=clean_env, capture_output=True, text=True,
    )  # fmt: skip
    assert sample.returncode == 0, sample.stdout + sample.stderr
    assert "250 records, 0 errors" in sample.stdout
    assert "250 of 250 records re-serialise byte for byte" in sample.stdout


def test_installed_types_are_complete(installed):
    # pyright's measure of a typed library's public names: every one has a
    # known type (pymarc 5.4.0 scores 50.5%).
    home, _, _, clean_env = installed
    pyright = Path(sys.executable).parent / "pyright"
    result = subprocess.run(
        [pyright, "--verifytypes", "pymrrc", "--ignoreexternal", "--outputjson"],
        cwd=home, env=clean_env, capture_output=True, text=True,
    )  # fmt: skip
    report = json.loads(result.stdout)
    summary = report["typeCompleteness"]
    assert summary["exportedSymbolCounts"]["withKnownType"] > 250, summary
    problems = [d["message"] for d in report["generalDiagnostics"] if d["severity"] == "error"]
    assert summary["completenessScore"] == 1.0, problems[:20]
