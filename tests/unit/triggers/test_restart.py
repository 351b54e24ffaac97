"""Triggerer restarts: triggers serialized mid-wait, their process killed, re-created from the
serialized kwargs in a new process: every completion is still delivered. Running the same trigger
twice (Airflow may, after a crash or during a triggerer hand-over) does no harm."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.triggers import coalesce
from airflow_provider_mediajobs.triggers.alibaba import IceSmartJobTrigger, ImmTaskTrigger, MtsIProductionJobTrigger
from airflow_provider_mediajobs.triggers.tencent import TencentCIJobTrigger
from airflow_provider_mediajobs.vendors import load_class
from tests.helpers import ROOT

ALI, CI = "alibaba_cloud_media_default", "tencent_cloud_ci_default"


def _jobs(emu: EmulatorHandle) -> list[tuple[Any, str]]:
    """Triggers over every kind, with jobs ending before, during and after the 'crash'; a third fail."""
    made = []
    for i, run_s in enumerate([0.5, 1.0, 4.0, 5.0, 6.0, 9.0, 10.0, 12.0]):
        succeed = i % 3 != 2
        kind = ("tencent", "mts", "ice_smart", "imm")[i % 4]
        attrs: dict[str, Any] = {"kind": kind, "queue_s": 0, "run_s": run_s, "succeed": succeed}
        if kind == "tencent":
            attrs |= {"bucket": "examplebucket-1250000000", "tag": "Translation"}
        if kind == "imm":
            attrs |= {"project_name": "media-archive", "task_type": "FaceClustering"}
        job_id = emu.admin("POST", "jobs", attrs)["job_id"]
        trigger: Any
        if kind == "tencent":
            trigger = TencentCIJobTrigger(conn_id=CI, job_ids={"job_ids": job_id}, poll_interval=0.3)
        elif kind == "mts":
            trigger = MtsIProductionJobTrigger(conn_id=ALI, job_ids={"job_id": job_id}, poll_interval=0.3)
        elif kind == "ice_smart":
            trigger = IceSmartJobTrigger(conn_id=ALI, job_ids={"job_id": job_id}, poll_interval=0.3,
                                         coalesce=False)
        else:
            trigger = ImmTaskTrigger(conn_id=ALI, poll_interval=0.3, job_ids={
                "project_name": "media-archive", "task_id": job_id, "task_type": "FaceClustering"})
        made.append((trigger, "success" if succeed else "failure"))
    return made


def _triggerer(serialized: list[Any]) -> subprocess.Popen[str]:
    """A separate triggerer process running ``serialized`` (it inherits the AIRFLOW_CONN_* variables)."""
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.harness"], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=os.environ.copy(), start_new_session=True)
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(serialized))
    proc.stdin.close()
    return proc


def _read_events(proc: subprocess.Popen[str], until: float, want: int) -> dict[str, dict[str, Any]]:
    events: dict[str, dict[str, Any]] = {}
    assert proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    while time.monotonic() < until and len(events) < want:
        line = proc.stdout.readline()
        if line:
            record = json.loads(line)
            assert record["job_id"] not in events, "one wait delivered two events"
            events[record["job_id"]] = record["event"]
        else:
            time.sleep(0.05)
    return events


def test_killed_triggerer_loses_no_completion(mediajobs_connections: EmulatorHandle) -> None:
    made = _jobs(mediajobs_connections)
    expected = {t.job_id: status for t, status in made}
    # What the scheduler keeps in the database: class path and kwargs, nothing else.
    serialized = [list(t.serialize()) for t, _ in made]
    json.dumps(serialized)  # must survive the database round trip

    first = _triggerer(serialized)
    try:
        early = _read_events(first, time.monotonic() + 60, want=2)
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # no cleanup, no goodbye: a crashed triggerer
        first.wait(10)
    assert 2 <= len(early) < len(expected), "the crash must come mid-wait"

    # The new triggerer re-creates every trigger whose event was not stored, from the same kwargs.
    rest = [s for s, (t, _) in zip(serialized, made, strict=True) if t.job_id not in early]
    second = _triggerer(rest)
    try:
        late = _read_events(second, time.monotonic() + 90, want=len(rest))
    finally:
        os.killpg(second.pid, signal.SIGKILL)
        second.wait(10)

    delivered = {**early, **late}
    assert set(delivered) == set(expected)
    assert {job_id: event["status"] for job_id, event in delivered.items()} == expected
    for event in delivered.values():
        assert (event["job"] or {}).get("JobId", event["job_id"]) == event["job_id"]


async def test_the_same_trigger_twice_does_no_harm(mediajobs_connections: EmulatorHandle) -> None:
    made = _jobs(mediajobs_connections)[:4]  # one of each kind
    serialized = [t.serialize() for t, _ in made]
    # Two live copies of every trigger in one triggerer, built from the stored kwargs.
    copies = [_rebuild(path, kwargs) for path, kwargs in serialized for _ in range(2)]
    events = await asyncio.wait_for(asyncio.gather(*(_first_event(t) for t in copies)), 90)
    for (trigger, status), pair in zip(made, zip(events[::2], events[1::2], strict=True), strict=True):
        assert pair[0]["status"] == pair[1]["status"] == status
        assert pair[0]["job_id"] == pair[1]["job_id"] == trigger.job_id
    assert coalesce.active_pollers() == 0  # both copies left the shared poller


def _rebuild(classpath: str, kwargs: dict[str, Any]) -> Any:

    return load_class(classpath)(**json.loads(json.dumps(kwargs)))


async def _first_event(trigger: Any) -> dict[str, Any]:
    async for event in trigger.run():
        return dict(event.payload)
    raise AssertionError("no event")


def test_two_triggerers_at_once_each_deliver_every_event(mediajobs_connections: EmulatorHandle) -> None:
    # During a hand-over two triggerer processes may hold the same triggers: each coalesces its
    # own waits (its own poller and bucket) and neither disturbs the other.
    made = _jobs(mediajobs_connections)
    expected = {t.job_id: status for t, status in made}
    serialized = [list(t.serialize()) for t, _ in made]
    procs = [_triggerer(serialized), _triggerer(serialized)]
    try:
        results = [_read_events(proc, time.monotonic() + 90, want=len(expected)) for proc in procs]
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    for delivered in results:
        assert {job_id: event["status"] for job_id, event in delivered.items()} == expected
