"""The DAG of ``tests/e2e/test_retry_policy.py``: three tasks with retries and
``VendorErrorRetryPolicy`` (Airflow 3.3), each meeting one kind of failure on the emulator.

- ``wrong_secret`` signs with a wrong secret (``AuthError``): the policy fails it after one try;
  its own ``retry_delay`` is short, so a retry would show.
- ``server_error`` meets a 503 on every attempt (the test injects it): the policy retries it after
  its ``server_error_delay`` of 1 s; the task's own ``retry_delay`` is an hour, so only the
  policy's pause lets the run end within the test's time.
- ``not_a_vendor_error`` raises a ``ValueError``: the policy leaves it to the task's own retries.

The job ids come from the run's conf. Not an example: it is copied into the test's own DAG folder.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG, task

from airflow_provider_mediajobs.operators.alibaba import IceGetSmartHandleJobOperator, MtsQueryIProductionJobOperator
from airflow_provider_mediajobs.retries import VendorErrorRetryPolicy

POLICY = VendorErrorRetryPolicy(server_error_delay=1)

with DAG("e2e_retry_policy", schedule=None, start_date=datetime(2024, 1, 1), catchup=False):
    MtsQueryIProductionJobOperator(
        task_id="wrong_secret", job_id="{{ dag_run.conf['mts_job'] }}",
        alibaba_cloud_media_conn_id="alibaba_wrong_secret",
        retries=3, retry_delay=timedelta(seconds=1), retry_policy=POLICY,
    )
    IceGetSmartHandleJobOperator(
        task_id="server_error", job_id="{{ dag_run.conf['ice_job'] }}",
        retries=3, retry_delay=timedelta(hours=1), retry_policy=POLICY,
    )

    @task(retries=1, retry_delay=timedelta(seconds=1), retry_policy=POLICY)
    def not_a_vendor_error() -> None:
        """Fail with an error that is not the provider's."""
        raise ValueError("a bug in the task's own code")

    not_a_vendor_error()
