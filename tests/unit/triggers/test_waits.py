"""Triggers against the emulator over real HTTP: the events a wait ends with, batching, cancellation,
expired credentials, serialization."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.triggers import coalesce
from airflow_provider_mediajobs.triggers.alibaba import ImmTaskTrigger, MtsIProductionJobTrigger
from airflow_provider_mediajobs.triggers.tencent import TencentCIJobTrigger
from tests.helpers import new_job


async def first_event(trigger: Any, limit: float = 60) -> dict[str, Any]:
    async def take() -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("no event")

    return await asyncio.wait_for(take(), limit)


async def test_trigger_success_event_carries_the_job(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "mts", output="oss://out/clip.mp4")
    trigger = MtsIProductionJobTrigger(
        conn_id="alibaba_cloud_media_default", job_ids={"job_id": job_id}, poll_interval=0.2
    )
    event = await first_event(trigger)
    assert event["status"] == "success"
    assert event["job"]["State"] == "Success"
    assert event["output"] == "oss://out/clip.mp4"
    assert coalesce.active_pollers() == 0  # left the shared poller on the way out


async def test_trigger_failure_event_has_vendor_code_and_message(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "mts", succeed=False)
    event = await first_event(
        MtsIProductionJobTrigger(conn_id="alibaba_cloud_media_default", job_ids={"job_id": job_id}, poll_interval=0.2)
    )
    assert event["status"] == "failure"
    assert event["job"]["State"] == "Fail"
    # The vendor's own code and message, read from Result (a JSON string in the SDK's model).
    assert (event["code"], event["message"]) == ("InvalidInput.Media", "the input could not be decoded")


async def test_trigger_not_found_after_grace(mediajobs_connections: EmulatorHandle) -> None:
    trigger = MtsIProductionJobTrigger(
        conn_id="alibaba_cloud_media_default", job_ids={"job_id": "missing-job"}, poll_interval=0.1, not_found_grace=0.5
    )
    event = await first_event(trigger)
    assert event["status"] == "not_found"
    assert "missing-job" in event["message"]


async def test_trigger_rides_out_transient_errors(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    job_id = new_job(emu, "imm", project_name="media-archive", task_type="FaceClustering")
    emu.admin("POST", "faults", {"kind": "503", "rate": 1.0})
    ids = {"project_name": "media-archive", "task_id": job_id, "task_type": "FaceClustering"}
    trigger = ImmTaskTrigger(conn_id="alibaba_cloud_media_default", poll_interval=0.1, job_ids=ids)
    task = asyncio.create_task(first_event(trigger, limit=90))
    await asyncio.sleep(1.5)
    emu.admin("DELETE", "faults")
    event = await task
    assert event["status"] == "success"
    assert emu.counters().get("fault:503", 0) >= 1


async def test_unknown_state_keeps_waiting_and_warns_once(
    mediajobs_connections: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    emu = mediajobs_connections
    job_id = new_job(emu, "mts", run_s=60)
    emu.admin("POST", f"jobs/{job_id}/state", {"state": "Reticulating"})
    trigger = MtsIProductionJobTrigger(
        conn_id="alibaba_cloud_media_default", job_ids={"job_id": job_id}, poll_interval=0.1
    )
    task = asyncio.create_task(first_event(trigger))
    with caplog.at_level(logging.WARNING):
        await asyncio.sleep(1.0)
        emu.admin("POST", f"jobs/{job_id}/state", {"state": "Success"})
        event = await task
    assert event["status"] == "success"
    assert sum("Reticulating" in r.getMessage() for r in caplog.records) == 1


async def test_tencent_waits_are_answered_in_batches(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    ids = [new_job(emu, "tencent", bucket="examplebucket-1250000000", tag="Translation") for _ in range(30)]
    before = emu.counters().get("op:GetJobs", 0)
    triggers = [
        TencentCIJobTrigger(conn_id="tencent_cloud_ci_default", job_ids={"job_ids": i}, poll_interval=0.3) for i in ids
    ]
    events = await asyncio.gather(*(first_event(t) for t in triggers))
    assert {e["status"] for e in events} == {"success"}
    assert {e["job_id"] for e in events} == set(ids)
    calls = emu.counters().get("op:GetJobs", 0) - before
    # Per-trigger polling would need at least one call per wait per look: 30 * looks.
    assert calls < len(ids)


async def test_cancelled_trigger_releases_the_poller(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "mts", run_s=600)
    trigger = MtsIProductionJobTrigger(
        conn_id="alibaba_cloud_media_default", job_ids={"job_id": job_id}, poll_interval=0.1
    )
    task = asyncio.create_task(first_event(trigger))
    await asyncio.sleep(0.5)
    assert coalesce.active_pollers() == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert coalesce.active_pollers() == 0


async def test_expired_token_is_reread_from_the_connection(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = mediajobs_connections
    job_id = new_job(emu, "mts", run_s=2.5)
    short = emu.admin("POST", "sts", {"vendor": "alibaba", "ttl": 1})
    conn = emu.connections()["alibaba_cloud_media_default"]
    conn["extra"]["security_token"] = short["token"]
    monkeypatch.setenv("AIRFLOW_CONN_STS_CONN", json.dumps(conn))
    trigger = MtsIProductionJobTrigger(conn_id="sts_conn", job_ids={"job_id": job_id}, poll_interval=0.3)
    task = asyncio.create_task(first_event(trigger))
    await asyncio.sleep(1.5)  # the token has expired: the trigger must re-read the connection
    fresh = emu.admin("POST", "sts", {"vendor": "alibaba", "ttl": 600})
    conn["extra"]["security_token"] = fresh["token"]
    monkeypatch.setenv("AIRFLOW_CONN_STS_CONN", json.dumps(conn))
    event = await task
    assert event["status"] == "success"


async def test_expired_token_not_renewed_ends_with_what_to_renew(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = mediajobs_connections
    job_id = new_job(emu, "mts", run_s=60)
    short = emu.admin("POST", "sts", {"vendor": "alibaba", "ttl": 0.5})
    conn = emu.connections()["alibaba_cloud_media_default"]
    conn["extra"]["security_token"] = short["token"]
    monkeypatch.setenv("AIRFLOW_CONN_STS_OLD", json.dumps(conn))
    await asyncio.sleep(0.7)
    event = await first_event(
        MtsIProductionJobTrigger(
            conn_id="sts_old", job_ids={"job_id": job_id}, poll_interval=0.2, credentials_grace=1.0
        )
    )
    assert event["status"] == "error"
    assert "renew security_token" in event["message"]
    assert short["token"] not in json.dumps(event)


def test_trigger_serializes_ids_and_timing_only(mediajobs_connections: EmulatorHandle) -> None:
    trigger = MtsIProductionJobTrigger(conn_id="alibaba_cloud_media_default", job_ids={"job_id": "j1"})
    classpath, kwargs = trigger.serialize()
    assert classpath == "airflow_provider_mediajobs.triggers.alibaba.MtsIProductionJobTrigger"
    assert set(kwargs) == {
        "conn_id",
        "job_ids",
        "poll_interval",
        "not_found_grace",
        "max_transient_errors",
        "coalesce",
        "credentials_grace",
        "deadline",
        "cancel_on_kill",
    }
    assert "emulator-secret" not in json.dumps(kwargs)
    again = MtsIProductionJobTrigger(**kwargs)
    assert again.serialize() == (classpath, kwargs)
