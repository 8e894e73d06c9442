# Task runner: README's commands and CI call these targets.
# `make sample` installs pymrrc (release build) and runs the main job on the
# bundled sample; `make test` runs every test (Rust, pytest, compat-tests).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: venv develop sample examples test test-rust test-py compat stubtest bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q "maturin>=1.7,<2" "pytest>=7" "hypothesis>=6" "pymarc==5.4.0" "mypy>=1.18" "matplotlib>=3.7"

venv: $(PY)

# Release build of the extension, installed in editable mode into the venv
# (the compiled pymrrc/_core*.so lands beside the sources, git-ignored).
develop: $(PY)
	. $(VENV)/bin/activate && maturin develop --release -q

sample: develop
	$(PY) examples/read_sample.py examples/data/sample.mrc

test-rust:
	cargo test -p pymrrc-core --quiet

test-py: develop
	$(PY) -m pytest -q tests

compat: develop
	$(PY) -m pytest -q compat-tests

# Checks pymrrc/_core.pyi against the built extension. stubtest loads the
# stub's parent package too; follow_imports=silent keeps mypy findings in
# those .py modules out of this check, which is about the stub only.
stubtest: develop
	printf '[mypy]\nfollow_imports = silent\n' | $(PY) -m mypy.stubtest pymrrc._core --mypy-config-file /dev/stdin

examples: develop
	$(PY) examples/read_sample.py examples/data/sample.mrc > /dev/null
	$(PY) examples/concurrent_reading.py examples/data/sample.mrc > /dev/null
	$(PY) examples/concurrent_writing.py examples/data/sample.mrc > /dev/null

test: test-rust develop stubtest examples
	$(PY) -m pytest -q tests compat-tests

# The benchmark suite: every number, table and plot in docs/PERFORMANCE.md,
# regenerated in one run (downloads the LoC corpus on first use).
bench: develop
	$(PY) benchmarks/suite.py

clean:
	rm -rf $(VENV) target pymrrc/_core*.so
