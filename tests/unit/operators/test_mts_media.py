"""MTS transcoding, snapshot and media info jobs (issue 18, part 1): the catalog's reading of their
answers, the hook methods and operators against the emulator over real HTTP, and their lineage."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.catalog import tencent as ci
from airflow_provider_mediajobs.emulator.backend import JOB_KINDS
from airflow_provider_mediajobs.exceptions import (
    BadResponseError,
    CancelNotSupportedError,
    InvalidParameterError,
    MediaJobsValidationError,
    NotFoundError,
    VendorError,
)
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.operators.alibaba import (
    MtsCancelJobOperator,
    MtsListJobOperator,
    MtsQueryJobListOperator,
    MtsQueryMediaInfoJobListOperator,
    MtsQuerySnapshotJobListOperator,
    MtsSubmitJobsOperator,
    MtsSubmitMediaInfoJobOperator,
    MtsSubmitSnapshotJobOperator,
)
from airflow_provider_mediajobs.testing import EmulatorHandle
from tests.helpers import FakeStateStore, FakeTI, new_job

IN = {"Bucket": "media-in", "Location": "oss-cn-shanghai", "Object": "clips/caf%C3%A9%20night.mp4"}
HD = {"OutputObject": "out/hd.mp4", "TemplateId": "S00000001-200030"}
SD = {"OutputObject": "out/sd.mp4", "TemplateId": "S00000001-200010"}
JOBS = {"input": IN, "output_bucket": "media-out", "pipeline_id": "p1"}
SNAP_CONFIG = {"OutputFile": {"Bucket": "media-out", "Location": "oss-cn-shanghai", "Object": "shots/a.jpg"},
               "Time": "5", "Num": "3", "Interval": "2"}
KINDS = (cat.MTS_TRANSCODE_JOB, cat.MTS_SNAPSHOT_JOB, cat.MTS_MEDIA_INFO_JOB)


def _context() -> dict[str, Any]:
    return {"ti": FakeTI(), "task_state_store": FakeStateStore()}


def _calls(emu: EmulatorHandle, action: str, before: dict[str, int]) -> int:
    return emu.counters().get(f"op:{action}", 0) - before.get(f"op:{action}", 0)


# -- the catalog ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_the_state_sets_are_the_emulators_and_disjoint(kind: Any) -> None:
    played = JOB_KINDS[kind.name]
    assert kind.success | kind.failure | kind.pending == set(played.states)
    assert len(kind.success) + len(kind.failure) + len(kind.pending) == len(set(played.states))  # disjoint
    assert kind.max_batch == 10  # each get takes 10 ids a call (their pages)
    assert kind.console is cat.MTS_CONSOLE


def test_only_transcoding_jobs_cancel_and_only_while_submitted() -> None:
    assert cat.MTS_TRANSCODE_JOB.cancel.operation is cat.CANCEL_JOB
    assert cat.MTS_TRANSCODE_JOB.cancel.only_in == {"Submitted"}
    operation, args = cat.MTS_TRANSCODE_JOB.cancel_call({"job_ids": "j1"})
    assert (operation, args) == (cat.CANCEL_JOB, {"job_id": "j1"})
    for kind in (cat.MTS_SNAPSHOT_JOB, cat.MTS_MEDIA_INFO_JOB):
        with pytest.raises(CancelNotSupportedError, match="no cancel"):
            kind.cancel_call({kind.job_id_arg: "x"})


def _answer(jobs: Any = None, missing: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"RequestId": "r"}
    if jobs is not None:
        body["JobList"] = {"Job": jobs}
    if missing is not None:
        body["NonExistJobIds"] = {"String": missing}
    return body


def _job(job_id: str, state: str = "Transcoding") -> dict[str, Any]:
    return {"JobId": job_id, "State": state}


@pytest.mark.parametrize(("answer", "error"), [
    (_answer([]), "answered neither JobList/Job nor NonExistJobIds/String for job 'a'"),
    (_answer([_job("b")], ["c"]), "neither"),
    (_answer([_job("a")], ["a"]), "job 'a' both in JobList/Job and in NonExistJobIds/String"),
    (_answer([_job("a"), _job("a", "TranscodeFail")]), "answered job 'a' 2 times, with different details"),
    (_answer("a"), "answered JobList/Job as a str, not a list of jobs"),
    (_answer([], [7]), "NonExistJobIds/String holding int"),
    (_answer([{"JobId": "a"}]), "a job without a state"),
], ids=["empty", "other ids", "in both", "twice differently", "not a list", "ids not text", "no state"])
def test_a_batched_answer_that_says_nothing_sure_about_the_job_is_refused(answer: dict[str, Any],
                                                                         error: str) -> None:
    with pytest.raises(BadResponseError, match=error):
        cat.MTS_TRANSCODE_JOB.find(answer, "a")


def test_a_batched_answer_reads_every_kind_at_its_own_paths() -> None:
    assert cat.MTS_TRANSCODE_JOB.find(_answer([_job("b"), _job("a")], ["c"]), "a") == _job("a")
    assert cat.MTS_TRANSCODE_JOB.find(_answer([_job("b")], ["a", "c"]), "a") is None
    assert cat.MTS_TRANSCODE_JOB.find(_answer([_job("a")] * 2), "a") == _job("a")  # the same job twice
    snap = {"SnapshotJobList": {"SnapshotJob": [{"Id": "s1", "State": "Snapshoting"}]},
            "NonExistSnapshotJobIds": {"String": ["s2"]}}
    assert cat.MTS_SNAPSHOT_JOB.find(snap, "s1") == {"Id": "s1", "State": "Snapshoting"}
    assert cat.MTS_SNAPSHOT_JOB.find(snap, "s2") is None
    info = {"MediaInfoJobList": {"MediaInfoJob": [{"JobId": "m1", "State": "Analyzing"}]}}
    assert cat.MTS_MEDIA_INFO_JOB.find(info, "m1") == {"JobId": "m1", "State": "Analyzing"}
    # The one reading Tencent's GET /jobs/{ids} shares: its lists at the top, ids in one text.
    assert ci.find_job({"JobsDetail": [], "NonExistJobIds": ["x", "y"]}, "y") is None
    assert cat.TRANSCODE_ANSWER.shaped([_job("a")], ["b"]) == {"JobList": {"Job": [_job("a")]},
                                                               "NonExistJobIds": {"String": ["b"]}}


def _results(*results: dict[str, Any]) -> dict[str, Any]:
    return {"RequestId": "req-1", "JobResultList": {"JobResult": list(results)}}


def _ok(job_id: str) -> dict[str, Any]:
    return {"Success": True, "Code": "", "Message": "", "Job": {"JobId": job_id, "State": "Submitted"}}


def test_submitted_jobs_are_the_jobs_of_each_output_in_order() -> None:
    assert [j["JobId"] for j in cat.submitted_jobs(_results(_ok("j1"), _ok("j2")))] == ["j1", "j2"]


@pytest.mark.parametrize(("code", "error"), [
    ("InvalidParameter.TemplateNotFound", InvalidParameterError),
    ("InvalidJobId.NotFound", NotFoundError),
    ("Some.NewCode", VendorError),
])
def test_a_refused_output_is_the_typed_error_of_its_code_naming_the_jobs_created(code: str,
                                                                                  error: type[Exception]) -> None:
    refused = {"Success": False, "Code": code, "Message": "the template does not exist", "Job": {}}
    with pytest.raises(error) as err:
        cat.submitted_jobs(_results(_ok("j1"), refused, _ok("j3")))
    assert isinstance(err.value, VendorError)
    assert err.value.code == code
    assert err.value.request_id == "req-1"
    assert "refused 1 of 3 outputs; output 1" in str(err.value)
    assert "Jobs created for the other outputs: j1, j3" in str(err.value)


@pytest.mark.parametrize("answer", [
    {"JobResultList": {"JobResult": []}},
    {"JobResultList": {}},
    _results({"Success": True, "Job": {}}),
    _results({"Success": "maybe", "Job": {"JobId": "j1"}}),
    _results("j1"),  # type: ignore[arg-type]
], ids=["no result", "no list", "no id", "no success", "not an object"])
def test_a_submit_answer_without_a_job_to_wait_for_is_refused(answer: dict[str, Any]) -> None:
    with pytest.raises(BadResponseError, match="SubmitJobs answered"):
        cat.submitted_jobs(answer)


def test_lineage_reads_the_objects_decoded_and_no_template() -> None:
    job = {"Input": IN, "Output": {"OutputFile": {"Bucket": "media-out", "Location": "l", "Object": "out/a%2Bb.mp4"}}}
    assert cat.MTS_TRANSCODE_JOB.inputs(job, lambda: None) == ("oss://media-in/clips/café night.mp4",)
    assert cat.MTS_TRANSCODE_JOB.output(job) == "oss://media-out/out/a+b.mp4"
    # A submit request holds the same location as JSON text: read alike.
    assert cat.MTS_SNAPSHOT_JOB.inputs({"Input": json.dumps(IN)}, lambda: None) == (
        "oss://media-in/clips/café night.mp4",)
    shots = {"SnapshotConfig": {"OutputFile": {"Bucket": "b", "Location": "l", "Object": "shots/{Count}.jpg"}}}
    assert cat.MTS_SNAPSHOT_JOB.output(shots) is None
    assert cat.MTS_MEDIA_INFO_JOB.output({"Input": IN}) is None  # its result is no object


# -- hooks against the emulator ---------------------------------------------------------------------
def test_submit_jobs_creates_one_job_per_output(mediajobs_connections: EmulatorHandle) -> None:
    answer = AlibabaCloudMediaHook().submit_jobs(**JOBS, outputs=[HD, SD])
    jobs = cat.submitted_jobs(answer)
    assert [j["Output"]["OutputFile"]["Object"] for j in jobs] == ["out/hd.mp4", "out/sd.mp4"]
    assert {j["State"] for j in jobs} == {"Submitted"}


def test_submit_jobs_raises_the_refused_outputs_error(mediajobs_connections: EmulatorHandle) -> None:
    with pytest.raises(InvalidParameterError, match="Jobs created for the other outputs: ") as err:
        AlibabaCloudMediaHook().submit_jobs(**JOBS, outputs=[HD, {**SD, "TemplateId": "missing-tpl"}])
    assert err.value.code == "InvalidParameter.TemplateNotFound"


def test_query_job_list_asks_for_25_ids_in_three_calls(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    ids = [new_job(emu, "mts_transcode") for _ in range(23)] + ["gone1", "gone2"]
    before = emu.counters()
    answer = AlibabaCloudMediaHook().query_job_list(ids)
    assert _calls(emu, "QueryJobList", before) == 3  # 10 + 10 + 5
    assert {j["JobId"] for j in answer["JobList"]["Job"]} == set(ids[:23])
    assert answer["NonExistJobIds"]["String"] == ["gone1", "gone2"]


def test_query_job_list_answers_both_lists_even_when_every_id_exists(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "mts_transcode")
    answer = MtsQueryJobListOperator(task_id="q", job_ids=job_id).execute({})
    assert [j["JobId"] for j in answer["JobList"]["Job"]] == [job_id]
    assert answer["NonExistJobIds"] == {"String": []}  # the emulator, as the vendor, left it out


def test_list_job_pages_newest_first_with_filters(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    mine = [new_job(emu, "mts_transcode", pipeline_id="pipe-x", queue_s=3600) for _ in range(3)]
    before = emu.counters()
    listed = MtsListJobOperator(task_id="l", pipeline_id="pipe-x", state="Submitted", page_size=2).execute({})
    assert [j["JobId"] for j in listed] == mine[::-1]
    assert _calls(emu, "ListJob", before) == 2  # 2 + 1
    assert len(AlibabaCloudMediaHook().list_job(page_size=100, max_items=150)) == 150


def test_cancel_job_cancels_a_submitted_job_and_the_vendor_refuses_a_running_one(
    mediajobs_connections: EmulatorHandle,
) -> None:
    emu = mediajobs_connections
    queued = new_job(emu, "mts_transcode", queue_s=3600)
    assert MtsCancelJobOperator(task_id="c", job_id=queued).execute({})["JobId"] == queued
    hook = AlibabaCloudMediaHook()
    assert hook.get_job(cat.MTS_TRANSCODE_JOB, job_ids=queued)["State"] == "TranscodeCancelled"
    running = new_job(emu, "mts_transcode", queue_s=0, run_s=3600)
    with pytest.raises(InvalidParameterError, match="cannot be cancelled in state Transcoding"):
        hook.cancel_job(running)
    with pytest.raises(CancelNotSupportedError):
        hook.cancel_job_of(cat.MTS_SNAPSHOT_JOB, snapshot_job_ids="s1")


def test_snapshot_jobs_by_id_and_by_listing(mediajobs_connections: EmulatorHandle) -> None:
    hook = AlibabaCloudMediaHook()
    job = hook.submit_snapshot_job(input=IN, snapshot_config=SNAP_CONFIG, user_data="u1")["SnapshotJob"]
    assert job["State"] == "Submitted"  # Num and Interval: queued
    found = MtsQuerySnapshotJobListOperator(task_id="q", snapshot_job_ids=[job["Id"], "gone"]).execute({})
    assert [j["Id"] for j in found["SnapshotJobList"]["SnapshotJob"]] == [job["Id"]]
    assert found["NonExistSnapshotJobIds"] == {"String": ["gone"]}
    listed = MtsQuerySnapshotJobListOperator(task_id="l", state="Submitted", max_items=5).execute({})
    assert listed[0]["Id"] == job["Id"]  # newest first
    assert {j["State"] for j in listed} == {"Submitted"}
    everything = hook.list_snapshot_jobs(page_size=300, max_items=301)
    assert len(everything) == 201  # the 200 seeded and this one, in one page of up to 300
    assert everything[0]["Id"] == job["Id"]


def test_a_synchronous_snapshot_is_done_when_the_answer_comes(mediajobs_connections: EmulatorHandle) -> None:
    config = {"OutputFile": SNAP_CONFIG["OutputFile"], "Time": "5"}  # neither Interval nor Num
    job = AlibabaCloudMediaHook().submit_snapshot_job(input=IN, snapshot_config=config)["SnapshotJob"]
    assert job["State"] == "Success"


def test_media_info_jobs_synchronous_and_queued(mediajobs_connections: EmulatorHandle) -> None:
    hook = AlibabaCloudMediaHook()
    done = hook.submit_media_info_job(input=IN, async_=False)["MediaInfoJob"]
    assert done["State"] == "Success"
    assert done["Properties"]["Width"] == "1920"
    queued = hook.submit_media_info_job(input=IN, async_=True, user_data="u")["MediaInfoJob"]
    assert queued["State"] == "Analyzing"
    found = MtsQueryMediaInfoJobListOperator(task_id="q", media_info_job_ids=[done["JobId"], queued["JobId"]]).execute(
        {})
    assert {j["JobId"] for j in found["MediaInfoJobList"]["MediaInfoJob"]} == {done["JobId"], queued["JobId"]}


# -- submit operators -----------------------------------------------------------------------------
def test_submit_jobs_returns_the_first_id_and_pushes_every_id(mediajobs_connections: EmulatorHandle) -> None:
    context = _context()
    first = MtsSubmitJobsOperator(task_id="s", **JOBS, outputs=[HD, SD]).execute(context)
    ids = context["ti"].pushed["job_ids"]
    assert len(ids) == 2
    assert first == ids[0]
    answer = AlibabaCloudMediaHook().query_job_list(ids)
    assert {j["Output"]["OutputFile"]["Object"] for j in answer["JobList"]["Job"]} == {"out/hd.mp4", "out/sd.mp4"}


def test_submit_jobs_waits_for_its_one_output_in_the_worker(mediajobs_connections: EmulatorHandle) -> None:
    context = _context()
    job_id = MtsSubmitJobsOperator(task_id="s", **JOBS, outputs=[HD], wait_for_completion=True, deferrable=False,
                                   poll_interval=0.2).execute(context)
    job = context["ti"].pushed["job"]
    assert job["JobId"] == job_id
    assert job["State"] == "TranscodeSuccess"


def test_submit_jobs_refuses_to_wait_for_several_outputs_before_submitting(
    mediajobs_connections: EmulatorHandle,
) -> None:
    before = mediajobs_connections.counters().get("requests", 0)
    op = MtsSubmitJobsOperator(task_id="s", **JOBS, outputs=[HD, SD], wait_for_completion=True)
    with pytest.raises(MediaJobsValidationError, match="outputs must be a single output with wait_for_completion"):
        op.execute(_context())
    assert mediajobs_connections.counters().get("requests", 0) == before


def test_a_refused_output_fails_the_submit_task(mediajobs_connections: EmulatorHandle) -> None:
    op = MtsSubmitJobsOperator(task_id="s", **JOBS, outputs=[{**HD, "TemplateId": "missing-1"}])
    with pytest.raises(InvalidParameterError, match=r"refused 1 of 1 outputs.*other outputs: none"):
        op.execute(_context())


@pytest.mark.parametrize(("make", "path"), [
    (lambda: MtsSubmitSnapshotJobOperator(task_id="s", input=IN, snapshot_config=SNAP_CONFIG, wait_for_completion=True,
                                          deferrable=False, poll_interval=0.2), ("SnapshotJob", "Id")),
    (lambda: MtsSubmitMediaInfoJobOperator(task_id="s", input=IN, async_=True, wait_for_completion=True,
                                           deferrable=False, poll_interval=0.2), ("MediaInfoJob", "JobId")),
], ids=["snapshot", "media info"])
def test_snapshot_and_media_info_submits_wait_to_success(mediajobs_connections: EmulatorHandle, make: Any,
                                                         path: tuple[str, str]) -> None:
    op = make()
    assert op.job_id_path == path
    context = _context()
    job_id = op.execute(context)
    job = context["ti"].pushed["job"]
    assert job["State"] == "Success"
    assert job[path[1]] == job_id


def test_submit_lineage_reports_the_input_and_the_output_written(mediajobs_connections: EmulatorHandle) -> None:
    op = MtsSubmitJobsOperator(task_id="s", **JOBS, outputs=[HD], wait_for_completion=True, deferrable=False,
                               poll_interval=0.2)
    op.execute(_context())
    lineage = op.get_openlineage_facets_on_complete(None)
    assert [(d.namespace, d.name) for d in lineage.inputs] == [("oss://media-in", "clips/café night.mp4")]
    assert [(d.namespace, d.name) for d in lineage.outputs] == [("oss://media-out", "out/hd.mp4")]
    not_waiting = MtsSubmitSnapshotJobOperator(task_id="s2", input=IN, snapshot_config=SNAP_CONFIG)
    not_waiting.execute(_context())
    inputs, outputs = not_waiting.job_lineage()
    assert (inputs, outputs) == (["oss://media-in/clips/café night.mp4"], [])
