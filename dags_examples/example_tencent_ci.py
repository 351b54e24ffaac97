"""Tencent Cloud CI pipeline: translate a document, wait for the job from the triggerer, read the
result; list recent speech-recognition jobs and fetch them in batches with dynamic task mapping.

Runs as is against the local emulator (``make demo``) or a real bucket: only the
``tencent_cloud_ci_default`` connection differs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_mediajobs.operators.tencent import (
    TencentCIGetJobsOperator,
    TencentCIListJobsOperator,
    TencentCISubmitJobOperator,
)
from airflow_provider_mediajobs.sensors.tencent import TencentCIJobSensor

QUEUE_ID = "p893bcda225bf4945a378da6662e81a89"

with DAG(
    dag_id="example_tencent_ci",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["example", "tencent", "mediajobs"],
    doc_md=__doc__,
):
    # --8<-- [start:howto_tencent_submit_and_wait]
    # --8<-- [start:howto_tencent_submit]
    translate = TencentCISubmitJobOperator(
        task_id="submit_translation",
        tag="Translation",
        input_object="docs/press-release.txt",
        queue_id=QUEUE_ID,
        translation={"Lang": "en", "Type": "txt"},
        output_bucket="examplebucket-1250000000",
        output_region="ap-beijing",
        output_object="translated/press-release.en.txt",
        user_data="{{ run_id }}",
    )
    # --8<-- [end:howto_tencent_submit]
    # --8<-- [start:howto_tencent_sensor]
    wait = TencentCIJobSensor(
        task_id="wait_for_translation", job_id=translate.output, deferrable=True, poke_interval=2, timeout=600
    )
    # --8<-- [end:howto_tencent_sensor]
    # --8<-- [start:howto_tencent_get_jobs]
    result = TencentCIGetJobsOperator(task_id="fetch_translation", job_ids=translate.output)
    # --8<-- [end:howto_tencent_get_jobs]
    translate >> wait >> result
    # --8<-- [end:howto_tencent_submit_and_wait]

    # --8<-- [start:howto_tencent_list_jobs]
    recent = TencentCIListJobsOperator(
        task_id="list_recent_speech_jobs",
        tag="SpeechRecognition",
        states=["Success", "Failed"],
        order_by_time="Desc",
        size=20,
        max_items=12,
    )
    # --8<-- [end:howto_tencent_list_jobs]

    # --8<-- [start:howto_tencent_get_jobs_batches]
    @task
    def id_batches(jobs: list[dict[str, Any]]) -> list[list[str]]:
        """Group the listed job ids in batches of five: one GET /jobs/{ids} call each."""
        ids = [job["JobId"] for job in jobs]
        return [ids[i : i + 5] for i in range(0, len(ids), 5)]

    TencentCIGetJobsOperator.partial(task_id="fetch_speech_jobs").expand(job_ids=id_batches(recent.output))
    # --8<-- [end:howto_tencent_get_jobs_batches]
