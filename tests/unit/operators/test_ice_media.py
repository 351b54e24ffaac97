"""The ICE transcoding, snapshot and media convert operators against the emulator over real HTTP:
their template fields are the APIs' parameters, submits push the new job's id (nested in the
answer for two of them) and wait in the worker or defer, gets return the answer, listings page."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_mediajobs.compat import TaskDeferred
from airflow_provider_mediajobs.exceptions import BadResponseError, JobFailedError
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
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.triggers.alibaba import (
    IceMediaConvertJobTrigger,
    IceSnapshotJobTrigger,
    IceTranscodeJobTrigger,
)
from tests.helpers import FakeStateStore, FakeTI, new_job

IN, OUT = "oss://media-in/clips/a.mp4", "oss://media-out/clips/a.mp4"
LISTING = {"start_of_create_time", "end_of_create_time", "status", "order_by", "page_size"}
# Every parameter of each API (its SDK request model), under the operator's names, minus the
# cursor the operator drives itself (NextPageToken).
DOCUMENTED: dict[type, set[str]] = {
    IceSubmitTranscodeJobOperator: {"input_group", "output_group", "name", "schedule_config", "user_data",
                                    "client_token"},
    IceGetTranscodeJobOperator: {"parent_job_id"},
    IceListTranscodeJobsOperator: LISTING | {"parent_job_id"},
    IceSubmitSnapshotJobOperator: {"input_file", "output_file", "template_config", "name", "schedule_config",
                                   "user_data"},
    IceGetSnapshotJobOperator: {"job_id"},
    IceListSnapshotJobsOperator: LISTING | {"job_id"},
    IceSubmitMediaConvertJobOperator: {"config", "pipeline_id", "user_data", "client_token"},
    IceGetMediaConvertJobOperator: {"job_id"},
    IceListMediaConvertJobsOperator: LISTING | {"job_id"},
}


def _transcode(**kwargs: Any) -> IceSubmitTranscodeJobOperator:
    return IceSubmitTranscodeJobOperator(
        task_id="s", input_group=[{"Type": "OSS", "Media": IN}],
        output_group=[{"Output": {"Type": "OSS", "Media": OUT}, "ProcessConfig": {"Transcode": {"TemplateId": "t"}}}],
        poll_interval=0.2, **kwargs)


def _snapshot(**kwargs: Any) -> IceSubmitSnapshotJobOperator:
    return IceSubmitSnapshotJobOperator(
        task_id="s", input_file={"Type": "OSS", "Media": IN},
        output_file={"Type": "OSS", "Media": "oss://media-out/a.jpg"},
        template_config={"TemplateId": "t", "OverwriteParams": {"Time": 5000}}, poll_interval=0.2, **kwargs)


def _convert(**kwargs: Any) -> IceSubmitMediaConvertJobOperator:
    return IceSubmitMediaConvertJobOperator(
        task_id="s", config={
            "Inputs": [{"Name": "in", "InputFile": {"Type": "OSS", "Media": IN}}],
            "Outputs": [{"Name": "out", "TemplateId": "t", "OutputFile": {"Type": "OSS", "Media": OUT}}]},
        poll_interval=0.2, **kwargs)


SUBMITS = {"transcode": (_transcode, IceTranscodeJobTrigger, "parent_job_id", "Status"),
           "snapshot": (_snapshot, IceSnapshotJobTrigger, "job_id", "Status"),
           "media_convert": (_convert, IceMediaConvertJobTrigger, "job_id", "State")}


def _context(ti: FakeTI | None = None) -> dict[str, Any]:
    return {"ti": ti or FakeTI(), "task_state_store": FakeStateStore()}


@pytest.mark.parametrize("operator_class", list(DOCUMENTED), ids=lambda c: c.__name__)
def test_every_parameter_is_a_template_field(operator_class: Any) -> None:
    assert set(operator_class.template_fields) == DOCUMENTED[operator_class] | {"alibaba_cloud_media_conn_id"}


@pytest.mark.parametrize("kind", list(SUBMITS))
def test_a_submit_that_does_not_wait_returns_the_new_jobs_id(mediajobs_connections: EmulatorHandle,
                                                             kind: str) -> None:
    make, _, id_arg, _ = SUBMITS[kind]
    op = make()
    job_id = op.execute(_context())
    # The id the vendor knows the job by: a get with it finds the job.
    job = op.get_hook().get_job(op.job_kind, **{id_arg: job_id})
    assert dig_id(op, job) == job_id


def dig_id(op: Any, job: dict[str, Any]) -> Any:
    from airflow_provider_mediajobs.catalog.model import dig

    return dig(job, op.job_kind.id_key)


@pytest.mark.parametrize("kind", list(SUBMITS))
def test_a_submit_waits_in_the_worker_and_pushes_the_final_job(mediajobs_connections: EmulatorHandle,
                                                               kind: str) -> None:
    make, _, _, state = SUBMITS[kind]
    op, ti = make(wait_for_completion=True, deferrable=False), FakeTI()
    job_id = op.execute(_context(ti))
    assert ti.pushed["job_id"] == job_id
    assert ti.pushed["job"][state] in op.job_kind.success


@pytest.mark.parametrize(("kind", "code"), [("transcode", "Fail"), ("snapshot", "InvalidInput.Media"),
                                            ("media_convert", "InvalidInput.Media")])
def test_a_failed_job_fails_the_submit_with_its_code(mediajobs_connections: EmulatorHandle, kind: str,
                                                     code: str) -> None:
    mediajobs_connections.backend.failure_ratio = 1.0
    try:
        with pytest.raises(JobFailedError, match=code) as failed:
            SUBMITS[kind][0](wait_for_completion=True, deferrable=False).execute(_context())
    finally:
        mediajobs_connections.backend.failure_ratio = 0.0
    # A transcoding parent names no code of its own: its state stands for it.
    assert failed.value.code == code


@pytest.mark.parametrize("kind", list(SUBMITS))
def test_a_deferrable_submit_defers_to_its_kinds_trigger(mediajobs_connections: EmulatorHandle, kind: str) -> None:
    make, trigger_class, id_arg, _ = SUBMITS[kind]
    ti = FakeTI()
    with pytest.raises(TaskDeferred) as deferred:
        make(wait_for_completion=True, deferrable=True).execute(_context(ti))
    trigger = deferred.value.trigger
    assert type(trigger) is trigger_class
    assert trigger.job_ids == {id_arg: ti.pushed["job_id"]}


@pytest.mark.parametrize(("kind", "answer"), [
    ("transcode", {"TranscodeParentJob": {"Status": "Init"}}),
    ("transcode", {"ParentJobId": "p1"}),  # not nested as the SDK's model nests it
    ("media_convert", {"JobId": "j1"}),
    ("snapshot", {"Job": {"JobId": "j1"}}),
])
def test_a_submit_answer_without_the_id_where_the_model_puts_it_is_a_bad_answer(kind: str,
                                                                                answer: dict[str, Any]) -> None:
    op = SUBMITS[kind][0]()
    with pytest.raises(BadResponseError, match=f"{op.operation.name} answered without"):
        op.job_id_from(answer)


@pytest.mark.parametrize(("operator", "kind", "arg", "under"), [
    (IceGetTranscodeJobOperator, "ice_transcode", "parent_job_id", "TranscodeParentJob"),
    (IceGetSnapshotJobOperator, "ice_snapshot", "job_id", "SnapshotJob"),
    (IceGetMediaConvertJobOperator, "ice_media_convert", "job_id", "Job"),
])
def test_a_get_returns_the_whole_answer(mediajobs_connections: EmulatorHandle, operator: Any, kind: str, arg: str,
                                        under: str) -> None:
    job_id = new_job(mediajobs_connections, kind)
    answer = operator(task_id="g", **{arg: job_id}).execute(_context())
    assert answer["RequestId"]
    assert job_id in (answer[under].get("ParentJobId"), answer[under].get("JobId"))


@pytest.mark.parametrize(("operator", "action"), [
    (IceListTranscodeJobsOperator, "ListTranscodeJobs"),
    (IceListSnapshotJobsOperator, "ListSnapshotJobs"),
    (IceListMediaConvertJobsOperator, "ListMediaConvertJobs"),
])
def test_a_listing_pages_until_max_items(mediajobs_connections: EmulatorHandle, operator: Any, action: str) -> None:
    before = mediajobs_connections.counters().get(f"op:{action}", 0)
    jobs = operator(task_id="l", page_size=5, max_items=12, order_by="CreateTimeDesc").execute(_context())
    id_key = "ParentJobId" if action == "ListTranscodeJobs" else "JobId"
    assert len({job[id_key] for job in jobs}) == 12  # three pages, none read twice
    assert mediajobs_connections.counters()[f"op:{action}"] - before == 3
