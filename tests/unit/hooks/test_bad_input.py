"""Bad input at the hooks, beyond the table in ``tests/unit/operators/test_bad_input.py``.

First the bad inputs that used to reach the vendor, found by probing every surface: each is now
refused, naming the argument, before any request. Then the classes of bad input that are not one
argument of one API: endpoint URLs, connection extras and hook constructor arguments, each
refused with a :class:`MediaJobsValidationError` naming the argument or connection field, before
any request, and never as a raw ``KeyError``/``ValueError``/``InvalidURL``/``UnicodeEncodeError``."""

from __future__ import annotations

import json
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
from airflow_provider_mediajobs.transport import Timeouts
from tests.helpers import ARABIC_TEN, TEMPLATE, WG, refused

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
    ("unknown tag, not iterated", lambda: TencentCloudCIHook().iter_jobs(tag="transcode"), "tag"),
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


def test_plain_option_values_still_go_through(mediajobs_connections: EmulatorHandle) -> None:
    job = TencentCloudCIHook().submit_job(**WG, words_generalize={"NerMethod": "DL", "SegMethod": "MIX"})
    assert job["State"] == "Submitted"


# -- connection fields ------------------------------------------------------------------------------
def _with_extra(emu: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, vendor: str, conn_id: str,
                **changes: Any) -> None:
    name = {"alibaba": "alibaba_cloud_media_default", "tencent": "tencent_cloud_ci_default"}[vendor]
    conn = emu.connections()[name]
    extra = dict(conn["extra"])  # type: ignore[call-overload]
    for key, value in changes.items():
        if key in ("login", "password"):
            conn[key] = value
        else:
            extra[key] = value
    conn["extra"] = extra
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))


def _hook_and_call(vendor: str, conn_id: str) -> tuple[Any, Callable[[], Any]]:
    """A hook of ``vendor`` on ``conn_id`` and its one-job read, the first call that reads the connection."""
    if vendor == "alibaba":
        ali = AlibabaCloudMediaHook(conn_id)
        return ali, lambda: ali.query_iproduction_job("j")
    ci = TencentCloudCIHook(conn_id)
    return ci, lambda: ci.get_ci_job("j")


ENDPOINTS = [
    ("http://127.0.0.1:99999", "valid URL"),
    ("http://127.0.0.1:port", "valid URL"),
    ("http://{product}.{zone}.example.com", "unknown placeholders"),
    ("http://{product.example.com", "unmatched"),
    ("http://product}.example.com", "unmatched"),
    ("http://[::1", "valid URL"),
    ("http://[zz::1]:80", "IPv6"),
    ("http://exa_mple.com", "host name"),
    ("http://ex\u00e4mple.com", "host name"),
    ("ftp://example.com", "http"),
    ("http://user:pw@example.com", "user info"),
    ("http://example.com/prefix", "path"),
    ("http://example.com:0", "port 0"),
]


@pytest.mark.parametrize(("url", "problem"), ENDPOINTS)
@pytest.mark.parametrize("vendor", ["alibaba", "tencent"])
def test_endpoint_url_problems_name_the_field(mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch,
                                              vendor: str, url: str, problem: str) -> None:
    if vendor == "tencent" and "{product}" in url:
        url = url.replace("{product}", "{bucket}")
    _with_extra(mediajobs_connections, monkeypatch, vendor, "bad_endpoint", endpoint_url=url)
    hook, call = _hook_and_call(vendor, "bad_endpoint")
    message = refused(call, "endpoint_url", mediajobs_connections)
    assert problem in message
    ok, text = hook.test_connection()
    assert not ok
    assert "endpoint_url" in text


