"""Sensors for Alibaba Cloud jobs: MTS IProduction, ICE smart jobs, IMM tasks."""

from __future__ import annotations

from typing import Any

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.sensors.base import MediaJobSensor

_HOOK = "airflow_provider_mediajobs.hooks.alibaba.AlibabaCloudMediaHook"
_TRIGGERS = "airflow_provider_mediajobs.triggers.alibaba"
_CONN = "alibaba_cloud_media_conn_id"


class _AlibabaJobIdSensor(MediaJobSensor):
    """A sensor for an Alibaba job named by one ``job_id``.

    :param job_id: the job id.
    :param alibaba_cloud_media_conn_id: the ``alibaba_cloud_media`` connection id.
    """

    template_fields = ("job_id", "alibaba_cloud_media_conn_id")
    hook_class = _HOOK
    conn_name_attr = _CONN
    default_conn_id = "alibaba_cloud_media_default"

    def __init__(
        self, *, job_id: str, alibaba_cloud_media_conn_id: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(vendor_conn_id=alibaba_cloud_media_conn_id, job_ids={"job_id": "job_id"}, **kwargs)
        self.job_id = job_id


class MtsIProductionJobSensor(_AlibabaJobIdSensor):
    """Wait for an MTS IProduction job to reach ``Success`` (returns the job) or ``Fail`` (raises
    with the job's ``Result.Code`` and ``Result.Message``).

    :param job_id: the job id, e.g. ``MtsSubmitIProductionJobOperator``'s output.
    :param alibaba_cloud_media_conn_id: the ``alibaba_cloud_media`` connection id.
    """

    kind = cat.MTS_IPRODUCTION_JOB
    trigger_class = f"{_TRIGGERS}.MtsIProductionJobTrigger"


class IceSmartJobSensor(_AlibabaJobIdSensor):
    """Wait for an ICE smart job to reach ``Finished`` or ``Failed`` (``ErrorCode``/``ErrorMessage``).

    :param job_id: the smart job id.
    :param alibaba_cloud_media_conn_id: the ``alibaba_cloud_media`` connection id.
    """

    kind = cat.ICE_SMART_JOB
    trigger_class = f"{_TRIGGERS}.IceSmartJobTrigger"


class ImmTaskSensor(MediaJobSensor):
    """Wait for an IMM task to reach ``Succeeded`` or ``Failed`` (``Code``/``Message``).

    :param project_name: the IMM project.
    :param imm_task_id: the IMM task id (``task_id`` is the Airflow task's own).
    :param imm_task_type: the IMM task type (``task_type`` is BaseOperator's).
    :param alibaba_cloud_media_conn_id: the ``alibaba_cloud_media`` connection id.
    """

    template_fields = ("project_name", "imm_task_id", "imm_task_type", "alibaba_cloud_media_conn_id")
    kind = cat.IMM_TASK
    hook_class = _HOOK
    conn_name_attr = _CONN
    default_conn_id = "alibaba_cloud_media_default"
    trigger_class = f"{_TRIGGERS}.ImmTaskTrigger"

    def __init__(
        self,
        *,
        project_name: str,
        imm_task_id: str,
        imm_task_type: str,
        alibaba_cloud_media_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            vendor_conn_id=alibaba_cloud_media_conn_id,
            job_ids={"project_name": "project_name", "task_id": "imm_task_id", "task_type": "imm_task_type"},
            **kwargs,
        )
        self.project_name = project_name
        self.imm_task_id = imm_task_id
        self.imm_task_type = imm_task_type
