"""Alibaba requests match what the official SDKs send (docs/vendor-behaviour.md): method, host, names, JSON and
boolean encoding, signing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests_mock

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.signing import (
    EMPTY_SHA256,
    acs3_signature,
    parse_acs3_authorization,
    v1_signature,
)
from airflow_provider_mediajobs.transport import RetryPolicy

KEY_ID = "LTAItestKEYID"
SECRET = "test-secret-value-123"
TOKEN = "sts-token-value-456"
VERSIONS = {"ice": "2020-11-09", "mts": "2014-06-18", "imm": "2020-09-30"}


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch) -> Callable[..., AlibabaCloudMediaHook]:
    def make(conn_id: str = "ali", **extra: Any) -> AlibabaCloudMediaHook:
        conn = {"conn_type": "alibaba_cloud_media", "login": KEY_ID, "password": SECRET, "extra": extra}
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))
        return AlibabaCloudMediaHook(conn_id, retry_policy=RetryPolicy(attempts=1))

    return make


@pytest.fixture
def http() -> Iterator[requests_mock.Mocker]:
    with requests_mock.Mocker() as mocker:
        mocker.register_uri(requests_mock.ANY, requests_mock.ANY, json=success_answer)
        yield mocker


# The least each action's successful answer carries (a bare {"RequestId"} is no success answer).
SUCCESS_FIELDS: dict[str, dict[str, Any]] = {
    "ListSmartJobs": {"SmartJobList": []},
    "GetSmartHandleJob": {"JobId": "j", "State": "Executing"},
    "ListLiveSnapshotJobs": {"JobList": []},
    "QueryIProductionJob": {"JobId": "j", "State": "Queuing"},
    "SubmitIProductionJob": {"JobId": "j"},
    "ListTasks": {"Tasks": []},
    "GetTask": {"TaskId": "t", "Status": "Running"},
}


def success_answer(request: Any, context: Any) -> dict[str, Any]:
    action = request.headers.get("x-acs-action") or query_of(request).get("Action", "")
    return {"RequestId": "r-1", **SUCCESS_FIELDS.get(action, {})}


def query_of(request: Any) -> dict[str, str]:
    pairs = parse_qsl(urlsplit(request.url).query, keep_blank_values=True, strict_parsing=False)
    query = dict(pairs)
    assert len(query) == len(pairs), "a query parameter is repeated"
    return query


def verify_v3(request: Any, secret: str = SECRET) -> dict[str, str]:
    """Check the ACS3 signature of a sent request; return its business query."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    auth = parse_acs3_authorization(headers["authorization"])
    names = auth["SignedHeaders"].split(";")
    assert "host" in names
    assert all(n in names for n in headers if n.startswith("x-acs-"))
    signed = {n: headers[n] for n in names}
    query = query_of(request)
    signature, _ = acs3_signature(request.method, query, signed, headers["x-acs-content-sha256"], secret)
    assert signature == auth["Signature"]
    assert auth["Credential"] == KEY_ID
    assert headers["x-acs-content-sha256"] == EMPTY_SHA256
    return query


def assert_empty_body(request: Any) -> None:
    assert request.body in (None, b"", "")


