"""ICE timeline editing and IProduction: produce a short cut from a small timeline of OSS clips,
wait for it from the triggerer, read it back and list the latest finished ones; make a cover image
with ICE's IProduction, wait for it, read it; submit a second IProduction job whose wait's deadline
passes while it is queued, so the trigger cancels it, and read it back.

Runs as is against the local emulator (``make demo``), whose jobs queue for 3 seconds, or a real
account: only the ``alibaba_cloud_media_default`` connection differs (and the buckets: an OSS
clip's URL names a bucket in the connection's region).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_mediajobs.operators.alibaba import (
    IceGetMediaProducingJobOperator,
    IceListMediaProducingJobsOperator,
    IceQueryIProductionJobOperator,
    IceSubmitIProductionJobOperator,
    IceSubmitMediaProducingJobOperator,
)
from airflow_provider_mediajobs.sensors.alibaba import IceIProductionJobSensor, IceMediaProducingJobSensor

with DAG(
    dag_id="example_ice_editing",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["example", "alibaba", "ice", "mediajobs"],
    doc_md=__doc__,
):
    # --8<-- [start:howto_ice_produce]
    produce = IceSubmitMediaProducingJobOperator(
        task_id="produce_cut",
        timeline={
            "VideoTracks": [{"VideoTrackClips": [
                {"MediaURL": "https://media-in.oss-cn-shanghai.aliyuncs.com/clips/intro.mp4", "In": 0, "Out": 5},
                {"MediaURL": "https://media-in.oss-cn-shanghai.aliyuncs.com/clips/interview.mp4", "In": 10, "Out": 25},
            ]}],
            "AudioTracks": [{"AudioTrackClips": [
                {"MediaURL": "https://media-in.oss-cn-shanghai.aliyuncs.com/music/theme.mp3"},
            ]}],
        },
        output_media_config={
            "MediaURL": "https://media-out.oss-cn-shanghai.aliyuncs.com/cuts/{{ ds }}/interview-cut.mp4",
            "Width": 1280,
            "Height": 720,
        },
        output_media_target="oss-object",
    )
    # --8<-- [end:howto_ice_produce]
    # --8<-- [start:howto_ice_produce_sensor]
    wait_cut = IceMediaProducingJobSensor(
        task_id="wait_for_cut",
        job_id=produce.output,
        deferrable=True,
        poke_interval=2,
        timeout=600,
    )
    # --8<-- [end:howto_ice_produce_sensor]
    # --8<-- [start:howto_ice_produce_get]
    cut = IceGetMediaProducingJobOperator(task_id="fetch_cut", job_id=produce.output)
    # --8<-- [end:howto_ice_produce_get]
    # --8<-- [start:howto_ice_produce_list]
    latest = IceListMediaProducingJobsOperator(
        task_id="list_latest_cuts",
        status="Success",
        sort_by="CreationTime:Desc",
        page_size=20,
        max_items=5,
    )
    # --8<-- [end:howto_ice_produce_list]
    produce >> wait_cut >> cut >> latest

    # --8<-- [start:howto_ice_iproduction]
    # --8<-- [start:howto_ice_iproduction_submit]
    cover = IceSubmitIProductionJobOperator(
        task_id="make_cover",
        function_name="Cover",
        input_media={"Type": "OSS", "Media": "oss://media-in/clips/interview.mp4"},
        output_media={"Type": "OSS", "Media": "oss://media-out/covers/interview.jpg"},
        name="cover of {{ run_id }}",
        schedule_config={"Priority": 5},
    )
    # --8<-- [end:howto_ice_iproduction_submit]
    # --8<-- [start:howto_ice_iproduction_sensor]
    wait_cover = IceIProductionJobSensor(
        task_id="wait_for_cover",
        job_id=cover.output,
        deferrable=True,
        poke_interval=2,
        timeout=600,
    )
    # --8<-- [end:howto_ice_iproduction_sensor]
    # --8<-- [start:howto_ice_iproduction_query]
    cover_job = IceQueryIProductionJobOperator(task_id="fetch_cover", job_id=cover.output)
    # --8<-- [end:howto_ice_iproduction_query]
    cover >> wait_cover >> cover_job
    # --8<-- [end:howto_ice_iproduction]

    # --8<-- [start:howto_ice_iproduction_cancel]
    captions = IceSubmitIProductionJobOperator(
        task_id="extract_captions",
        function_name="CaptionExtraction",
        input_media={"Type": "OSS", "Media": "oss://media-in/clips/interview.mp4"},
        output_media={"Type": "OSS", "Media": "oss://media-out/captions/interview.srt"},
        wait_for_completion=True,
        deferrable=True,
        wait_timeout=0.5,  # the trigger's deadline passes while the job is queued: it cancels the job
        cancel_on_kill=True,
        retries=0,
    )

    @task(trigger_rule="all_done")
    def confirm_cancelled(**context: Any) -> dict[str, Any]:
        """Read the job the deadline cancelled; fail if ICE shows it pending or succeeded."""
        from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook

        # Pushed under "job_id" before the wait, so it is there though the wait failed.
        job_id = context["ti"].xcom_pull(task_ids="extract_captions", key="job_id")
        job = AlibabaCloudMediaHook().query_ice_iproduction_job(str(job_id))
        # What a cancelled job reports is not documented (docs/vendor-behaviour.md): the emulator
        # reports Fail, with JobCancelled in its Result.
        if job["Status"] in ("Queuing", "Analyzing", "Success"):
            raise RuntimeError(f"expected the deadline to cancel {job_id}, but it is {job['Status']}")
        return job

    captions >> confirm_cancelled()
    # --8<-- [end:howto_ice_iproduction_cancel]
