"""Waiting for MTS transcoding, snapshot and media info jobs (issue 18, part 1) against the emulator
over real HTTP: sensors poking and deferring, triggers to success and to failure, the shared
poller's batches (QueryJobList and its twins take 10 ids a call) and list sweeps (ListJob,
QuerySnapshotJobList without ids), and cancelling a waited transcoding job."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.compat import TaskDeferred
from airflow_provider_mediajobs.exceptions import JobFailedError
from airflow_provider_mediajobs.hooks.alibaba import API, AlibabaCloudMediaHook
from airflow_provider_mediajobs.sensors.alibaba import (
    MtsMediaInfoJobSensor,
    MtsSnapshotJobSensor,
    MtsTranscodeJobSensor,
)
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.triggers import coalesce
from airflow_provider_mediajobs.triggers.alibaba import (
    MtsMediaInfoJobTrigger,
    MtsSnapshotJobTrigger,
    MtsTranscodeJobTrigger,
)
from tests.helpers import new_job
from tests.unit.triggers.test_waits import first_event

CONN = "alibaba_cloud_media_default"
# kind in the emulator, sensor, its id argument, trigger, the job kind
WAITS = [
    ("mts_transcode", MtsTranscodeJobSensor, "job_id", MtsTranscodeJobTrigger, cat.MTS_TRANSCODE_JOB),
    ("mts_snapshot", MtsSnapshotJobSensor, "snapshot_job_id", MtsSnapshotJobTrigger, cat.MTS_SNAPSHOT_JOB),
    ("mts_media_info", MtsMediaInfoJobSensor, "media_info_job_id", MtsMediaInfoJobTrigger, cat.MTS_MEDIA_INFO_JOB),
]
IDS = [w[0] for w in WAITS]


def _trigger(cls: Any, kind: Any, job_id: str, conn_id: str = CONN, **kwargs: Any) -> Any:
    return cls(conn_id=conn_id, job_ids={kind.job_id_arg: job_id}, poll_interval=0.2, **kwargs)


@pytest.mark.parametrize(("emu_kind", "sensor", "arg", "trigger", "kind"), WAITS, ids=IDS)
def test_poke_mode_waits_to_success_and_returns_the_job(mediajobs_connections: EmulatorHandle, emu_kind: str,
                                                        sensor: Any, arg: str, trigger: Any, kind: Any) -> None:
    job_id = new_job(mediajobs_connections, emu_kind)
    job = sensor(task_id="w", **{arg: job_id}, deferrable=False, poke_interval=0.2, timeout=30).execute({})
    assert job[kind.id_key[0]] == job_id
    assert job["State"] in kind.success


@pytest.mark.parametrize(("emu_kind", "sensor", "arg", "trigger", "kind"), WAITS, ids=IDS)
def test_poke_mode_failure_raises_with_the_jobs_code(mediajobs_connections: EmulatorHandle, emu_kind: str,
                                                     sensor: Any, arg: str, trigger: Any, kind: Any) -> None:
    job_id = new_job(mediajobs_connections, emu_kind, succeed=False)
    with pytest.raises(JobFailedError, match=r"InvalidParameter\.ResourceContentBad"):
        sensor(task_id="w", **{arg: job_id}, deferrable=False, poke_interval=0.2, timeout=30).execute({})


@pytest.mark.parametrize(("emu_kind", "sensor", "arg", "trigger", "kind"), WAITS, ids=IDS)
def test_a_deferrable_sensor_defers_to_its_trigger(mediajobs_connections: EmulatorHandle, emu_kind: str,
                                                   sensor: Any, arg: str, trigger: Any, kind: Any) -> None:
    with pytest.raises(TaskDeferred) as deferred:
        sensor(task_id="w", **{arg: "j42"}, deferrable=True, poke_interval=3, timeout=60).execute({})
    assert isinstance(deferred.value.trigger, trigger)
    assert deferred.value.trigger.job_ids == {kind.job_id_arg: "j42"}
    # Only ids, the connection id and timing are serialized.
    path, kwargs = deferred.value.trigger.serialize()
    assert path.endswith(trigger.__name__)
    assert json.loads(json.dumps(kwargs))["job_ids"] == {kind.job_id_arg: "j42"}


@pytest.mark.parametrize(("emu_kind", "sensor", "arg", "trigger", "kind"), WAITS, ids=IDS)
async def test_the_trigger_ends_with_success_and_failure(mediajobs_connections: EmulatorHandle, emu_kind: str,
                                                         sensor: Any, arg: str, trigger: Any, kind: Any) -> None:
    good = new_job(mediajobs_connections, emu_kind)
    bad = new_job(mediajobs_connections, emu_kind, succeed=False)
    ok, failed = await asyncio.gather(first_event(_trigger(trigger, kind, good)),
                                      first_event(_trigger(trigger, kind, bad)))
    assert ok["status"] == "success"
    assert ok["job"]["State"] in kind.success
    assert failed["status"] == "failure"
    assert failed["code"] == "InvalidParameter.ResourceContentBad"
    assert coalesce.active_pollers() == 0


async def test_a_transcoding_success_event_names_its_output(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "mts_transcode", output_bucket="media-out", output_object="out/a.mp4")
    event = await first_event(_trigger(MtsTranscodeJobTrigger, cat.MTS_TRANSCODE_JOB, job_id))
    assert event["output"] == "oss://media-out/out/a.mp4"


async def test_a_cancelled_transcoding_job_ends_the_wait_as_a_failure(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "mts_transcode", queue_s=3600)
    AlibabaCloudMediaHook().cancel_job_of(cat.MTS_TRANSCODE_JOB, job_ids=job_id)
    event = await first_event(_trigger(MtsTranscodeJobTrigger, cat.MTS_TRANSCODE_JOB, job_id))
    assert event["status"] == "failure"
    assert event["job"]["State"] == "TranscodeCancelled"


def _conn(emu: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, conn_id: str, **extra: str) -> str:
    conn = emu.connections()[CONN]
    conn["extra"] = {**conn["extra"], **extra}  # type: ignore[dict-item]
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))
    return conn_id


@pytest.mark.parametrize(("emu_kind", "action", "trigger", "kind"), [
    ("mts_transcode", "QueryJobList", MtsTranscodeJobTrigger, cat.MTS_TRANSCODE_JOB),
    ("mts_snapshot", "QuerySnapshotJobList", MtsSnapshotJobTrigger, cat.MTS_SNAPSHOT_JOB),
    ("mts_media_info", "QueryMediaInfoJobList", MtsMediaInfoJobTrigger, cat.MTS_MEDIA_INFO_JOB),
], ids=IDS)
async def test_25_deferred_waits_cost_3_batched_calls(mediajobs_connections: EmulatorHandle,
                                                      monkeypatch: pytest.MonkeyPatch, emu_kind: str, action: str,
                                                      trigger: Any, kind: Any) -> None:
    emu = mediajobs_connections
    ids = emu.admin("POST", "jobs", {"kind": emu_kind, "count": 25, "queue_s": 0, "run_s": 0})["job_ids"]
    conn_id = _conn(emu, monkeypatch, "mts_batched", list_sweeps="off")  # the batches alone
    before = emu.counters()
    events = await asyncio.gather(*(first_event(_trigger(trigger, kind, i, conn_id)) for i in ids))
    after = emu.counters()
    assert {e["status"] for e in events} == {"success"}
    assert [e["job_id"] for e in events] == ids
    assert after.get(f"op:{action}", 0) - before.get(f"op:{action}", 0) == 3  # 10 + 10 + 5
    assert after.get("status:400", 0) == before.get("status:400", 0)


async def test_the_batch_size_extra_bounds_the_mts_batches(mediajobs_connections: EmulatorHandle,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    emu = mediajobs_connections
    ids = emu.admin("POST", "jobs", {"kind": "mts_transcode", "count": 12, "queue_s": 0, "run_s": 0})["job_ids"]
    conn_id = _conn(emu, monkeypatch, "mts_small_batches", list_sweeps="off", batch_size="4")
    before = emu.counters().get("op:QueryJobList", 0)
    await asyncio.gather(*(first_event(_trigger(MtsTranscodeJobTrigger, cat.MTS_TRANSCODE_JOB, i, conn_id))
                           for i in ids))
    assert emu.counters().get("op:QueryJobList", 0) - before == 3  # 4 + 4 + 4


@pytest.mark.parametrize(("emu_kind", "listing", "get", "kind", "direct"), [
    # Transcoding: ListJob items lack SubmitTime, so the ended ones are concluded by a batched get.
    ("mts_transcode", "ListJob", "QueryJobList", cat.MTS_TRANSCODE_JOB, True),
    # Snapshots: the listing's items are the jobs' own detail.
    ("mts_snapshot", "QuerySnapshotJobList", None, cat.MTS_SNAPSHOT_JOB, False),
], ids=["transcode", "snapshot"])
async def test_a_list_sweep_answers_many_waits_with_one_page(mediajobs_connections: EmulatorHandle, emu_kind: str,
                                                             listing: str, get: str | None, kind: Any,
                                                             direct: bool) -> None:
    emu = mediajobs_connections
    pending = emu.admin("POST", "jobs", {"kind": emu_kind, "count": 30, "queue_s": 3600, "run_s": 3600})["job_ids"]
    ended = emu.admin("POST", "jobs", {"kind": emu_kind, "count": 5, "queue_s": 0, "run_s": 0})["job_ids"]
    poller = await coalesce.acquire(API, CONN)
    try:
        before = emu.counters()
        looks = await asyncio.gather(*(poller.fetch(kind, {kind.job_id_arg: i}) for i in [*pending, *ended]))
        after = emu.counters()
    finally:
        await coalesce.release(poller)
    (success,) = kind.success
    assert [job["State"] for job in looks] == ["Submitted"] * 30 + [success] * 5
    assert after.get(f"op:{listing}", 0) - before.get(f"op:{listing}", 0) == 1  # 35 waits, one page
    if direct:
        assert after.get(f"op:{get}", 0) - before.get(f"op:{get}", 0) == 1  # the 5 ended ones, one batch


@pytest.mark.parametrize(("timing", "state", "cancelled", "after"), [
    ({"queue_s": 3600}, "Submitted", True, "TranscodeCancelled"),
    # CancelJob takes a Submitted job only: a running one is asked, refused, and keeps running.
    ({"queue_s": 0, "run_s": 3600}, "Transcoding", False, "Transcoding"),
], ids=["queued", "running"])
async def test_the_deadline_cancels_a_transcoding_job_while_it_is_queued(
    mediajobs_connections: EmulatorHandle, timing: dict[str, float], state: str, cancelled: bool, after: str,
) -> None:
    job_id = new_job(mediajobs_connections, "mts_transcode", **timing)
    event = await first_event(_trigger(MtsTranscodeJobTrigger, cat.MTS_TRANSCODE_JOB, job_id,
                                       deadline=time.time() + 1.0, cancel_on_kill=True))
    assert event["status"] == "timeout"
    assert event["cancelled"] is cancelled
    assert event["state"] == state
    job = await asyncio.to_thread(AlibabaCloudMediaHook().get_job, cat.MTS_TRANSCODE_JOB, job_ids=job_id)
    assert job["State"] == after
