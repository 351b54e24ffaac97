"""What each job kind says a job read and wrote (``JobKind.inputs`` and ``JobKind.output``), from
the details the vendors answer: as the hooks parse the emulator's answers, and the vendors' own
documented samples."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_mediajobs.catalog import alibaba, tencent
from airflow_provider_mediajobs.catalog.wire import HttpResponse
from airflow_provider_mediajobs.emulator import TENCENT_BUCKET
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook
from airflow_provider_mediajobs.testing import EmulatorHandle
from tests.helpers import new_job

BUCKET = TENCENT_BUCKET[0]


class Bucket:
    """The connection's bucket, counting how often a kind asks for it."""

    def __init__(self, name: str | None) -> None:
        self.name, self.asked = name, 0

    def __call__(self) -> str | None:
        self.asked += 1
        return self.name


def _no_bucket() -> str | None:
    raise AssertionError("an Alibaba kind asked for a bucket: its details name their objects whole")


def test_mts_reads_its_input_and_writes_its_output(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "mts", input="oss://media-in/clips/a.mp4",
                     output="oss://media-out/enhanced/a.mp4")
    job = AlibabaCloudMediaHook().get_job(alibaba.MTS_IPRODUCTION_JOB, job_id=job_id)
    kind = alibaba.MTS_IPRODUCTION_JOB
    assert kind.inputs(job, _no_bucket) == ("oss://media-in/clips/a.mp4",)
    assert kind.output(job) == "oss://media-out/enhanced/a.mp4"


@pytest.mark.parametrize(("field", "value"), [
    ("Output", "oss://media-out/frames/{Count}.jpg"),  # a template names no one object
    ("Output", "https://media-out.oss-cn-shanghai.aliyuncs.com/a.mp4"),
    ("Input", "oss://in/a.mp4"),  # "in" is no OSS bucket: Asset() would refuse it
    ("Input", ""),
])
def test_mts_reports_no_object_a_uri_cannot_name(field: str, value: str) -> None:
    job = {"JobId": "j", "State": "Success", "Input": "oss://media-in/a.mp4", "Output": "oss://media-out/a.mp4",
           field: value}
    kind = alibaba.MTS_IPRODUCTION_JOB
    reported = {"Input": kind.inputs(job, _no_bucket), "Output": kind.output(job)}
    assert reported[field] in ((), None)
    assert reported["Output" if field == "Input" else "Input"]  # the other field still counts


def test_ice_smart_job_reads_its_input_file_and_writes_its_output_config(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "ice_smart", output_bucket="media-out", output_object="/asr/a.json")
    job = AlibabaCloudMediaHook().get_job(alibaba.ICE_SMART_JOB, job_id=job_id)
    kind = alibaba.ICE_SMART_JOB
    # The emulator's smart jobs read oss://seed-in/{job id}.mp4 (its InputConfig.InputFile).
    assert kind.inputs(job, _no_bucket) == (f"oss://seed-in/{job_id}.mp4",)
    assert kind.output(job) == "oss://media-out/asr/a.json"


def test_ice_smart_job_input_that_is_a_media_id_is_no_object() -> None:
    job = {"JobId": "j", "State": "Finished", "SmartJobInfo": {"InputConfig": {"InputFile": "****20b48fb04483****"}}}
    assert alibaba.ICE_SMART_JOB.inputs(job, _no_bucket) == ()


def test_imm_task_detail_names_no_object(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "imm", project_name="media-archive", task_type="FaceClustering")
    job = AlibabaCloudMediaHook().get_job(alibaba.IMM_TASK, project_name="media-archive", task_id=job_id,
                                          task_type="FaceClustering")
    assert alibaba.IMM_TASK.inputs(job, _no_bucket) == ()
    assert alibaba.IMM_TASK.output(job) is None
    # Nothing was missed: GetTask's detail holds no object URI to report.
    assert not [v for v in job.values() if isinstance(v, str) and "://" in v]


