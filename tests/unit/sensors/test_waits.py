"""Sensors against the emulator over real HTTP: deferring, poke and reschedule modes, the events a
deferred wait ends with, and the asset events of a success."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airflow_provider_mediajobs.compat import AirflowSkipException, TaskDeferred
from airflow_provider_mediajobs.exceptions import JobFailedError, JobNotFoundError, MediaJobsError
from airflow_provider_mediajobs.sensors.alibaba import IceSmartJobSensor, ImmTaskSensor, MtsIProductionJobSensor
from airflow_provider_mediajobs.sensors.tencent import TencentCIJobSensor
from airflow_provider_mediajobs.tasks import DEADLINE_BACKSTOP
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.triggers.alibaba import MtsIProductionJobTrigger
from tests.helpers import new_job


def test_deferrable_sensor_defers_with_trigger_and_timeout(mediajobs_connections: EmulatorHandle) -> None:
    sensor = MtsIProductionJobSensor(task_id="w", job_id="j42", deferrable=True, poke_interval=3, timeout=120)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute({})
    assert isinstance(deferred.value.trigger, MtsIProductionJobTrigger)
    assert deferred.value.trigger.job_ids == {"job_id": "j42"}
    assert deferred.value.trigger.poll_interval == 3
    assert deferred.value.method_name == "execute_complete"
    # The trigger's own deadline ends the wait (and cancels where it can); Airflow's trigger
    # timeout is only the backstop, DEADLINE_BACKSTOP later.
    deadline = deferred.value.trigger.deadline
    assert deadline is not None
    assert 0 < deadline - time.time() <= 120
    assert deferred.value.trigger.cancel_on_kill is True
    assert deferred.value.timeout == timedelta(seconds=120 + DEADLINE_BACKSTOP)


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
