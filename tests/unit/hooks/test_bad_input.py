"""Bad inputs that used to reach the vendor, found by probing every surface beyond the matrix in
``test_bad_input_matrix.py``: each is now refused, naming the argument, before any request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_mediajobs.catalog import alibaba as ali
from airflow_provider_mediajobs.catalog import tencent as ci
from airflow_provider_mediajobs.exceptions import MediaJobsValidationError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook
from airflow_provider_mediajobs.operators import alibaba as ali_ops
from airflow_provider_mediajobs.operators import tencent as ci_ops
from airflow_provider_mediajobs.testing import EmulatorHandle

IMM = {"project_name": "media-archive"}
TRANSLATION = {"tag": "Translation", "input_object": "a.txt", "queue_id": "q1", "translation": {"Lang": "en"},
               "output_object": "out.txt"}

CASES: list[tuple[str, Callable[[], Any], str]] = [
    # A control character at the end of an item of a comma-separated string was stripped, not refused.
    ("CR after an id in a comma string", lambda: ci_ops.TencentCIGetJobsOperator(
        task_id="t", job_ids="j1,j2\r").execute({}), "job_ids"),
    ("line separator after an id", lambda: TencentCloudCIHook().get_jobs("j1\u2028"), "job_ids"),
    ("newline after a state", lambda: ci_ops.TencentCIListJobsOperator(
        task_id="t", tag="Translation", states="Running,\nSuccess").execute({}), "states"),
    # NaN is not JSON; it went out as a bare NaN.
    ("NaN in job_params", lambda: ali_ops.MtsSubmitIProductionJobOperator(
        task_id="t", function_name="F", job_params={"Strength": float("nan")}).execute({}), "job_params"),
    ("Infinity in a JSON string", lambda: AlibabaCloudMediaHook().submit_iproduction_job(
        function_name="F", schedule_params='{"Priority": Infinity}'), "schedule_params"),
    # IMM task types are names used like ids, as GetTask's task_type already was.
    ("traversal in a task type", lambda: ali_ops.ImmListTasksOperator(
        task_id="t", task_types=["../x"], **IMM).execute({}), "task_types"),
    ("ampersand in a task type", lambda: AlibabaCloudMediaHook().list_tasks(
        task_types="FaceClustering,a&b", **IMM), "task_types"),
    # A range with neither end was sent as {}.
    ("range without Start or End", lambda: ali_ops.ImmListTasksOperator(
        task_id="t", start_time_range={"Start": None, "End": None}, **IMM).execute({}), "start_time_range"),
    # The output bucket is BucketName-APPID, like the connection's bucket.
    ("traversal in the output bucket", lambda: ci_ops.TencentCISubmitJobOperator(
        task_id="t", output_bucket="../b", **TRANSLATION).execute({}), "output_bucket"),
    ("hash in the output bucket", lambda: TencentCloudCIHook().submit_job(
        output_bucket="b#1250000000", **TRANSLATION), "output_bucket"),
    # Paging a one-job operation raised a bare ValueError naming nothing.
    ("paging a non-listing operation", lambda: list(AlibabaCloudMediaHook().iter_pages(
        ali.GET_SMART_HANDLE_JOB, job_id="j1")), "operation"),
    ("paginating GetJobs", lambda: TencentCloudCIHook().paginate(ci.GET_JOBS, job_ids="j1"), "operation"),
    # An operation given by a name that is not in the catalog raised AttributeError deep inside.
    ("unknown operation name", lambda: AlibabaCloudMediaHook().call("GetTaskk", task_id="t"), "operation"),
    ("operation name of the other vendor", lambda: TencentCloudCIHook().call("ListSmartJobs"), "operation"),
    # The other vendor's operation object would be signed and sent the wrong way.
    ("Tencent operation on the Alibaba hook", lambda: AlibabaCloudMediaHook().call(ci.GET_JOBS, job_ids="j1"),
     "operation"),
    ("Alibaba operation paged on the Tencent hook", lambda: TencentCloudCIHook().paginate(ali.LIST_SMART_JOBS),
     "operation"),
    ("not an operation at all", lambda: AlibabaCloudMediaHook().call(42), "operation"),  # type: ignore[arg-type]
    # Listing iterators checked their input only at the first next(); these are never iterated.
    ("page size out of range, not iterated", lambda: TencentCloudCIHook().iter_jobs(tag="Translation", size=1000),
     "size"),
    ("unknown tag, not iterated", lambda: TencentCloudCIHook().iter_jobs(tag="Transcode"), "tag"),
    ("paging GetTask, not iterated", lambda: AlibabaCloudMediaHook().iter_pages(
        ali.GET_TASK, task_id="t", task_type="FaceClustering", **IMM), "operation"),
]


@pytest.mark.parametrize(("label", "call", "arg"), CASES, ids=[c[0] for c in CASES])
def test_refused_before_any_request(
    mediajobs_connections: EmulatorHandle, label: str, call: Callable[[], Any], arg: str
) -> None:
    before = mediajobs_connections.counters().get("requests", 0)
    with pytest.raises(MediaJobsValidationError) as info:
        call()
    assert str(info.value).startswith(f"{arg} must be "), str(info.value)
    assert mediajobs_connections.counters().get("requests", 0) == before


def test_spaces_after_commas_are_still_forgiven() -> None:
    assert ci.GET_JOBS.bind({"job_ids": "j1, j2"}) == {"jobIds": "j1,j2"}
    assert ali.LIST_TASKS.bind({"task_types": "FaceClustering, VideoLabelClassification", **IMM})["TaskTypes"] == (
        '["FaceClustering","VideoLabelClassification"]')


def test_operation_by_name_is_the_catalog_entry(mediajobs_connections: EmulatorHandle) -> None:
    """A name reaches the same request as the operation object (no second code path)."""
    assert AlibabaCloudMediaHook.operation("ListSmartJobs") is ali.LIST_SMART_JOBS
    assert TencentCloudCIHook.operation(ci.GET_JOBS) is ci.GET_JOBS
    by_name = AlibabaCloudMediaHook().call("ListSmartJobs", page_size=2)
    by_object = AlibabaCloudMediaHook().call(ali.LIST_SMART_JOBS, page_size=2)
    assert [job["JobId"] for job in by_name["SmartJobList"]] == [job["JobId"] for job in by_object["SmartJobList"]]
    assert len(by_name["SmartJobList"]) == 2


def test_async_client_refuses_an_unknown_operation(mediajobs_connections: EmulatorHandle) -> None:
    import asyncio

    from airflow_provider_mediajobs.hooks.base import AsyncJobClient

    async def attempt() -> str:
        client = await AsyncJobClient.create(TencentCloudCIHook.api, "tencent_cloud_ci_default")
        try:
            with pytest.raises(MediaJobsValidationError) as info:
                await client.call("QueryIProductionJob", job_id="j1")
            return str(info.value)
        finally:
            await client.close()

    before = mediajobs_connections.counters().get("requests", 0)
    message = asyncio.run(attempt())
    assert message.startswith("operation must be one of CancelJob, GetJobs, ListJobs, SubmitJob"), message
    assert mediajobs_connections.counters().get("requests", 0) == before


def test_async_listing_refuses_bad_input_before_iterating(mediajobs_connections: EmulatorHandle) -> None:
    import asyncio

    from airflow_provider_mediajobs.hooks.base import AsyncJobClient

    async def attempt() -> str:
        client = await AsyncJobClient.create(TencentCloudCIHook.api, "tencent_cloud_ci_default")
        try:
            with pytest.raises(MediaJobsValidationError) as info:
                client.iter_pages("ListJobs", tag="Translation", size=0)  # never iterated
            return str(info.value)
        finally:
            await client.close()

    before = mediajobs_connections.counters().get("requests", 0)
    assert asyncio.run(attempt()).startswith("size must be "), "size is named"
    assert mediajobs_connections.counters().get("requests", 0) == before
