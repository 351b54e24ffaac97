# Every target installs what it needs from the project's own files (requirements/lock.txt).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint typecheck unit demo demo-ui bench chaos docs clean lock

$(STAMP): requirements/lock.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements/lock.txt
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

lock:
	$(BIN)/uv pip compile -q pyproject.toml --extra test --extra sdk-compat --extra bench --extra docs \
		--python-version 3.11 -o requirements/lock.txt

lint: $(STAMP)
	$(BIN)/ruff check airflow_provider_mediajobs tests dags_examples benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q -m "not e2e"

test: lint typecheck docs $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -ra

demo: $(STAMP)
	$(BIN)/python scripts/run_demo.py

demo-ui: $(STAMP)
	$(BIN)/python scripts/run_demo.py --ui

bench: $(STAMP)
	$(BIN)/python -m benchmarks

chaos: $(STAMP)
	$(BIN)/python -m benchmarks.chaos

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .airflow-*
