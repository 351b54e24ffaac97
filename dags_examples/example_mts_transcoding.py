"""MTS (ApsaraVideo Media Processing) transcoding, snapshots and media info: cancel a transcoding job
while it is still queued, transcode a clip to two renditions and wait for both from the triggerer,
read the jobs back and list the recent ones; take snapshots of the clip and analyse its media
info, waiting for each.

Runs as is against the local emulator (``make demo``) or a real account: only the
``alibaba_cloud_media_default`` connection differs (and the buckets, queue and template ids).
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, XComArg, task

from airflow_provider_mediajobs.operators.alibaba import (
    MtsCancelJobOperator,
    MtsListJobOperator,
    MtsQueryJobListOperator,
    MtsQueryMediaInfoJobListOperator,
    MtsQuerySnapshotJobListOperator,
    MtsSubmitJobsOperator,
    MtsSubmitMediaInfoJobOperator,
    MtsSubmitSnapshotJobOperator,
)
from airflow_provider_mediajobs.sensors.alibaba import (
    MtsMediaInfoJobSensor,
    MtsSnapshotJobSensor,
    MtsTranscodeJobSensor,
)

# The clip, as MPS names an OSS object: its bucket, the bucket's region, the key URL-encoded.
CLIP = {"Bucket": "media-in", "Location": "oss-cn-shanghai", "Object": "clips/interview.mp4"}
PIPELINE = "88c6ca184c0e47098a5b665e2a126797"  # the MPS queue (MPS console: Global Settings)

with DAG(
    dag_id="example_mts_transcoding",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["example", "alibaba", "mts", "mediajobs"],
    doc_md=__doc__,
):
    # --8<-- [start:howto_mts_cancel]
    queued = MtsSubmitJobsOperator(
        task_id="submit_unwanted_transcode",
        input=CLIP,
        output_bucket="media-out",
        outputs=[{"OutputObject": "unwanted/interview.mp4", "TemplateId": "S00000001-200010"}],
        pipeline_id=PIPELINE,
    )
    # CancelJob takes a job only while it is Submitted (still queued).
    cancel = MtsCancelJobOperator(task_id="cancel_unwanted_transcode", job_id=queued.output)
    # --8<-- [end:howto_mts_cancel]

    # --8<-- [start:howto_mts_submit_jobs]
    transcode = MtsSubmitJobsOperator(
        task_id="transcode_interview",
        input=CLIP,
        output_bucket="media-out",
        output_location="oss-cn-shanghai",
        outputs=[
            {"OutputObject": "renditions/interview-hd.mp4", "TemplateId": "S00000001-200030", "UserData": "hd"},
            {"OutputObject": "renditions/interview-sd.mp4", "TemplateId": "S00000001-200010", "UserData": "sd"},
        ],
        pipeline_id=PIPELINE,
    )
    # --8<-- [end:howto_mts_submit_jobs]
    # --8<-- [start:howto_mts_transcode_sensor]
    # One job per output: wait for each, every wait answered by the same batched QueryJobList calls.
    # Airflow maps over a task's return value only, so a small task hands the job_ids XCom on.
    @task
    def rendition_job_ids(job_ids: list[str]) -> list[str]:
        """The job of each output, in the order of outputs."""
        return job_ids

    wait = MtsTranscodeJobSensor.partial(
        task_id="wait_for_renditions", deferrable=True, poke_interval=2, timeout=600,
    ).expand(job_id=rendition_job_ids(XComArg(transcode, key="job_ids")))
    # --8<-- [end:howto_mts_transcode_sensor]
    # --8<-- [start:howto_mts_query_job_list]
    renditions = MtsQueryJobListOperator(task_id="read_renditions", job_ids=XComArg(transcode, key="job_ids"))
    # --8<-- [end:howto_mts_query_job_list]
    # --8<-- [start:howto_mts_list_job]
    recent = MtsListJobOperator(
        task_id="list_recent_transcodes",
        state="TranscodeSuccess",
        pipeline_id=PIPELINE,
        page_size=100,
        max_items=20,
    )
    # --8<-- [end:howto_mts_list_job]
    queued >> cancel >> transcode >> wait >> [renditions, recent]

    # --8<-- [start:howto_mts_snapshot]
    snapshot = MtsSubmitSnapshotJobOperator(
        task_id="snapshot_interview",
        input=CLIP,
        snapshot_config={
            "OutputFile": {"Bucket": "media-out", "Location": "oss-cn-shanghai", "Object": "stills/interview.jpg"},
            "Time": "5000", "Num": "1", "Interval": "1",
        },
        pipeline_id=PIPELINE,
        user_data="{{ run_id }}",
    )
    wait_snapshot = MtsSnapshotJobSensor(
        task_id="wait_for_snapshot", snapshot_job_id=snapshot.output, deferrable=True, poke_interval=2, timeout=600,
    )
    snapshots = MtsQuerySnapshotJobListOperator(task_id="read_snapshot", snapshot_job_ids=snapshot.output)
    # --8<-- [end:howto_mts_snapshot]
    cancel >> snapshot >> wait_snapshot >> snapshots

    # --8<-- [start:howto_mts_media_info]
    media_info = MtsSubmitMediaInfoJobOperator(
        task_id="analyse_interview", input=CLIP, async_=True, pipeline_id=PIPELINE,
    )
    wait_media_info = MtsMediaInfoJobSensor(
        task_id="wait_for_media_info", media_info_job_id=media_info.output, deferrable=True, poke_interval=2,
        timeout=600,
    )
    properties = MtsQueryMediaInfoJobListOperator(task_id="read_media_info", media_info_job_ids=media_info.output)
    # --8<-- [end:howto_mts_media_info]
    cancel >> media_info >> wait_media_info >> properties
