"""Sensors, triggers and submit-and-wait against the emulator over real HTTP."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airflow_provider_mediajobs.compat import HAS_RESUMABLE_JOBS, AirflowSkipException, TaskDeferred
from airflow_provider_mediajobs.exceptions import JobFailedError, JobNotFoundError, MediaJobsError
from airflow_provider_mediajobs.operators.alibaba import MtsSubmitIProductionJobOperator
from airflow_provider_mediajobs.operators.tencent import TencentCISubmitJobOperator
from airflow_provider_mediajobs.sensors.alibaba import IceSmartJobSensor, ImmTaskSensor, MtsIProductionJobSensor
from airflow_provider_mediajobs.sensors.tencent import TencentCIJobSensor
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.triggers import coalesce
from airflow_provider_mediajobs.triggers.alibaba import ImmTaskTrigger, MtsIProductionJobTrigger
from airflow_provider_mediajobs.triggers.tencent import TencentCIJobTrigger


def new_job(emu: EmulatorHandle, kind: str, **options: Any) -> str:
    options.setdefault("queue_s", 0.2)
    options.setdefault("run_s", 0.5)
    return str(emu.admin("POST", "jobs", {"kind": kind, **options})["job_id"])


async def first_event(trigger: Any, limit: float = 60) -> dict[str, Any]:
    async def take() -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("no event")

    return await asyncio.wait_for(take(), limit)


# -- triggers ------------------------------------------------------------------------------------
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
    }
    assert "emulator-secret" not in json.dumps(kwargs)
    again = MtsIProductionJobTrigger(**kwargs)
    assert again.serialize() == (classpath, kwargs)


# -- sensors ---------------------------------------------------------------------------------------
def test_deferrable_sensor_defers_with_trigger_and_timeout(mediajobs_connections: EmulatorHandle) -> None:
    sensor = MtsIProductionJobSensor(task_id="w", job_id="j42", deferrable=True, poke_interval=3, timeout=120)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute({})
    assert isinstance(deferred.value.trigger, MtsIProductionJobTrigger)
    assert deferred.value.trigger.job_ids == {"job_id": "j42"}
    assert deferred.value.trigger.poll_interval == 3
    assert deferred.value.method_name == "execute_complete"
    assert deferred.value.timeout == timedelta(seconds=120)


def test_sensor_refuses_bad_ids_before_any_request(mediajobs_connections: EmulatorHandle) -> None:
    before = mediajobs_connections.counters().get("requests", 0)
    sensor = IceSmartJobSensor(task_id="w", job_id="../etc/passwd", deferrable=True)
    with pytest.raises(MediaJobsError, match="job_id must be an id"):
        sensor.execute({})
    assert mediajobs_connections.counters().get("requests", 0) == before


def test_poke_mode_waits_then_returns_the_job(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    job_id = new_job(emu, "imm", project_name="media-archive", task_type="FaceClustering")
    sensor = ImmTaskSensor(
        task_id="w",
        project_name="media-archive",
        imm_task_id=job_id,
        imm_task_type="FaceClustering",
        poke_interval=0.2,
        timeout=30,
        deferrable=False,
    )
    job = sensor.execute({})
    assert job["Status"] == "Succeeded"
    assert job["TaskId"] == job_id


def test_poke_mode_failure_raises_with_vendor_code(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(
        mediajobs_connections, "tencent", bucket="examplebucket-1250000000", tag="Translation", succeed=False
    )
    sensor = TencentCIJobSensor(task_id="w", job_id=job_id, poke_interval=0.2, timeout=30, deferrable=False)
    with pytest.raises(JobFailedError, match="InvalidFile"):
        sensor.execute({})


class _RescheduledTI:
    """What the task runner offers a sensor in reschedule mode: when the first try started."""

    def __init__(self, first: datetime | None) -> None:
        self.first = first

    def get_first_reschedule_date(self, context: Any) -> datetime | None:
        return self.first


@pytest.mark.parametrize(("first_minutes_ago", "outcome"), [(5, "fails"), (None, "waits"), (0.1, "waits")])
def test_reschedule_mode_counts_the_grace_from_the_first_try(
    mediajobs_connections: EmulatorHandle, first_minutes_ago: float | None, outcome: str
) -> None:
    # Each reschedule runs the sensor in a new process, so its own clock restarts every poke; the
    # grace must run from Airflow's record of the first try instead.
    sensor = MtsIProductionJobSensor(task_id="w", job_id="never-submitted", mode="reschedule",
                                     not_found_grace=60, deferrable=False)
    first = None if first_minutes_ago is None else datetime.now(UTC) - timedelta(minutes=first_minutes_ago)
    context: Any = {"ti": _RescheduledTI(first)}
    if outcome == "fails":
        with pytest.raises(JobNotFoundError, match="never-submitted"):
            sensor.poke(context)
    else:
        assert sensor.poke(context) is False


@pytest.mark.parametrize(
    ("event", "outcome"),
    [
        ({"status": "success", "job_id": "j", "job": {"State": "Success"}}, {"State": "Success"}),
        ({"status": "failure", "job_id": "j", "code": "E1", "message": "boom"}, JobFailedError),
        ({"status": "not_found", "job_id": "j", "message": "gone"}, JobNotFoundError),
        ({"status": "error", "job_id": "j", "message": "denied", "code": "Forbidden"}, MediaJobsError),
    ],
)
def test_execute_complete_for_each_event(event: dict[str, Any], outcome: Any) -> None:
    sensor = MtsIProductionJobSensor(task_id="w", job_id="j", deferrable=True)
    if isinstance(outcome, dict):
        assert sensor.execute_complete({}, event) == outcome
    else:
        with pytest.raises(outcome):
            sensor.execute_complete({}, event)


def test_soft_fail_skips_on_failure() -> None:
    sensor = MtsIProductionJobSensor(task_id="w", job_id="j", deferrable=True, soft_fail=True)
    with pytest.raises(AirflowSkipException, match="E1"):
        sensor.execute_complete({}, {"status": "failure", "job_id": "j", "code": "E1", "message": "boom"})


# -- submit and wait -------------------------------------------------------------------------------
class FakeStateStore:
    def __init__(self, initial: dict[str, Any] | None = None) -> None:
        self.data = dict(initial or {})

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def set(self, key: str, value: Any) -> None:
        self.data[key] = value


class FakeTI:
    def __init__(self) -> None:
        self.pushed: dict[str, Any] = {}
        self.stats_tags: dict[str, str] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.pushed[key] = value


def test_submit_and_wait_in_the_worker(mediajobs_connections: EmulatorHandle) -> None:
    op = MtsSubmitIProductionJobOperator(
        task_id="s",
        function_name="VideoQualityEnhancement",
        input_uri="oss://in/a.mp4",
        output_uri="oss://out/a.mp4",
        wait_for_completion=True,
        deferrable=False,
        poll_interval=0.3,
    )
    ti, store = FakeTI(), FakeStateStore()
    job_id = op.execute({"ti": ti, "task_state_store": store})
    assert ti.pushed["job"]["State"] == "Success"
    assert ti.pushed["job"]["JobId"] == job_id
    # Airflow 3.3+ keeps the id for a retry to reattach to; before 3.3 there is no store to use.
    assert store.data == ({"mediajobs_job_id": job_id} if HAS_RESUMABLE_JOBS else {})


def test_submit_deferrable_defers_after_storing_the_id(mediajobs_connections: EmulatorHandle) -> None:
    op = TencentCISubmitJobOperator(
        task_id="s",
        tag="WordsGeneralize",
        input_object="t.txt",
        queue_id="q1",
        words_generalize={"NerMethod": "DL", "SegMethod": "MIX"},
        wait_for_completion=True,
        deferrable=True,
        wait_timeout=300,
    )
    store = FakeStateStore()
    with pytest.raises(TaskDeferred) as deferred:
        op.execute({"ti": FakeTI(), "task_state_store": store})
    assert isinstance(deferred.value.trigger, TencentCIJobTrigger)
    (job_id,) = deferred.value.trigger.job_ids.values()
    if HAS_RESUMABLE_JOBS:  # stored before deferring, so a retry finds it
        assert store.data == {"mediajobs_job_id": job_id}
    assert deferred.value.timeout == timedelta(seconds=300)


def test_a_retry_reattaches_instead_of_submitting_again(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    running = new_job(emu, "mts", run_s=1.0)
    store = FakeStateStore({"mediajobs_job_id": running})  # what the crashed first try stored
    before = emu.counters().get("op:SubmitIProductionJob", 0)
    op = MtsSubmitIProductionJobOperator(
        task_id="s",
        function_name="VideoQualityEnhancement",
        wait_for_completion=True,
        deferrable=False,
        poll_interval=0.3,
    )
    result = op.execute({"ti": FakeTI(), "task_state_store": store})
    if HAS_RESUMABLE_JOBS:
        assert result == running
        assert emu.counters().get("op:SubmitIProductionJob", 0) == before  # no second job
    else:
        # Airflow 3.1 / 3.2: nothing to reattach from, so the retry submits once and waits for
        # that job, as documented (docs/airflow-versions.md).
        assert result != running
        assert emu.counters().get("op:SubmitIProductionJob", 0) == before + 1


def test_submit_refuses_bad_arguments_before_any_request(mediajobs_connections: EmulatorHandle) -> None:
    before = mediajobs_connections.counters().get("requests", 0)
    op = TencentCISubmitJobOperator(task_id="s", tag="Translation", input_object="a.txt", queue_id="q1")
    with pytest.raises(MediaJobsError, match="translation must be given"):
        op.execute({"ti": FakeTI(), "task_state_store": FakeStateStore()})
    assert mediajobs_connections.counters().get("requests", 0) == before


# -- asset events ----------------------------------------------------------------------------------
def test_success_records_an_asset_event_for_the_output_object(mediajobs_connections: EmulatorHandle) -> None:
    from airflow.sdk import AssetAlias
    from airflow.sdk.execution_time.context import OutletEventAccessors

    alias = AssetAlias("enhanced-clips")
    sensor = MtsIProductionJobSensor(task_id="w", job_id="j", deferrable=True, outlets=[alias])
    events = OutletEventAccessors()
    event = {
        "status": "success",
        "job_id": "j",
        "kind": "mts_iproduction",
        "job": {"State": "Success"},
        "output": "oss://media-out/enhanced/clip.mp4",
    }
    sensor.execute_complete({"outlet_events": events, "task": sensor}, event)
    recorded = events[alias].asset_alias_events
    assert [e.dest_asset_key.uri for e in recorded] == ["oss://media-out/enhanced/clip.mp4"]
    assert recorded[0].extra == {"job_id": "j", "kind": "mts_iproduction"}


def test_no_asset_event_without_a_known_output(mediajobs_connections: EmulatorHandle) -> None:
    from airflow.sdk import AssetAlias
    from airflow.sdk.execution_time.context import OutletEventAccessors

    alias = AssetAlias("translated")
    sensor = TencentCIJobSensor(task_id="w", job_id="j", deferrable=True, outlets=[alias])
    events = OutletEventAccessors()
    sensor.execute_complete(
        {"outlet_events": events, "task": sensor},
        {"status": "success", "job_id": "j", "job": {"State": "Success"}, "output": None},
    )
    assert events[alias].asset_alias_events == []