CASES: list[tuple[str, str, dict[str, Any], str, str, dict[str, str]]] = [
    (
        "list_smart_jobs", "ice",
        {"job_state": "Finished", "job_type": "ASR", "sort_by": "CreationTime:Asc", "page_size": 10},
        "GET", "ListSmartJobs",
        {"JobState": "Finished", "JobType": "ASR", "SortBy": "CreationTime:Asc", "MaxResults": "10"},
    ),
    ("get_smart_handle_job", "ice", {"job_id": "job-1"}, "POST", "GetSmartHandleJob", {"JobId": "job-1"}),
    (
        "list_live_snapshot_jobs", "ice",
        {
            "start_time": datetime(2024, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=8))),
            "end_time": "2024-01-02T00:00:00Z", "status": "started", "search_key_word": "cam 1",
            "sort_by": "asc", "page_size": 20,
        },
        "GET", "ListLiveSnapshotJobs",
        {"StartTime": "2024-01-01T00:00:00Z", "EndTime": "2024-01-02T00:00:00Z", "Status": "started",
         "SearchKeyWord": "cam 1", "SortBy": "asc", "PageSize": "20"},
    ),
    ("query_iproduction_job", "mts", {"job_id": "j1"}, "POST", "QueryIProductionJob", {"JobId": "j1"}),
    (
        "submit_iproduction_job", "mts",
        {"function_name": "VideoQualityEnhancement", "input": "oss://b/in put.mp4", "output": "oss://b/{Count}.jpg",
         "job_params": {"Model": "中", "Level": 2, "On": True}, "schedule_params": '{"Priority": 5}',
         "user_data": "u=1&v=2", "pipeline_id": "p1", "model_id": "m1", "notify_url": "https://n/x"},
        "POST", "SubmitIProductionJob",
        {"FunctionName": "VideoQualityEnhancement", "Input": "oss://b/in put.mp4", "Output": "oss://b/{Count}.jpg",
         "JobParams": '{"Model":"中","Level":2,"On":true}', "ScheduleParams": '{"Priority":5}',
         "UserData": "u=1&v=2", "PipelineId": "p1", "ModelId": "m1", "NotifyUrl": "https://n/x"},
    ),
    (
        "list_tasks", "imm",
        {"project_name": "test-project", "task_types": ["VideoLabelClassification", "FaceClustering"],
         "start_time_range": {"Start": "2024-01-01T00:00:00Z", "End": "2024-01-02T00:00:00Z"},
         "end_time_range": (datetime(2024, 1, 1, tzinfo=UTC), None),
         "sort": "StartTime", "order": "desc", "status": "Running", "tag_selector": "k=v",
         "request_definition": True, "page_size": 50},
        "POST", "ListTasks",
        {"ProjectName": "test-project", "TaskTypes": '["VideoLabelClassification","FaceClustering"]',
         "StartTimeRange": '{"Start":"2024-01-01T00:00:00Z","End":"2024-01-02T00:00:00Z"}',
         "EndTimeRange": '{"Start":"2024-01-01T00:00:00Z"}', "Sort": "StartTime", "Order": "desc",
         "Status": "Running", "TagSelector": "k=v", "RequestDefinition": "True", "MaxResults": "50"},
    ),
    (
        "get_task", "imm",
        {"project_name": "p", "task_id": "t-1", "task_type": "FaceClustering", "request_definition": False},
        "POST", "GetTask",
        {"ProjectName": "p", "TaskId": "t-1", "TaskType": "FaceClustering", "RequestDefinition": "False"},
    ),
]


@pytest.mark.parametrize(("method_name", "product", "kwargs", "http_method", "action", "wire"), CASES,
                         ids=[c[4] for c in CASES])
