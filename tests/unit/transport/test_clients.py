"""Transport: pooled session, timeouts, retry decisions (sync and async alike), typed errors, limits."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
import requests
import requests_mock
from aiohttp import web

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.catalog.alibaba import MTS_IPRODUCTION_JOB
from airflow_provider_mediajobs.exceptions import (
    AuthError,
    BadResponseError,
    InvalidParameterError,
    MediaJobsError,
    ServerError,
    ThrottledError,
    TransportError,
)
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.base import AsyncJobClient
from airflow_provider_mediajobs.transport import (
    AsyncClient,
    AsyncSender,
    ResponseTooLargeError,
    RetryPolicy,
    Timeouts,
)
from airflow_provider_mediajobs.waiting import error_event

SECRET = "transport-secret-789"
URL = re.compile(r"^https://(ice|mts|imm)\.cn-shanghai\.aliyuncs\.com/.*")


def error_body(code: str, message: str = "vendor says no", request_id: str = "req-42") -> dict[str, Any]:
    return {"RequestId": request_id, "HostId": "h", "Code": code, "Message": message, "Recommend": "r"}


@pytest.fixture(autouse=True)
def alibaba_conn(monkeypatch: pytest.MonkeyPatch) -> None:
    conn = {"conn_type": "alibaba_cloud_media", "login": "LTAItransportKEY", "password": SECRET}
    monkeypatch.setenv("AIRFLOW_CONN_ALI_T", json.dumps(conn))


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record tenacity's waits instead of sleeping (tenacity's nap sleeps through time.sleep)."""
    import tenacity.nap

    recorded: list[float] = []
    monkeypatch.setattr(tenacity.nap.time, "sleep", recorded.append)
    return recorded


def make_hook(attempts: int = 5, **kwargs: Any) -> AlibabaCloudMediaHook:
    return AlibabaCloudMediaHook("ali_t", retry_policy=RetryPolicy(attempts=attempts, initial=0.01, max_wait=0.05),
                                 **kwargs)


@pytest.fixture
def http() -> Iterator[requests_mock.Mocker]:
    with requests_mock.Mocker() as mocker:
        yield mocker


OK = {"json": {"RequestId": "ok", "JobId": "j-1", "State": "Success"}}
TRANSIENT = [
    pytest.param({"status_code": 400, "json": error_body("Throttling")}, id="Throttling"),
    pytest.param({"status_code": 400, "json": error_body("Throttling.User")}, id="Throttling.User"),
    pytest.param({"status_code": 400, "json": error_body("Rejected.Throttling")}, id="Rejected.Throttling"),
    pytest.param({"status_code": 503, "json": error_body("ServiceUnavailable")}, id="ServiceUnavailable"),
    pytest.param({"status_code": 500, "json": error_body("InternalError")}, id="500"),
    pytest.param({"status_code": 503, "text": "<html>down</html>"}, id="503-html"),
    pytest.param({"exc": requests.exceptions.ConnectionError("reset by peer")}, id="connection-error"),
    pytest.param({"exc": requests.exceptions.ConnectTimeout("connect timed out")}, id="connect-timeout"),
    pytest.param({"exc": requests.exceptions.ReadTimeout("read timed out")}, id="read-timeout"),
]
PERMANENT = ["InvalidParameter", "MissingParameter", "SignatureDoesNotMatch", "Forbidden", "Forbidden.RAM",
             "InvalidAccessKeyId.NotFound", "InvalidTimeStamp.Expired", "InvalidSecurityToken.Expired"]


def test_one_pooled_session_per_hook(http: requests_mock.Mocker, monkeypatch: pytest.MonkeyPatch) -> None:
    http.register_uri(requests_mock.ANY, URL, json={**OK["json"], "Tasks": []})  # a job and a task list alike
    made: list[requests.Session] = []
    real = requests.Session

    def counting() -> requests.Session:
        made.append(real())
        return made[-1]

    monkeypatch.setattr(requests, "Session", counting)
    hook = make_hook()
    hook.query_iproduction_job("j-1")
    hook.get_smart_handle_job("j-2")
    hook.list_tasks(project_name="p")
    assert len(made) == 1
    assert hook.session is made[0] is hook.client.sender.session
    assert made[0].trust_env is False
    other = make_hook()
    other.query_iproduction_job("j-1")
    assert len(made) == 2
    assert other.session is not hook.session


