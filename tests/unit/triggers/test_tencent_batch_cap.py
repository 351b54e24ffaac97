"""Tencent ``GET /jobs/{ids}`` takes at most 10 ids per call (DescribeMediaJob page): the hook, the
operator and the shared poller split into calls of 10, the ``batch_size`` extra is bounded by
it, and the emulator, playing the vendor, refuses more."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import requests

from airflow_provider_mediajobs.catalog import tencent as cat
from airflow_provider_mediajobs.exceptions import InvalidParameterError, MediaJobsValidationError
from airflow_provider_mediajobs.hooks.base import AsyncJobClient
from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook
from airflow_provider_mediajobs.operators.tencent import TencentCIGetJobsOperator
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.transport import SyncSender
from airflow_provider_mediajobs.triggers import coalesce
from airflow_provider_mediajobs.triggers.tencent import TencentCIJobTrigger

BUCKET = "examplebucket-1250000000"
CAP = cat.MAX_IDS_PER_CALL


def _jobs(emu: EmulatorHandle, count: int, **attrs: Any) -> list[str]:
    body = {"kind": "tencent", "count": count, "bucket": BUCKET, "tag": "Translation", **attrs}
    ids: list[str] = emu.admin("POST", "jobs", body)["job_ids"]
    return ids


def test_the_catalog_cap_is_the_documented_ten() -> None:
    assert CAP == 10
    assert cat.TENCENT_CI_JOB.max_batch == CAP
    assert TencentCloudCIHook.max_batch_size == CAP


def test_split_checks_the_whole_list_then_cuts_it_in_tens() -> None:
    ids = [f"j{i}" for i in range(25)]
    assert [len(c) for c in cat.split_job_ids(ids)] == [10, 10, 5]
    assert cat.split_job_ids(",".join(ids[:3])) == [ids[:3]]
    assert cat.split_job_ids(["a", "a", "b"]) == [["a", "b"]]  # a duplicate is asked for once
    with pytest.raises(MediaJobsValidationError, match=r"^job_ids"):
        cat.split_job_ids([*ids, "bad id"])


def test_hook_get_jobs_splits_more_than_ten_ids(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    ids = [*_jobs(emu, 23), "jmissing1", "jmissing2"]
    before = emu.counters().get("op:GetJobs", 0)
    found = TencentCloudCIHook().get_jobs(ids)
    assert emu.counters().get("op:GetJobs", 0) - before == 3  # 10 + 10 + 5
    assert [j["JobId"] for j in found["JobsDetail"]] == ids[:23]
    assert found["NonExistJobIds"] == ["jmissing1", "jmissing2"]


def test_operator_get_jobs_splits_more_than_ten_ids(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    ids = _jobs(emu, 12)
    before = emu.counters().get("op:GetJobs", 0)
    result = TencentCIGetJobsOperator(task_id="g", job_ids=ids).execute({})
    assert emu.counters().get("op:GetJobs", 0) - before == 2
    assert {j["JobId"] for j in result["JobsDetail"]} == set(ids)
    assert result["NonExistJobIds"] == []


def test_emulator_refuses_more_than_ten_ids_as_the_vendor_would(mediajobs_connections: EmulatorHandle) -> None:
    hook = TencentCloudCIHook()
    ids = _jobs(mediajobs_connections, CAP + 1)
    sender = SyncSender(requests.Session())
    # Around the catalog's check, to see what the emulator does with an 11-id call.
    response = sender.send(hook.protocol.build(cat.GET_JOBS, {"jobIds": ",".join(ids)}))
    assert response.status == 400
    with pytest.raises(InvalidParameterError) as err:
        hook.protocol.parse(cat.GET_JOBS, response)
    assert err.value.code == "InvalidArgument"
    # Ten are fine.
    ten = hook.protocol.build(cat.GET_JOBS, {"jobIds": ",".join(ids[:CAP])})
    ok = hook.protocol.parse(cat.GET_JOBS, sender.send(ten))
    assert len(ok["JobsDetail"]) == CAP


async def test_shared_poller_never_sends_more_than_ten_ids(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    ids = _jobs(emu, 35, queue_s=0, run_s=0.5)
    before = emu.counters()
    triggers = [TencentCIJobTrigger(conn_id="tencent_cloud_ci_default", job_ids={"job_ids": i}, poll_interval=0.3)
                for i in ids]

    async def first(trigger: TencentCIJobTrigger) -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("no event")

    events = await asyncio.gather(*(first(t) for t in triggers))
    after = emu.counters()
    assert {e["status"] for e in events} == {"success"}
    assert after.get("status:400", 0) == before.get("status:400", 0)  # no call was refused for its size
    calls = after.get("op:GetJobs", 0) - before.get("op:GetJobs", 0)
    assert calls >= -(-len(ids) // CAP)  # at least ceil(35 / 10) per look


def _batch_size_conn(emu: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, conn_id: str, value: Any) -> None:
    conn = emu.connections()["tencent_cloud_ci_default"]
    conn["extra"] = {**conn["extra"], "batch_size": value}  # type: ignore[dict-item]
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))


@pytest.mark.parametrize("value", [11, 50, 100, "11", 0, -1, 2.5, "ten", True])
async def test_batch_size_extra_is_refused_outside_one_to_ten(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, value: Any
) -> None:
    _batch_size_conn(mediajobs_connections, monkeypatch, "tencent_bad_batch", value)
    before = mediajobs_connections.counters().get("requests", 0)
    with pytest.raises(MediaJobsValidationError, match="batch_size must be an integer from 1 to 10"):
        await coalesce.acquire(TencentCloudCIHook.api, "tencent_bad_batch")
    with pytest.raises(MediaJobsValidationError, match="batch_size"):
        await AsyncJobClient.create(TencentCloudCIHook.api, "tencent_bad_batch")
    with pytest.raises(MediaJobsValidationError, match="batch_size"):
        TencentCloudCIHook("tencent_bad_batch").get_ci_job("j1")
    assert mediajobs_connections.counters().get("requests", 0) == before


@pytest.mark.parametrize("value", [1, 10, "7"])
async def test_batch_size_extra_within_bounds_is_used(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, value: Any
) -> None:
    _batch_size_conn(mediajobs_connections, monkeypatch, "tencent_ok_batch", value)
    poller = await coalesce.acquire(TencentCloudCIHook.api, "tencent_ok_batch")
    try:
        assert poller.batch_size == int(value)
    finally:
        await coalesce.release(poller)


async def test_both_senders_put_the_batch_comma_on_the_wire_as_percent_2c() -> None:
    """The ids of a batch are joined by ``,`` sent as ``%2C`` and signed decoded (reference: the
    Python and Go SDKs); the async sender must not let yarl re-quote the path."""
    from aiohttp import ClientSession, web

    from airflow_provider_mediajobs.transport import AsyncSender, HttpRequest

    seen: list[str] = []

    async def record(request: web.Request) -> web.Response:
        seen.append(request.raw_path)
        return web.Response(text="<Response/>")

    app = web.Application()
    app.router.add_get("/{tail:.*}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/jobs/j1%2Cj2?x=a%20b"
    try:
        async with ClientSession() as session:
            await AsyncSender(session).send(HttpRequest("GET", url, {}))
        await asyncio.to_thread(SyncSender(requests.Session()).send, HttpRequest("GET", url, {}))
    finally:
        await runner.cleanup()
    assert seen == ["/jobs/j1%2Cj2?x=a%20b", "/jobs/j1%2Cj2?x=a%20b"]
