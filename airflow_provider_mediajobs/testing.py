"""Pytest plugin for DAG authors' own tests: start the emulator and point connections at it.

Opt-in: installing the provider does not load it into every pytest run. Enable it with
``pytest -p airflow_provider_mediajobs.testing``, or in your ``conftest.py``::

    pytest_plugins = ["airflow_provider_mediajobs.testing"]

and the fixtures are there::

    def test_my_pipeline(mediajobs_connections, mediajobs_emulator):
        hook = AlibabaCloudMediaHook()            # uses alibaba_cloud_media_default
        job_id = hook.submit_iproduction_job(function_name="VideoQualityEnhancement")["JobId"]
        mediajobs_emulator.admin("POST", "faults", {"kind": "503", "rate": 0.3})

Nothing here imports Airflow at import time (``-p`` loads the plugin before ``conftest.py`` sets
``AIRFLOW_HOME``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from airflow_provider_mediajobs.emulator.admin import EmulatorAdmin

if TYPE_CHECKING:
    from airflow_provider_mediajobs.emulator.server import EmulatorServer


class EmulatorHandle:
    """What the ``mediajobs_emulator`` fixture yields.

    :param server: the running server.
    """

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.url = server.url
        self.backend = server.backend
        #: The admin API client (:class:`~airflow_provider_mediajobs.emulator.admin.EmulatorAdmin`).
        self.client = EmulatorAdmin(self.url, timeout=30)

    def admin(self, method: str, action: str, body: dict[str, Any] | None = None) -> Any:
        """Call the admin API (``/_emulator/<action>``) and return its JSON answer."""
        return self.client.call(method, action, body)

    def counters(self) -> dict[str, int]:
        """Request counters (``requests``, ``op:<name>``, ``status:<code>``, ``throttled``, ``fault:<kind>``)."""
        return self.client.counters()

    def reset(self, seed_jobs: int | None = None) -> None:
        """Forget jobs, faults, limits and counters, and seed again."""
        self.client.reset(seed_jobs)

    def connections(self) -> dict[str, dict[str, Any]]:
        """Connection dicts for both default conn ids, pointing at this emulator."""
        from airflow_provider_mediajobs.emulator import connections_for

        return connections_for(self.url)  # type: ignore[return-value]


def find_secrets(texts: Iterable[str], secrets: Iterable[str]) -> list[str]:
    """Every form of every secret found in ``texts``: as is, percent-encoded (as in a signed query),
    escaped as ``repr`` would, or base64-encoded. Use it to check logs, XCom and exception texts.

    :param texts: what to search (log lines, JSON dumps, exception texts...).
    :param secrets: the secret values (use distinctive sentinel values, 12 characters or more).
    :return: ``"<form> in text #<n>"`` for each hit; empty when nothing leaked.
    """
    forms: set[str] = set()
    for secret in secrets:
        forms |= {secret, quote(secret, safe=""), repr(secret)[1:-1], base64.b64encode(secret.encode()).decode()}
    return [f"{form!r} in text #{n}" for n, text in enumerate(texts) for form in sorted(forms) if form in text]


@contextmanager
def running_emulator(**options: Any) -> Iterator[EmulatorHandle]:
    """Run an emulator on 127.0.0.1 for the ``with`` block; it is stopped even on error.

    For tests that need other timings than the session fixture's, for example jobs that run
    long enough to be seen running: ``with running_emulator(run_seconds=20) as emulator:``.

    :param options: :class:`~airflow_provider_mediajobs.emulator.server.EmulatorServer` options
        (``seed_jobs``, ``queue_seconds``, ``run_seconds``, ``stall_seconds``...).
    """
    from airflow_provider_mediajobs.emulator.server import EmulatorServer

    with EmulatorServer(**options) as server:
        yield EmulatorHandle(server)


@pytest.fixture(scope="session")
def mediajobs_emulator() -> Iterator[EmulatorHandle]:
    """A session-wide emulator on 127.0.0.1 (jobs queue 1 s, run 2 s; 200 seeded per kind)."""
    with running_emulator(seed_jobs=200, queue_seconds=1.0, run_seconds=2.0) as emulator:
        yield emulator


@pytest.fixture
def mediajobs_connections(mediajobs_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> EmulatorHandle:
    """Point ``alibaba_cloud_media_default`` and ``tencent_cloud_ci_default`` at the emulator
    (``AIRFLOW_CONN_*`` environment variables) and start from a clean emulator state, with fresh
    request limiters for the hooks (what an earlier test's throttling taught them is forgotten)."""
    from airflow_provider_mediajobs.quota import forget_limiters

    mediajobs_emulator.reset()
    forget_limiters()
    for conn_id, conn in mediajobs_emulator.connections().items():
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))
    return mediajobs_emulator
