"""The connection id of every sensor is a template field: a DAG can choose the account per run
(``{{ params.account }}``), and the rendered id is the one the hook reads."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_mediajobs.sensors.alibaba import MtsIProductionJobSensor
from airflow_provider_mediajobs.sensors.tencent import TencentCIJobSensor


@pytest.mark.parametrize("sensor_class", [MtsIProductionJobSensor, TencentCIJobSensor], ids=lambda c: c.__name__)
def test_sensor_connection_id_is_a_template_field(sensor_class: type[Any]) -> None:
    attr = sensor_class.conn_name_attr
    sensor = sensor_class(task_id="s", job_id="j1", **{attr: "{{ params.account }}"})
    assert attr in sensor.template_fields
    sensor.render_template_fields({"params": {"account": "acct"}})
    assert sensor.conn_id == "acct"
    assert sensor.get_hook().conn_id == "acct"
