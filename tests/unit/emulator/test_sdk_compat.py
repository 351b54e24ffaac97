"""The official SDKs, unchanged, pointed at the emulator, succeed and read their own result fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_mediajobs.emulator import ALIBABA_KEY, TENCENT_BUCKET, TENCENT_KEY, EmulatorServer

pytestmark = pytest.mark.sdk


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with EmulatorServer(seed_jobs=50) as server:
        yield server.url


def _tea_config(url: str):  # type: ignore[no-untyped-def]
    from alibabacloud_tea_openapi.models import Config

    return Config(endpoint=url.split("://", 1)[1], protocol="http",
                  access_key_id=ALIBABA_KEY[0], access_key_secret=ALIBABA_KEY[1], region_id="cn-shanghai")


def test_ice_list_smart_jobs(url: str) -> None:
    from alibabacloud_ice20201109.client import Client
    from alibabacloud_ice20201109.models import ListSmartJobsRequest

    resp = Client(_tea_config(url)).list_smart_jobs(ListSmartJobsRequest(page_size=10))
    assert resp.status_code == 200
    assert resp.body.request_id
    assert len(resp.body.smart_job_list) == 10
    assert all(job.job_id for job in resp.body.smart_job_list)


def test_mts_query_iproduction_job(url: str) -> None:
    from alibabacloud_mts20140618.client import Client
    from alibabacloud_mts20140618.models import QueryIProductionJobRequest, SubmitIProductionJobRequest

    client = Client(_tea_config(url))
    job_id = client.submit_iproduction_job(SubmitIProductionJobRequest(
        function_name="VideoQualityEnhancement", input="oss://b/in.mp4", output="oss://b/out.mp4")).body.job_id
    assert job_id
    body = client.query_iproduction_job(QueryIProductionJobRequest(job_id=job_id)).body
    assert body.job_id == job_id
    assert body.state in {"Queuing", "Analysing", "Success", "Fail"}


def test_imm_list_tasks(url: str) -> None:
    from alibabacloud_imm20200930.client import Client
    from alibabacloud_imm20200930.models import ListTasksRequest

    body = Client(_tea_config(url)).list_tasks(ListTasksRequest(project_name="p", max_results=5)).body
    assert body.request_id
    assert len(body.tasks) <= 5
    assert all(task.task_id for task in body.tasks)


def _cos(url: str):  # type: ignore[no-untyped-def]
    from qcloud_cos import CosConfig, CosS3Client

    return CosS3Client(CosConfig(Region=TENCENT_BUCKET[1], SecretId=TENCENT_KEY[0], SecretKey=TENCENT_KEY[1],
                                 Scheme="http", Proxies={"http": url}))


def test_cos_list_and_get_media_jobs(url: str) -> None:
    client = _cos(url)
    listed = client.ci_list_media_jobs(Bucket=TENCENT_BUCKET[0], Tag="Translation", Size=5)
    jobs = listed["JobsDetail"]
    jobs = jobs if isinstance(jobs, list) else [jobs]
    assert 1 <= len(jobs) <= 5
    first = jobs[0]["JobId"]
    got = client.ci_get_media_jobs(Bucket=TENCENT_BUCKET[0], JobIDs=first)
    detail = got["JobsDetail"]
    detail = detail if isinstance(detail, dict) else detail[0]
    assert detail["JobId"] == first


def test_cos_cancels_a_queued_job_and_the_emulator_refuses_a_running_one(url: str) -> None:
    from qcloud_cos.cos_exception import CosServiceError

    from airflow_provider_mediajobs.emulator.admin import EmulatorAdmin

    admin = EmulatorAdmin(url)
    client = _cos(url)
    queued = admin.create_job("tencent", bucket=TENCENT_BUCKET[0], queue_s=3600, run_s=3600)["job_id"]
    client.ci_cancel_jobs(Bucket=TENCENT_BUCKET[0], JobID=queued)
    detail = client.ci_get_media_jobs(Bucket=TENCENT_BUCKET[0], JobIDs=queued)["JobsDetail"]
    assert (detail if isinstance(detail, dict) else detail[0])["State"] == "Cancel"
    running = admin.create_job("tencent", bucket=TENCENT_BUCKET[0], queue_s=0, run_s=3600)["job_id"]
    with pytest.raises(CosServiceError) as refused:
        client.ci_cancel_jobs(Bucket=TENCENT_BUCKET[0], JobID=running)
    assert refused.value.get_status_code() == 400
    assert refused.value.get_error_code() == "InvalidArgument"


# -- MTS transcoding, snapshots and media info (issue 18, part 1) ----------------------------------
_MTS_IN = '{"Bucket":"mts-in","Location":"oss-cn-shanghai","Object":"in%2Fclip.mp4"}'


def test_mts_submit_jobs_query_list_and_cancel(url: str) -> None:
    import json

    from alibabacloud_mts20140618.client import Client
    from alibabacloud_mts20140618.models import (
        CancelJobRequest,
        ListJobRequest,
        QueryJobListRequest,
        SubmitJobsRequest,
    )

    from airflow_provider_mediajobs.emulator.admin import EmulatorAdmin

    client = Client(_tea_config(url))
    outputs = [{"OutputObject": f"out/{n}.mp4", "TemplateId": "S00000001-200010"} for n in ("hd", "sd")]
    submitted = client.submit_jobs(SubmitJobsRequest(input=_MTS_IN, output_bucket="mts-out",
                                                     outputs=json.dumps(outputs), pipeline_id="p1")).body
    results = submitted.job_result_list.job_result
    assert [r.success for r in results] == [True, True]
    ids = [r.job.job_id for r in results]
    assert all(ids)
    assert results[0].job.output.output_file.object == "out/hd.mp4"
    body = client.query_job_list(QueryJobListRequest(job_ids=",".join([*ids, "nosuchjob"]))).body
    assert {job.job_id for job in body.job_list.job} == set(ids)
    assert body.non_exist_job_ids.string == ["nosuchjob"]
    assert body.job_list.job[0].input.bucket == "mts-in"
    listed = client.list_job(ListJobRequest(maximum_page_size=5, state="All")).body
    assert len(listed.job_list.job) == 5
    assert listed.next_page_token
    second = client.list_job(ListJobRequest(maximum_page_size=5, next_page_token=listed.next_page_token)).body
    assert {j.job_id for j in second.job_list.job}.isdisjoint(j.job_id for j in listed.job_list.job)
    queued = EmulatorAdmin(url).create_job("mts_transcode", queue_s=3600, run_s=3600)["job_id"]
    assert client.cancel_job(CancelJobRequest(job_id=queued)).body.job_id == queued
    state = client.query_job_list(QueryJobListRequest(job_ids=queued)).body.job_list.job[0].state
    assert state == "TranscodeCancelled"


def test_mts_snapshot_job_submit_query_and_list(url: str) -> None:
    import json

    from alibabacloud_mts20140618.client import Client
    from alibabacloud_mts20140618.models import QuerySnapshotJobListRequest, SubmitSnapshotJobRequest

    client = Client(_tea_config(url))
    config = {"OutputFile": {"Bucket": "mts-out", "Location": "oss-cn-shanghai", "Object": "shots/a.jpg"},
              "Time": "5", "Num": "3", "Interval": "2"}
    job = client.submit_snapshot_job(SubmitSnapshotJobRequest(input=_MTS_IN, snapshot_config=json.dumps(config),
                                                              user_data="sdk")).body.snapshot_job
    assert job.id
    assert job.state == "Submitted"
    assert job.snapshot_config.output_file.object == "shots/a.jpg"
    body = client.query_snapshot_job_list(QuerySnapshotJobListRequest(snapshot_job_ids=f"{job.id},gone")).body
    assert [j.id for j in body.snapshot_job_list.snapshot_job] == [job.id]
    assert body.non_exist_snapshot_job_ids.string == ["gone"]
    page = client.query_snapshot_job_list(QuerySnapshotJobListRequest(maximum_page_size=3)).body
    assert len(page.snapshot_job_list.snapshot_job) == 3
    assert page.next_page_token
    assert page.snapshot_job_list.snapshot_job[0].id == job.id  # newest first


def test_mts_media_info_job_submit_and_query(url: str) -> None:
    from alibabacloud_mts20140618.client import Client
    from alibabacloud_mts20140618.models import QueryMediaInfoJobListRequest, SubmitMediaInfoJobRequest

    client = Client(_tea_config(url))
    done = client.submit_media_info_job(SubmitMediaInfoJobRequest(input=_MTS_IN, async_=False)).body.media_info_job
    assert done.job_id
    assert done.state == "Success"
    assert done.async_ is False
    assert done.properties.streams.video_stream_list.video_stream[0].codec_name == "h264"
    queued = client.submit_media_info_job(SubmitMediaInfoJobRequest(input=_MTS_IN, async_=True)).body.media_info_job
    assert queued.state == "Analyzing"
    body = client.query_media_info_job_list(QueryMediaInfoJobListRequest(
        media_info_job_ids=f"{done.job_id},{queued.job_id},gone")).body
    assert {j.job_id for j in body.media_info_job_list.media_info_job} == {done.job_id, queued.job_id}
    assert body.non_exist_media_info_job_ids.string == ["gone"]
# (end of MTS_MEDIA)


# -- ICE transcoding, snapshots and media conversion (issue 18, part 2) ----------------------------
def _ice(url: str):  # type: ignore[no-untyped-def]
    from alibabacloud_ice20201109.client import Client

    return Client(_tea_config(url))


def _ice_pin(url: str, job_id: str, state: str) -> None:
    """End the job now: pin its state on the emulator."""
    from airflow_provider_mediajobs.emulator.admin import EmulatorAdmin

    EmulatorAdmin(url).set_state(job_id, state)


def test_ice_submit_get_and_list_transcode_jobs(url: str) -> None:
    from alibabacloud_ice20201109 import models as m

    client = _ice(url)
    submitted = client.submit_transcode_job(m.SubmitTranscodeJobRequest(
        name="clip",
        input_group=[m.SubmitTranscodeJobRequestInputGroup(type="OSS", media="oss://media-in/clip.mp4")],
        output_group=[m.SubmitTranscodeJobRequestOutputGroup(
            output=m.SubmitTranscodeJobRequestOutputGroupOutput(type="OSS", media="oss://media-out/clip.mp4"),
            process_config=m.SubmitTranscodeJobRequestOutputGroupProcessConfig(
                transcode=m.SubmitTranscodeJobRequestOutputGroupProcessConfigTranscode(template_id="tpl-1")))],
        schedule_config=m.SubmitTranscodeJobRequestScheduleConfig(priority=6),
    )).body.transcode_parent_job
    parent_id = submitted.parent_job_id
    assert (bool(parent_id), submitted.status, submitted.job_count) == (True, "Init", 1)
    assert submitted.input_group[0].media == "oss://media-in/clip.mp4"
    got = client.get_transcode_job(m.GetTranscodeJobRequest(parent_job_id=parent_id)).body.transcode_parent_job
    assert got.parent_job_id == parent_id
    assert got.status in {"Init", "Processing", "Success", "Fail"}
    assert (got.name, got.schedule_config.priority) == ("clip", 6)
    sub = got.transcode_job_list[0]
    assert (sub.parent_job_id, sub.job_index, sub.output.media) == (parent_id, 0, "oss://media-out/clip.mp4")
    assert sub.process_config.transcode.template_id == "tpl-1"
    listed = client.list_transcode_jobs(m.ListTranscodeJobsRequest(page_size=5, order_by="CreateTimeDesc")).body
    assert len(listed.jobs) == 5
    assert listed.next_page_token
    assert listed.jobs[0].parent_job_id == parent_id  # newest first
    second = client.list_transcode_jobs(m.ListTranscodeJobsRequest(page_size=5,
                                                                   next_page_token=listed.next_page_token)).body
    assert {j.parent_job_id for j in second.jobs}.isdisjoint({j.parent_job_id for j in listed.jobs})
    one = client.list_transcode_jobs(m.ListTranscodeJobsRequest(parent_job_id=parent_id)).body.jobs
    assert [j.parent_job_id for j in one] == [parent_id]


def test_ice_submit_get_and_list_snapshot_jobs(url: str) -> None:
    from alibabacloud_ice20201109 import models as m

    client = _ice(url)
    job_id = client.submit_snapshot_job(m.SubmitSnapshotJobRequest(
        input=m.SubmitSnapshotJobRequestInput(type="OSS", media="oss://media-in/clip.mp4"),
        output=m.SubmitSnapshotJobRequestOutput(type="OSS", media="oss://media-out/snap/{Count}.jpg"),
        template_config=m.SubmitSnapshotJobRequestTemplateConfig(
            template_id="tpl-2", overwrite_params=m.SubmitSnapshotJobRequestTemplateConfigOverwriteParams(count=3)),
    )).body.job_id
    assert job_id
    _ice_pin(url, job_id, "Fail")
    job = client.get_snapshot_job(m.GetSnapshotJobRequest(job_id=job_id)).body.snapshot_job
    assert (job.job_id, job.status, job.count, job.template_id) == (job_id, "Fail", 3, "tpl-2")
    assert job.code
    assert job.message
    assert (job.input.oss_file.bucket, job.input.oss_file.object) == ("media-in", "clip.mp4")
    failed = client.list_snapshot_jobs(m.ListSnapshotJobsRequest(status="Fail", page_size=100)).body.jobs
    assert job_id in {j.job_id for j in failed}
    assert all(j.status == "Fail" for j in failed)
    assert [j.job_id for j in client.list_snapshot_jobs(m.ListSnapshotJobsRequest(job_id=job_id)).body.jobs] == [job_id]


def test_ice_submit_get_and_list_media_convert_jobs(url: str) -> None:
    import json

    from alibabacloud_ice20201109 import models as m

    config = {"JobName": "hls", "Inputs": [{"Name": "in", "InputFile": {"Type": "OSS", "Media": "oss://media-in/a.mp4"}}],
              "OutputGroups": [{"Name": "g", "GroupConfig": {"Type": "Hls", "OutputFileBase": {
                  "Type": "OSS", "Media": "oss://media-out/hls/"}}, "Outputs": [
                  {"Name": "720p", "OutputFileName": "720p.m3u8", "TemplateId": "tpl-3"}]}]}
    client = _ice(url)
    submitted = client.submit_media_convert_job(m.SubmitMediaConvertJobRequest(
        config=json.dumps(config), client_token="tok-1", user_data="u")).body.job
    assert submitted.job_id
    assert (submitted.state, submitted.client_token) == ("Inited", "tok-1")
    _ice_pin(url, submitted.job_id, "Complete")
    job = client.get_media_convert_job(m.GetMediaConvertJobRequest(job_id=submitted.job_id)).body.job
    assert (job.job_id, job.state, job.user_data, job.config.job_name) == (submitted.job_id, "Complete", "u", "hls")
    assert job.config.inputs[0].input_file.media == "oss://media-in/a.mp4"
    written = job.output_group_details[0].outputs[0].result.output_file
    assert (written.type, written.media) == ("OSS", "oss://media-out/hls/720p.m3u8")
    listed = client.list_media_convert_jobs(m.ListMediaConvertJobsRequest(
        status="Complete", order_by="CreateTimeDesc", page_size=3)).body
    assert listed.jobs[0].job_id == submitted.job_id
    assert all(j.state == "Complete" for j in listed.jobs)


def test_ice_refuses_what_the_sdk_sends_wrong_in_the_vendor_error_format(url: str) -> None:
    from alibabacloud_ice20201109 import models as m
    from Tea.exceptions import TeaException

    with pytest.raises(TeaException) as missing:
        _ice(url).get_media_convert_job(m.GetMediaConvertJobRequest(job_id="no-such-job"))
    assert missing.value.code == "JobNotFound"
    with pytest.raises(TeaException) as bad:
        _ice(url).submit_snapshot_job(m.SubmitSnapshotJobRequest(
            input=m.SubmitSnapshotJobRequestInput(type="oss", media="oss://media-in/a.mp4"),
            output=m.SubmitSnapshotJobRequestOutput(type="OSS", media="oss://media-out/a.jpg"),
            template_config=m.SubmitSnapshotJobRequestTemplateConfig(template_id="t")))
    assert bad.value.code == "InvalidParameter"
    with pytest.raises(TeaException) as big:
        _ice(url).list_transcode_jobs(m.ListTranscodeJobsRequest(page_size=101))
    assert big.value.code == "InvalidParameter"
# (end of ICE_MEDIA)


# -- ICE timeline editing and IProduction (issue 18, part 2) ---------------------------------------
def test_ice_media_producing_job_submit_get_and_list(url: str) -> None:
    import json

    from alibabacloud_ice20201109.client import Client
    from alibabacloud_ice20201109.models import (
        GetMediaProducingJobRequest,
        ListMediaProducingJobsRequest,
        SubmitMediaProducingJobRequest,
    )

    client = Client(_tea_config(url))
    clip = "https://media-in.oss-cn-shanghai.aliyuncs.com/clips/a.mp4"
    timeline = json.dumps({"VideoTracks": [{"VideoTrackClips": [{"MediaURL": clip}]}]})
    out = "https://media-out.oss-cn-shanghai.aliyuncs.com/edits/a.mp4"
    # The SDK sends Timeline in a form body, signed through the body's hash.
    submitted = client.submit_media_producing_job(SubmitMediaProducingJobRequest(
        timeline=timeline, output_media_config=json.dumps({"MediaURL": out}))).body
    assert submitted.job_id
    assert submitted.project_id
    assert submitted.media_id
    job = client.get_media_producing_job(GetMediaProducingJobRequest(job_id=submitted.job_id)).body.media_producing_job
    assert job.job_id == submitted.job_id
    assert job.status in {"Init", "Queuing", "Processing", "Success", "Failed"}
    assert json.loads(job.timeline)["VideoTracks"][0]["VideoTrackClips"][0]["MediaURL"] == clip
    assert job.media_url == out
    first = client.list_media_producing_jobs(ListMediaProducingJobsRequest(max_results=3)).body
    assert len(first.media_producing_job_list) == 3
    assert first.next_token
    second = client.list_media_producing_jobs(ListMediaProducingJobsRequest(max_results=3,
                                                                            next_token=first.next_token)).body
    seen = [j.job_id for j in first.media_producing_job_list + second.media_producing_job_list]
    assert len(set(seen)) == 6
    assert first.media_producing_job_list[0].job_id == submitted.job_id  # newest first by default


def test_ice_iproduction_job_submit_query_and_cancel(url: str) -> None:
    from alibabacloud_ice20201109.client import Client
    from alibabacloud_ice20201109.models import (
        CancelIProductionJobRequest,
        QueryIProductionJobRequest,
        SubmitIProductionJobRequest,
        SubmitIProductionJobRequestInput,
        SubmitIProductionJobRequestOutput,
        SubmitIProductionJobRequestScheduleConfig,
    )
    from alibabacloud_tea_openapi.exceptions import ClientException

    from airflow_provider_mediajobs.emulator.admin import EmulatorAdmin

    client = Client(_tea_config(url))
    job_id = client.submit_iproduction_job(SubmitIProductionJobRequest(
        function_name="Cover", input=SubmitIProductionJobRequestInput(type="OSS", media="oss://media-in/a.mp4"),
        output=SubmitIProductionJobRequestOutput(type="OSS", media="oss://media-out/a.jpg"),
        schedule_config=SubmitIProductionJobRequestScheduleConfig(pipeline_id="p1", priority=5))).body.job_id
    body = client.query_iproduction_job(QueryIProductionJobRequest(job_id=job_id)).body
    assert body.job_id == job_id
    assert body.function_name == "Cover"
    assert body.status in {"Queuing", "Analyzing", "Success", "Fail"}
    assert (body.input.type, body.input.media, body.output.media) == ("OSS", "oss://media-in/a.mp4",
                                                                      "oss://media-out/a.jpg")
    assert body.schedule_config.priority == 5
    admin = EmulatorAdmin(url)
    queued = admin.create_job("ice_iproduction", queue_s=3600, run_s=3600)["job_id"]
    assert client.cancel_iproduction_job(CancelIProductionJobRequest(job_id=queued)).body.message == "Success"
    assert client.query_iproduction_job(QueryIProductionJobRequest(job_id=queued)).body.status == "Fail"
    ended = admin.create_job("ice_iproduction", queue_s=0, run_s=0)["job_id"]
    with pytest.raises(ClientException) as refused:
        client.cancel_iproduction_job(CancelIProductionJobRequest(job_id=ended))
    assert refused.value.code == "InvalidParameter"
# (end of ICE_EDITING)


# -- IMM Create*Task (issue 18, part 3) ------------------------------------------------------------
def _imm_requests():  # type: ignore[no-untyped-def]
    """Each Create*Task request, built with the SDK's own models, and the TaskType it creates."""
    from alibabacloud_imm20200930 import models as m

    notification = m.Notification(mns=m.MNS(topic_name="imm-tasks"))
    return [
        ("create_media_convert_task", "MediaConvert", m.CreateMediaConvertTaskRequest(
            project_name="p", sources=[m.CreateMediaConvertTaskRequestSources(uri="oss://media-in/a.mp4")],
            targets=[m.CreateMediaConvertTaskRequestTargets(
                uri="oss://media-out/a", container="mp4",
                video=m.TargetVideo(transcode_video=m.TargetVideoTranscodeVideo(codec="h264", crf=23.0)))],
            notification=notification, tags={"team": "media"}, user_data="u1")),
        ("create_video_label_classification_task", "VideoLabelClassification",
         m.CreateVideoLabelClassificationTaskRequest(project_name="p", source_uri="oss://media-in/a.mp4",
                                                     notification=notification)),
        ("create_figure_clustering_task", "FaceClustering",
         m.CreateFigureClusteringTaskRequest(project_name="p", dataset_name="faces")),
        ("create_office_conversion_task", "OfficeConversion", m.CreateOfficeConversionTaskRequest(
            project_name="p", source_uri="oss://docs-in/a.docx", target_type="pdf",
            target_uri="oss://docs-out/{barename}.pdf", trim_policy=m.TrimPolicy(disable_delete_empty_cell=True))),
        ("create_file_compression_task", "FileCompression", m.CreateFileCompressionTaskRequest(
            project_name="p", target_uri="oss://docs-out/all.zip",
            sources=[m.CreateFileCompressionTaskRequestSources(uri="oss://docs-in/", mode="prefix")])),
    ]


