"""A deferred wait that ends in an error raises the same typed error, with the same text, once, as
the same wait in poke mode (a wrong secret is an ``AuthError`` both ways)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from airflow_provider_mediajobs.exceptions import AuthError
from airflow_provider_mediajobs.sensors.alibaba import MtsIProductionJobSensor
from airflow_provider_mediajobs.sensors.tencent import TencentCIJobSensor
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.triggers.alibaba import MtsIProductionJobTrigger
from airflow_provider_mediajobs.triggers.tencent import TencentCIJobTrigger


async def _event(trigger: Any) -> dict[str, Any]:
    async for event in trigger.run():
        return dict(event.payload)
    raise AssertionError("no event")


def _without_request_id(text: str) -> str:
    return re.sub(r"RequestId=[^,)]+", "RequestId=*", text)


@pytest.mark.parametrize("vendor", ["alibaba", "tencent"])
async def test_wrong_secret_is_the_same_auth_error_deferred_and_poked(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, vendor: str
) -> None:
    name = "alibaba_cloud_media_default" if vendor == "alibaba" else "tencent_cloud_ci_default"
    conn = mediajobs_connections.connections()[name]
    conn["password"] = "not-the-secret"
    monkeypatch.setenv("AIRFLOW_CONN_WRONG_SECRET", json.dumps(conn))
    if vendor == "alibaba":
        sensor: Any = MtsIProductionJobSensor(task_id="w", job_id="j1", alibaba_cloud_media_conn_id="wrong_secret")
        trigger: Any = MtsIProductionJobTrigger(conn_id="wrong_secret", job_ids={"job_id": "j1"}, poll_interval=0.1)
    else:
        sensor = TencentCIJobSensor(task_id="w", job_id="j1", tencent_cloud_ci_conn_id="wrong_secret")
        trigger = TencentCIJobTrigger(conn_id="wrong_secret", job_ids={"job_ids": "j1"}, poll_interval=0.1)
    with pytest.raises(AuthError) as poked:
        sensor.poke({})
    event = await _event(trigger)
    json.dumps(event)  # an event crosses the metadata database
    with pytest.raises(AuthError) as deferred:
        sensor.execute_complete({}, event)
    assert _without_request_id(str(deferred.value)) == _without_request_id(str(poked.value))
    assert str(deferred.value).count("RequestId=") == 1
    assert deferred.value.code == poked.value.code
    assert deferred.value.status == poked.value.status
    assert deferred.value.vendor_message == poked.value.vendor_message
