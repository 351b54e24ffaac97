"""Cancelling jobs over real HTTP: the catalog's declarations, the emulator's rules, a trigger's
``on_kill`` (a user's kill against a moved trigger), the trigger's own deadline, and the worker's
``on_kill`` and timeouts for sensors and submit operators."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_mediajobs import cancelling
from airflow_provider_mediajobs.catalog import alibaba as ali
from airflow_provider_mediajobs.catalog import tencent as ci
from airflow_provider_mediajobs.catalog.model import JobKind
from airflow_provider_mediajobs.compat import AirflowSensorTimeout
from airflow_provider_mediajobs.exceptions import CancelNotSupportedError, InvalidParameterError, WaitTimeoutError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook
from airflow_provider_mediajobs.operators.tencent import TencentCISubmitJobOperator
from airflow_provider_mediajobs.sensors.alibaba import MtsIProductionJobSensor
from airflow_provider_mediajobs.sensors.tencent import TencentCIJobSensor
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.triggers.alibaba import ImmTaskTrigger, MtsIProductionJobTrigger
from airflow_provider_mediajobs.triggers.tencent import TencentCIJobTrigger
from airflow_provider_mediajobs.waiting import conclude
from tests.helpers import FakeStateStore, FakeTI, new_job
from tests.unit.triggers.test_waits import first_event

KINDS = [v for v in (*vars(ali).values(), *vars(ci).values()) if isinstance(v, JobKind)]
LONG = {"queue_s": 3600.0, "run_s": 3600.0}  # a CI job that stays Submitted for the whole test
RUNNING = {"queue_s": 0.0, "run_s": 3600.0}


def _ci_state(job_id: str) -> str:
    return str(TencentCloudCIHook().get_job(ci.TENCENT_CI_JOB, job_ids=job_id)["State"])


def _cancels(emu: EmulatorHandle) -> int:
    return sum(n for key, n in emu.counters().items() if "CancelJob" in key)


def test_every_kind_declares_its_cancel_with_a_source() -> None:
    assert {k.name for k in KINDS} == {"mts_iproduction", "ice_smart_job", "imm_task", "tencent_ci_job",
                                       "mts_transcode", "mts_snapshot", "mts_media_info", "ice_transcode_job",
                                       "ice_snapshot_job", "ice_media_convert_job",
                                       "ice_media_producing", "ice_iproduction"}
    for kind in KINDS:
        assert kind.cancel.source, kind.name
        if kind.cancel.operation is None:
            with pytest.raises(CancelNotSupportedError, match=f"{kind.name} j1 cannot be cancelled"):
                kind.cancel_call(dict.fromkeys(kind.id_args, "j1"))
        else:
            operation, arguments = kind.cancel_call(dict.fromkeys(kind.id_args, "j1"))
            operation.bind(arguments)  # the declared mapping gives the operation what it needs
    assert ci.TENCENT_CI_JOB.cancel.only_in == frozenset({"Submitted", "Pause"})
    assert ali.MTS_TRANSCODE_JOB.cancel.only_in == frozenset({"Submitted"})  # the CancelJob page


def test_the_emulator_cancels_only_a_job_that_has_not_run(mediajobs_connections: EmulatorHandle) -> None:
    hook = TencentCloudCIHook()
    queued = new_job(mediajobs_connections, "tencent", **LONG)
    hook.cancel_job_of(ci.TENCENT_CI_JOB, job_ids=queued)
    assert _ci_state(queued) == "Cancel"
    running = new_job(mediajobs_connections, "tencent", **RUNNING)
    with pytest.raises(InvalidParameterError, match=r"InvalidArgument.*cannot be canceled in state Running"):
        hook.cancel_job_of(ci.TENCENT_CI_JOB, job_ids=running)
    assert _ci_state(running) == "Running"


# -- the trigger's on_kill (Airflow 3.3 calls it on a user's action, and on a move) ---------------
def _killed(trigger: Any, state: str | None, monkeypatch: pytest.MonkeyPatch) -> Any:
    trigger.task_instance = SimpleNamespace(dag_id="d", task_id="t", run_id="r", map_index=-1)

    async def atask_state(ti: Any) -> str | None:
        return state

    monkeypatch.setattr(cancelling, "atask_state", atask_state)
    return trigger


@pytest.mark.parametrize("state", ["failed", "success", "none", "restarting"])
async def test_on_kill_cancels_the_job_of_a_task_a_user_acted_on(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    state: str,
) -> None:
    job_id = new_job(mediajobs_connections, "tencent", **LONG)
    trigger = _killed(TencentCIJobTrigger(conn_id="tencent_cloud_ci_default", job_ids={"job_ids": job_id},
                                          cancel_on_kill=True), state, monkeypatch)
    with caplog.at_level(logging.INFO, logger="airflow_provider_mediajobs"):
        await trigger.on_kill()
    assert await asyncio.to_thread(_ci_state, job_id) == "Cancel"
    why = f"marked {state}" if state in ("failed", "success") else "cleared"
    assert f"Cancelled tencent_ci_job {job_id} (its task was {why})" in caplog.text


@pytest.mark.parametrize(("state", "said"), [
    ("deferred", "moved to another triggerer"),  # apache/airflow#73454: a move reaches on_kill too
    (None, "cannot tell whether the task was killed or its trigger moved"),
])
async def test_on_kill_leaves_the_job_of_a_trigger_that_moved_or_cannot_be_told(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    state: str | None, said: str,
) -> None:
    job_id = new_job(mediajobs_connections, "tencent", **LONG)
    trigger = _killed(TencentCIJobTrigger(conn_id="tencent_cloud_ci_default", job_ids={"job_ids": job_id},
                                          cancel_on_kill=True), state, monkeypatch)
    before = _cancels(mediajobs_connections)
    with caplog.at_level(logging.INFO, logger="airflow_provider_mediajobs"):
        await trigger.on_kill()
    assert _cancels(mediajobs_connections) == before
    assert await asyncio.to_thread(_ci_state, job_id) == "Submitted"
    assert said in caplog.text
    assert job_id in caplog.text


async def test_on_kill_without_cancel_on_kill_sends_nothing(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch,
) -> None:
    job_id = new_job(mediajobs_connections, "tencent", **LONG)
    trigger = _killed(TencentCIJobTrigger(conn_id="tencent_cloud_ci_default", job_ids={"job_ids": job_id}),
                      "failed", monkeypatch)
    before = mediajobs_connections.counters().get("requests", 0)
    await trigger.on_kill()
    assert mediajobs_connections.counters().get("requests", 0) == before


async def test_on_kill_logs_a_refused_or_impossible_cancel_and_never_raises(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    running = new_job(mediajobs_connections, "tencent", **RUNNING)
    imm = new_job(mediajobs_connections, "imm", project_name="media-archive", task_type="FaceClustering", **LONG)
    triggers = [
        TencentCIJobTrigger(conn_id="tencent_cloud_ci_default", job_ids={"job_ids": running}, cancel_on_kill=True),
        ImmTaskTrigger(conn_id="alibaba_cloud_media_default", cancel_on_kill=True,
                       job_ids={"project_name": "media-archive", "task_id": imm, "task_type": "FaceClustering"}),
    ]
    with caplog.at_level(logging.INFO, logger="airflow_provider_mediajobs"):
        for trigger in triggers:
            await _killed(trigger, "failed", monkeypatch).on_kill()
    # The vendor's answer, with the job id, for the refusal; the catalog's reason for the other.
    assert f"Could not cancel tencent_ci_job {running} (its task was marked failed)" in caplog.text
    assert "InvalidArgument" in caplog.text
    assert f"Not cancelling imm_task {imm} (its task was marked failed): imm_task {imm} cannot be cancelled" \
        in caplog.text
    assert "IMM's task management API has GetTask and ListTasks" in caplog.text


# -- deadlines the trigger enforces itself ----------------------------------------------------------
@pytest.mark.parametrize("coalesce", [True, False])
async def test_the_deadline_cancels_the_job_and_ends_with_its_last_state(
    mediajobs_connections: EmulatorHandle, coalesce: bool,
) -> None:
    job_id = new_job(mediajobs_connections, "tencent", **LONG)
    started = time.monotonic()
    event = await first_event(TencentCIJobTrigger(
        conn_id="tencent_cloud_ci_default", job_ids={"job_ids": job_id}, poll_interval=30.0,
        deadline=time.time() + 1.0, cancel_on_kill=True, coalesce=coalesce,
    ))
    # On time, though the poll interval is 30 s: the last look falls on the deadline.
    assert time.monotonic() - started < 10
    assert event["status"] == "timeout"
    assert event["cancelled"] is True
    assert event["state"] == "Submitted"
    assert f"tencent_ci_job {job_id} did not end within" in event["message"]
    assert "its last state was Submitted; it was cancelled" in event["message"]
    assert await asyncio.to_thread(_ci_state, job_id) == "Cancel"
    with pytest.raises(WaitTimeoutError, match="it was cancelled"):
        conclude(event)


async def test_a_deadline_on_a_kind_without_cancel_says_where_the_job_still_runs(
    mediajobs_connections: EmulatorHandle,
) -> None:
    job_id = new_job(mediajobs_connections, "mts", **LONG)
    event = await first_event(MtsIProductionJobTrigger(
        conn_id="alibaba_cloud_media_default", job_ids={"job_id": job_id}, poll_interval=0.2,
        deadline=time.time() + 1.0, cancel_on_kill=True,
    ))
    assert event["status"] == "timeout"
    assert event["cancelled"] is False
    message = event["message"]
    assert f"mts_iproduction {job_id} did not end within" in message
    assert "its last state was Queuing" in message
    assert "the job may still be running on alibaba MTS in region cn-shanghai (connection " \
           "'alibaba_cloud_media_default')" in message
    assert "cannot be cancelled" in message


async def test_a_deadline_without_cancel_on_kill_sends_no_cancel(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "tencent", **LONG)
    event = await first_event(TencentCIJobTrigger(conn_id="tencent_cloud_ci_default", job_ids={"job_ids": job_id},
                                           poll_interval=0.2, deadline=time.time() + 0.5))
    assert event["status"] == "timeout"
    assert "the job may still be running on tencent CI in region" in event["message"]
    assert await asyncio.to_thread(_ci_state, job_id) == "Submitted"


def test_a_deadline_is_checked_like_any_argument() -> None:
    with pytest.raises(Exception, match="deadline must be a number of seconds"):
        TencentCIJobTrigger(conn_id="c", job_ids={"job_ids": "j"}, deadline="tomorrow")  # type: ignore[arg-type]


# -- the worker's side --------------------------------------------------------------------------
def _ti(**extra: Any) -> FakeTI:
    fields: dict[str, Any] = {"dag_id": "d", "task_id": "t", "run_id": "r", "map_index": -1,
                              "start_date": datetime.now(UTC)}
    return FakeTI(**{**fields, **extra})


def test_a_poking_sensor_cancels_at_its_timeout(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "tencent", **LONG)
    sensor = TencentCIJobSensor(task_id="w", job_id=job_id, deferrable=False, timeout=0.5, poke_interval=0.1)
    with pytest.raises(AirflowSensorTimeout):
        sensor.execute({"ti": _ti()})
    assert _ci_state(job_id) == "Cancel"


def test_a_soft_failing_sensor_cancels_at_its_timeout_too(mediajobs_connections: EmulatorHandle) -> None:
    from airflow_provider_mediajobs.compat import AirflowSkipException

    job_id = new_job(mediajobs_connections, "tencent", **LONG)
    sensor = TencentCIJobSensor(task_id="w", job_id=job_id, deferrable=False, timeout=0.5, poke_interval=0.1,
                                soft_fail=True)
    with pytest.raises(AirflowSkipException):
        sensor.execute({"ti": _ti()})
    assert _ci_state(job_id) == "Cancel"


@pytest.mark.parametrize(("state", "cancelled"), [("failed", True), ("success", True), ("restarting", True),
                                                  ("running", False), (None, False)])
def test_a_worker_kill_cancels_only_for_a_users_action(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, state: str | None, cancelled: bool,
) -> None:
    job_id = new_job(mediajobs_connections, "tencent", **LONG)
    sensor = TencentCIJobSensor(task_id="w", job_id=job_id, deferrable=False, poke_interval=0.1)
    sensor.waits_for({"ti": _ti()}, sensor.kind, sensor.job_ids())  # what execute() notes first
    monkeypatch.setattr(cancelling, "task_state", lambda ti: state)
    sensor.on_kill()
    assert _ci_state(job_id) == ("Cancel" if cancelled else "Submitted")


def test_a_worker_kill_at_execution_timeout_cancels(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch,
) -> None:
    job_id = new_job(mediajobs_connections, "tencent", **LONG)
    sensor = TencentCIJobSensor(task_id="w", job_id=job_id, deferrable=False, execution_timeout=timedelta(seconds=60))
    # Airflow's execution_timeout clock started with the try; the task is still "running" then.
    sensor.waits_for({"ti": _ti(start_date=datetime.now(UTC) - timedelta(seconds=61))}, sensor.kind, sensor.job_ids())
    monkeypatch.setattr(cancelling, "task_state", lambda ti: "running")
    sensor.on_kill()
    assert _ci_state(job_id) == "Cancel"


def test_a_worker_kill_of_a_kind_without_cancel_logs_and_returns(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str],
) -> None:
    job_id = new_job(mediajobs_connections, "mts", **LONG)
    sensor = MtsIProductionJobSensor(task_id="w", job_id=job_id, deferrable=False)
    sensor.waits_for({"ti": _ti()}, sensor.kind, sensor.job_ids())
    monkeypatch.setattr(cancelling, "task_state", lambda ti: "failed")
    before = mediajobs_connections.counters().get("requests", 0)
    sensor.on_kill()  # nothing raised
    # Task loggers write through Airflow's structlog setup, to the process's output.
    assert f"Not cancelling mts_iproduction {job_id}" in "".join(capfd.readouterr())
    assert mediajobs_connections.counters().get("requests", 0) == before


def _submit(**kwargs: Any) -> TencentCISubmitJobOperator:
    return TencentCISubmitJobOperator(task_id="s", tag="WordsGeneralize", input_object="t.txt", queue_id="q1",
                                      words_generalize={"NerMethod": "DL", "SegMethod": "MIX"},
                                      wait_for_completion=True, deferrable=False, **kwargs)


def test_a_submit_operator_waiting_in_the_worker_cancels_at_wait_timeout(mediajobs_connections: EmulatorHandle) -> None:
    # The session emulator queues a new job for 1 s: the deadline passes while it is Submitted.
    op = _submit(poll_interval=0.1, wait_timeout=0.4)
    with pytest.raises(WaitTimeoutError, match="its last state was Submitted; it was cancelled") as raised:
        op.execute({"ti": _ti(), "task_state_store": FakeStateStore()})
    assert op._waiting_for is not None
    job_id = op._waiting_for[1]["job_ids"]
    assert f"tencent_ci_job {job_id} did not end within 0.4s" in str(raised.value)
    assert _ci_state(job_id) == "Cancel"


def test_a_submit_operator_killed_while_it_waits_cancels_its_job(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch,
) -> None:
    op = _submit(cancel_on_kill=True)
    job_id = op.submit_job({})
    op.waits_for({"ti": _ti()}, op.job_kind, op._ids(job_id))
    monkeypatch.setattr(cancelling, "task_state", lambda ti: "failed")
    op.on_kill()
    assert _ci_state(job_id) == "Cancel"  # still queued (1 s in the session emulator) when killed


def test_cancel_on_kill_is_checked() -> None:
    with pytest.raises(Exception, match="cancel_on_kill"):
        TencentCIJobSensor(task_id="w", job_id="j", cancel_on_kill="yes")
    with pytest.raises(Exception, match="cancel_on_kill"):
        _submit(cancel_on_kill=1)


def test_no_secret_in_any_cancel_log(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from airflow_provider_mediajobs.testing import find_secrets

    running = new_job(mediajobs_connections, "tencent", **RUNNING)
    sensor = TencentCIJobSensor(task_id="w", job_id=running, deferrable=False)
    sensor.waits_for({"ti": _ti()}, sensor.kind, sensor.job_ids())
    monkeypatch.setattr(cancelling, "task_state", lambda ti: "failed")
    with caplog.at_level(logging.DEBUG):
        sensor.on_kill()
    out = "".join(capfd.readouterr())
    secrets = [c["password"] for c in mediajobs_connections.connections().values() if c.get("password")]
    assert "Could not cancel" in out
    assert not find_secrets([caplog.text, out], secrets)


def test_hooks_cancel_by_kind(mediajobs_connections: EmulatorHandle) -> None:
    with pytest.raises(CancelNotSupportedError, match="MTS's API list has no cancel"):
        AlibabaCloudMediaHook().cancel_job_of(ali.MTS_IPRODUCTION_JOB, job_id="j1")


def test_the_task_state_answer_is_read_per_run_and_map_index() -> None:
    from airflow_provider_mediajobs.cancelling import _state_of

    plain = SimpleNamespace(dag_id="d", task_id="wait", run_id="r1", map_index=-1)
    mapped = SimpleNamespace(dag_id="d", task_id="wait", run_id="r1", map_index=3)
    answer = SimpleNamespace(task_states={"r1": {"wait": "deferred", "wait_3": None}, "r2": {"wait": "failed"}})
    assert _state_of(plain, answer) == "deferred"
    assert _state_of(mapped, answer) == "none"  # cleared: no state, which is not "unknown"
    assert _state_of(SimpleNamespace(dag_id="d", task_id="other", run_id="r1", map_index=-1), answer) is None
    assert _state_of(plain, SimpleNamespace(task_states={})) is None


async def test_without_a_supervisor_the_state_is_unknown() -> None:
    ti = SimpleNamespace(dag_id="d", task_id="t", run_id="r", map_index=-1)
    assert cancelling.task_state(ti) is None
    assert await cancelling.atask_state(ti) is None


async def test_on_kill_logs_a_connection_it_cannot_read(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    trigger = _killed(TencentCIJobTrigger(conn_id="no_such_connection", job_ids={"job_ids": "j1"},
                                          cancel_on_kill=True), "failed", monkeypatch)
    with caplog.at_level(logging.INFO, logger="airflow_provider_mediajobs"):
        await trigger.on_kill()  # nothing raised
    assert "Could not cancel tencent_ci_job j1 (its task was marked failed)" in caplog.text
    assert "no_such_connection" in caplog.text


async def test_on_kill_outlasts_the_triggerers_repeated_cancels(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Airflow 3.3.2 cancels the trigger's task again at each state sync while on_kill runs; the
    state read and the cancel still finish (seen in the deployment test: cut off after 1 s)."""
    job_id = new_job(mediajobs_connections, "tencent", **LONG)
    trigger = TencentCIJobTrigger(conn_id="tencent_cloud_ci_default", job_ids={"job_ids": job_id},
                                  cancel_on_kill=True)
    trigger.task_instance = SimpleNamespace(dag_id="d", task_id="t", run_id="r", map_index=-1)

    async def slow_state(ti: Any) -> str:
        await asyncio.sleep(0.5)  # the supervisor asks the API server, which takes a while
        return "failed"

    monkeypatch.setattr(cancelling, "atask_state", slow_state)

    async def runner() -> None:  # what Airflow's run_trigger does on a user's cancel
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(trigger.on_kill(), 30)

    task = asyncio.create_task(runner())
    for _ in range(4):
        await asyncio.sleep(0.1)
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    for _ in range(100):
        if await asyncio.to_thread(_ci_state, job_id) == "Cancel":
            break
        await asyncio.sleep(0.1)
    assert await asyncio.to_thread(_ci_state, job_id) == "Cancel"


async def test_outlast_cancellation_still_ends_at_its_limit() -> None:
    started = time.monotonic()
    finished = asyncio.Event()

    async def forever() -> None:
        try:
            await asyncio.sleep(60)
        finally:
            finished.set()

    await cancelling.outlast_cancellation(forever(), 0.3)
    await asyncio.wait_for(finished.wait(), 5)
    assert time.monotonic() - started < 5
