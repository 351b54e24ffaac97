"""The emulator's ICE transcoding, snapshot and media convert jobs over real HTTP: states that move
with time, paging by NextPageToken, the listings' filters and limits, and refusals in the vendor's
error format (sent around the catalog's checks, through ``call_action``)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from airflow_provider_mediajobs.exceptions import InvalidParameterError, NotFoundError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.testing import EmulatorHandle
from tests.helpers import new_job

OUTPUT_GROUP = [{"Output": {"Type": "OSS", "Media": "oss://media-out/a.mp4"},
                 "ProcessConfig": {"Transcode": {"TemplateId": "t"}}}]
# Per kind: the emulator's kind, the get call, and where its answer holds the job, id and state.
KINDS: dict[str, tuple[str, Any, str, str, str]] = {
    "transcode": ("ice_transcode", lambda h, j: h.get_transcode_job(j), "TranscodeParentJob", "ParentJobId",
                  "Status"),
    "snapshot": ("ice_snapshot", lambda h, j: h.get_snapshot_job(j), "SnapshotJob", "JobId", "Status"),
    "media_convert": ("ice_media_convert", lambda h, j: h.get_media_convert_job(j), "Job", "JobId", "State"),
}
LISTINGS = {"transcode": "list_transcode_jobs", "snapshot": "list_ice_snapshot_jobs",
            "media_convert": "list_media_convert_jobs"}


def _state(kind: str, job_id: str) -> str:
    _, get, under, id_key, state_key = KINDS[kind]
    job = get(AlibabaCloudMediaHook(), job_id)[under]
    assert job[id_key] == job_id
    return str(job[state_key])


@pytest.mark.parametrize(("kind", "queued", "running", "success", "failure"), [
    ("transcode", "Init", "Processing", "Success", "Fail"),
    ("snapshot", "Init", "Init", "Success", "Fail"),
    ("media_convert", "Inited", "Running", "Complete", "Error"),
])
def test_states_move_from_queued_through_running_to_the_outcome(
    mediajobs_connections: EmulatorHandle, kind: str, queued: str, running: str, success: str, failure: str
) -> None:
    # Each job placed at its point of the timeline by its creation time: a state read from the clock,
    # with no race against a loaded machine (a 0.3 s queue was already over by the first look).
    emu, name, now = mediajobs_connections, KINDS[kind][0], time.time()
    at_queue = new_job(emu, name, queue_s=3600, run_s=3600)
    at_run = new_job(emu, name, created=now - 60, queue_s=1, run_s=3600)
    ended = new_job(emu, name, created=now - 60, queue_s=1, run_s=1)
    failed = new_job(emu, name, created=now - 60, queue_s=1, run_s=1, succeed=False)
    assert [_state(kind, job) for job in (at_queue, at_run, ended, failed)] == [queued, running, success, failure]


def test_a_failed_job_carries_a_code_and_message_where_its_model_has_them(
    mediajobs_connections: EmulatorHandle,
) -> None:
    hook, emu = AlibabaCloudMediaHook(), mediajobs_connections
    snap = new_job(emu, "ice_snapshot", queue_s=0, run_s=0, succeed=False)
    convert = new_job(emu, "ice_media_convert", queue_s=0, run_s=0, succeed=False)
    assert hook.get_snapshot_job(snap)["SnapshotJob"]["Code"]
    job = hook.get_media_convert_job(convert)["Job"]
    assert job["Code"]
    assert job["Message"]
    assert all(detail["Status"] == "Failed" for detail in job["OutputDetails"])


def test_a_transcoding_job_has_one_sub_job_per_output(mediajobs_connections: EmulatorHandle) -> None:
    hook = AlibabaCloudMediaHook()
    two = [OUTPUT_GROUP[0], {**OUTPUT_GROUP[0], "Output": {"Type": "OSS", "Media": "oss://media-out/b.mp4"}}]
    parent = hook.submit_transcode_job(input_group=[{"Type": "OSS", "Media": "oss://media-in/a.mp4"}],
                                       output_group=two, name="two")["TranscodeParentJob"]
    assert (parent["Status"], parent["JobCount"], parent["Name"]) == ("Init", 2, "two")
    subs = hook.get_transcode_job(parent["ParentJobId"])["TranscodeParentJob"]["TranscodeJobList"]
    assert [s["Output"]["Media"] for s in subs] == ["oss://media-out/a.mp4", "oss://media-out/b.mp4"]
    assert [s["JobIndex"] for s in subs] == [0, 1]
    assert len({s["JobId"] for s in subs}) == 2
    # A listing item is the parent without its sub-jobs (ListTranscodeJobsResponseBodyJobs).
    (item,) = hook.list_transcode_jobs(parent_job_id=parent["ParentJobId"])
    assert "TranscodeJobList" not in item
    assert item["JobCount"] == 2


@pytest.mark.parametrize("kind", list(LISTINGS))
def test_listings_page_by_next_page_token_newest_first_and_filter(mediajobs_connections: EmulatorHandle,
                                                                  kind: str) -> None:
    emu, hook = mediajobs_connections, AlibabaCloudMediaHook()
    emu.reset(seed_jobs=0)  # only the jobs made here
    listing = getattr(hook, LISTINGS[kind])
    id_key = KINDS[kind][3]
    now = time.time()
    made = [new_job(emu, KINDS[kind][0], created=now - 60 * i, queue_s=0, run_s=0, succeed=i % 2 == 0)
            for i in range(7)]
    start = datetime.fromtimestamp(now - 60 * 6 - 1, UTC)
    assert [j[id_key] for j in listing()] == made
    newest = listing(start_of_create_time=start, page_size=3)
    assert [j[id_key] for j in newest] == made  # newest first, all seven, across three pages
    oldest = listing(start_of_create_time=start, order_by="CreateTimeAsc", page_size=100)
    assert [j[id_key] for j in oldest] == made[::-1]
    window = listing(start_of_create_time=start, end_of_create_time=datetime.fromtimestamp(now - 60 * 2 + 1, UTC))
    assert [j[id_key] for j in window] == made[2:]
    failed = "Error" if kind == "media_convert" else "Fail"
    assert [j[id_key] for j in listing(start_of_create_time=start, status=failed)] == made[1::2]
    one_id = "parent_job_id" if kind == "transcode" else "job_id"
    assert [j[id_key] for j in listing(**{one_id: made[3]})] == [made[3]]


@pytest.mark.parametrize("action", ["ListTranscodeJobs", "ListSnapshotJobs", "ListMediaConvertJobs"])
def test_listings_take_a_page_of_at_most_100_and_pages_of_20_by_default(mediajobs_connections: EmulatorHandle,
                                                                        action: str) -> None:
    hook = AlibabaCloudMediaHook()
    answer = hook.call_action("ice", action, {}, idempotent=True)
    assert len(answer["Jobs"]) == 20
    assert answer["NextPageToken"]
    assert len(hook.call_action("ice", action, {"PageSize": 100}, idempotent=True)["Jobs"]) == 100
    for refused in ({"PageSize": 101}, {"PageSize": 0}, {"NextPageToken": "garbage"}, {"OrderBy": "desc"},
                    {"Status": "Processing"}, {"StartOfCreateTime": "yesterday"}):
        with pytest.raises(InvalidParameterError):
            hook.call_action("ice", action, refused, idempotent=True)


@pytest.mark.parametrize(("action", "params"), [
    ("SubmitTranscodeJob", {"OutputGroup": OUTPUT_GROUP}),
    ("SubmitTranscodeJob", {"InputGroup": [{"Type": "oss", "Media": "m"}], "OutputGroup": OUTPUT_GROUP}),
    ("SubmitTranscodeJob", {"InputGroup": [{"Type": "OSS", "Media": "m"}], "OutputGroup": [
        {"Output": {"Type": "OSS", "Media": "oss://media-out/a.mp4"}, "ProcessConfig": {}}]}),
    ("SubmitTranscodeJob", {"InputGroup": "[{", "OutputGroup": OUTPUT_GROUP}),
    ("SubmitTranscodeJob", {"InputGroup": [{"Type": "OSS", "Media": "m"}], "OutputGroup": OUTPUT_GROUP,
                            "UserData": "u" * 513}),
    ("SubmitSnapshotJob", {"Input": {"Type": "OSS", "Media": "m"}, "Output": {"Type": "OSS", "Media": "o"}}),
    ("SubmitSnapshotJob", {"Input": {"Media": "m"}, "Output": {"Type": "OSS", "Media": "o"},
                           "TemplateConfig": {"TemplateId": "t"}}),
    ("SubmitMediaConvertJob", {"Config": {"Outputs": []}}),
    ("SubmitMediaConvertJob", {"Config": {"Inputs": [{"InputFile": {"Type": "Url", "Media": "m"}}]}}),
])
def test_a_submission_the_service_cannot_run_is_refused_and_makes_no_job(
    mediajobs_connections: EmulatorHandle, action: str, params: dict[str, Any]
) -> None:
    emu = mediajobs_connections
    before = len(emu.backend.jobs)
    with pytest.raises(InvalidParameterError) as refused:
        AlibabaCloudMediaHook().call_action("ice", action, params)
    assert refused.value.code in {"InvalidParameter", "MissingParameter"}
    assert refused.value.request_id
    assert len(emu.backend.jobs) == before


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_unknown_id_is_not_found(mediajobs_connections: EmulatorHandle, kind: str) -> None:
    with pytest.raises(NotFoundError):
        KINDS[kind][1](AlibabaCloudMediaHook(), "no-such-job")


def test_each_call_is_counted_under_its_action(mediajobs_connections: EmulatorHandle) -> None:
    emu, hook = mediajobs_connections, AlibabaCloudMediaHook()
    job_id = hook.submit_ice_snapshot_job(input={"Type": "Media", "Media": "m1"},
                                      output={"Type": "OSS", "Media": "oss://media-out/a.jpg"},
                                      template_config={"TemplateId": "t"})["JobId"]
    hook.get_snapshot_job(job_id)
    hook.list_ice_snapshot_jobs(job_id=job_id)
    counters = emu.counters()
    actions = ("SubmitSnapshotJob", "GetSnapshotJob", "ListSnapshotJobs")
    assert [counters.get(f"op:{action}", 0) for action in actions] == [1, 1, 1]
