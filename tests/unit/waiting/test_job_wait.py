"""The one wait state machine, without I/O: a fake clock and answers fed by hand."""

from __future__ import annotations

import logging
import random
from typing import Any

import pytest

from airflow_provider_mediajobs.catalog.alibaba import IMM_TASK, MTS_IPRODUCTION_JOB
from airflow_provider_mediajobs.exceptions import (
    AuthError,
    ExpiredCredentialsError,
    ServerError,
    ThrottledError,
    WaitTimeoutError,
)
from airflow_provider_mediajobs.waiting import MAX_BACKOFF, JobWait, conclude


class Clock:
    """Monotonic seconds that move only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _wait(clock: Clock, **options: Any) -> JobWait:
    options.setdefault("poll_interval", 10.0)
    options.setdefault("not_found_grace", 30.0)
    return JobWait(MTS_IPRODUCTION_JOB, "j1", clock=clock, rng=random.Random(7), **options)


def _job(state: str, **extra: Any) -> dict[str, Any]:
    return {"JobId": "j1", "State": state, **extra}


def test_not_visible_within_the_grace_then_not_found() -> None:
    clock = Clock()
    wait = _wait(clock)
    look = wait.saw(None)
    assert look.event is None
    assert "not visible yet" in str(look.note)
    assert 9.0 <= look.delay <= 11.0  # the poll interval, jittered by 10%
    clock.now += 30
    assert (wait.saw(None).event or {})["status"] == "not_found"


def test_pending_then_success_and_failure() -> None:
    wait = _wait(Clock())
    assert wait.saw(_job("Analysing")).event is None
    assert (wait.saw(_job("Success")).event or {})["status"] == "success"
    failed = _wait(Clock()).saw(_job("Fail", Result={"Code": "E1", "Message": "bad input"})).event or {}
    assert (failed["status"], failed["code"], failed["message"]) == ("failure", "E1", "bad input")


def test_an_unknown_state_is_warned_once() -> None:
    wait = _wait(Clock())
    first, second = wait.saw(_job("Thinking")), wait.saw(_job("Thinking"))
    assert first.level == logging.WARNING
    assert "does not know" in str(first.note)
    assert second.level == logging.INFO
    assert first.event is second.event is None


def test_timeout_names_the_last_state_and_fails_without_retry() -> None:
    clock = Clock()
    wait = _wait(clock, timeout=60.0)
    wait.saw(_job("Queuing"))
    clock.now += 61
    event = wait.saw(_job("Analysing")).event or {}
    assert event["status"] == "timeout"
    assert "did not end within 60s" in event["message"]
    assert "last state was Analysing" in event["message"]
    with pytest.raises(WaitTimeoutError, match="did not end within 60s"):
        conclude(event)


def test_transient_failures_back_off_until_the_count_is_spent() -> None:
    wait = _wait(Clock(), max_transient_errors=3)
    delays = []
    for _ in range(3):
        look = wait.failed(ServerError("503"))
        assert look.event is None
        assert look.level == logging.WARNING
        delays.append(look.delay)
    assert delays[0] < delays[-1] <= MAX_BACKOFF
    assert (wait.failed(ThrottledError("slow down")).event or {})["error"] == "ThrottledError"


def test_an_answer_resets_the_failure_count() -> None:
    wait = _wait(Clock(), max_transient_errors=1)
    wait.failed(ServerError("503"))
    wait.saw(_job("Analysing"))
    assert wait.failed(ServerError("503")).event is None


def test_a_permanent_error_ends_the_wait_at_once() -> None:
    event = _wait(Clock(), max_transient_errors=20).failed(AuthError("denied", code="Forbidden")).event or {}
    assert (event["status"], event["error"], event["code"]) == ("error", "AuthError", "Forbidden")


def test_a_worker_driver_rides_out_nothing() -> None:
    assert _wait(Clock()).failed(ServerError("503")).event is not None  # max_transient_errors=0


def test_expired_credentials_are_reread_within_the_grace() -> None:
    clock = Clock()
    wait = _wait(clock, credentials_grace=100.0)
    look = wait.failed(ExpiredCredentialsError("expired"))
    assert look.refresh
    assert look.event is None
    clock.now += 101
    assert (wait.failed(ExpiredCredentialsError("expired")).event or {})["error"] == "ExpiredCredentialsError"


def test_the_job_is_named_by_its_own_id() -> None:
    wait = JobWait(IMM_TASK, "t-1", poll_interval=1, not_found_grace=0)
    event = wait.saw(None).event or {}
    assert (event["kind"], event["job_id"]) == ("imm_task", "t-1")
