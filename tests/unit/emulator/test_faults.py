"""Each fault kind reaches the client as that vendor failure would, and is counted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from airflow_provider_mediajobs.emulator import EmulatorAdmin, EmulatorServer


@pytest.fixture
def url() -> Iterator[str]:
    with EmulatorServer(seed_jobs=0, stall_seconds=2.0) as server:
        yield server.url


@pytest.fixture
def admin(url: str) -> EmulatorAdmin:
    return EmulatorAdmin(url)


def _call(url: str, timeout: float = 10) -> requests.Response:
    return requests.get(f"{url}/?Action=QueryIProductionJob&Version=2014-06-18", timeout=timeout)


def test_503_html_and_throttling(url: str, admin: EmulatorAdmin) -> None:
    admin.add_fault("503", rate=1)
    assert _call(url).status_code == 503
    admin.clear_faults()
    admin.add_fault("html", rate=1)
    resp = _call(url)
    assert resp.status_code == 502
    assert resp.headers["Content-Type"].startswith("text/html")
    admin.clear_faults()
    admin.add_fault("throttling", rate=1)
    resp = _call(url)
    assert (resp.status_code, resp.json()["Code"]) == (400, "Throttling.User")
    counters = admin.counters()
    assert (counters["fault:503"], counters["fault:html"], counters["fault:throttling"]) == (1, 1, 1)


def test_reset_truncated_and_stall(url: str, admin: EmulatorAdmin) -> None:
    admin.add_fault("reset", rate=1)
    with pytest.raises(requests.ConnectionError):
        _call(url)
    admin.clear_faults()
    admin.add_fault("truncated", rate=1)
    with pytest.raises(requests.RequestException):
        _call(url).json()
    admin.clear_faults()
    admin.add_fault("stall", rate=1)
    with pytest.raises(requests.Timeout):
        _call(url, timeout=0.5)


def test_fault_scoped_to_other_operation_does_not_fire(url: str, admin: EmulatorAdmin) -> None:
    admin.add_fault("503", rate=1, operation="ListSmartJobs")
    assert _call(url).status_code != 503
