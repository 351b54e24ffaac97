"""Submit-and-wait operators against the emulator over real HTTP: waiting in the worker, deferring
after storing the job id, reattaching on a retry instead of submitting again."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from airflow_provider_mediajobs.compat import HAS_RESUMABLE_JOBS, TaskDeferred
from airflow_provider_mediajobs.exceptions import MediaJobsError
from airflow_provider_mediajobs.operators.alibaba import MtsSubmitIProductionJobOperator
from airflow_provider_mediajobs.operators.tencent import TencentCISubmitJobOperator
from airflow_provider_mediajobs.tasks import DEADLINE_BACKSTOP
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.triggers.tencent import TencentCIJobTrigger
from tests.helpers import FakeStateStore, FakeTI, new_job


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
    # The trigger ends the wait at its own deadline (cancelling the job); Airflow's timeout is the
    # backstop, DEADLINE_BACKSTOP later.
    before = time.time()
    trigger = deferred.value.trigger
    assert trigger.cancel_on_kill is True
    assert trigger.deadline is not None
    assert before - 5 < trigger.deadline - 300 <= before
    assert deferred.value.timeout == timedelta(seconds=300 + DEADLINE_BACKSTOP)


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
