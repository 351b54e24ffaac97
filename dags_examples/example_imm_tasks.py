"""IMM tasks: transcode a clip and detect its labels with IMM's Create*Task actions, wait for both from
the triggerer, read the transcoding task back; convert a document to PDF and wait for it in the
same task; pack the results into a zip; list what this run created.

Every task is an ``ImmCreateTaskOperator``, the Create*Task action chosen by ``imm_task_type``.
Runs as is against the local emulator (``make demo``) or a real account: only the
``alibaba_cloud_media_default`` connection and the project and bucket names differ.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG

from airflow_provider_mediajobs.operators.alibaba import ImmCreateTaskOperator, ImmGetTaskOperator, ImmListTasksOperator
from airflow_provider_mediajobs.sensors.alibaba import ImmTaskSensor

PROJECT = "media-archive"

with DAG(
    dag_id="example_imm_tasks",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["example", "alibaba", "imm", "mediajobs"],
    doc_md=__doc__,
):
    # --8<-- [start:howto_imm_media_convert]
    transcode = ImmCreateTaskOperator(
        task_id="transcode_clip",
        imm_task_type="MediaConvert",
        project_name=PROJECT,
        sources=[{"URI": "oss://media-in/clips/interview.mp4"}],
        targets=[{
            "URI": "oss://media-out/imm/interview-720p",  # no extension: the container's is added
            "Container": "mp4",
            "Video": {"TranscodeVideo": {"Codec": "h264", "Resolution": "1280x720", "CRF": 23}},
            "Audio": {"TranscodeAudio": {"Codec": "aac", "Bitrate": 128000}},
        }],
        tags={"pipeline": "interviews"},
        user_data="{{ run_id }}",
    )
    # --8<-- [end:howto_imm_media_convert]
    # --8<-- [start:howto_imm_video_labels]
    labels = ImmCreateTaskOperator(
        task_id="detect_labels",
        imm_task_type="VideoLabelClassification",
        project_name=PROJECT,
        source_uri="oss://media-in/clips/interview.mp4",
    )
    # --8<-- [end:howto_imm_video_labels]
    # --8<-- [start:howto_imm_wait_created]
    wait_transcode = ImmTaskSensor(
        task_id="wait_for_transcode",
        project_name=PROJECT,
        imm_task_id=transcode.output,
        imm_task_type="MediaConvert",
        deferrable=True,
        poke_interval=2,
        timeout=3600,
    )
    # --8<-- [end:howto_imm_wait_created]
    wait_labels = ImmTaskSensor(
        task_id="wait_for_labels",
        project_name=PROJECT,
        imm_task_id=labels.output,
        imm_task_type="VideoLabelClassification",
        deferrable=True,
        poke_interval=2,
        timeout=3600,
    )
    transcoded = ImmGetTaskOperator(
        task_id="read_transcode_task",
        project_name=PROJECT,
        imm_task_id=transcode.output,
        imm_task_type="MediaConvert",
    )
    # --8<-- [start:howto_imm_office_conversion]
    to_pdf = ImmCreateTaskOperator(
        task_id="convert_script_to_pdf",
        imm_task_type="OfficeConversion",
        project_name=PROJECT,
        source_uri="oss://media-in/docs/interview-script.docx",
        target_type="pdf",
        target_uri="oss://media-out/docs/interview-script.pdf",
        wait_for_completion=True,
        deferrable=True,
        poll_interval=2,
        wait_timeout=3600,
    )
    # --8<-- [end:howto_imm_office_conversion]
    # --8<-- [start:howto_imm_file_compression]
    pack = ImmCreateTaskOperator(
        task_id="pack_results",
        imm_task_type="FileCompression",
        project_name=PROJECT,
        target_uri="oss://media-out/packs/{{ ds_nodash }}.zip",
        sources=[
            {"URI": "oss://media-out/imm/interview-720p.mp4", "Mode": "fullname", "Alias": "/video.mp4"},
            {"URI": "oss://media-out/docs/interview-script.pdf", "Mode": "fullname", "Alias": "/script.pdf"},
        ],
    )
    # --8<-- [end:howto_imm_file_compression]
    created = ImmListTasksOperator(
        task_id="list_created_tasks",
        project_name=PROJECT,
        task_types=["MediaConvert", "VideoLabelClassification", "OfficeConversion", "FileCompression"],
        sort="StartTime",
        order="desc",
        max_items=10,
    )
    transcode >> wait_transcode >> transcoded
    labels >> wait_labels
    [wait_transcode, to_pdf] >> pack >> created