def test_endpoint_placeholders_are_filled(mediajobs_connections: EmulatorHandle,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    url = mediajobs_connections.url.replace("127.0.0.1", "{region}.localhost")
    _with_extra(mediajobs_connections, monkeypatch, "tencent", "placeholder_endpoint", endpoint_url=url)
    hook = TencentCloudCIHook("placeholder_endpoint")
    assert hook.protocol.build(hook.operation("ListJobs"), {"tag": "Translation"}).url.startswith(
        url.replace("{region}", "ap-beijing"))


EXTRAS = [
    ("connect_timeout", "nan"),
    ("read_timeout", ARABIC_TEN),
    ("total_timeout", 0),
    ("total_timeout", "1e400"),
    ("max_response_bytes", "big"),
    ("max_response_bytes", 10),
    ("qps_budget", -1),
    ("batch_window", 99),
    ("security_token", "caf\u00e9"),
    ("region", "cn_shanghai"),
    ("signature_version", "v2"),
    ("login", "key\u00e9"),
    ("qps_budget_redis_url", "http://127.0.0.1:6379"),
    ("qps_budget_redis_url", "redis://127.0.0.1:6379/0?socket_timeout=600"),
    ("qps_budget_redis_url", "redis://127.0.0.1:99999"),
    ("qps_budget_redis_url", "redis://127.0.0.1:6379/cache"),
]


@pytest.mark.parametrize(("field", "value"), EXTRAS)
@pytest.mark.parametrize("vendor", ["alibaba", "tencent"])
def test_connection_extras_are_checked(mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch,
                                       vendor: str, field: str, value: Any) -> None:
    if vendor == "tencent" and field == "signature_version":
        field, value = "bucket", "examplebucket-\u0661\u0662\u0665\u0660\u0660\u0660\u0660\u0660\u0660\u0660"
    _with_extra(mediajobs_connections, monkeypatch, vendor, "bad_extra", **{field: value})
    _, call = _hook_and_call(vendor, "bad_extra")
    message = refused(call, field.replace("login", "(login)"), mediajobs_connections)
    assert "connection 'bad_extra'" in message


@pytest.mark.parametrize("url", ["rediss://:Sentinel-pw-42@127.0.0.1:99999/0", "redis://:Sentinel-pw-42@/0",
                                 "redis://:Sentinel-pw-42@127.0.0.1/0?password=Sentinel-pw-42"])
def test_a_bad_redis_url_is_refused_without_quoting_it(mediajobs_connections: EmulatorHandle,
                                                       monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    _with_extra(mediajobs_connections, monkeypatch, "alibaba", "bad_redis", qps_budget_redis_url=url)
    _, call = _hook_and_call("alibaba", "bad_redis")
    message = refused(call, "qps_budget_redis_url", mediajobs_connections)
    assert "Sentinel-pw-42" not in message


def test_an_unknown_extra_is_logged(mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch,
                                    caplog: pytest.LogCaptureFixture) -> None:
    _with_extra(mediajobs_connections, monkeypatch, "tencent", "typo_extra", batchsize=5)
    TencentCloudCIHook("typo_extra").list_jobs(tag="Translation", max_items=1)
    assert any("batchsize" in r.getMessage() for r in caplog.records)


# -- hook constructor arguments ---------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "arg"), [
    ({"max_response_bytes": 0}, "max_response_bytes"),
    ({"max_response_bytes": "16MB"}, "max_response_bytes"),
    ({"max_response_bytes": True}, "max_response_bytes"),
    ({"timeouts": 5}, "timeouts"),
    ({"timeouts": Timeouts(total=-1)}, "timeouts"),
    ({"retry_policy": 3}, "retry_policy"),
    ({"conn_id": 5}, "conn_id"),
    ({"conn_id": "a b"}, "conn_id"),
    ({"tencent_cloud_ci_conn_id": TEMPLATE}, "tencent_cloud_ci_conn_id"),
])
def test_hook_constructor_arguments(kwargs: dict[str, Any], arg: str) -> None:
    message = refused(lambda: TencentCloudCIHook(**kwargs), arg)
    assert message.startswith(arg)
