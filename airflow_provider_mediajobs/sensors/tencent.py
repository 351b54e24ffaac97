"""Sensor for Tencent Cloud CI jobs."""

from __future__ import annotations

from typing import Any

from airflow_provider_mediajobs.catalog import tencent as cat
from airflow_provider_mediajobs.sensors.base import MediaJobSensor


class TencentCIJobSensor(MediaJobSensor):
    """Wait for a CI job to reach ``Success`` (returns its ``JobsDetail``), or ``Failed`` /
    ``Cancel`` (raises with the job's ``Code`` and ``Message``). ``Pause`` keeps waiting.

    In deferrable mode, the waits of one connection in a triggerer are answered in batches
    (GET /jobs/{id1},{id2},...).

    :param job_id: the CI job id.
    :param tencent_cloud_ci_conn_id: the ``tencent_cloud_ci`` connection id.
    """

    template_fields = ("job_id", "tencent_cloud_ci_conn_id")
    kind = cat.TENCENT_CI_JOB
    hook_class = "airflow_provider_mediajobs.hooks.tencent.TencentCloudCIHook"
    trigger_class = "airflow_provider_mediajobs.triggers.tencent.TencentCIJobTrigger"
    conn_name_attr = "tencent_cloud_ci_conn_id"
    default_conn_id = "tencent_cloud_ci_default"

    def __init__(
        self, *, job_id: str, tencent_cloud_ci_conn_id: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(vendor_conn_id=tencent_cloud_ci_conn_id, job_ids={"job_ids": "job_id"}, **kwargs)
        self.job_id = job_id
