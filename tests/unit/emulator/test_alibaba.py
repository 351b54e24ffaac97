"""Alibaba signature checks over real HTTP: replayed nonce, unknown key, V1 and V3 both accepted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.emulator import ALIBABA_KEY, EmulatorServer
from airflow_provider_mediajobs.transport import HttpRequest


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with EmulatorServer(seed_jobs=5) as server:
        yield server.url


def _send(url: str, version: str = "v3", key: tuple[str, str] = ALIBABA_KEY) -> tuple[requests.Response, HttpRequest]:
    protocol = cat.AlibabaProtocol(cat.AlibabaCredentials(*key), endpoint_url=url, signature_version=version)  # type: ignore[arg-type]
    built = protocol.build(cat.LIST_SMART_JOBS, cat.LIST_SMART_JOBS.bind({"page_size": 5}))
    resp = requests.request(built.method, built.url, headers=dict(built.headers), data=built.body, timeout=10)
    return resp, built


@pytest.mark.parametrize("version", ["v3", "v1"])
def test_signed_request_accepted_then_replay_refused(url: str, version: str) -> None:
    resp, built = _send(url, version)
    assert resp.status_code == 200, resp.text
    assert len(resp.json()["SmartJobList"]) == 5
    replay = requests.request(built.method, built.url, headers=dict(built.headers), data=built.body, timeout=10)
    assert replay.json()["Code"] == "SignatureNonceUsed"


def test_unknown_key_and_wrong_secret(url: str) -> None:
    resp, _ = _send(url, key=("LTAInobody", "x"))
    assert (resp.status_code, resp.json()["Code"]) == (404, "InvalidAccessKeyId.NotFound")
    resp, _ = _send(url, key=(ALIBABA_KEY[0], "wrong"))
    body = resp.json()
    assert body["Code"] == "SignatureDoesNotMatch"
    assert set(body) >= {"RequestId", "HostId", "Code", "Message", "Recommend"}
