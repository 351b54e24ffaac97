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
# (tests of MTS_MEDIA go here)
# (end of MTS_MEDIA)


# -- ICE transcoding, snapshots and media conversion (issue 18, part 2) ----------------------------
# (tests of ICE_MEDIA go here)
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
# (tests of IMM_TASKS go here)
# (end of IMM_TASKS)


# -- Tencent CI media processing (issue 18, part 4) ------------------------------------------------
# (tests of TENCENT_MEDIA go here)
# (end of TENCENT_MEDIA)