def test_connect_and_read_timeouts_are_passed(http: requests_mock.Mocker) -> None:
    http.register_uri(requests_mock.ANY, URL, **OK)
    make_hook(timeouts=Timeouts(connect=1.5, read=7.0)).query_iproduction_job("j-1")
    (req,) = http.request_history
    assert req.timeout == (1.5, 7.0)


@pytest.mark.parametrize("failure", TRANSIENT)
def test_transient_failures_are_retried_and_signed_afresh(http: requests_mock.Mocker, sleeps: list[float],
                                                          failure: dict[str, Any]) -> None:
    http.register_uri(requests_mock.ANY, URL, [failure, failure, OK])
    assert make_hook().query_iproduction_job("j-1")["JobId"] == "j-1"
    assert http.call_count == 3
    assert len(sleeps) == 2
    assert all(0 <= s <= 0.05 for s in sleeps)
    nonces = {r.headers["x-acs-signature-nonce"] for r in http.request_history}
    signatures = {r.headers["Authorization"] for r in http.request_history}
    assert len(nonces) == len(signatures) == 3


@pytest.mark.parametrize("attempts", [1, 2, 4])
def test_attempts_are_configurable(http: requests_mock.Mocker, sleeps: list[float], attempts: int) -> None:
    http.register_uri(requests_mock.ANY, URL, status_code=503, json=error_body("ServiceUnavailable"))
    with pytest.raises(ServerError) as info:
        make_hook(attempts=attempts).query_iproduction_job("j-1")
    assert http.call_count == attempts
    assert len(sleeps) == attempts - 1
    assert info.value.status == 503
    assert info.value.code == "ServiceUnavailable"


def test_retry_after_header_sets_the_floor_of_the_wait(http: requests_mock.Mocker, sleeps: list[float]) -> None:
    http.register_uri(requests_mock.ANY, URL, [
        {"status_code": 400, "json": error_body("Throttling.User"), "headers": {"x-acs-retry-after": "1500"}},
        OK,
    ])
    hook = AlibabaCloudMediaHook("ali_t", retry_policy=RetryPolicy(attempts=3, initial=0.01, max_wait=10))
    hook.query_iproduction_job("j-1")
    assert sleeps == [1.5]


def test_backoff_grows_is_capped_and_honours_retry_after() -> None:
    import random

    policy = RetryPolicy(attempts=10, initial=0.5, max_wait=4.0, rng=random.Random(7))
    for attempt in range(1, 10):
        ceiling = min(4.0, 0.5 * 2 ** (attempt - 1))
        assert all(0 <= policy.backoff(attempt, None) <= ceiling for _ in range(50))
    throttled = ThrottledError("t", retry_after=3.0)
    assert all(policy.backoff(1, throttled) >= 3.0 for _ in range(20))
    # A huge Retry-After is capped by max_wait rather than stalling a worker.
    assert policy.backoff(1, ThrottledError("t", retry_after=3600)) == 4.0


def test_retry_after_is_parsed_from_milliseconds() -> None:
    from airflow_provider_mediajobs.transport import HttpResponse

    protocol = cat.AlibabaProtocol(cat.AlibabaCredentials("id", "secret"))
    response = HttpResponse(400, {"x-acs-retry-after": "2500"}, json.dumps(error_body("Throttling")).encode())
    with pytest.raises(ThrottledError) as info:
        protocol.parse(cat.QUERY_IPRODUCTION_JOB, response)
    assert info.value.retry_after == 2.5


@pytest.mark.parametrize("code", PERMANENT)
def test_permanent_errors_raise_after_one_request(http: requests_mock.Mocker, sleeps: list[float], code: str) -> None:
    status = 403 if code.startswith("Forbidden") else 400
    http.register_uri(requests_mock.ANY, URL, status_code=status, json=error_body(code, "details", "rid-9"))
    with pytest.raises(MediaJobsError) as info:
        make_hook().query_iproduction_job("j-1")
    assert http.call_count == 1
    assert sleeps == []
    err = info.value
    assert isinstance(err, InvalidParameterError | AuthError)
    assert (err.status, err.code, err.vendor_message, err.request_id) == (status, code, "details", "rid-9")
    for part in (code, "details", "rid-9", str(status)):
        assert part in str(err)
    assert error_event(MTS_IPRODUCTION_JOB, "j", err)["request_id"] == "rid-9"  # what a trigger event carries


