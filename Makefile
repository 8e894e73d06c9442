# Task runner: README's commands and CI call these targets.
# `make sample` installs pymrrc (release build) and runs the main job on the
# bundled sample; `make test` runs every test (Rust, pytest, compat-tests,
# and a short run of every fuzz target).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: wheels docs venv develop sample examples test test-rust test-py compat stubtest bench clean fuzz-smoke

# The venv and the tools and test dependencies in it, installed again
# whenever this Makefile changes, so a dependency added here reaches every
# existing checkout's venv too.
DEPS := $(VENV)/.installed

$(PY):
	$(PYTHON) -m venv $(VENV)

$(DEPS): Makefile | $(PY)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q "maturin>=1.7,<2" "pytest>=7" "hypothesis>=6" "pymarc==5.4.0" "mypy>=1.18" "matplotlib>=3.7"
	$(PIP) install -q "ziglang>=0.13" "auditwheel>=6" "pyright[nodejs]==1.1.414" "sphinx>=8"
	$(PIP) install -q "pyarrow>=14" "polars>=1.0" "duckdb>=1.0" "pandas>=2" "tqdm>=4.66"
	$(PIP) install -q "dask[dataframe,distributed]>=2024.8"
	touch $(DEPS)

venv: $(DEPS)

# Release build of the extension, installed in editable mode into the venv
# (the compiled pymrrc/_core*.so lands beside the sources, git-ignored).
develop: $(DEPS)
	. $(VENV)/bin/activate && maturin develop --release -q

sample: develop
	$(PY) examples/read_sample.py examples/data/sample.mrc

test-rust:
	cargo test -p pymrrc-core --quiet
	cargo test -p pymrrc-columnar --quiet

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
	$(PY) examples/dask_subjects.py --blocksize 50000 examples/data/sample.mrc examples/data/sample.mrc > /dev/null

test: test-rust develop stubtest examples
	$(PY) -m pytest -q tests compat-tests
	$(MAKE) fuzz-smoke

# The benchmark suite: every number, table and plot in docs/PERFORMANCE.md,
# regenerated in one run (downloads the LoC corpus on first use).
bench: develop
	$(PY) benchmarks/suite.py

# Short run of every cargo-fuzz target (fuzz/README.md); fails on any
# finding. Works on a stable toolchain (no sanitizer). cargo-fuzz is
# installed into $(FUZZ_TOOLS) when missing.
FUZZ_SECONDS ?= 25
FUZZ_TOOLS ?= $(HOME)/.cargo
CARGO_FUZZ = PATH="$(FUZZ_TOOLS)/bin:$$PATH" cargo fuzz

fuzz-smoke:
	test -x "$(FUZZ_TOOLS)/bin/cargo-fuzz" || command -v cargo-fuzz >/dev/null || cargo install --locked --root "$(FUZZ_TOOLS)" cargo-fuzz
	$(PYTHON) fuzz/make-seeds.py >/dev/null
	cd fuzz && $(CARGO_FUZZ) build -s none
	mkdir -p fuzz/artifacts
	cd fuzz && for t in $$($(CARGO_FUZZ) list); do \
		echo "fuzz-smoke: $$t for $(FUZZ_SECONDS) s"; \
		$(CARGO_FUZZ) run -s none "$$t" "corpus/$$t" -- \
			-max_total_time=$(FUZZ_SECONDS) -timeout=20 -print_final_stats=1 \
			> "artifacts/smoke-$$t.log" 2>&1 \
			|| { tail -n 60 "artifacts/smoke-$$t.log"; exit 1; }; \
		grep -E 'stat::number_of_executed_units' "artifacts/smoke-$$t.log"; \
	done

# The API reference, from the docstrings help() shows (docs/api, Sphinx
# autodoc), into build/docs/index.html. Warnings are errors; `make test`
# builds it too (tests/test_docs.py).
docs: develop
	$(PY) -m sphinx -W --keep-going -q -b html docs/api build/docs

# Release artefacts in dist/: the sdist, and from it one stripped
# manylinux2014 wheel per CPython 3.10-3.13 found on this machine, each
# checked with auditwheel (tools/build_wheels.py).
wheels: $(DEPS)
	$(PY) tools/build_wheels.py --out dist

clean:
	rm -rf $(VENV) target dist build pymrrc/_core*.so
