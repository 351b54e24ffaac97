"""Test-wide settings: an isolated AIRFLOW_HOME, no example DAGs, no real cloud endpoint."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

# Set before anything imports airflow: its configuration is read at import time.
_HOME = tempfile.mkdtemp(prefix="mediajobs-airflow-home-")
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)
os.environ.setdefault("AIRFLOW_HOME", _HOME)
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", os.path.join(os.path.dirname(__file__), "..", "dags_examples"))

# The provider's pytest plugin is opt-in (no pytest11 entry point): opt in as a DAG author would.
pytest_plugins = ["airflow_provider_mediajobs.testing"]

# Checks shared by several test modules get pytest's assert messages too.
pytest.register_assert_rewrite("tests.helpers")


@pytest.fixture(autouse=True)
def _fresh_request_limiters() -> None:
    """Each test's sync hooks start with full key-pair limiters (the async ones come with each
    test's event loop): a throttling test would otherwise slow the tests after it."""
    from airflow_provider_mediajobs.quota import forget_limiters

    forget_limiters()
