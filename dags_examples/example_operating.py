"""Operating media jobs in production: a deadline that cancels its job instead of orphaning it,
and a wait that ends in time.

``submit_with_deadline`` submits a Tencent CI translation and waits for it from the triggerer with
``wait_timeout=0.5``: the job is still queued when the deadline passes, so the trigger cancels it
(``cancel_on_kill``, the default) and the task fails with a message naming the job, its last state
and that it was cancelled. ``confirm_cancelled`` (``trigger_rule="all_done"``) reads the job back
and checks that the vendor shows it ``Cancel``. The other branch submits an MTS job and waits for
it with a deadline it meets. See docs/operating.md.

Runs as is against the local emulator (``make demo``), whose jobs queue for 3 seconds; against a
real account, only the connections differ (and a real queue may well start the job sooner).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_mediajobs.operators.alibaba import MtsSubmitIProductionJobOperator
from airflow_provider_mediajobs.operators.tencent import TencentCISubmitJobOperator
from airflow_provider_mediajobs.sensors.alibaba import MtsIProductionJobSensor

QUEUE_ID = "p893bcda225bf4945a378da6662e81a89"

with DAG(
    dag_id="example_operating",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["example", "operating", "mediajobs"],
    doc_md=__doc__,
):
    # --8<-- [start:howto_deadline_cancels]
    submit_with_deadline = TencentCISubmitJobOperator(
        task_id="submit_with_deadline",
        tag="Translation",
        input_object="docs/press-release.txt",
        queue_id=QUEUE_ID,
        translation={"Lang": "en", "Type": "txt"},
        output_bucket="examplebucket-1250000000",
        output_object="translated/press-release.en.txt",
        wait_for_completion=True,
        deferrable=True,
        poll_interval=5,
        wait_timeout=0.5,  # the trigger ends the wait itself, and cancels the job
        cancel_on_kill=True,
        retries=0,
    )
    # --8<-- [end:howto_deadline_cancels]

    @task(trigger_rule="all_done")
    def confirm_cancelled(**context: Any) -> dict[str, Any]:
        """Read the job the deadline cancelled; fail unless the vendor shows it cancelled."""
        from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook

        # A submit operator pushes the id it submitted under "job_id" before it waits, so the id
        # is there even when the wait fails.
        job_id = context["ti"].xcom_pull(task_ids="submit_with_deadline", key="job_id")
        job = TencentCloudCIHook().get_ci_job(str(job_id))
        if job["State"] != "Cancel":
            raise RuntimeError(f"expected the deadline to cancel {job['JobId']}, but it is {job['State']}")
        return job

    submit_with_deadline >> confirm_cancelled()

    # --8<-- [start:howto_deadline_met]
    enhance = MtsSubmitIProductionJobOperator(
        task_id="submit_enhancement",
        function_name="VideoQualityEnhancement",
        input_uri="oss://media-in/clips/interview.mp4",
        output_uri="oss://media-out/clips/interview-enhanced.mp4",
    )
    MtsIProductionJobSensor(
        task_id="wait_for_enhancement", job_id=enhance.output, deferrable=True, poke_interval=2,
        timeout=600,  # the trigger's own deadline: it would end the wait at 600 s, saying where the job runs
    )
    # --8<-- [end:howto_deadline_met]