@pytest.mark.parametrize("index", range(5))
def test_imm_create_task_then_get_task(url: str, index: int) -> None:
    from alibabacloud_imm20200930.client import Client
    from alibabacloud_imm20200930.models import GetTaskRequest, ListTasksRequest

    method, task_type, request = _imm_requests()[index]
    client = Client(_tea_config(url))
    created = getattr(client, method)(request).body
    assert created.request_id
    assert created.task_id
    assert created.event_id
    got = client.get_task(GetTaskRequest(project_name="p", task_id=created.task_id, task_type=task_type)).body
    assert (got.task_id, got.task_type, got.project_name) == (created.task_id, task_type, "p")
    assert got.status in {"Running", "Succeeded", "Failed"}
    assert got.event_id == created.event_id
    assert got.user_data == (request.user_data or "")
    listed = client.list_tasks(ListTasksRequest(project_name="p", task_types=[task_type], max_results=100)).body
    assert created.task_id in {task.task_id for task in listed.tasks}


def test_imm_create_task_refusals_reach_the_sdk_as_its_errors(url: str) -> None:
    from alibabacloud_imm20200930.client import Client
    from alibabacloud_imm20200930.models import CreateOfficeConversionTaskRequest
    from Tea.exceptions import TeaException

    with pytest.raises(TeaException) as refused:  # TargetURI and TargetURIPrefix: exactly one
        Client(_tea_config(url)).create_office_conversion_task(CreateOfficeConversionTaskRequest(
            project_name="p", source_uri="oss://docs-in/a.docx", target_type="pdf"))
    assert refused.value.code == "InvalidParameter"
