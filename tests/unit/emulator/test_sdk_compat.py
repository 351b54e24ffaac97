"""The official SDKs, unchanged, pointed at the emulator, succeed and read their own result fields."""

from __future__ import annotations

from collections.abc import Iterator

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
# (tests of ICE_MEDIA go here)
# (end of ICE_MEDIA)


# -- ICE timeline editing and IProduction (issue 18, part 2) ---------------------------------------
# (tests of ICE_EDITING go here)
# (end of ICE_EDITING)


# -- IMM Create*Task (issue 18, part 3) ------------------------------------------------------------
# (tests of IMM_TASKS go here)
# (end of IMM_TASKS)


# -- Tencent CI media processing (issue 18, part 4) ------------------------------------------------
# (tests of TENCENT_MEDIA go here)
# (end of TENCENT_MEDIA)
