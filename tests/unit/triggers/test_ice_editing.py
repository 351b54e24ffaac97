"""ICE timeline editing and IProduction waits against the emulator over real HTTP (issue 18, part 2):
sensors in poke mode and deferred (the trigger rebuilt from its serialized form, as the triggerer
does), success and failure events, an IProduction wait whose deadline cancels its job, and a media
producing one whose deadline says it cannot. Their sweeps are in test_sweep.py."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from airflow_provider_mediajobs.compat import TaskDeferred
from airflow_provider_mediajobs.exceptions import JobFailedError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.sensors.alibaba import IceIProductionJobSensor, IceMediaProducingJobSensor
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.triggers.alibaba import IceIProductionJobTrigger, IceMediaProducingJobTrigger
from airflow_provider_mediajobs.vendors import ALIBABA, load_class
from tests.helpers import new_job
from tests.unit.triggers.test_waits import first_event

CONN = ALIBABA.default_conn_id
OUT_URL = "https://media-out.oss-cn-shanghai.aliyuncs.com/edits/a.mp4"
PRODUCING = {"timeline": '{"VideoTracks":[{"VideoTrackClips":[{"MediaURL":'
                         '"https://media-in.oss-cn-shanghai.aliyuncs.com/clips/a.mp4"}]}]}',
             "output_media_config": json.dumps({"MediaURL": OUT_URL})}


def _resumed(deferred: TaskDeferred) -> dict[str, Any]:
    """The deferred wait's event, from a trigger rebuilt from its serialized form, after JSON."""
    path, kwargs = deferred.trigger.serialize()
    assert set(kwargs) >= {"conn_id", "job_ids"}
    assert "password" not in json.dumps(kwargs)
    return json.loads(json.dumps(asyncio.run(first_event(load_class(path)(**kwargs)))))


@pytest.mark.parametrize(("sensor_class", "kind", "attrs", "state"), [
    (IceMediaProducingJobSensor, "ice_producing", PRODUCING, "Success"),
    (IceIProductionJobSensor, "ice_iproduction", {}, "Success"),
])
def test_a_poking_sensor_returns_the_job(mediajobs_connections: EmulatorHandle, sensor_class: type, kind: str,
                                         attrs: dict[str, str], state: str) -> None:
    job_id = new_job(mediajobs_connections, kind, **attrs)
    job = sensor_class(task_id="w", job_id=job_id, poke_interval=0.2, timeout=30, deferrable=False).execute({})
    assert (job["JobId"], job["Status"]) == (job_id, state)


def test_a_deferred_producing_sensor_ends_with_the_job_and_its_output(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "ice_producing", **PRODUCING)
    sensor = IceMediaProducingJobSensor(task_id="w", job_id=job_id, poke_interval=0.2, deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute({})
    assert isinstance(deferred.value.trigger, IceMediaProducingJobTrigger)
    event = _resumed(deferred.value)
    assert event["status"] == "success"
    assert event["output"] == "oss://media-out/edits/a.mp4"
    job = IceMediaProducingJobSensor(task_id="w", job_id=job_id, deferrable=True).execute_complete({}, event)
    assert job["Timeline"] == PRODUCING["timeline"]  # the GetMediaProducingJob detail, not a list item


@pytest.mark.parametrize(("sensor_class", "kind", "code"), [
    (IceMediaProducingJobSensor, "ice_producing", "InvalidMaterial"),
    (IceIProductionJobSensor, "ice_iproduction", "InvalidInput.Media"),
])
def test_a_deferred_sensor_fails_with_the_vendors_code(mediajobs_connections: EmulatorHandle, sensor_class: type,
                                                       kind: str, code: str) -> None:
    job_id = new_job(mediajobs_connections, kind, succeed=False)
    sensor = sensor_class(task_id="w", job_id=job_id, poke_interval=0.2, deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute({})
    event = _resumed(deferred.value)
    assert event["status"] == "failure"
    assert event["code"] == code
    with pytest.raises(JobFailedError, match=code):
        sensor.execute_complete({}, event)


async def test_an_iproduction_trigger_reports_the_job(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "ice_iproduction", input='{"Type":"OSS","Media":"oss://media-in/a.mp4"}',
                     output='{"Type":"OSS","Media":"oss://media-out/a.jpg"}')
    event = await first_event(IceIProductionJobTrigger(conn_id=CONN, job_ids={"job_id": job_id}, poll_interval=0.2))
    assert event["status"] == "success"
    assert event["job"]["Status"] == "Success"
    assert event["output"] == "oss://media-out/a.jpg"
    assert event["job"]["OutputUrls"] == ["oss://media-out/a.jpg"]


async def test_the_deadline_cancels_a_queued_iproduction_job(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "ice_iproduction", queue_s=3600, run_s=3600)
    event = await first_event(IceIProductionJobTrigger(
        conn_id=CONN, job_ids={"job_id": job_id}, poll_interval=30.0, deadline=time.time() + 1.0,
        cancel_on_kill=True,
    ))
    assert event["status"] == "timeout"
    assert event["cancelled"] is True
    assert event["state"] == "Queuing"
    job = await asyncio.to_thread(AlibabaCloudMediaHook().query_ice_iproduction_job, job_id)
    assert job["Status"] == "Fail"


async def test_a_producing_deadline_says_the_job_cannot_be_cancelled(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "ice_producing", queue_s=3600, run_s=3600)
    event = await first_event(IceMediaProducingJobTrigger(
        conn_id=CONN, job_ids={"job_id": job_id}, poll_interval=30.0, deadline=time.time() + 1.0,
        cancel_on_kill=True,
    ))
    assert event["status"] == "timeout"
    assert event["cancelled"] is False
    assert "the job may still be running on alibaba ICE in region cn-shanghai" in event["message"], event["message"]
    assert "cannot be cancelled" in event["message"], event["message"]


# Sweeps of media producing waits: tests/unit/triggers/test_sweep.py, whose kinds include ice_producing.
