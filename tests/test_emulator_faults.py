"""Each fault kind reaches the client as that vendor failure would, and is counted."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from airflow_provider_mediajobs.emulator import EmulatorServer


@pytest.fixture
def url() -> Iterator[str]:
    with EmulatorServer(seed_jobs=0, stall_seconds=2.0) as server:
        yield server.url


def _admin(url: str, method: str, action: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{url}/_emulator/{action}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"null")


def _call(url: str, timeout: float = 10) -> requests.Response:
    return requests.get(f"{url}/?Action=QueryIProductionJob&Version=2014-06-18", timeout=timeout)


def test_503_html_and_throttling(url: str) -> None:
    _admin(url, "POST", "faults", {"kind": "503", "rate": 1})
    assert _call(url).status_code == 503
    _admin(url, "DELETE", "faults")
    _admin(url, "POST", "faults", {"kind": "html", "rate": 1})
    resp = _call(url)
    assert resp.status_code == 502
    assert resp.headers["Content-Type"].startswith("text/html")
    _admin(url, "DELETE", "faults")
    _admin(url, "POST", "faults", {"kind": "throttling", "rate": 1})
    resp = _call(url)
    assert (resp.status_code, resp.json()["Code"]) == (400, "Throttling.User")
    counters = _admin(url, "GET", "counters")
    assert (counters["fault:503"], counters["fault:html"], counters["fault:throttling"]) == (1, 1, 1)


def test_reset_truncated_and_stall(url: str) -> None:
    _admin(url, "POST", "faults", {"kind": "reset", "rate": 1})
    with pytest.raises(requests.ConnectionError):
        _call(url)
    _admin(url, "DELETE", "faults")
    _admin(url, "POST", "faults", {"kind": "truncated", "rate": 1})
    with pytest.raises(requests.RequestException):
        _call(url).json()
    _admin(url, "DELETE", "faults")
    _admin(url, "POST", "faults", {"kind": "stall", "rate": 1})
    with pytest.raises(requests.Timeout):
        _call(url, timeout=0.5)


def test_fault_scoped_to_other_operation_does_not_fire(url: str) -> None:
    _admin(url, "POST", "faults", {"kind": "503", "rate": 1, "operation": "ListSmartJobs"})
    assert _call(url).status_code != 503