def test_request_id_falls_back_to_the_response_header(http: requests_mock.Mocker) -> None:
    http.register_uri(requests_mock.ANY, URL, status_code=400, json={"Code": "InvalidParameter"},
                      headers={"x-acs-request-id": "hdr-1"})
    with pytest.raises(InvalidParameterError) as info:
        make_hook().query_iproduction_job("j-1")
    assert info.value.request_id == "hdr-1"


@pytest.mark.parametrize(
    ("status", "body", "ctype"),
    [(200, "<html><body>Gateway login</body></html>", "text/html"), (200, "not json", "text/plain"),
     (200, "[1, 2]", "application/json"), (200, "", "application/json"), (404, "<html>nope</html>", "text/html")],
)
def test_non_json_bodies_give_a_clear_bad_response_error(http: requests_mock.Mocker, status: int, body: str,
                                                         ctype: str) -> None:
    http.register_uri(requests_mock.ANY, URL, status_code=status, text=body, headers={"content-type": ctype})
    with pytest.raises(BadResponseError) as info:
        make_hook(attempts=1).query_iproduction_job("j-1")
    text = str(info.value)
    assert "QueryIProductionJob" in text
    assert "not JSON" in text
    assert ctype in text
    assert info.value.status == status


def test_a_redirect_is_refused_and_not_followed(http: requests_mock.Mocker) -> None:
    http.register_uri(requests_mock.ANY, URL, status_code=302, headers={"Location": "https://evil.example/"})
    http.register_uri(requests_mock.ANY, "https://evil.example/", **OK)
    with pytest.raises(BadResponseError, match="redirect") as info:
        make_hook(attempts=1).query_iproduction_job("j-1")
    assert info.value.status == 302
    assert [r.hostname for r in http.request_history] == ["mts.cn-shanghai.aliyuncs.com"]


def test_the_response_size_is_capped_and_not_retried(http: requests_mock.Mocker, sleeps: list[float]) -> None:
    http.register_uri(requests_mock.ANY, URL, text=json.dumps({"RequestId": "x" * 5000}))
    with pytest.raises(ResponseTooLargeError, match="max_response_bytes=1024"):
        make_hook(max_response_bytes=1024).query_iproduction_job("j-1")
    assert http.call_count == 1


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param({"status_code": 500, "json": error_body("InternalError")}, id="500"),
        pytest.param({"status_code": 503, "json": error_body("ServiceUnavailable")}, id="503"),
        pytest.param({"exc": requests.exceptions.ReadTimeout("read timed out")}, id="read-timeout"),
        pytest.param({"exc": requests.exceptions.ConnectionError("reset by peer")}, id="reset"),
        pytest.param({"status_code": 200, "text": "<html/>"}, id="html"),
    ],
)
def test_a_submission_is_not_retried_after_an_ambiguous_failure(http: requests_mock.Mocker, sleeps: list[float],
                                                                failure: dict[str, Any]) -> None:
    http.register_uri(requests_mock.ANY, URL, [failure, OK])
    with pytest.raises(MediaJobsError):
        make_hook().submit_iproduction_job(function_name="F")
    assert http.call_count == 1


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param({"status_code": 400, "json": error_body("Throttling.User")}, id="throttling"),
        pytest.param({"status_code": 400, "json": error_body("Rejected.Throttling")}, id="rejected"),
        pytest.param({"exc": requests.exceptions.ConnectTimeout("connect timed out")}, id="connect-timeout"),
    ],
)
def test_a_submission_is_retried_when_the_vendor_certainly_did_not_act(
    http: requests_mock.Mocker, sleeps: list[float], failure: dict[str, Any]
) -> None:
    http.register_uri(requests_mock.ANY, URL, [failure, OK])
    assert make_hook().submit_iproduction_job(function_name="F")["JobId"] == "j-1"
    assert http.call_count == 2


@pytest.mark.parametrize(
    ("error", "idempotent_retry", "submit_retry"),
    [
        (ThrottledError("t"), True, True),
        (ServerError("s"), True, False),
        (TransportError("x", sent=True), True, False),
        (TransportError("x", sent=False), True, True),
        (BadResponseError("b"), True, False),
        (ResponseTooLargeError("big"), False, False),
        (InvalidParameterError("p"), False, False),
        (AuthError("a"), False, False),
    ],
)
def test_retry_decisions(error: BaseException, idempotent_retry: bool, submit_retry: bool) -> None:
    policy = RetryPolicy()
    assert policy.retryable(error, cat.QUERY_IPRODUCTION_JOB) is idempotent_retry
    assert policy.retryable(error, cat.SUBMIT_IPRODUCTION_JOB) is submit_retry


