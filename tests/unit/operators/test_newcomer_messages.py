"""Messages a newcomer meets on a task: ``conn_id=`` on an operator or sensor is an alias of the
vendor's own connection argument."""

from __future__ import annotations

import pytest

from airflow_provider_mediajobs.operators.alibaba import MtsQueryIProductionJobOperator
from airflow_provider_mediajobs.operators.tencent import TencentCIListJobsOperator
from airflow_provider_mediajobs.sensors.alibaba import ImmTaskSensor, MtsIProductionJobSensor
from airflow_provider_mediajobs.sensors.tencent import TencentCIJobSensor
from airflow_provider_mediajobs.testing import EmulatorHandle


@pytest.mark.parametrize("build", [
    lambda **kw: MtsQueryIProductionJobOperator(task_id="q", job_id="j", **kw),
    lambda **kw: TencentCIListJobsOperator(task_id="l", tag="Translation", **kw),
    lambda **kw: MtsIProductionJobSensor(task_id="w", job_id="j", **kw),
    lambda **kw: TencentCIJobSensor(task_id="w", job_id="j", **kw),
    lambda **kw: ImmTaskSensor(task_id="w", project_name="p", imm_task_id="t", imm_task_type="T", **kw),
])
def test_conn_id_is_an_alias_of_the_vendor_argument(build: object) -> None:
    task = build(conn_id="my_media")  # type: ignore[operator]
    assert getattr(task, task.conn_name_attr) == "my_media"
    assert task.conn_id == "my_media"
    assert task.conn_name_attr in task.template_fields
    default = build()  # type: ignore[operator]
    assert default.conn_id == default.default_conn_id
    same = build(conn_id="x", **{task.conn_name_attr: "x"})  # type: ignore[operator]
    assert same.conn_id == "x"
    with pytest.raises(TypeError, match=f"give the connection once, as {task.conn_name_attr}="):
        build(conn_id="a", **{task.conn_name_attr: "b"})  # type: ignore[operator]


def test_conn_id_alias_reaches_the_vendor(mediajobs_connections: EmulatorHandle) -> None:
    jobs = TencentCIListJobsOperator(task_id="l", tag="Translation", conn_id="tencent_cloud_ci_default",
                                     max_items=2).execute({})
    assert len(jobs) == 2
