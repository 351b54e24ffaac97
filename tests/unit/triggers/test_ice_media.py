"""Waiting for ICE transcoding, snapshot and media convert jobs against the emulator over real HTTP:
the triggers' events, the sensors in poke and deferrable mode, many waits swept by the kinds'
listings for fewer requests than direct looks, and a trigger's serialized form."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from airflow_provider_mediajobs.compat import TaskDeferred
from airflow_provider_mediajobs.exceptions import JobFailedError
from airflow_provider_mediajobs.sensors.alibaba import (
    IceMediaConvertJobSensor,
    IceSnapshotJobSensor,
    IceTranscodeJobSensor,
)
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.triggers.alibaba import (
    IceMediaConvertJobTrigger,
    IceSnapshotJobTrigger,
    IceTranscodeJobTrigger,
)
from airflow_provider_mediajobs.triggers.base import MediaJobTrigger
from airflow_provider_mediajobs.vendors import ALIBABA, load_class
from tests.helpers import new_job
from tests.unit.triggers.test_waits import first_event

CONN = ALIBABA.default_conn_id
OUT = "oss://media-out/clips/a.mp4"
# Per emulator kind: its trigger, its sensor, the id argument, the state key, and the listing.
KINDS: dict[str, tuple[type[MediaJobTrigger], type[Any], str, str, str]] = {
    "ice_transcode": (IceTranscodeJobTrigger, IceTranscodeJobSensor, "parent_job_id", "Status", "ListTranscodeJobs"),
    "ice_snapshot": (IceSnapshotJobTrigger, IceSnapshotJobSensor, "job_id", "Status", "ListSnapshotJobs"),
    "ice_media_convert": (IceMediaConvertJobTrigger, IceMediaConvertJobSensor, "job_id", "State",
                          "ListMediaConvertJobs"),
}
# One written object per kind, as the emulator's attributes take it (JSON text).
ONE_OUTPUT = {
    "ice_transcode": {"output_group": json.dumps([{"Output": {"Type": "OSS", "Media": OUT},
                                                   "ProcessConfig": {"Transcode": {"TemplateId": "t"}}}])},
    "ice_snapshot": {"output": json.dumps({"Type": "OSS", "Media": "oss://media-out/clips/a.jpg"})},
    "ice_media_convert": {"config": json.dumps({"Inputs": [{"InputFile": {"Type": "Media", "Media": "m1"}}],
                                                "Outputs": [{"OutputFile": {"Type": "OSS", "Media": OUT}}]})},
}
WRITTEN = {"ice_transcode": OUT, "ice_snapshot": "oss://media-out/clips/a.jpg", "ice_media_convert": OUT}


def _trigger(kind: str, job_id: str, **options: Any) -> MediaJobTrigger:
    trigger_class, _, id_arg, _, _ = KINDS[kind]
    return trigger_class(conn_id=CONN, job_ids={id_arg: job_id}, **{"poll_interval": 0.2, **options})


@pytest.mark.parametrize("coalesce", [True, False], ids=["shared poller", "own client"])
@pytest.mark.parametrize("kind", list(KINDS))
async def test_a_trigger_ends_with_the_job_and_the_object_it_wrote(mediajobs_connections: EmulatorHandle,
                                                                   kind: str, coalesce: bool) -> None:
    job_id = new_job(mediajobs_connections, kind, **ONE_OUTPUT[kind])
    event = await first_event(_trigger(kind, job_id, coalesce=coalesce))
    assert (event["status"], event["job_id"], event["output"]) == ("success", job_id, WRITTEN[kind])
    assert event["job"][KINDS[kind][3]] in _trigger(kind, job_id).kind.success


@pytest.mark.parametrize(("kind", "code", "message"), [
    # A transcoding parent job names no code or message: its state stands for them.
    ("ice_transcode", "Fail", "the job ended in state Fail"),
    ("ice_snapshot", "InvalidInput.Media", "the input could not be decoded"),
    ("ice_media_convert", "InvalidInput.Media", "the input could not be decoded"),
])
async def test_a_trigger_ends_a_failed_job_with_its_code_and_message(mediajobs_connections: EmulatorHandle,
                                                                    kind: str, code: str, message: str) -> None:
    job_id = new_job(mediajobs_connections, kind, succeed=False)
    event = await first_event(_trigger(kind, job_id))
    assert (event["status"], event["code"], event["message"]) == ("failure", code, message)


async def test_a_partly_successful_transcoding_job_ends_the_wait_as_a_success(
    mediajobs_connections: EmulatorHandle,
) -> None:
    emu = mediajobs_connections
    job_id = new_job(emu, "ice_transcode", run_s=60)
    emu.admin("POST", f"jobs/{job_id}/state", {"state": "PartSuccess"})
    event = await first_event(_trigger("ice_transcode", job_id))
    assert (event["status"], event["job"]["Status"]) == ("success", "PartSuccess")


async def test_a_cancelled_media_convert_job_is_a_failure(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    job_id = new_job(emu, "ice_media_convert", run_s=60)
    emu.admin("POST", f"jobs/{job_id}/state", {"state": "Cancelled"})
    event = await first_event(_trigger("ice_media_convert", job_id))
    assert (event["status"], event["code"]) == ("failure", "Cancelled")


@pytest.mark.parametrize("kind", list(KINDS))
async def test_a_trigger_survives_its_serialized_form(mediajobs_connections: EmulatorHandle, kind: str) -> None:
    job_id = new_job(mediajobs_connections, kind)
    path, kwargs = _trigger(kind, job_id).serialize()
    assert json.loads(json.dumps(kwargs))["job_ids"] == {KINDS[kind][2]: job_id}
    event = await first_event(load_class(path)(**kwargs))
    assert event["status"] == "success"


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_poking_sensor_returns_the_job_or_raises_its_failure(mediajobs_connections: EmulatorHandle,
                                                               kind: str) -> None:
    _, sensor_class, id_arg, state, _ = KINDS[kind]
    ok, bad = new_job(mediajobs_connections, kind), new_job(mediajobs_connections, kind, succeed=False)
    job = sensor_class(task_id="w", poke_interval=0.2, timeout=30, deferrable=False, **{id_arg: ok}).execute({})
    assert job[state] in sensor_class.kind.success
    with pytest.raises(JobFailedError):
        sensor_class(task_id="w", poke_interval=0.2, timeout=30, deferrable=False, **{id_arg: bad}).execute({})


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_deferrable_sensor_defers_to_its_kinds_trigger(mediajobs_connections: EmulatorHandle, kind: str) -> None:
    trigger_class, sensor_class, id_arg, _, _ = KINDS[kind]
    before = mediajobs_connections.counters().get("requests", 0)
    with pytest.raises(TaskDeferred) as deferred:
        sensor_class(task_id="w", poke_interval=3, deferrable=True, **{id_arg: "j42"}).execute({})
    assert type(deferred.value.trigger) is trigger_class
    assert deferred.value.trigger.job_ids == {id_arg: "j42"}
    assert mediajobs_connections.counters().get("requests", 0) == before  # deferring asks nothing


# -- sweeps ------------------------------------------------------------------------------------------
def _connect(emu: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, sweeps: str) -> None:
    # A short batch window: a round gathers its looks in 0.2 s.
    conn = emu.connections()[CONN]
    conn = dict(conn, extra={**conn["extra"], "batch_window": 0.2, "qps_budget": 1000, "list_sweeps": sweeps})
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN.upper()}", json.dumps(conn))


@pytest.mark.parametrize("kind", list(KINDS))
async def test_many_waits_are_swept_by_the_listing_for_fewer_requests(
    kind: str, mediajobs_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = mediajobs_emulator
    emu.reset()
    listing = f"op:{KINDS[kind][4]}"
    costs = {}
    for mode in ("off", "auto"):
        _connect(emu, monkeypatch, mode)
        expected = {}
        for i in range(40):
            job = emu.admin("POST", "jobs", {"kind": kind, "queue_s": 0.0, "run_s": 1.0 + (i % 4) / 2,
                                             "succeed": i % 5 != 0})
            expected[job["job_id"]] = "success" if i % 5 else "failure"
        before = emu.counters()
        triggers = [_trigger(kind, job_id, poll_interval=0.5) for job_id in expected]
        events = await asyncio.wait_for(asyncio.gather(*(first_event(t) for t in triggers)), 60)
        assert {e["job_id"]: e["status"] for e in events} == expected  # none missed, none wrong
        after = emu.counters()
        costs[mode] = {k: after.get(k, 0) - before.get(k, 0) for k in ("requests", listing)}
    assert costs["off"][listing] == 0
    assert costs["auto"][listing] > 0
    assert costs["auto"]["requests"] < costs["off"]["requests"] * 0.8, costs
