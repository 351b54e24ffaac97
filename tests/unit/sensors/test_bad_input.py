"""Sensors' timing arguments are checked when the task is built: refused with a
:class:`MediaJobsValidationError` naming the argument."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_mediajobs.sensors import alibaba as ali_sensors
from airflow_provider_mediajobs.sensors import tencent as ci_sensors
from tests.helpers import refused


@pytest.mark.parametrize(("arg", "value"), [
    ("not_found_grace", "60s"), ("not_found_grace", -1), ("coalesce", "no"), ("deferrable", "yes"),
])
def test_sensor_timing_arguments(arg: str, value: Any) -> None:
    refused(lambda: ali_sensors.MtsIProductionJobSensor(task_id="w", job_id="j", **{arg: value}), arg)
    refused(lambda: ci_sensors.TencentCIJobSensor(task_id="w", job_id="j", **{arg: value}), arg)