# -- the async path ----------------------------------------------------------------------------
# aioresponses 0.7.9 (the latest) cannot build responses with aiohttp 3.14, so the async path is
# exercised against a real scripted aiohttp server on 127.0.0.1, which also proves the wire format.


class Script:
    """Answers to serve in order (the last one repeats) and the requests received."""

    def __init__(self) -> None:
        self.answers: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.received.append({"method": request.method, "query": dict(request.query),
                              "headers": dict(request.headers)})
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if answer.get("sleep"):
            await asyncio.sleep(answer["sleep"])
        if answer.get("drop"):
            assert request.transport is not None
            request.transport.close()
        headers = answer.get("headers", {})
        if "json" in answer:
            return web.json_response(answer["json"], status=answer.get("status", 200), headers=headers)
        return web.Response(status=answer.get("status", 200), text=answer.get("text", ""),
                            content_type=answer.get("ctype", "text/plain"), headers=headers)


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, Script]]:
    script = Script()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", script.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", script
    finally:
        await runner.cleanup()


def _async_client(base: str, attempts: int = 3, max_response_bytes: int = 1 << 20) -> AsyncClient:
    session = aiohttp.ClientSession(trust_env=False)
    protocol = cat.AlibabaProtocol(cat.AlibabaCredentials("LTAIasyncKEY", SECRET), endpoint_url=base)
    return AsyncClient(protocol, AsyncSender(session, Timeouts(connect=1.0, read=0.3, total=2.0), max_response_bytes),
                       RetryPolicy(attempts=attempts, initial=0.0, max_wait=0.0))


ASYNC_OK = {"json": {"RequestId": "ok", "JobId": "j-1", "State": "Success"}}


@pytest.mark.parametrize(
    ("failure", "operation", "expected_calls", "ok"),
    [
        ({"status": 400, "json": error_body("Throttling.User")}, cat.QUERY_IPRODUCTION_JOB, 2, True),
        ({"status": 503, "json": error_body("ServiceUnavailable")}, cat.QUERY_IPRODUCTION_JOB, 2, True),
        ({"status": 500, "json": error_body("InternalError")}, cat.QUERY_IPRODUCTION_JOB, 2, True),
        ({"drop": True, "json": {}}, cat.QUERY_IPRODUCTION_JOB, 2, True),
        ({"sleep": 0.9, "json": {}}, cat.QUERY_IPRODUCTION_JOB, 2, True),
        ({"status": 400, "json": error_body("InvalidParameter")}, cat.QUERY_IPRODUCTION_JOB, 1, False),
        ({"status": 400, "json": error_body("SignatureDoesNotMatch")}, cat.QUERY_IPRODUCTION_JOB, 1, False),
        ({"status": 500, "json": error_body("InternalError")}, cat.SUBMIT_IPRODUCTION_JOB, 1, False),
        ({"sleep": 0.9, "json": {}}, cat.SUBMIT_IPRODUCTION_JOB, 1, False),
        ({"status": 400, "json": error_body("Throttling")}, cat.SUBMIT_IPRODUCTION_JOB, 2, True),
    ],
    ids=["throttling", "503", "500", "disconnect", "read-timeout", "invalid-parameter", "signature",
         "submit-500", "submit-read-timeout", "submit-throttling"],
)
async def test_async_path_makes_the_same_retry_decisions(
    server: tuple[str, Script], failure: dict[str, Any], operation: Any, expected_calls: int, ok: bool
) -> None:
    base, script = server
    script.answers = [failure, ASYNC_OK]
    client = _async_client(base)
    wire = {"JobId": "j-1"} if operation is cat.QUERY_IPRODUCTION_JOB else {"FunctionName": "F"}
    try:
        if ok:
            assert (await client.call(operation, wire))["JobId"] == "j-1"
        else:
            with pytest.raises(MediaJobsError):
                await client.call(operation, wire)
    finally:
        await client.close()
    assert len(script.received) == expected_calls
    assert len({r["headers"]["x-acs-signature-nonce"] for r in script.received}) == expected_calls
    for received in script.received:
        assert received["method"] == "POST"
        assert received["query"] == wire


