"""Alibaba Cloud ICE media processing: transcode a clip and wait for it from the triggerer, read the
finished job and list the latest successful ones; capture a sprite of snapshots, submitting and
waiting in one deferred task; convert a clip to HLS with a media convert job and wait for it.

Runs as is against the local emulator (``make demo``) or a real account: only the
``alibaba_cloud_media_default`` connection differs (and the buckets and template ids).
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG

from airflow_provider_mediajobs.operators.alibaba import (
    IceGetMediaConvertJobOperator,
    IceGetSnapshotJobOperator,
    IceGetTranscodeJobOperator,
    IceListMediaConvertJobsOperator,
    IceListSnapshotJobsOperator,
    IceListTranscodeJobsOperator,
    IceSubmitMediaConvertJobOperator,
    IceSubmitSnapshotJobOperator,
    IceSubmitTranscodeJobOperator,
)
from airflow_provider_mediajobs.sensors.alibaba import IceMediaConvertJobSensor, IceTranscodeJobSensor

with DAG(
    dag_id="example_ice_media",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["example", "alibaba", "ice", "mediajobs"],
    doc_md=__doc__,
):
    # --8<-- [start:howto_ice_transcode_submit]
    transcode = IceSubmitTranscodeJobOperator(
        task_id="transcode_interview",
        name="interview-720p",
        input_group=[{"Type": "OSS", "Media": "oss://media-in/clips/interview.mp4"}],
        output_group=[{
            "Output": {"Type": "OSS", "Media": "oss://media-out/720p/interview.mp4"},
            "ProcessConfig": {"Transcode": {
                "TemplateId": "S00000001-200030",
                "OverwriteParams": {"Video": {"Height": 720}, "Container": {"Format": "mp4"}},
            }},
        }],
        schedule_config={"Priority": 6},
        user_data='{"run": "{{ run_id }}"}',
    )
    # --8<-- [end:howto_ice_transcode_submit]
    # --8<-- [start:howto_ice_transcode_sensor]
    wait_transcode = IceTranscodeJobSensor(
        task_id="wait_for_transcode",
        parent_job_id=transcode.output,
        deferrable=True,
        poke_interval=2,
        timeout=600,
    )
    # --8<-- [end:howto_ice_transcode_sensor]
    # --8<-- [start:howto_ice_transcode_get]
    transcoded = IceGetTranscodeJobOperator(task_id="fetch_transcode", parent_job_id=transcode.output)
    # --8<-- [end:howto_ice_transcode_get]
    # --8<-- [start:howto_ice_transcode_list]
    latest = IceListTranscodeJobsOperator(
        task_id="list_latest_transcodes",
        status="Success",
        order_by="CreateTimeDesc",
        page_size=20,
        max_items=5,
    )
    # --8<-- [end:howto_ice_transcode_list]
    transcode >> wait_transcode >> [transcoded, latest]

    # --8<-- [start:howto_ice_snapshot_submit]
    snapshot = IceSubmitSnapshotJobOperator(
        task_id="sprite_of_interview",
        input_file={"Type": "OSS", "Media": "oss://media-in/clips/interview.mp4"},
        output_file={"Type": "OSS", "Media": "oss://media-out/sprites/interview-{TileCount}.jpg"},
        template_config={
            "TemplateId": "S00000001-100020",
            "OverwriteParams": {"Type": "Sprite", "Interval": 10,
                                "SpriteSnapshotConfig": {"Lines": 5, "Columns": 5}},
        },
        wait_for_completion=True,
        deferrable=True,
        poll_interval=2,
        wait_timeout=600,
    )
    # --8<-- [end:howto_ice_snapshot_submit]
    # --8<-- [start:howto_ice_snapshot_get]
    sprite = IceGetSnapshotJobOperator(task_id="fetch_sprite", job_id=snapshot.output)
    # --8<-- [end:howto_ice_snapshot_get]
    # --8<-- [start:howto_ice_snapshot_list]
    failed_snapshots = IceListSnapshotJobsOperator(
        task_id="list_failed_snapshots",
        status="Fail",
        start_of_create_time="{{ (dag_run.run_after - macros.timedelta(days=7)).strftime('%Y-%m-%dT%H:%M:%SZ') }}",
        max_items=10,
    )
    # --8<-- [end:howto_ice_snapshot_list]
    snapshot >> [sprite, failed_snapshots]

    # --8<-- [start:howto_ice_media_convert_submit]
    convert = IceSubmitMediaConvertJobOperator(
        task_id="convert_to_hls",
        config={
            "JobName": "interview-hls",
            "Inputs": [{"Name": "source", "InputFile": {"Type": "OSS", "Media": "oss://media-in/clips/interview.mp4"}}],
            "OutputGroups": [{
                "Name": "hls",
                "GroupConfig": {"Type": "Hls", "ManifestName": "interview",
                                "OutputFileBase": {"Type": "OSS", "Media": "oss://media-out/hls/interview/"}},
                "Outputs": [
                    {"Name": "720p", "OutputFileName": "720p", "TemplateId": "S00000001-200030"},
                    {"Name": "480p", "OutputFileName": "480p", "TemplateId": "S00000001-200020"},
                ],
            }],
        },
        client_token="{{ run_id }}-hls",
    )
    # --8<-- [end:howto_ice_media_convert_submit]
    # --8<-- [start:howto_ice_media_convert_sensor]
    wait_convert = IceMediaConvertJobSensor(
        task_id="wait_for_hls",
        job_id=convert.output,
        deferrable=True,
        poke_interval=2,
        timeout=600,
    )
    # --8<-- [end:howto_ice_media_convert_sensor]
    # --8<-- [start:howto_ice_media_convert_get_and_list]
    hls = IceGetMediaConvertJobOperator(task_id="fetch_hls", job_id=convert.output)
    recent_conversions = IceListMediaConvertJobsOperator(
        task_id="list_recent_conversions", order_by="CreateTimeDesc", max_items=5
    )
    # --8<-- [end:howto_ice_media_convert_get_and_list]
    convert >> wait_convert >> [hls, recent_conversions]