def test_tencent_job_reads_its_input_from_the_connection_bucket(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "tencent", bucket=BUCKET, tag="Translation",
                     input_object="docs/press.txt", output_object="translated/press.en.txt")
    job = TencentCloudCIHook().get_job(tencent.TENCENT_CI_JOB, job_ids=job_id)
    kind, bucket = tencent.TENCENT_CI_JOB, Bucket(BUCKET)
    assert kind.inputs(job, bucket) == (f"cos://{BUCKET}/docs/press.txt",)
    assert bucket.asked == 1
    assert kind.output(job) == f"cos://{BUCKET}/translated/press.en.txt"


def test_tencent_words_generalize_writes_no_object(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "tencent", bucket=BUCKET, tag="WordsGeneralize", input_object="t.txt")
    job = TencentCloudCIHook().get_job(tencent.TENCENT_CI_JOB, job_ids=job_id)
    assert tencent.TENCENT_CI_JOB.inputs(job, Bucket(BUCKET)) == (f"cos://{BUCKET}/t.txt",)
    assert tencent.TENCENT_CI_JOB.output(job) is None  # its result is in the answer


# The DescribeMediaJob page's sample answer (tencentcloud.com/document/product/1045/43688), as sent.
DESCRIBE_MEDIA_JOB_SAMPLE = (
    b"<Response><JobsDetail><Code>Success</Code><Message>Success</Message>"
    b"<JobId>je8f65004eb8511eaaed4f377124a303c</JobId><State>Submitted</State>"
    b"<CreationTime>2019-07-07T12:12:12+0800</CreationTime><EndTime>2019-07-07T12:12:12+0800</EndTime>"
    b"<QueueId>p893bcda225bf4945a378da6662e81a89</QueueId><Tag>Animation</Tag><Input><Object>test.mp4</Object>"
    b"</Input><Operation><TemplateId>t1460606b9752148c4ab182f55163ba7cd</TemplateId><Output>"
    b"<Region>ap-beijing</Region><Bucket>abc-1250000000</Bucket><Object>test-trans.gif</Object></Output>"
    b"</Operation></JobsDetail></Response>"
)


@pytest.mark.parametrize(("connection_bucket", "inputs"), [
    ("bucket-1250000000", ("cos://bucket-1250000000/test.mp4",)),
    (None, ()),  # the connection could not be read: the input's bucket is unknown, so no input
])
def test_tencent_documented_sample(connection_bucket: str | None, inputs: tuple[str, ...]) -> None:
    protocol = tencent.TencentProtocol(tencent.TencentCredentials("id", "key"), "ap-beijing", "bucket-1250000000")
    answer = protocol.parse(tencent.GET_JOBS, HttpResponse(200, {"content-type": "application/xml"},
                                                           DESCRIBE_MEDIA_JOB_SAMPLE))
    job = tencent.TENCENT_CI_JOB.find(answer, "je8f65004eb8511eaaed4f377124a303c")
    assert job is not None
    assert tencent.TENCENT_CI_JOB.inputs(job, Bucket(connection_bucket)) == inputs
    # The output names its own bucket, whatever the connection's.
    assert tencent.TENCENT_CI_JOB.output(job) == "cos://abc-1250000000/test-trans.gif"


def test_a_tencent_job_without_input_does_not_ask_for_the_bucket() -> None:
    bucket = Bucket(BUCKET)
    assert tencent.TENCENT_CI_JOB.inputs({"JobId": "j", "State": "Success"}, bucket) == ()
    assert bucket.asked == 0


@pytest.mark.parametrize("kind", [alibaba.MTS_IPRODUCTION_JOB, alibaba.ICE_SMART_JOB, alibaba.IMM_TASK,
                                  tencent.TENCENT_CI_JOB], ids=lambda k: k.name)
@pytest.mark.parametrize("hostile", [
    {"Input": ["oss://media-in/a.mp4"], "SmartJobInfo": "not an object", "Operation": 7},
    {"Input": {"Object": {"nested": "x"}}, "SmartJobInfo": {"InputConfig": None}, "Output": None},
])
def test_odd_details_give_no_objects_rather_than_errors(kind: Any, hostile: dict[str, Any]) -> None:
    job = {"JobId": "j", "TaskId": "j", "State": "Success", "Status": "Succeeded", **hostile}
    bucket: Callable[[], str | None] = Bucket(BUCKET)
    assert kind.inputs(job, bucket) == ()
    assert kind.output(job) is None
    kind.check(job, "j")  # what a fetch checks reads them too, without failing
