"""Tencent Cloud CI media processing: transcode a clip with inline options, take snapshots with a
saved template, concatenate two clips; wait for all three from the triggerer (where the waits of
one connection are asked for together, up to 10 ids a ``GET /jobs/{ids}`` call), list the bucket's
Transcode jobs, and cancel a job while it is still queued.

Runs as is against the local emulator (``make demo``), whose jobs queue for 3 seconds; against a
real bucket, only the ``tencent_cloud_ci_default`` connection differs (and the template id, which
must be one of yours; a real queue may start the job to cancel before the cancel arrives).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_mediajobs.operators.tencent import TencentCIListJobsOperator, TencentCISubmitJobOperator
from airflow_provider_mediajobs.sensors.tencent import TencentCIJobSensor

BUCKET, REGION = "examplebucket-1250000000", "ap-beijing"
SNAPSHOT_TEMPLATE = "t1460606b9752148c4ab182f55163ba7cd"  # a snapshot template of the bucket
OBJECTS = f"https://{BUCKET}.cos.{REGION}.myqcloud.com"  # the bucket's objects, by URL

with DAG(
    dag_id="example_tencent_media",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["example", "tencent", "mediajobs"],
    doc_md=__doc__,
):
    # --8<-- [start:howto_tencent_transcode]
    transcode = TencentCISubmitJobOperator(
        task_id="transcode",
        tag="Transcode",
        input_object="media/{{ ds }}/interview.mov",
        transcode={
            "Container": {"Format": "mp4"},
            "Video": {"Codec": "H.264", "Width": "1280", "Fps": "30"},
            "Audio": {"Codec": "aac", "Samplerate": "44100"},
        },
        output_region=REGION,
        output_bucket=BUCKET,
        output_object="media/{{ ds }}/interview.mp4",
        user_data="{{ run_id }}",
    )
    # --8<-- [end:howto_tencent_transcode]

    # --8<-- [start:howto_tencent_snapshot]
    snapshot = TencentCISubmitJobOperator(
        task_id="snapshot",
        tag="Snapshot",
        input_object="media/{{ ds }}/interview.mov",
        template_id=SNAPSHOT_TEMPLATE,  # its Snapshot options are the template's
        output_region=REGION,
        output_bucket=BUCKET,
        output_object="media/{{ ds }}/frames/${Number}.jpg",  # one object per snapshot
    )
    # --8<-- [end:howto_tencent_snapshot]

    # --8<-- [start:howto_tencent_concat]
    concat = TencentCISubmitJobOperator(
        task_id="concat",
        tag="Concat",
        concat_template={
            # Fragments are objects of the same bucket, joined in this order.
            "ConcatFragment": [
                {"Url": OBJECTS + "/media/intro.mp4"},
                {"Url": OBJECTS + "/media/{{ ds }}/interview.mp4"},
            ],
            "Container": {"Format": "mp4"},
        },
        output_region=REGION,
        output_bucket=BUCKET,
        output_object="media/{{ ds }}/with-intro.mp4",
    )
    # --8<-- [end:howto_tencent_concat]

    # --8<-- [start:howto_tencent_media_wait]
    waits = [
        TencentCIJobSensor(task_id=f"wait_for_{job.task_id}", job_id=job.output, deferrable=True, poke_interval=2,
                           timeout=900)
        for job in (transcode, snapshot, concat)
    ]
    # --8<-- [end:howto_tencent_media_wait]
    transcode >> concat  # the concat joins the transcoded interview
    transcode >> waits[0]
    snapshot >> waits[1]
    concat >> waits[2]

    # --8<-- [start:howto_tencent_list_transcodes]
    recent = TencentCIListJobsOperator(
        task_id="list_transcodes",
        tag="Transcode",
        states=["Success", "Failed"],
        order_by_time="Desc",
        size=50,
        max_items=50,
    )
    # --8<-- [end:howto_tencent_list_transcodes]
    waits[0] >> recent

    # --8<-- [start:howto_tencent_cancel]
    @task
    def submit_and_cancel() -> dict[str, Any]:
        """Submit a smart cover job and cancel it while it is queued (only a queued job can be)."""
        from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook

        hook = TencentCloudCIHook()
        job = hook.submit_job(tag="SmartCover", input_object="media/intro.mp4",
                              smart_cover={"Format": "jpg", "Count": "3"}, output_region=REGION,
                              output_bucket=BUCKET, output_object="media/covers/${Number}.jpg")
        hook.cancel_job(job["JobId"])
        cancelled = hook.get_ci_job(job["JobId"])
        if cancelled["State"] != "Cancel":
            raise RuntimeError(f"expected {job['JobId']} to be cancelled, but it is {cancelled['State']}")
        return {"JobId": cancelled["JobId"], "State": cancelled["State"]}
    # --8<-- [end:howto_tencent_cancel]

    submit_and_cancel()
