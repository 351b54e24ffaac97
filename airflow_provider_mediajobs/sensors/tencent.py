"""Sensor for Tencent Cloud CI jobs."""

from __future__ import annotations

from airflow_provider_mediajobs.catalog import tencent as cat
from airflow_provider_mediajobs.sensors.base import MediaJobSensor
from airflow_provider_mediajobs.vendors import TENCENT


class TencentCIJobSensor(MediaJobSensor):
    """Wait for a CI job to reach ``Success`` (returns its ``JobsDetail``), or ``Failed`` /
    ``Cancel`` (raises with the job's ``Code`` and ``Message``). ``Pause`` keeps waiting.

    In deferrable mode, the waits of one connection in a triggerer are answered in batches
    (GET /jobs/{id1},{id2},...).

    :param job_id: the CI job id.
    :param tencent_cloud_ci_conn_id: the ``tencent_cloud_ci`` connection id.
    """

    vendor = TENCENT
    kind = cat.TENCENT_CI_JOB
    renamed = {"job_ids": "job_id"}