async def test_async_errors_are_typed_like_the_sync_ones(server: tuple[str, Script]) -> None:
    base, script = server
    client = _async_client(base, attempts=1, max_response_bytes=100)
    try:
        script.answers = [{"status": 403, "json": error_body("Forbidden", "denied", "rid-a")}]
        with pytest.raises(AuthError) as info:
            await client.call(cat.QUERY_IPRODUCTION_JOB, {"JobId": "j"})
        assert (info.value.status, info.value.code, info.value.request_id) == (403, "Forbidden", "rid-a")
        script.answers = [{"status": 200, "text": "<html>x</html>", "ctype": "text/html"}]
        with pytest.raises(BadResponseError, match="not JSON"):
            await client.call(cat.QUERY_IPRODUCTION_JOB, {"JobId": "j"})
        script.answers = [{"status": 301, "headers": {"Location": base + "/elsewhere"}}]
        before = len(script.received)
        with pytest.raises(BadResponseError, match="redirect"):
            await client.call(cat.QUERY_IPRODUCTION_JOB, {"JobId": "j"})
        assert len(script.received) == before + 1
        script.answers = [{"json": {"RequestId": "x" * 500}}]
        with pytest.raises(ResponseTooLargeError):
            await client.call(cat.QUERY_IPRODUCTION_JOB, {"JobId": "j"})
    finally:
        await client.close()


async def test_async_connection_refused_is_a_transport_error_and_retried() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = _async_client(f"http://127.0.0.1:{port}", attempts=2)
    try:
        with pytest.raises(TransportError) as info:
            await client.call(cat.SUBMIT_IPRODUCTION_JOB, {"FunctionName": "F"})
        assert info.value.sent is False
    finally:
        await client.close()


async def test_async_job_client_reads_the_connection_and_pages(
    server: tuple[str, Script], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = server
    conn = {"conn_type": "alibaba_cloud_media", "login": "LTAIasyncKEY", "password": SECRET,
            "extra": {"endpoint_url": base}}
    monkeypatch.setenv("AIRFLOW_CONN_ALI_ASYNC", json.dumps(conn))
    client = await AsyncJobClient.create(AlibabaCloudMediaHook.api, "ali_async", retry_policy=RetryPolicy(attempts=1))
    try:
        script.answers = [
            {"json": {"SmartJobList": [{"JobId": "a"}], "NextToken": "t"}},
            {"json": {"SmartJobList": [{"JobId": "b"}], "NextToken": ""}},
        ]
        pages = [page async for page in client.iter_pages(cat.LIST_SMART_JOBS, job_state="Finished")]
        assert pages == [[{"JobId": "a"}], [{"JobId": "b"}]]
        assert [r["query"].get("NextToken") for r in script.received] == [None, "t"]
        assert {r["method"] for r in script.received} == {"GET"}
        script.answers = [{"json": {"JobId": "j", "State": "Success"}}]
        job = await client.get_job(cat.MTS_IPRODUCTION_JOB, job_id="j")
        assert job["State"] == "Success"
    finally:
        await client.close()


class _RaisingSession:
    """Stands in for aiohttp.ClientSession: every request raises ``error`` as it opens."""

    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.calls = 0

    def request(self, *args: Any, **kwargs: Any) -> Any:
        session = self

        class _Context:
            async def __aenter__(self) -> Any:
                session.calls += 1
                raise session.error

            async def __aexit__(self, *exc: Any) -> None:
                return None

        return _Context()


@pytest.mark.parametrize(
    ("error", "sent"),
    [
        (aiohttp.ConnectionTimeoutError("connect timed out"), False),
        (aiohttp.SocketTimeoutError("read timed out"), True),
        (TimeoutError(), True),
        (aiohttp.ServerDisconnectedError(), True),
    ],
)
async def test_async_connect_timeouts_count_as_not_sent_like_the_sync_path(error: BaseException, sent: bool) -> None:
    session = _RaisingSession(error)
    protocol = cat.AlibabaProtocol(cat.AlibabaCredentials("LTAIasyncKEY", SECRET))
    client = AsyncClient(protocol, AsyncSender(session, Timeouts()),  # type: ignore[arg-type]
                         RetryPolicy(attempts=3, initial=0.0, max_wait=0.0))
    with pytest.raises(TransportError) as info:
        await client.call(cat.SUBMIT_IPRODUCTION_JOB, {"FunctionName": "F"})
    assert info.value.sent is sent
    # A submission is retried only when the request certainly did not leave.
    assert session.calls == (3 if not sent else 1)
