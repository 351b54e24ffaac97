# Every target installs what it needs from the project's own files (requirements/lock-airflow-*.txt).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The newest Airflow, everything else (lint, docs, browser, bench) runs on: requirements/lock-airflow-3.3.txt.
NEWEST := 3.3
# The older minors the suite also runs on, each from its own lock (make test-matrix).
MATRIX := 3.1 3.2
# Each older lock is resolved in two steps, as Airflow's constraints are made: Airflow's own
# dependency tree as it stood the day that release came out, then this project's test extras on
# top of it. (Unpinned, 3.2.2 takes a newer fastapi and pydantic and fails inside Airflow.)
PIN_3.1 := 3.1.8
RELEASED_3.1 := 2026-03-12T00:00:00Z
# 3.1 builds the connection form from the hooks' wtforms widgets, which need the FAB provider:
# its lock has it, so the 3.1 form path is tested too.
WITH_3.1 := apache-airflow-providers-fab
PIN_3.2 := 3.2.2
RELEASED_3.2 := 2026-05-30T00:00:00Z

.PHONY: install test test-matrix test-distributed lint typecheck unit demo demo-ui bench chaos docs clean lock

$(STAMP): requirements/lock-airflow-$(NEWEST).txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements/lock-airflow-$(NEWEST).txt
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# One venv per older minor: .venv-airflow-3.1, .venv-airflow-3.2.
.venv-airflow-%/.installed: requirements/lock-airflow-%.txt pyproject.toml $(STAMP)
	$(PYTHON) -m venv .venv-airflow-$*
	$(BIN)/uv pip install -q --python .venv-airflow-$*/bin/python -r requirements/lock-airflow-$*.txt
	$(BIN)/uv pip install -q --python .venv-airflow-$*/bin/python --no-deps -e .
	touch $@

lock: $(STAMP) $(foreach m,$(MATRIX),relock-$(m))
	$(BIN)/uv pip compile -q pyproject.toml --extra test --extra sdk-compat --extra bench --extra docs \
		--python-version 3.11 -o requirements/lock-airflow-$(NEWEST).txt

relock-%: $(STAMP)
	printf 'apache-airflow==%s\n%s\n' $(PIN_$*) "$(WITH_$*)" > .lock-pin-$*.in
	$(BIN)/uv pip compile -q .lock-pin-$*.in --python-version 3.11 --exclude-newer $(RELEASED_$*) \
		-o .lock-constraints-$*.txt
	$(BIN)/uv pip compile -q pyproject.toml .lock-pin-$*.in --extra test --extra sdk-compat --python-version 3.11 \
		-c .lock-constraints-$*.txt -o requirements/lock-airflow-$*.txt
	rm -f .lock-pin-$*.in .lock-constraints-$*.txt

# The whole suite but the browser, the chaos soak and the multi-triggerer deployment (those run on
# the newest only), on each older minor: end-to-end airflow dags test with deferrable waits, the
# connection form, the packaging.
test-matrix: $(foreach m,$(MATRIX),.venv-airflow-$(m)/.installed)
	set -e; for m in $(MATRIX); do \
		echo "== Airflow $$m ($$(.venv-airflow-$$m/bin/python -c 'import airflow; print(airflow.__version__)'))"; \
		PATH="$(CURDIR)/.venv-airflow-$$m/bin:$$PATH" .venv-airflow-$$m/bin/python -m pytest -q -p no:cacheprovider \
			-ra -m "not browser and not chaos and not distributed"; \
	done

lint: $(STAMP)
	$(BIN)/ruff check airflow_provider_mediajobs tests dags_examples benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q -m "not e2e"

# Everything but the multi-triggerer deployment, which takes about five minutes on its own.
test: lint typecheck docs $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -ra -m "not distributed"

# Airflow on PostgreSQL with two triggerers (tests/e2e/test_multi_triggerer.py). The test starts
# the Debian postgresql server itself (installing it with apt when missing); its figures go to
# test-artifacts/distributed/figures.json and are printed (-raP: the passed tests' output too).
test-distributed: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -raP -m distributed

demo: $(STAMP)
	$(BIN)/python -m scripts.run_demo

demo-ui: $(STAMP)
	$(BIN)/python -m scripts.run_demo --ui

bench: $(STAMP)
	$(BIN)/python -m benchmarks

chaos: $(STAMP)
	$(BIN)/python -m benchmarks.chaos

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) .venv-airflow-* .pytest_cache .mypy_cache .ruff_cache .airflow-*
