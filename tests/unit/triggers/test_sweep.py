"""List sweeps against the emulator over real HTTP: waits answered by list pages, the same events as
direct looks, what a sweep cannot see looked at directly, the cost choice on a busy account, and a
garbled listing falling back to direct looks."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from airflow_provider_mediajobs.catalog import alibaba as ali
from airflow_provider_mediajobs.exceptions import MediaJobsValidationError
from airflow_provider_mediajobs.hooks.alibaba import API as ALIBABA_API
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.triggers.alibaba import IceMediaProducingJobTrigger, IceSmartJobTrigger, ImmTaskTrigger
from airflow_provider_mediajobs.triggers.base import MediaJobTrigger
from airflow_provider_mediajobs.triggers.sweep import parse_created, pending_detail
from airflow_provider_mediajobs.triggers.tencent import TencentCIJobTrigger
from airflow_provider_mediajobs.vendors import ALIBABA, TENCENT

PROJECT = "media-archive"
TASK_TYPE = "FaceClustering"
# Per kind: the trigger, its connection, the emulator job's attributes, the trigger's ids, the
# listing that sweeps it.
KINDS: dict[str, tuple[type[MediaJobTrigger], str, dict[str, Any], Any, str]] = {
    "ice_smart": (IceSmartJobTrigger, ALIBABA.default_conn_id, {"job_type": "ASR"},
                  lambda j: {"job_id": j}, "ListSmartJobs"),
    "imm": (ImmTaskTrigger, ALIBABA.default_conn_id, {"project_name": PROJECT, "task_type": TASK_TYPE},
            lambda j: {"project_name": PROJECT, "task_id": j, "task_type": TASK_TYPE}, "ListTasks"),
    "tencent": (TencentCIJobTrigger, TENCENT.default_conn_id,
                {"bucket": "examplebucket-1250000000", "tag": "Translation"}, lambda j: {"job_ids": j}, "ListJobs"),
    # ICE timeline editing (issue 18, part 2)
    "ice_producing": (IceMediaProducingJobTrigger, ALIBABA.default_conn_id,
                      {"timeline": '{"VideoTracks":[{"VideoTrackClips":[{"MediaURL":'
                                   '"https://media-in.oss-cn-shanghai.aliyuncs.com/a.mp4"}]}]}'},
                      lambda j: {"job_id": j}, "ListMediaProducingJobs"),
}


def _connect(emu: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, **extras: Any) -> None:
    """Point both default connections at ``emu``, with ``extras`` (a short batch window: rounds
    gather in 0.2 s, so these tests take seconds)."""
    for conn_id, conn in emu.connections().items():
        conn = dict(conn, extra={**conn["extra"], "batch_window": 0.2, "qps_budget": 1000, **extras})
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))


def _jobs(emu: EmulatorHandle, kind: str, count: int, **fields: Any) -> dict[str, str]:
    """``count`` jobs of ``kind`` ending 1 to 2.5 s from now, one in five failing; their outcomes."""
    attrs = KINDS[kind][2]
    expected = {}
    for i in range(count):
        succeed = i % 5 != 0
        job = emu.admin("POST", "jobs", {"kind": kind, **attrs, "queue_s": 0.0, "run_s": 1.0 + (i % 4) / 2,
                                         "succeed": succeed, **fields})
        expected[job["job_id"]] = "success" if succeed else "failure"
    return expected


async def _wait_all(kind: str, job_ids: list[str], **options: Any) -> dict[str, dict[str, Any]]:
    trigger_class, conn_id, _, ids, _ = KINDS[kind]
    triggers = [trigger_class(conn_id=conn_id, job_ids=ids(j), poll_interval=0.5, **options) for j in job_ids]

    async def one(trigger: MediaJobTrigger) -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("no event")

    events = await asyncio.wait_for(asyncio.gather(*(one(t) for t in triggers)), 60)
    return {e["job_id"]: e for e in events}


def _requests(emu: EmulatorHandle, before: dict[str, int]) -> dict[str, int]:
    after = emu.counters()
    return {k: after.get(k, 0) - before.get(k, 0) for k in after if k == "requests" or k.startswith("op:")}


@pytest.mark.parametrize("kind", list(KINDS))
async def test_sweeps_answer_the_waits_with_the_events_of_direct_looks_for_fewer_requests(
    kind: str, mediajobs_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = mediajobs_emulator
    costs, details = {}, {}
    for mode in ("off", "auto"):
        _connect(emu, monkeypatch, list_sweeps=mode)
        expected = _jobs(emu, kind, 150)
        before = emu.counters()
        events = await _wait_all(kind, list(expected))
        assert {j: e["status"] for j, e in events.items()} == expected  # none missed, none wrong
        costs[mode] = _requests(emu, before)
        details[mode] = next(e["job"] for e in events.values() if e["status"] == "success")
    listing = f"op:{KINDS[kind][4]}"
    assert costs["off"].get(listing, 0) == 0
    assert costs["auto"].get(listing, 0) > 0
    # Tencent's direct looks are batches of ten already, and each job's first look is direct.
    assert costs["auto"]["requests"] < costs["off"]["requests"] * (0.8 if kind == "tencent" else 0.5), costs
    if kind in ("ice_smart", "ice_producing"):
        # Pages answer each job's looks while it runs; one get (GetSmartHandleJob,
        # GetMediaProducingJob) concludes it: the items lack part of its detail.
        assert costs["auto"][f"op:{KINDS[kind][0].kind.get.name}"] <= len(expected) * 1.1, costs
    # The detail a sweep concludes with has what a direct look's has (IMM: but the per-call
    # RequestId and EventId of GetTask; ICE and Tencent: every field).
    per_call = {"RequestId", "EventId"} if kind == "imm" else set()
    assert set(details["off"]) - per_call <= set(details["auto"]), (details["off"], details["auto"])


async def test_a_job_the_listing_does_not_show_is_looked_at_directly(
    mediajobs_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = mediajobs_emulator
    _connect(emu, monkeypatch)
    expected = _jobs(emu, "imm", 12)
    # Listed under another type than the one the wait names: the sweep sees it but may not
    # answer for it (whether GetTask checks the type is not documented: its answer decides).
    other = emu.admin("POST", "jobs", {"kind": "imm", "project_name": PROJECT, "task_type": "ImageDetection",
                                       "queue_s": 0.0, "run_s": 0.5})["job_id"]
    # And a task that does not exist at all: no listing shows it.
    events = await _wait_all("imm", [*expected, other, "Task-does-not-exist"], not_found_grace=1.0)
    assert {j: events[j]["status"] for j in expected} == expected
    assert "EventId" in events[other]["job"]  # GetTask's answer, not the list item
    assert events["Task-does-not-exist"]["status"] == "not_found"


async def test_a_busy_account_costs_about_what_direct_looks_cost(
    mediajobs_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = mediajobs_emulator
    _connect(emu, monkeypatch)
    expected = _jobs(emu, "ice_smart", 6)
    # 3,000 newer jobs nobody waits for come first in the newest-first listing: a sweep of six
    # waits may spend at most five pages (one less than the six direct looks), finds none of them
    # there, and the rounds after it look directly.
    emu.admin("POST", "jobs", {"kind": "ice_smart", "job_type": "ASR", "count": 3000, "run_s": 3600})
    before = emu.counters()
    events = await _wait_all("ice_smart", list(expected))
    assert {j: e["status"] for j, e in events.items()} == expected
    cost = _requests(emu, before)
    assert cost["op:ListSmartJobs"] <= 5, cost


async def test_a_garbled_listing_falls_back_to_direct_looks_with_a_warning(
    mediajobs_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    emu = mediajobs_emulator
    _connect(emu, monkeypatch)
    expected = _jobs(emu, "imm", 12)
    emu.admin("POST", "faults", {"kind": "truncated", "rate": 1.0, "operation": "ListTasks"})  # cut short
    try:
        with caplog.at_level(logging.WARNING, logger="airflow_provider_mediajobs"):
            events = await _wait_all("imm", list(expected))
    finally:
        emu.admin("DELETE", "faults")
    assert {j: e["status"] for j, e in events.items()} == expected
    assert any("ListTasks" in r.getMessage() and "directly" in r.getMessage() for r in caplog.records)


def test_each_listed_kind_declares_a_sweep_its_listing_accepts() -> None:
    for kind in (ali.ICE_SMART_JOB, ali.IMM_TASK):
        sweep = kind.sweep
        assert sweep is not None
        scope = {arg: "p" for arg in sweep.scope_ids}
        since = sweep.since(parse_created("2026-01-01T00:00:00Z")) if sweep.since else {}  # type: ignore[arg-type]
        ALIBABA_API.start_listing(sweep.list, None, {**scope, **sweep.arguments, **since})  # raises if refused
    assert ali.MTS_IPRODUCTION_JOB.sweep is None  # QueryIProductionJob has no list


def test_the_extra_list_sweeps_takes_auto_or_off() -> None:
    from airflow.models.connection import Connection

    conn = Connection(conn_id="c", conn_type="alibaba_cloud_media", login="id", password="secret",
                      extra=json.dumps({"region": "cn-shanghai", "list_sweeps": "sometimes"}))
    with pytest.raises(MediaJobsValidationError, match=r"list_sweeps.*auto, off"):
        ALIBABA_API.settings(conn)


def test_times_and_pending_details() -> None:
    assert parse_created("2022-07-07T12:12:12+0800") == parse_created("2022-07-07T04:12:12Z")
    assert parse_created("-") is None
    assert parse_created("2022-07-07T12:12:12") is None  # no zone: ambiguous
    assert pending_detail(ali.IMM_TASK, "t1", "Running") == {"TaskId": "t1", "Status": "Running"}


async def test_a_round_keeps_counting_the_looks_it_was_asked_while_they_end() -> None:
    """A look that ends leaves its pending dict (wait_listed): the round's own count must not
    shrink with it, or the cost it measures (and the choice it makes next) goes wrong."""
    from types import SimpleNamespace

    from airflow_provider_mediajobs.triggers.sweep import SweepFetcher

    ids = [f"j{i}" for i in range(150)]
    items = [{"JobId": j, "JobState": "Finished", "CreateTime": "2026-01-01T00:00:00Z"} for j in ids]

    class Client:
        def iter_pages(self, operation: Any, max_items: Any, **arguments: Any) -> Any:
            async def pages() -> Any:
                for start in range(0, len(items), 100):
                    await asyncio.sleep(0.05)  # the first page's looks end meanwhile
                    yield items[start:start + 100]
            return pages()

    class Direct:
        async def fetch(self, job_ids: Any) -> dict[str, Any]:
            return {"JobId": job_ids["job_id"], "State": "Finished"}

        async def close(self) -> None:
            pass

    fetcher = SweepFetcher(SimpleNamespace(client=Client()), ali.ICE_SMART_JOB, Direct(), 1, window=0.01)  # type: ignore[arg-type]
    answers = await asyncio.gather(*(fetcher.fetch({"job_id": j}) for j in ids))
    assert all(a is not None and a["State"] == "Finished" for a in answers)
    (scope,) = fetcher._scopes.values()
    assert scope.cover_pages == 2
    assert scope.extra_share == 1.0  # every job ended: one get each, no more
    await fetcher.close()
