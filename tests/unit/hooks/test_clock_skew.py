"""Clock skew end to end: the emulator judges request times by a clock shifted from this machine's,
as a vendor would see a client whose clock is off. Over 15 minutes is refused with the vendor's
error; the provider turns it into ClockSkewError telling the user to check the clock, in hooks,
operators and triggers alike; within 15 minutes is accepted."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from airflow_provider_mediajobs.exceptions import ClockSkewError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook
from airflow_provider_mediajobs.operators.alibaba import MtsQueryIProductionJobOperator
from airflow_provider_mediajobs.operators.tencent import TencentCIGetJobsOperator
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.triggers.alibaba import MtsIProductionJobTrigger
from airflow_provider_mediajobs.triggers.tencent import TencentCIJobTrigger

MINUTE = 60.0


@pytest.fixture
def jobs(mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    emu = mediajobs_connections
    v1 = emu.connections()["alibaba_cloud_media_default"]
    v1["extra"]["signature_version"] = "v1"  # type: ignore[index]
    monkeypatch.setenv("AIRFLOW_CONN_ALI_V1", json.dumps(v1))
    return {
        "mts": emu.admin("POST", "jobs", {"kind": "mts", "queue_s": 0, "run_s": 0})["job_id"],
        "tencent": emu.admin("POST", "jobs", {"kind": "tencent", "queue_s": 0, "run_s": 0,
                                              "bucket": "examplebucket-1250000000", "tag": "Translation"})["job_id"],
    }


def _calls(jobs: dict[str, str]) -> dict[str, Any]:
    return {
        "alibaba v3 hook": lambda: AlibabaCloudMediaHook().query_iproduction_job(job_id=jobs["mts"]),
        "alibaba v1 hook": lambda: AlibabaCloudMediaHook("ali_v1").query_iproduction_job(job_id=jobs["mts"]),
        "tencent hook": lambda: TencentCloudCIHook().get_ci_job(jobs["tencent"]),
        "alibaba operator": lambda: MtsQueryIProductionJobOperator(task_id="q", job_id=jobs["mts"]).execute({}),
        "tencent operator": lambda: TencentCIGetJobsOperator(task_id="g", job_ids=[jobs["tencent"]]).execute({}),
    }


def _id(call: str, offset: float) -> str:
    """The emulator's clock minus this machine's: negative means this machine runs ahead."""
    return f"{call}, machine {abs(offset) / MINUTE:.0f} min {'ahead' if offset < 0 else 'behind'}"


CALLS = list(_calls({"mts": "", "tencent": ""}))
# A q-sign-time window opens 60 s before the signing time and lasts an hour: COS accepts a clock up
# to an hour behind inside it, and refuses one ahead by more than a minute (see the last test).
REFUSED = [(c, o) for c in CALLS for o in (-16 * MINUTE, 16 * MINUTE, 120 * MINUTE)
           if not (c.startswith("tencent") and o == 16 * MINUTE)]
ACCEPTED = [(c, o) for c in CALLS for o in (-14 * MINUTE, 14 * MINUTE) if not (c.startswith("tencent") and o < 0)]


@pytest.mark.parametrize(("call", "offset"), REFUSED, ids=[_id(c, o) for c, o in REFUSED])
def test_skew_over_15_minutes_is_refused_with_a_hint(mediajobs_connections: EmulatorHandle, jobs: dict[str, str],
                                                     offset: float, call: str) -> None:
    mediajobs_connections.admin("POST", "clock", {"offset": offset})
    before = mediajobs_connections.counters().get("requests", 0)
    with pytest.raises(ClockSkewError) as info:
        _calls(jobs)[call]()
    assert "clock" in str(info.value).lower()
    # Not retried: a skewed clock does not fix itself between attempts.
    assert mediajobs_connections.counters().get("requests", 0) - before == 1


@pytest.mark.parametrize(("call", "offset"), ACCEPTED, ids=[_id(c, o) for c, o in ACCEPTED])
def test_skew_within_15_minutes_is_accepted(mediajobs_connections: EmulatorHandle, jobs: dict[str, str],
                                            offset: float, call: str) -> None:
    mediajobs_connections.admin("POST", "clock", {"offset": offset})
    assert _calls(jobs)[call]()


def test_tencent_refuses_a_signature_from_the_future_with_the_clock_hint(mediajobs_connections: EmulatorHandle,
                                                                          jobs: dict[str, str]) -> None:
    # The signature is valid from 60 s before this machine's time; a clock 2 minutes ahead makes
    # that start lie in the vendor's future, which COS answers with "Request has expired".
    mediajobs_connections.admin("POST", "clock", {"offset": -2 * MINUTE})
    with pytest.raises(ClockSkewError, match="check this machine's clock"):
        TencentCloudCIHook().get_ci_job(jobs["tencent"])


async def test_trigger_ends_with_the_clock_hint(mediajobs_connections: EmulatorHandle, jobs: dict[str, str]) -> None:
    mediajobs_connections.admin("POST", "clock", {"offset": -16 * MINUTE})
    triggers = [
        MtsIProductionJobTrigger(conn_id="alibaba_cloud_media_default", job_ids={"job_id": jobs["mts"]},
                                 poll_interval=0.1),
        TencentCIJobTrigger(conn_id="tencent_cloud_ci_default", job_ids={"job_ids": jobs["tencent"]},
                            poll_interval=0.1, coalesce=False),
    ]

    async def first(trigger: Any) -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("no event")

    for event in await asyncio.wait_for(asyncio.gather(*(first(t) for t in triggers)), 60):
        assert event["status"] == "error"
        assert "clock" in event["message"].lower()
