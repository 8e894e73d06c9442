"""Every Python example in README.md and docs/ runs.

Each ```python block (indented ones too, e.g. in a list item) is executed on its own, in a fresh namespace, with the
current directory set to a scratch folder that holds the bundled sample as
``records.mrc`` (the file name the docs use). A block fails the test if it
raises. Blocks are kept self-contained in the docs for that reason.
"""

import contextlib
import io
import os
import re
import shutil
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "data" / "sample.mrc"
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^( *)```python\n(.*?)^\1```", re.S | re.M)


def _blocks():
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            yield pytest.param(textwrap.dedent(match.group(2)), id=f"{document.relative_to(REPO)}:{line}")


BLOCKS = list(_blocks())


def test_docs_have_examples():
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("code", BLOCKS)
def test_example_runs(code, tmp_path, monkeypatch):
    shutil.copyfile(SAMPLE, tmp_path / "records.mrc")
    monkeypatch.chdir(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "<doc example>", "exec"), {"__name__": "__doc_example__"})  # noqa: S102
    assert os.getcwd() == str(tmp_path)
