"""The shell examples of docs/cli.md and README.md run, and print what the
documents say they print.

A ```console block holds commands (lines starting with ``$ ``), each
followed by the standard output it shows. The blocks of one document run
in order, in one scratch folder holding the bundled sample as
``records.mrc``, with the venv's ``pymrrc`` first on PATH; each command
must exit with status 0 (a document shows other statuses with ``|| echo``;
in a pipeline, the last command's status counts, as in a shell).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "data" / "sample.mrc"
DOCUMENTS = [REPO / "docs" / "cli.md", REPO / "README.md"]
BLOCK = re.compile(r"^```console\n(.*?)^```", re.S | re.M)


def examples(document: Path) -> list[tuple[str, str]]:
    """(command, expected standard output) in document order."""
    found: list[tuple[str, str]] = []
    for block in BLOCK.findall(document.read_text(encoding="utf-8")):
        for piece in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = piece.partition("\n")
            found.append((command, output))
    return found


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_shell_examples_run_as_shown(document, tmp_path):
    cases = examples(document)
    if not cases:
        pytest.skip(f"no console examples in {document.name}")
    shutil.copyfile(SAMPLE, tmp_path / "records.mrc")
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    for command, expected in cases:
        proc = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, (command, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert proc.stdout == expected, command
