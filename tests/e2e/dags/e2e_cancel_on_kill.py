"""A DAG of ``tests/e2e/test_multi_triggerer.py``: one deferrable Tencent CI sensor waiting for the
job the run's conf names (``{"job_id": ...}``), which the test then marks failed in the UI's API.

Not an example: it is copied into the test's own DAG folder.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG

from airflow_provider_mediajobs.sensors.tencent import TencentCIJobSensor

with DAG(
    "e2e_cancel_on_kill",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    is_paused_upon_creation=False,
):
    TencentCIJobSensor(
        task_id="wait", job_id="{{ dag_run.conf['job_id'] }}", deferrable=True, poke_interval=2, timeout=1800,
        # A worker whose call to the API server times out on a loaded machine fails its try before it
        # defers: one more try. Marking the task failed ends every try.
        retries=1, retry_delay=timedelta(seconds=1), cancel_on_kill=True,
    )