def test_request_matches_the_reference_v3(
    connect: Callable[..., AlibabaCloudMediaHook], http: requests_mock.Mocker, method_name: str, product: str,
    kwargs: dict[str, Any], http_method: str, action: str, wire: dict[str, str],
) -> None:
    hook = connect(region="cn-hangzhou")
    result = getattr(hook, method_name)(**kwargs)
    assert isinstance(result, list | dict)
    assert http.call_count == 1
    (req,) = http.request_history
    assert req.method == http_method
    parts = urlsplit(req.url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", f"{product}.cn-hangzhou.aliyuncs.com", "/")
    assert req.headers["host"] == f"{product}.cn-hangzhou.aliyuncs.com"
    assert req.headers["x-acs-action"] == action
    assert req.headers["x-acs-version"] == VERSIONS[product]
    assert "x-acs-security-token" not in req.headers
    assert_empty_body(req)
    assert verify_v3(req) == wire
    # The query string on the wire is exactly what was signed: sorted, %20 for space, no '+'.
    raw = parts.query
    keys = [p.split("=", 1)[0] for p in raw.split("&")]
    assert keys == sorted(keys)
    assert "+" not in raw


@pytest.mark.parametrize(("method_name", "product", "kwargs", "http_method", "action", "wire"), CASES,
                         ids=[c[4] for c in CASES])
def test_request_matches_the_reference_v1_with_sts(
    connect: Callable[..., AlibabaCloudMediaHook], http: requests_mock.Mocker, method_name: str, product: str,
    kwargs: dict[str, Any], http_method: str, action: str, wire: dict[str, str],
) -> None:
    hook = connect(signature_version="v1", security_token=TOKEN)
    getattr(hook, method_name)(**kwargs)
    (req,) = http.request_history
    assert req.method == http_method
    assert urlsplit(req.url).netloc == f"{product}.cn-shanghai.aliyuncs.com"
    assert "authorization" not in {k.lower() for k in req.headers}
    assert_empty_body(req)
    query = query_of(req)
    assert v1_signature(http_method, query, SECRET) == query["Signature"]
    assert v1_signature(http_method, query, SECRET + "x") != query["Signature"]
    common = {
        "Action": action, "Version": VERSIONS[product], "Format": "JSON", "AccessKeyId": KEY_ID,
        "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SecurityToken": TOKEN,
    }
    for key, value in common.items():
        assert query.pop(key) == value
    datetime.strptime(query.pop("Timestamp"), "%Y-%m-%dT%H:%M:%SZ")
    assert query.pop("SignatureNonce")
    query.pop("Signature")
    assert query == wire


def test_v3_sts_token_is_sent_and_signed(connect: Callable[..., AlibabaCloudMediaHook],
                                         http: requests_mock.Mocker) -> None:
    connect(security_token=TOKEN).query_iproduction_job("j1")
    (req,) = http.request_history
    assert req.headers["x-acs-security-token"] == TOKEN
    assert "x-acs-security-token" in parse_acs3_authorization(req.headers["Authorization"])["SignedHeaders"]
    verify_v3(req)
    assert "SecurityToken" not in query_of(req)


@pytest.mark.parametrize(
    ("endpoint_url", "expected"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/"),
        ("https://{product}-vpc.{region}.aliyuncs.com", "https://mts-vpc.cn-shanghai.aliyuncs.com/"),
        ("https://{product}.proxy.example", "https://mts.proxy.example/"),
    ],
)
def test_endpoint_url_overrides_the_regional_host(
    connect: Callable[..., AlibabaCloudMediaHook], http: requests_mock.Mocker, endpoint_url: str, expected: str
) -> None:
    connect(endpoint_url=endpoint_url).query_iproduction_job("j1")
    (req,) = http.request_history
    parts = urlsplit(req.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == expected
    assert req.headers["host"] == parts.netloc
    # The emulator tells products apart by the version header and the action.
    assert req.headers["x-acs-version"] == "2014-06-18"
    verify_v3(req)


def test_every_product_goes_to_one_endpoint_url(connect: Callable[..., AlibabaCloudMediaHook],
                                                http: requests_mock.Mocker) -> None:
    hook = connect(endpoint_url="http://127.0.0.1:9999")
    hook.get_smart_handle_job("a")
    hook.query_iproduction_job("b")
    hook.get_task(project_name="p", task_id="c", task_type="t")
    assert {urlsplit(r.url).netloc for r in http.request_history} == {"127.0.0.1:9999"}
    assert [r.headers["x-acs-version"] for r in http.request_history] == list(VERSIONS.values())


def test_each_call_is_signed_afresh(connect: Callable[..., AlibabaCloudMediaHook], http: requests_mock.Mocker) -> None:
    hook = connect()
    hook.query_iproduction_job("j1")
    hook.query_iproduction_job("j1")
    first, second = http.request_history
    assert first.headers["x-acs-signature-nonce"] != second.headers["x-acs-signature-nonce"]
    assert first.headers["Authorization"] != second.headers["Authorization"]


def test_catalog_methods_and_products() -> None:
    expected = {
        "ListSmartJobs": ("GET", "ice"), "GetSmartHandleJob": ("POST", "ice"),
        "ListLiveSnapshotJobs": ("GET", "ice"), "QueryIProductionJob": ("POST", "mts"),
        "SubmitIProductionJob": ("POST", "mts"), "ListTasks": ("POST", "imm"), "GetTask": ("POST", "imm"),
        # MTS transcoding, snapshots and media info (issue 18, part 1): all RPC POSTs (client.py)
        **{name: ("POST", "mts") for name in ("SubmitJobs", "QueryJobList", "ListJob", "CancelJob",
                                              "SubmitSnapshotJob", "QuerySnapshotJobList", "SubmitMediaInfoJob",
                                              "QueryMediaInfoJobList")},
        # ICE transcoding, snapshots and media conversion (issue 18, part 2): all RPC POST (the SDK client)
        **{f"{verb}{thing}": ("POST", "ice") for verb in ("Submit", "Get") for thing in (
            "TranscodeJob", "MediaConvertJob")},
        "ice.SubmitSnapshotJob": ("POST", "ice"), "GetSnapshotJob": ("POST", "ice"),
        **{f"List{thing}Jobs": ("POST", "ice") for thing in ("Transcode", "Snapshot", "MediaConvert")},
        # IMM Create*Task (issue 18, part 3): all RPC POSTs (client.py)
        **{o.name: ("POST", "imm") for o in cat.IMM_TASK_OPERATIONS},
        # ICE timeline editing and IProduction (issue 18, part 2)
        "SubmitMediaProducingJob": ("POST", "ice"), "GetMediaProducingJob": ("POST", "ice"),
        "ListMediaProducingJobs": ("POST", "ice"), "ice.SubmitIProductionJob": ("POST", "ice"),
        "ice.QueryIProductionJob": ("POST", "ice"), "CancelIProductionJob": ("POST", "ice"),
    }
    assert {n: (o.method, o.service.product) for n, o in cat.OPERATIONS.items()} == expected
    # Every submission, and only they, is never retried ambiguously.
    assert [n for n, o in cat.OPERATIONS.items() if not o.idempotent] == [
        n for n, o in cat.OPERATIONS.items() if o.name.startswith(("Submit", "Create"))]
    assert {s.product: s.version for s in cat.SERVICES.values()} == VERSIONS


@pytest.mark.parametrize(
    ("kind", "state", "group"),
    [
        (cat.MTS_IPRODUCTION_JOB, "Success", "success"), (cat.MTS_IPRODUCTION_JOB, "Fail", "failure"),
        (cat.MTS_IPRODUCTION_JOB, "Queuing", "pending"), (cat.MTS_IPRODUCTION_JOB, "Analysing", "pending"),
        (cat.ICE_SMART_JOB, "Finished", "success"), (cat.ICE_SMART_JOB, "Failed", "failure"),
        (cat.ICE_SMART_JOB, "Executing", "pending"), (cat.ICE_SMART_JOB, "Created", "pending"),
        (cat.IMM_TASK, "Succeeded", "success"), (cat.IMM_TASK, "Failed", "failure"),
        (cat.IMM_TASK, "Running", "pending"), (cat.IMM_TASK, "Weird", "unknown"),
    ],
)
def test_job_kinds_classify_states(kind: Any, state: str, group: str) -> None:
    key = kind.state[0]
    assert kind.classify({key: state}) == group


@pytest.mark.parametrize(
    ("code", "status", "cls_name"),
    [
        ("Throttling", 400, "ThrottledError"), ("Throttling.User", 400, "ThrottledError"),
        ("Throttling.Api", 400, "ThrottledError"), ("Rejected.Throttling", 400, "ThrottledError"),
        ("ServiceUnavailable", 503, "ServerError"), ("InternalError", 500, "ServerError"),
        ("InvalidParameter", 400, "InvalidParameterError"), ("MissingParameter", 400, "InvalidParameterError"),
        ("SignatureDoesNotMatch", 400, "AuthError"), ("Forbidden.RAM", 403, "AuthError"),
        ("InvalidSecurityToken.Expired", 400, "ExpiredCredentialsError"),
        ("InvalidTimeStamp.Expired", 400, "ClockSkewError"), ("InvalidJobId.NotFound", 404, "NotFoundError"),
        (None, 502, "ServerError"),
    ],
)
def test_error_codes_map_to_typed_errors(code: str | None, status: int, cls_name: str) -> None:
    from airflow_provider_mediajobs.transport import HttpResponse

    protocol = cat.AlibabaProtocol(cat.AlibabaCredentials("id", "secret"))
    body = {"RequestId": "rid-1", "Code": code, "Message": "msg here"} if code else {"RequestId": "rid-1"}
    response = HttpResponse(status, {"content-type": "application/json"}, json.dumps(body).encode())
    with pytest.raises(Exception) as info:
        protocol.parse(cat.QUERY_IPRODUCTION_JOB, response)
    err = info.value
    assert type(err).__name__ == cls_name
    assert err.status == status  # type: ignore[attr-defined]
    assert err.code == code  # type: ignore[attr-defined]
    assert err.request_id == "rid-1"  # type: ignore[attr-defined]
    if code:
        assert err.vendor_message == "msg here"  # type: ignore[attr-defined]
        assert code in str(err)
    assert "rid-1" in str(err)


@pytest.mark.parametrize("result", [
    {"Code": "InvalidInput.Media", "Message": "cannot decode", "Data": ""},  # as the API reference shows it
    '{"Code": "InvalidInput.Media", "Message": "cannot decode", "Data": ""}',  # as the SDK models it: a string
])
def test_mts_failure_carries_the_vendor_code_and_message_in_either_result_form(result: object) -> None:
    from airflow_provider_mediajobs.catalog.alibaba import MTS_IPRODUCTION_JOB
    from airflow_provider_mediajobs.waiting import evaluate

    event = evaluate(MTS_IPRODUCTION_JOB, "j1", {"JobId": "j1", "State": "Fail", "Result": result})
    assert event is not None
    assert (event["status"], event["code"], event["message"]) == ("failure", "InvalidInput.Media", "cannot decode")


def test_a_result_string_that_is_not_json_is_no_code() -> None:
    from airflow_provider_mediajobs.catalog.model import dig

    assert dig({"Result": "{oops"}, ("Result", "Code")) is None
    assert dig({"Result": "plain text"}, ("Result", "Code")) is None
