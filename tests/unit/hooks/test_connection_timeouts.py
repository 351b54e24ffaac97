"""Timeouts and the response-size cap come from the connection's extras, for the sync hook and the
triggers' async client alike."""

from __future__ import annotations

import json
import time

import pytest

from airflow_provider_mediajobs.exceptions import MediaJobsValidationError, TransportError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.base import AsyncJobClient
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.transport import ResponseTooLargeError, RetryPolicy, Timeouts


def _set_extras(monkeypatch: pytest.MonkeyPatch, emu: EmulatorHandle, **extras: object) -> None:
    conn = emu.connections()["alibaba_cloud_media_default"]
    conn["extra"] = {**conn["extra"], **extras}  # type: ignore[dict-item]
    monkeypatch.setenv("AIRFLOW_CONN_ALIBABA_CLOUD_MEDIA_DEFAULT", json.dumps(conn))


def test_sync_hook_reads_timeouts_from_extras(mediajobs_connections: EmulatorHandle,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _set_extras(monkeypatch, mediajobs_connections, connect_timeout=2, read_timeout="0.5", total_timeout=9)
    assert AlibabaCloudMediaHook().timeouts == Timeouts(connect=2.0, read=0.5, total=9.0)
    # An explicit argument wins over the connection.
    assert AlibabaCloudMediaHook(timeouts=Timeouts(read=7)).timeouts.read == 7


def test_read_timeout_extra_bounds_a_stalled_answer(mediajobs_connections: EmulatorHandle,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # The session emulator stalls 35 s; a 0.5 s read timeout from the connection cuts it short.
    _set_extras(monkeypatch, mediajobs_connections, read_timeout=0.5)
    mediajobs_connections.admin("POST", "faults", {"kind": "stall", "rate": 1.0})
    hook = AlibabaCloudMediaHook(retry_policy=RetryPolicy(attempts=1))
    started = time.monotonic()
    with pytest.raises(TransportError, match=r"read timeout of 0\.5s"):
        hook.query_iproduction_job(job_id="j1")
    assert time.monotonic() - started < 30  # not the emulator's 35 s stall


async def test_async_client_reads_timeouts_from_extras(mediajobs_connections: EmulatorHandle,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _set_extras(monkeypatch, mediajobs_connections, read_timeout=3, total_timeout=4)
    client = await AsyncJobClient.create(AlibabaCloudMediaHook.api, "alibaba_cloud_media_default")
    try:
        assert client.client.sender.timeouts == Timeouts(connect=5.0, read=3.0, total=4.0)
    finally:
        await client.close()


@pytest.mark.parametrize("value", [0, -1, "soon", True, 10_000])
def test_bad_timeout_extra_names_the_field(mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch,
                                           value: object) -> None:
    _set_extras(monkeypatch, mediajobs_connections, read_timeout=value)
    before = mediajobs_connections.counters().get("requests", 0)
    with pytest.raises(MediaJobsValidationError, match=r"read_timeout must be a number from 0\.1 to 600"):
        AlibabaCloudMediaHook().query_iproduction_job(job_id="j1")
    assert mediajobs_connections.counters().get("requests", 0) == before


def test_response_cap_from_extras_refuses_a_larger_answer(mediajobs_connections: EmulatorHandle,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _set_extras(monkeypatch, mediajobs_connections, max_response_bytes=2048)
    hook = AlibabaCloudMediaHook()
    assert hook.max_response_bytes == 2048
    with pytest.raises(ResponseTooLargeError, match="max_response_bytes=2048"):
        hook.list_smart_jobs(page_size=50, max_items=50)  # ~25 KB of JSON
    assert AlibabaCloudMediaHook(max_response_bytes=1 << 20).list_smart_jobs(page_size=50, max_items=50)


async def test_async_client_reads_the_response_cap_from_extras(mediajobs_connections: EmulatorHandle,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _set_extras(monkeypatch, mediajobs_connections, max_response_bytes="4096")
    client = await AsyncJobClient.create(AlibabaCloudMediaHook.api, "alibaba_cloud_media_default")
    try:
        assert client.client.sender.max_response_bytes == 4096
    finally:
        await client.close()
