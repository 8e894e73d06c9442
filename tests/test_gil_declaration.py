"""The extension module declares that it needs the GIL
(docs/decisions/0024-gil-used-until-tested.md)."""

import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

LIB_RS = Path(__file__).resolve().parents[1] / "rust" / "py" / "src" / "lib.rs"


def test_module_declares_gil_used():
    # PyO3 0.30 declares a module free-threading safe unless told otherwise:
    # the declaration must be explicit, on the one #[pymodule].
    source = LIB_RS.read_text(encoding="utf-8")
    declarations = re.findall(r"#\[pymodule(?:\(([^)]*)\))?\]", source)
    assert declarations == ["gil_used = true"]


@pytest.mark.skipif(not sysconfig.get_config_var("Py_GIL_DISABLED"), reason="needs a free-threaded CPython")
def test_free_threaded_interpreter_turns_the_gil_back_on():
    # Importing a module that says it uses the GIL enables it again.
    code = "import sys; before = sys._is_gil_enabled(); import pymrrc; print(before, sys._is_gil_enabled())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