# (end of IMM_TASKS)


# -- Tencent CI media processing (issue 18, part 4) ------------------------------------------------
def _media_job(**operation: Any) -> dict[str, Any]:
    # A media job body in the shape cos-python-sdk-v5's demo/ci_media.py gives ci_create_media_jobs.
    return {"Input": {"Object": "media/clip.mp4"},
            "Operation": {**operation, "Output": {"Region": TENCENT_BUCKET[1], "Bucket": TENCENT_BUCKET[0],
                                                   "Object": operation.pop("_object", "media/out.mp4")}}}


def test_cos_submits_gets_lists_and_cancels_media_jobs(url: str) -> None:
    from airflow_provider_mediajobs.emulator.admin import EmulatorAdmin

    admin = EmulatorAdmin(url)
    client = _cos(url)
    transcode = client.ci_create_media_jobs(
        Bucket=TENCENT_BUCKET[0], Lst={}, ContentType="application/xml",
        Jobs={"Tag": "Transcode", **_media_job(Transcode={
            "Container": {"Format": "mp4"}, "Video": {"Codec": "H.264", "Width": "1280"},
            "Audio": {"Codec": "aac", "Samplerate": "44100"}, "TimeInterval": {"Start": "0", "Duration": "60"}})})
    snapshot = client.ci_create_media_jobs(
        Bucket=TENCENT_BUCKET[0], Lst={}, ContentType="application/xml",
        Jobs={"Tag": "Snapshot", **_media_job(TemplateId="t02db40900dc1c43ad9bdbd8acec6075c5",
                                              _object="media/snap-${Number}.jpg")})
    transcoded, snapped = transcode["JobsDetail"][0], snapshot["JobsDetail"][0]
    assert (transcoded["Tag"], snapped["Tag"]) == ("Transcode", "Snapshot")
    # The job's Operation echoes the node it was submitted with, and a template id with its name.
    assert transcoded["Operation"]["Transcode"]["Video"] == {"Codec": "H.264", "Width": "1280"}
    assert snapped["Operation"]["TemplateId"] == "t02db40900dc1c43ad9bdbd8acec6075c5"
    assert snapped["Operation"]["TemplateName"]
    ids = [transcoded["JobId"], snapped["JobId"]]

    before = admin.counters().get("op:GetJobs", 0)
    got = client.ci_get_media_jobs(Bucket=TENCENT_BUCKET[0], JobIDs=",".join(ids))
    assert admin.counters().get("op:GetJobs", 0) - before == 1  # both jobs in one call
    assert [job["JobId"] for job in got["JobsDetail"]] == ids
    assert got["JobsDetail"][1]["Operation"]["Output"]["Object"] == "media/snap-${Number}.jpg"

    listed = client.ci_list_media_jobs(Bucket=TENCENT_BUCKET[0], Tag="Transcode", Size=100)
    assert transcoded["JobId"] in [job["JobId"] for job in listed["JobsDetail"]]
    assert {job["Tag"] for job in listed["JobsDetail"]} == {"Transcode"}

    admin.set_state(transcoded["JobId"], "Submitted")  # held in the queue, whatever the clock says
    client.ci_cancel_jobs(Bucket=TENCENT_BUCKET[0], JobID=transcoded["JobId"])
    detail = client.ci_get_media_jobs(Bucket=TENCENT_BUCKET[0], JobIDs=transcoded["JobId"])["JobsDetail"]
    assert (detail if isinstance(detail, dict) else detail[0])["State"] == "Cancel"


def test_cos_media_job_without_its_node_or_a_template_is_refused(url: str) -> None:
    from qcloud_cos.cos_exception import CosServiceError

    with pytest.raises(CosServiceError) as refused:
        _cos(url).ci_create_media_jobs(Bucket=TENCENT_BUCKET[0], Lst={}, ContentType="application/xml",
                                       Jobs={"Tag": "Animation", **_media_job()})
    assert refused.value.get_status_code() == 400
    assert refused.value.get_error_code() == "InvalidArgument"
    assert "Operation.Animation or Operation.TemplateId" in refused.value.get_error_msg()
# (end of TENCENT_MEDIA)
