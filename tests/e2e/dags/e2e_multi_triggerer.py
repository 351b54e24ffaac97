"""The DAG of ``tests/e2e/test_multi_triggerer.py``: one deferrable MTS sensor mapped over the job
ids the run's conf names (``{"job_ids": [...]}``), so each run waits for jobs made just before it.

Not an example: it is copied into the test's own DAG folder.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_mediajobs.sensors.alibaba import MtsIProductionJobSensor

with DAG(
    "e2e_multi_triggerer",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    # Unpaused as soon as the DAG processor has seen it: the test triggers it without a CLI call
    # to unpause it first.
    is_paused_upon_creation=False,
    max_active_runs=1,
    # Deferred tasks do not count against it, but the workers resuming them do: not the limit.
    max_active_tasks=256,
):

    @task(retries=0)
    def job_ids(**context: Any) -> list[str]:
        """The job ids from the run's conf."""
        return [str(job_id) for job_id in context["dag_run"].conf["job_ids"]]

    # retries=0: a task that succeeds did so in its first and only try, which the test checks.
    MtsIProductionJobSensor.partial(
        task_id="wait", deferrable=True, poke_interval=2, timeout=1800, retries=0,
    ).expand(job_id=job_ids())
