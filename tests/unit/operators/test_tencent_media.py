"""Tencent CI media jobs over real HTTP to the emulator: each media tag submitted through
``TencentCISubmitJobOperator`` and the hook, its node echoed in the job's detail, fetched in
batches of 10, listed per tag, waited for to success and to failure (sensor poke and deferred
through the trigger), cancelled; what the emulator, playing the vendor, refuses; console links and
lineage of a media job."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from airflow_provider_mediajobs.catalog import tencent as cat
from airflow_provider_mediajobs.compat import TaskDeferred
from airflow_provider_mediajobs.exceptions import InvalidParameterError, JobFailedError
from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook
from airflow_provider_mediajobs.links import PARTS_KEY
from airflow_provider_mediajobs.operators.tencent import (
    TencentCIGetJobsOperator,
    TencentCIListJobsOperator,
    TencentCISubmitJobOperator,
)
from airflow_provider_mediajobs.sensors.tencent import TencentCIJobSensor
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.triggers.tencent import TencentCIJobTrigger
from tests.helpers import FakeTI, new_job
from tests.unit.operators.test_console_links import CI_PAGE, FakeComms, stored_link
from tests.unit.operators.test_console_links import FakeTI as LinkTI

BUCKET, REGION = "examplebucket-1250000000", "ap-beijing"
OUT = {"output_region": REGION, "output_bucket": BUCKET}
IN = "media/clip.mp4"
TEMPLATE = "t1460606b9752148c4ab182f55163ba7cd"
FRAGMENTS = [{"Url": f"https://{BUCKET}.cos.{REGION}.myqcloud.com/clips/{i}.mp4"} for i in range(2)]
# One submission per media tag, each with inline options (the shapes of cos-python-sdk-v5's demos).
INLINE: dict[str, dict[str, Any]] = {
    "Transcode": {"transcode": {"Container": {"Format": "mp4"}, "Video": {"Codec": "H.264", "Width": "1280"},
                                "Audio": {"Codec": "aac"}}, "output_object": "out/clip.mp4",
                  "watermark_template_ids": ["t1318c5f428d474afba1797f84091cbe22"]},
    "Snapshot": {"snapshot": {"Mode": "Interval", "Start": "0", "Count": "3"}, "output_object": "snap/${Number}.jpg",
                 "output_sprite_object": "sprite/${Number}.jpg"},
    "Animation": {"animation": {"Container": {"Format": "gif"}, "Video": {"Codec": "gif", "Fps": "15"}},
                  "output_object": "out/clip.gif"},
    "Concat": {"concat_template": {"ConcatFragment": FRAGMENTS, "Container": {"Format": "mp4"}},
               "output_object": "out/joined.mp4"},
    "SmartCover": {"smart_cover": {"Format": "jpg", "Count": "3"}, "output_object": "cover/${Number}.jpg"},
    "VoiceSeparate": {"voice_separate": {"AudioMode": "IsAudio", "AudioConfig": {"Codec": "mp3"}},
                      "output_au_object": "out/voice.mp3"},
    "VideoMontage": {"video_montage": {"Container": {"Format": "mp4"}, "Duration": "10"},
                     "output_object": "out/montage.mp4"},
}


def _submit(tag: str, **kwargs: Any) -> TencentCISubmitJobOperator:
    args = {"input_object": IN, **OUT, **INLINE[tag], **kwargs}
    return TencentCISubmitJobOperator(task_id=f"submit_{tag.lower()}", tag=tag, poll_interval=0.2, **args)


def _first_event(trigger: Any) -> dict[str, Any]:
    async def take() -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("no event")

    return json.loads(json.dumps(asyncio.run(asyncio.wait_for(take(), 60))))


@pytest.mark.parametrize("tag", list(INLINE))
def test_each_media_tag_is_submitted_and_its_node_echoed(mediajobs_connections: EmulatorHandle, tag: str) -> None:
    spec = cat.SUBMIT_TAG_OF[tag]
    job_id = _submit(tag).execute({})
    job = TencentCloudCIHook().get_ci_job(job_id)
    assert (job["Tag"], job["JobId"]) == (tag, job_id)
    # The job's detail holds the node as it was sent, its values as text (XML has no numbers).
    assert job["Operation"][spec.node] == json.loads(json.dumps(INLINE[tag][spec.option]))
    assert job["Operation"]["Output"]["Bucket"] == BUCKET
    assert job["QueueId"]  # no queue given: the job still names the one it runs in


def test_a_template_id_stands_for_the_options(mediajobs_connections: EmulatorHandle) -> None:
    job_id = TencentCISubmitJobOperator(task_id="s", tag="Snapshot", input_object=IN, template_id=TEMPLATE,
                                        output_object="snap/${Number}.jpg", **OUT).execute({})
    operation = TencentCloudCIHook().get_ci_job(job_id)["Operation"]
    assert operation["TemplateId"] == TEMPLATE
    assert operation["TemplateName"]  # the service names the template it used
    assert "Snapshot" not in operation


def test_media_jobs_are_fetched_ten_a_call_and_listed_per_tag(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    hook = TencentCloudCIHook()
    ids = [hook.submit_job(tag=tag, input_object=IN, **OUT, **INLINE[tag])["JobId"] for tag in INLINE]
    ids += [hook.submit_job(tag="SmartCover", input_object=IN, template_id=TEMPLATE, output_object="c.jpg",
                            **OUT)["JobId"] for _ in range(5)]
    before = emu.counters().get("op:GetJobs", 0)
    found = TencentCIGetJobsOperator(task_id="g", job_ids=ids).execute({})
    assert emu.counters().get("op:GetJobs", 0) - before == 2  # 12 ids: 10 + 2
    assert [job["JobId"] for job in found["JobsDetail"]] == ids
    listed = TencentCIListJobsOperator(task_id="l", tag="SmartCover", size=100).execute({})
    assert {job["Tag"] for job in listed} == {"SmartCover"}
    smart_covers = {ids[list(INLINE).index("SmartCover")], *ids[-5:]}
    assert smart_covers <= {job["JobId"] for job in listed}


def test_a_media_job_waited_for_in_a_poking_sensor(mediajobs_connections: EmulatorHandle) -> None:
    job_id = _submit("Transcode").execute({})
    job = TencentCIJobSensor(task_id="w", job_id=job_id, poke_interval=0.2, timeout=30, deferrable=False).execute({})
    assert (job["State"], job["Tag"]) == ("Success", "Transcode")
    assert job["Operation"]["MediaResult"]["OutputFile"]["ObjectName"] == "out/clip.mp4"


def test_a_media_submit_waits_deferred_through_the_trigger(mediajobs_connections: EmulatorHandle) -> None:
    op = _submit("VoiceSeparate", wait_for_completion=True, deferrable=True)
    ti = FakeTI()
    with pytest.raises(TaskDeferred) as deferred:
        op.execute({"ti": ti})
    trigger = deferred.value.trigger
    assert isinstance(trigger, TencentCIJobTrigger)
    event = _first_event(trigger)
    assert event["status"] == "success"
    # VoiceSeparate wrote only its voice track here: that is the job's output.
    assert event["output"] == f"cos://{BUCKET}/out/voice.mp3"
    assert op.execute_complete({"ti": ti}, event) == ti.pushed["job_id"]
    assert ti.pushed["job"]["Tag"] == "VoiceSeparate"


def test_a_failed_media_job_fails_the_wait_with_the_vendor_code(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "tencent", bucket=BUCKET, tag="Animation", input_object=IN,
                     succeed=False)
    with pytest.raises(JobFailedError, match="InvalidFile"):
        TencentCIJobSensor(task_id="w", job_id=job_id, poke_interval=0.2, timeout=30, deferrable=False).execute({})
    event = _first_event(TencentCIJobTrigger(conn_id="tencent_cloud_ci_default", job_ids={"job_ids": job_id},
                                             poll_interval=0.2))
    assert (event["status"], event["code"]) == ("failure", "InvalidFile")
    assert event["job"]["Tag"] == "Animation"


def test_a_queued_media_job_is_cancelled_and_a_running_one_refused(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    hook = TencentCloudCIHook()
    queued = hook.submit_job(tag="Concat", **OUT, **INLINE["Concat"])["JobId"]
    emu.admin("POST", f"jobs/{queued}/state", {"state": "Submitted"})  # held in the queue
    before = emu.counters().get("op:CancelJob", 0)
    hook.cancel_job(queued)
    assert emu.counters().get("op:CancelJob", 0) - before == 1
    assert hook.get_ci_job(queued)["State"] == "Cancel"
    running = new_job(emu, "tencent", bucket=BUCKET, tag="Concat", queue_s=0, run_s=3600)
    with pytest.raises(InvalidParameterError):
        hook.cancel_job_of(cat.TENCENT_CI_JOB, job_ids=running)


@pytest.mark.parametrize(("tag", "operation", "says"), [
    ("Animation", "<Output><Region>ap-beijing</Region><Bucket>{b}</Bucket><Object>a.gif</Object></Output>",
     "Operation.Animation or Operation.TemplateId is required"),
    ("Snapshot", "<Snapshot><Mode>Interval</Mode></Snapshot><Output><Region>ap-beijing</Region><Bucket>{b}</Bucket>"
     "<Object>s.jpg</Object></Output>", "Operation.Snapshot.Count is required"),
    ("VoiceSeparate", "<TemplateId>t1</TemplateId><Output><Region>ap-beijing</Region><Bucket>{b}</Bucket></Output>",
     "Operation.Output.Object or Operation.Output.AuObject is required"),
    ("Transcode", "<TemplateId>t1</TemplateId><Output><Bucket>{b}</Bucket><Object>a.mp4</Object></Output>",
     "Operation.Output.Region is required"),
    ("Transcode", "<TemplateId>t1</TemplateId>" + "<WatermarkTemplateId>w</WatermarkTemplateId>" * 4
     + "<Output><Region>ap-beijing</Region><Bucket>{b}</Bucket><Object>a.mp4</Object></Output>",
     "Operation.WatermarkTemplateId takes at most 3"),
])
def test_the_emulator_refuses_what_the_pages_refuse(mediajobs_connections: EmulatorHandle, tag: str, operation: str,
                                                    says: str) -> None:
    # Sent around the catalog's checks (call_path), to see the vendor's own answer.
    body = f"<Request><Tag>{tag}</Tag><Input><Object>{IN}</Object></Input><Operation>{operation.format(b=BUCKET)}" \
           "</Operation></Request>"
    with pytest.raises(InvalidParameterError) as refused:
        TencentCloudCIHook().call_path("POST", "/jobs", body=body)
    assert refused.value.code == "InvalidArgument"
    assert says in str(refused.value)


def test_a_media_submit_links_its_job_in_the_ci_console(mediajobs_connections: EmulatorHandle,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.sdk.execution_time import task_runner

    comms = FakeComms()
    monkeypatch.setattr(task_runner, "SUPERVISOR_COMMS", comms, raising=False)
    op, ti = _submit("Snapshot", wait_for_completion=True, deferrable=True), LinkTI()
    with pytest.raises(TaskDeferred) as deferred:
        op.execute({"ti": ti})
    (job_id,) = deferred.value.trigger.job_ids.values()
    assert stored_link(comms, ti, op) == CI_PAGE.format(bucket=BUCKET, region=REGION)
    assert comms.stored[(ti.dag_id, ti.task_id, ti.run_id, ti.map_index, PARTS_KEY)]["job_id"] == job_id


def test_media_lineage_reads_the_fragments_and_no_templated_output(mediajobs_connections: EmulatorHandle) -> None:
    concat = _submit("Concat", input_object=None, wait_for_completion=True, deferrable=False)
    concat.execute({"ti": FakeTI()})
    assert concat.job_lineage() == ([f"cos://{BUCKET}/clips/0.mp4", f"cos://{BUCKET}/clips/1.mp4"],
                                    [f"cos://{BUCKET}/out/joined.mp4"])
    snapshot = _submit("Snapshot", wait_for_completion=True, deferrable=False)
    snapshot.execute({"ti": FakeTI()})
    # snap/${Number}.jpg names as many objects as the job takes snapshots: none is reported.
    assert snapshot.job_lineage() == ([f"cos://{BUCKET}/{IN}"], [])
