"""A media team's daily pipeline, end to end: ingest a new clip, transcode it, take its cover
snapshot, analyse it, publish it.

- **ingest**: MTS reads the clip's media info (SubmitMediaInfoJob), and a check refuses a clip
  without a video stream or shorter than a second before anything is spent on it;
- **transcode**: MTS renders an HD and an SD rendition (SubmitJobs: one job per output), each
  waited for from the triggerer, the waits answered by shared, batched QueryJobList calls;
- **snapshot**: MTS takes the cover still from the HD rendition once it exists;
- **analyse**: IMM labels the clip's content (CreateVideoLabelClassificationTask), in parallel
  with the transcode, waited for in the same task;
- **publish**: once all of them succeeded, one task writes the manifest (renditions, cover,
  duration, the label task) as its XCom and records the asset event of the published clip.

Runs as is against the local emulator (``make demo``) or a real account: only the
``alibaba_cloud_media_default`` connection differs (and the buckets, queue, templates and project).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, Asset, XComArg, task

from airflow_provider_mediajobs.operators.alibaba import (
    ImmCreateTaskOperator,
    MtsSubmitJobsOperator,
    MtsSubmitMediaInfoJobOperator,
    MtsSubmitSnapshotJobOperator,
)
from airflow_provider_mediajobs.sensors.alibaba import MtsSnapshotJobSensor, MtsTranscodeJobSensor

REGION = "oss-cn-shanghai"
CLIP = {"Bucket": "media-in", "Location": REGION, "Object": "incoming/launch-keynote.mp4"}
PIPELINE = "88c6ca184c0e47098a5b665e2a126797"  # the MPS queue (MPS console: Global Settings)
RENDITIONS = {  # output object -> MPS's system template (MPS console: Templates)
    "published/launch-keynote/hd.mp4": "S00000001-200030",
    "published/launch-keynote/sd.mp4": "S00000001-200010",
}
COVER = {"Bucket": "media-out", "Location": REGION, "Object": "published/launch-keynote/cover.jpg"}
PUBLISHED = Asset("oss://media-out/published/launch-keynote/manifest.json")

with DAG(
    dag_id="example_media_pipeline",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["example", "alibaba", "pipeline", "mediajobs"],
    doc_md=__doc__,
):
    # --8<-- [start:howto_pipeline_ingest]
    ingest = MtsSubmitMediaInfoJobOperator(
        task_id="ingest", input=CLIP, async_=True, pipeline_id=PIPELINE,
        wait_for_completion=True, deferrable=True, poll_interval=2,
    )

    @task
    def check_ingest(job: dict[str, Any]) -> float:
        """Refuse a clip with no video or under a second; return its duration in seconds."""
        properties = job.get("Properties") or {}
        videos = (properties.get("Streams") or {}).get("VideoStreamList", {}).get("VideoStream") or []
        duration = float(properties.get("Duration") or 0)
        if not videos or duration < 1:
            raise ValueError(f"{CLIP['Object']} is not a clip to publish: {len(videos)} video streams, {duration}s")
        return duration

    duration = check_ingest(XComArg(ingest, key="job"))
    # --8<-- [end:howto_pipeline_ingest]

    # --8<-- [start:howto_pipeline_transcode]
    transcode = MtsSubmitJobsOperator(
        task_id="transcode",
        input=CLIP,
        output_bucket="media-out",
        output_location=REGION,
        outputs=[{"OutputObject": key, "TemplateId": template} for key, template in RENDITIONS.items()],
        pipeline_id=PIPELINE,
    )

    @task
    def rendition_jobs(job_ids: list[str]) -> list[str]:
        """One job per output (Airflow maps over a return value only)."""
        return job_ids

    renditions = MtsTranscodeJobSensor.partial(
        task_id="wait_for_renditions", deferrable=True, poke_interval=2, timeout=1800,
    ).expand(job_id=rendition_jobs(XComArg(transcode, key="job_ids")))
    # --8<-- [end:howto_pipeline_transcode]

    # --8<-- [start:howto_pipeline_snapshot]
    hd = {"Bucket": "media-out", "Location": REGION, "Object": next(iter(RENDITIONS))}
    cover = MtsSubmitSnapshotJobOperator(
        task_id="snapshot_cover",
        input=hd,
        snapshot_config={"OutputFile": COVER, "Time": "3000", "Num": "1"},
        pipeline_id=PIPELINE,
    )
    cover_ready = MtsSnapshotJobSensor(
        task_id="wait_for_cover", snapshot_job_id=cover.output, deferrable=True, poke_interval=2, timeout=600,
    )
    # --8<-- [end:howto_pipeline_snapshot]

    # --8<-- [start:howto_pipeline_analyse]
    labels = ImmCreateTaskOperator(
        task_id="analyse",
        imm_task_type="VideoLabelClassification",
        project_name="media-archive",
        source_uri=f"oss://{CLIP['Bucket']}/{CLIP['Object']}",
        user_data="{{ run_id }}",
        wait_for_completion=True,
        deferrable=True,
        poll_interval=2,
    )
    # --8<-- [end:howto_pipeline_analyse]

    # --8<-- [start:howto_pipeline_publish]
    @task(outlets=[PUBLISHED])
    def publish(duration: float, renditions: list[dict[str, Any]], cover: dict[str, Any],
                label_task: str) -> dict[str, Any]:
        """The manifest a player or CMS reads: every output, from the jobs' own final details."""
        def uri(location: dict[str, Any]) -> str:
            return f"oss://{location['Bucket']}/{location['Object']}"

        cover_file = (cover.get("SnapshotConfig") or {}).get("OutputFile") or COVER
        return {
            "source": uri(CLIP),
            "duration_s": duration,
            "renditions": sorted(uri(job["Output"]["OutputFile"]) for job in renditions),
            "cover": uri(cover_file),
            "labels_task": label_task,
            "manifest": PUBLISHED.uri,
        }

    manifest = publish(duration, renditions.output, cover_ready.output, labels.output)
    # --8<-- [end:howto_pipeline_publish]

    duration >> [transcode, labels]
    renditions >> cover
