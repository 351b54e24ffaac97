"""Alibaba Cloud media pipeline: enhance a clip with MTS, wait for it from the triggerer, read the
result; list recent ICE speech-recognition jobs and IMM tasks, fetch each one with dynamic task
mapping and wait for the newest of each; list the running live snapshot jobs.

Runs as is against the local emulator (``make demo``) or a real account: only the
``alibaba_cloud_media_default`` connection differs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_mediajobs.compat import HAS_RETRY_POLICIES
from airflow_provider_mediajobs.operators.alibaba import (
    IceGetSmartHandleJobOperator,
    IceListLiveSnapshotJobsOperator,
    IceListSmartJobsOperator,
    ImmGetTaskOperator,
    ImmListTasksOperator,
    MtsQueryIProductionJobOperator,
    MtsSubmitIProductionJobOperator,
)
from airflow_provider_mediajobs.retries import VendorErrorRetryPolicy
from airflow_provider_mediajobs.sensors.alibaba import IceSmartJobSensor, ImmTaskSensor, MtsIProductionJobSensor

with DAG(
    dag_id="example_alibaba_media",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["example", "alibaba", "mediajobs"],
    doc_md=__doc__,
):
    # --8<-- [start:howto_mts_submit_and_wait]
    # --8<-- [start:howto_mts_submit]
    submit = MtsSubmitIProductionJobOperator(
        task_id="submit_enhancement",
        function_name="VideoQualityEnhancement",
        input_uri="oss://media-in/clips/interview.mp4",
        output_uri="oss://media-out/enhanced/interview.mp4",
        job_params={"Model": "default", "Resolution": "1080p"},
        user_data="{{ run_id }}",
    )
    # --8<-- [end:howto_mts_submit]
    # --8<-- [start:howto_mts_sensor]
    wait = MtsIProductionJobSensor(
        task_id="wait_for_enhancement",
        job_id=submit.output,
        deferrable=True,
        poke_interval=2,
        timeout=600,
    )
    # --8<-- [end:howto_mts_sensor]
    # --8<-- [start:howto_mts_query]
    result = MtsQueryIProductionJobOperator(task_id="fetch_enhancement_result", job_id=submit.output)
    # --8<-- [end:howto_mts_query]
    submit >> wait >> result
    # --8<-- [end:howto_mts_submit_and_wait]
    # Airflow 3.3+ (docs/operating.md, "Retry rules"): an unknown job id or a refused key fails at
    # once, throttling and 5xx are retried after a pause. Set after the task is made, so the snippets
    # the how-to pages show stay as they are; older Airflow has no retry policies, and there the
    # task keeps retries=0 rather than retry every error.
    if HAS_RETRY_POLICIES:
        result.retries = 3
        result.retry_policy = VendorErrorRetryPolicy()

    # --8<-- [start:howto_ice_list_smart_jobs]
    recent = IceListSmartJobsOperator(
        task_id="list_recent_asr_jobs",
        job_type="ASR",
        job_state="Finished",
        sort_by="CreationTime:Desc",
        page_size=20,
        max_items=5,
    )
    # --8<-- [end:howto_ice_list_smart_jobs]

    # --8<-- [start:howto_ice_get_smart_job]
    @task
    def smart_job_ids(jobs: list[dict[str, Any]]) -> list[str]:
        """Keep the ids of the listed jobs."""
        return [job["JobId"] for job in jobs]

    IceGetSmartHandleJobOperator.partial(task_id="fetch_smart_job").expand(job_id=smart_job_ids(recent.output))
    # --8<-- [end:howto_ice_get_smart_job]

    # --8<-- [start:howto_ice_wait]
    IceSmartJobSensor(
        task_id="wait_for_newest_asr_job",
        job_id="{{ ti.xcom_pull(task_ids='list_recent_asr_jobs')[0]['JobId'] }}",
        deferrable=True,
        poke_interval=5,
        timeout=3600,
    ).set_upstream(recent)
    # --8<-- [end:howto_ice_wait]

    # --8<-- [start:howto_ice_live_snapshots]
    IceListLiveSnapshotJobsOperator(
        task_id="list_live_snapshot_jobs",
        status="started",
        sort_by="desc",
        page_size=50,
        max_items=10,
    )
    # --8<-- [end:howto_ice_live_snapshots]

    # --8<-- [start:howto_imm_list_tasks]
    recent_tasks = ImmListTasksOperator(
        task_id="list_recent_imm_tasks",
        project_name="media-archive",
        task_types=["VideoLabelClassification", "FaceClustering"],
        status="Succeeded",
        sort="StartTime",
        order="desc",
        max_items=3,
    )
    # --8<-- [end:howto_imm_list_tasks]

    # --8<-- [start:howto_imm_get_task]
    @task
    def imm_task_refs(tasks: list[dict[str, Any]]) -> list[dict[str, str]]:
        """Turn listed tasks into GetTask arguments."""
        return [{"imm_task_id": t["TaskId"], "imm_task_type": t["TaskType"]} for t in tasks]

    ImmGetTaskOperator.partial(task_id="fetch_imm_task", project_name="media-archive").expand_kwargs(
        imm_task_refs(recent_tasks.output)
    )
    # --8<-- [end:howto_imm_get_task]

    # --8<-- [start:howto_imm_wait]
    ImmTaskSensor(
        task_id="wait_for_newest_imm_task",
        project_name="media-archive",
        imm_task_id="{{ ti.xcom_pull(task_ids='list_recent_imm_tasks')[0]['TaskId'] }}",
        imm_task_type="{{ ti.xcom_pull(task_ids='list_recent_imm_tasks')[0]['TaskType'] }}",
        deferrable=True,
        poke_interval=5,
        timeout=3600,
    ).set_upstream(recent_tasks)
    # --8<-- [end:howto_imm_wait]
