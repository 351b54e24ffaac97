"""Hostile answers from a real local server: a clear error within the configured timeout and
bounded memory, never a hang or a crash deep in a parser. Sync and async paths alike."""

from __future__ import annotations

import asyncio
import functools
import json
import re
import threading
import tracemalloc
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, cast

import pytest
from aiohttp import web

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.catalog import tencent as tcat
from airflow_provider_mediajobs.catalog import xml
from airflow_provider_mediajobs.catalog.model import JobKind
from airflow_provider_mediajobs.catalog.nesting import MAX_DEPTH
from airflow_provider_mediajobs.exceptions import (
    AuthError,
    BadResponseError,
    InvalidParameterError,
    MediaJobsError,
    NotFoundError,
    ThrottledError,
    TransportError,
    VendorError,
)
from airflow_provider_mediajobs.hooks import base as hooks_base
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.base import AsyncJobClient
from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook
from airflow_provider_mediajobs.transport import (
    AsyncClient,
    AsyncSender,
    Client,
    ResponseTooLargeError,
    RetryPolicy,
    SyncSender,
    Timeouts,
)
from airflow_provider_mediajobs.triggers import coalesce
from airflow_provider_mediajobs.triggers.alibaba import IceSmartJobTrigger, MtsIProductionJobTrigger
from airflow_provider_mediajobs.triggers.base import MediaJobTrigger
from airflow_provider_mediajobs.triggers.tencent import TencentCIJobTrigger
from airflow_provider_mediajobs.waiting import evaluate

if TYPE_CHECKING:
    from airflow.triggers.base import TriggerEvent

Behaviour = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def trickle(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse(headers={"Content-Type": "application/json"})
    await resp.prepare(request)
    try:
        for _ in range(600):  # one byte every 0.2 s: never silent long enough for a read timeout
            await resp.write(b" ")
            await asyncio.sleep(0.2)
    except ConnectionError:
        pass  # the client gave up, as it should
    return resp


async def huge(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse(headers={"Content-Type": "application/json"})
    await resp.prepare(request)
    chunk = b'{"pad": "' + b"x" * (1 << 20)
    try:
        for _ in range(50):  # 50 MB
            await resp.write(chunk)
    except ConnectionError:
        pass  # the client stopped reading at its cap
    return resp


async def stall(request: web.Request) -> web.StreamResponse:
    await asyncio.sleep(30)
    return web.json_response({})


def fixed(body: bytes, content_type: str, status: int = 200) -> Behaviour:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, status=status, headers={"Content-Type": content_type})

    return handler


DEEP_JSON = b"[" * 200_000 + b"]" * 200_000
CASES: dict[str, tuple[Behaviour, type[MediaJobsError], str]] = {
    "deeply nested JSON": (fixed(DEEP_JSON, "application/json"), BadResponseError, "nested too deep"),
    "invalid UTF-8": (fixed(b'{"RequestId": "\xff\xfe\xfa"}', "application/json"), BadResponseError, "not JSON"),
    "HTML page with 200": (fixed(b"<html><body>Gateway</body></html>", "text/html"), BadResponseError, "text/html"),
    "JSON array, not an object": (fixed(b"[1, 2, 3]", "application/json"), BadResponseError, "not JSON"),
    "wrong content type, garbage": (fixed(b"\x00\x01binary", "application/octet-stream"), BadResponseError,
                                    "octet-stream"),
    "truncated JSON": (fixed(b'{"RequestId": "r", "SmartJob', "application/json"), BadResponseError, "not JSON"),
}


class HostileServer:
    """An aiohttp server in a thread whose single route does what ``behaviour`` says."""

    def __init__(self) -> None:
        self.behaviour: Behaviour = fixed(b"{}", "application/json")
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.url = ""
        self.seen: list[str] = []  # "METHOD raw-path" of every request, in order

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def route(request: web.Request) -> web.StreamResponse:
            self.seen.append(f"{request.method} {request.raw_path}")
            return await self.behaviour(request)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", route)
        self.runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        self.ready.set()
        self.loop.run_forever()

    def start(self) -> HostileServer:
        self.thread.start()
        self.ready.wait(10)
        return self

    def stop(self) -> None:
        async def shutdown() -> None:
            await self.runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    server = HostileServer().start()
    yield server
    server.stop()


def _protocol(url: str) -> cat.AlibabaProtocol:
    return cat.AlibabaProtocol(cat.AlibabaCredentials("LTAIhostileKEY", "hostile-secret"), endpoint_url=url)


TIMEOUTS = Timeouts(connect=2, read=1.0, total=3.0)
ONE_TRY = RetryPolicy(attempts=1)


def _sync_client(url: str, cap: int = 1 << 20) -> Client:
    import requests

    session = requests.Session()
    session.trust_env = False
    return Client(_protocol(url), SyncSender(session, TIMEOUTS, cap), ONE_TRY)


async def _async_client(url: str, cap: int = 1 << 20) -> AsyncJobClient:
    import aiohttp

    session = aiohttp.ClientSession(trust_env=False)
    client = AsyncClient(_protocol(url), AsyncSender(session, TIMEOUTS, cap), ONE_TRY)
    # The hook class only names the catalog here; the connection is never read.
    return AsyncJobClient(AlibabaCloudMediaHook.api, "hostile", client)


@pytest.mark.parametrize("case", list(CASES))
def test_sync_bad_bodies_give_a_clear_error(hostile: HostileServer, case: str) -> None:
    behaviour, error, text = CASES[case]
    hostile.behaviour = behaviour
    with pytest.raises(error, match=text) as info:
        _sync_client(hostile.url).call(cat.LIST_SMART_JOBS, {})
    assert "hostile-secret" not in str(info.value)


@pytest.mark.parametrize("case", list(CASES))
async def test_async_bad_bodies_give_the_same_clear_error(hostile: HostileServer, case: str) -> None:
    behaviour, error, text = CASES[case]
    hostile.behaviour = behaviour
    client = await _async_client(hostile.url)
    try:
        with pytest.raises(error, match=text):
            await client.call(cat.LIST_SMART_JOBS)
    finally:
        await client.close()


@pytest.mark.parametrize("behaviour", [trickle, stall], ids=["trickling bytes", "stalled answer"])
def test_sync_slow_servers_end_within_the_timeout(hostile: HostileServer, behaviour: Behaviour) -> None:
    hostile.behaviour = behaviour
    with pytest.raises(TransportError, match=r"total_timeout=3\.0s|read timeout of 1\.0s"):
        _sync_client(hostile.url).call(cat.LIST_SMART_JOBS, {})


@pytest.mark.parametrize("behaviour", [trickle, stall], ids=["trickling bytes", "stalled answer"])
async def test_async_slow_servers_end_within_the_timeout(hostile: HostileServer, behaviour: Behaviour) -> None:
    hostile.behaviour = behaviour
    client = await _async_client(hostile.url)
    try:
        with pytest.raises(TransportError, match=r"total_timeout=3\.0s|read timeout of 1\.0s"):
            await client.call(cat.LIST_SMART_JOBS)
    finally:
        await client.close()


def test_sync_huge_body_is_cut_at_the_cap_with_bounded_memory(hostile: HostileServer) -> None:
    hostile.behaviour = huge
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLargeError, match="max_response_bytes=2097152"):
            _sync_client(hostile.url, cap=2 << 20).call(cat.LIST_SMART_JOBS, {})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20  # a 50 MB body never sits in memory


async def test_async_huge_body_is_cut_at_the_cap_with_bounded_memory(hostile: HostileServer) -> None:
    hostile.behaviour = huge
    client = await _async_client(hostile.url, cap=2 << 20)
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLargeError):
            await client.call(cat.LIST_SMART_JOBS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        await client.close()
    assert peak < 16 << 20


def test_vendor_error_json_with_wrong_types_is_still_typed(hostile: HostileServer) -> None:
    body: dict[str, Any] = {"Code": 12345, "Message": ["not", "text"], "RequestId": None}
    hostile.behaviour = fixed(json.dumps(body).encode(), "application/json", status=400)
    with pytest.raises(MediaJobsError) as info:
        _sync_client(hostile.url).call(cat.LIST_SMART_JOBS, {})
    assert info.value.status == 400
    assert info.value.code == "12345"


# == Hostile answers that parse: each class ends in a typed error, never a crash or a wrong result ==
# Every case runs on the sync hook path and on the async path (AsyncJobClient, and real triggers).

ALI_CONN, CI_CONN = "hostile_ali", "hostile_ci"
BUCKET = "examplebucket-1250000000"
NEVER = (RecursionError, KeyError, TypeError)  # what must never escape, whatever the answer


@pytest.fixture
def conns(hostile: HostileServer, monkeypatch: pytest.MonkeyPatch) -> HostileServer:
    """Connections to the hostile server, and fast retries for the clients triggers build."""
    monkeypatch.setenv(f"AIRFLOW_CONN_{ALI_CONN.upper()}", json.dumps({
        "conn_type": "alibaba_cloud_media", "login": "LTAIhostileKEY", "password": "hostile-secret",
        "extra": {"region": "cn-shanghai", "endpoint_url": hostile.url}}))
    monkeypatch.setenv(f"AIRFLOW_CONN_{CI_CONN.upper()}", json.dumps({
        "conn_type": "tencent_cloud_ci", "login": "AKIDhostileKEY", "password": "hostile-secret",
        "extra": {"region": "ap-beijing", "bucket": BUCKET, "endpoint_url": hostile.url, "batch_window": 0.2}}))
    # Triggers build their client with the default policy (5 attempts, growing waits): keep the
    # attempts, drop the waits, so a test sees retries without sleeping through them.
    monkeypatch.setattr(hooks_base, "RetryPolicy", functools.partial(RetryPolicy, attempts=2, initial=0.0,
                                                                     max_wait=0.0))
    hostile.seen.clear()
    return hostile


def _ali_hook() -> AlibabaCloudMediaHook:
    return AlibabaCloudMediaHook(ALI_CONN, retry_policy=ONE_TRY, timeouts=TIMEOUTS)


def _ci_hook() -> TencentCloudCIHook:
    return TencentCloudCIHook(CI_CONN, retry_policy=ONE_TRY, timeouts=TIMEOUTS)


async def _async_ci_client(url: str) -> AsyncJobClient:
    import aiohttp

    protocol = tcat.TencentProtocol(tcat.TencentCredentials("AKIDhostileKEY", "hostile-secret"), "ap-beijing", BUCKET,
                                    endpoint_url=url)
    client = AsyncClient(protocol, AsyncSender(aiohttp.ClientSession(trust_env=False), TIMEOUTS, 1 << 20), ONE_TRY)
    return AsyncJobClient(TencentCloudCIHook.api, "hostile", client)


def refused(call: Callable[[], Any], error: type[BaseException], text: str) -> Any:
    """Run ``call``; it must raise ``error`` whose message matches ``text``, and return nothing."""
    try:
        result = call()
    except BaseException as err:
        _check_refusal(err, error, text)
        return err
    pytest.fail(f"returned {result!r:.300} instead of raising {error.__name__}")


async def arefused(call: Callable[[], Awaitable[Any]], error: type[BaseException], text: str) -> Any:
    """Async twin of :func:`refused`."""
    try:
        result = await call()
    except BaseException as err:
        _check_refusal(err, error, text)
        return err
    pytest.fail(f"returned {result!r:.300} instead of raising {error.__name__}")


def _check_refusal(err: BaseException, error: type[BaseException], text: str) -> None:
    assert not isinstance(err, NEVER), f"{type(err).__name__} escaped: {err!s:.300}"
    assert isinstance(err, error), f"{type(err).__name__} instead of {error.__name__}: {err!s:.300}"
    assert re.search(text, str(err)), f"{text!r} not in {err!s:.500}"
    assert "hostile-secret" not in str(err)


async def first_event(trigger: MediaJobTrigger, limit: float = 30) -> dict[str, Any]:
    """Run ``trigger`` to its one event; close it (leaving the shared poller) either way."""
    events = cast("AsyncGenerator[TriggerEvent, None]", trigger.run())
    try:
        event = await asyncio.wait_for(events.__anext__(), limit)
    finally:
        await events.aclose()
    payload = dict(event.payload)
    json.dumps(payload)  # what crosses the metadata database must serialize, whatever came in
    return payload


def xml_of(text: str) -> Behaviour:
    return fixed(text.encode(), "application/xml")


def json_of(body: Any) -> Behaviour:
    return fixed(json.dumps(body).encode(), "application/json")


# -- class 1: nested too deep (JSON and XML), never a RecursionError ------------------------------
def deep_json(depth: int, job_id: str = "j1") -> bytes:
    """A job answer that is valid but for one field nested ``depth`` more levels."""
    return (b'{"RequestId": "r", "JobId": "%s", "State": "Queuing", "Deep": ' % job_id.encode()
            + b"[" * depth + b"]" * depth + b"}")


def deep_json_string(depth: int) -> bytes:
    """An MTS answer whose Result is a JSON text (as the SDK models it) nested ``depth`` deep."""
    result = '{"Code": ' * depth + '"X"' + "}" * depth
    return json.dumps({"RequestId": "r", "JobId": "j1", "State": "Fail", "Result": result}).encode()


# Total depths over the limit by one, and far over: 900 parses in Python, 5,000 and 100,000 do not.
JSON_TOO_DEEP = {
    "one level too deep": deep_json(MAX_DEPTH),
    "900 levels (parses)": deep_json(900),
    "5,000 levels": deep_json(5_000),
    "100,000 levels": deep_json(100_000),
    "100,000 bare objects": b'{"a": ' * 100_000 + b"1" + b"}" * 100_000,
}
JSON_STRING_TOO_DEEP = {"Result nested 900 deep": deep_json_string(900),
                        "Result nested 5,000 deep": deep_json_string(5_000)}


@pytest.mark.parametrize("body", list(JSON_TOO_DEEP.values()), ids=list(JSON_TOO_DEEP))
def test_sync_deep_json_is_refused_as_nested_too_deep(conns: HostileServer, body: bytes) -> None:
    conns.behaviour = fixed(body, "application/json")
    hook = _ali_hook()
    refused(lambda: hook.get_job(cat.MTS_IPRODUCTION_JOB, job_id="j1"), BadResponseError, "nested too deep")
    refused(lambda: hook.call(cat.LIST_SMART_JOBS), BadResponseError, r"nested too deep.*depth limit 64")


async def _async_job_refused(hostile: HostileServer, vendor: str, body: str | bytes, match: str) -> None:
    """The triggers' client, reading one job (MTS JSON or Tencent XML) answered with ``body``,
    raises a bad response."""
    if vendor == "tencent":
        hostile.behaviour = xml_of(str(body))
        client = await _async_ci_client(hostile.url)
        kind, ids = tcat.TENCENT_CI_JOB, {"job_ids": "a"}
    else:
        hostile.behaviour = fixed(bytes(body), "application/json")  # type: ignore[arg-type]
        client = await _async_client(hostile.url)
        kind, ids = cat.MTS_IPRODUCTION_JOB, {"job_id": "j1"}
    try:
        await arefused(lambda: client.get_job(kind, **ids), BadResponseError, match)
    finally:
        await client.close()


@pytest.mark.parametrize("body", list(JSON_TOO_DEEP.values()), ids=list(JSON_TOO_DEEP))
async def test_async_deep_json_is_refused_as_nested_too_deep(hostile: HostileServer, body: bytes) -> None:
    await _async_job_refused(hostile, "mts", body, "nested too deep")


@pytest.mark.parametrize("body", list(JSON_STRING_TOO_DEEP.values()), ids=list(JSON_STRING_TOO_DEEP))
def test_sync_deep_json_text_inside_a_job_is_refused_when_fetched(conns: HostileServer, body: bytes) -> None:
    # The answer itself is shallow; the JSON text a wait decodes (MTS Result) is not.
    conns.behaviour = fixed(body, "application/json")
    refused(lambda: _ali_hook().get_job(cat.MTS_IPRODUCTION_JOB, job_id="j1"), BadResponseError, "nested too deep")


@pytest.mark.parametrize("body", list(JSON_STRING_TOO_DEEP.values()), ids=list(JSON_STRING_TOO_DEEP))
async def test_async_deep_json_text_inside_a_job_is_refused_when_fetched(hostile: HostileServer,
                                                                        body: bytes) -> None:
    await _async_job_refused(hostile, "mts", body, "nested too deep")


@pytest.mark.parametrize("coalesce", [True, False], ids=["shared poller", "own client"])
@pytest.mark.parametrize("body", [deep_json(900), deep_json(100_000), deep_json_string(5_000)],
                         ids=["900 levels", "100,000 levels", "deep Result text"])
async def test_mts_trigger_ends_with_an_error_event_on_deep_json(conns: HostileServer, body: bytes,
                                                                 coalesce: bool) -> None:
    conns.behaviour = fixed(body, "application/json")
    trigger = MtsIProductionJobTrigger(conn_id=ALI_CONN, job_ids={"job_id": "j1"}, poll_interval=0.01,
                                       max_transient_errors=1, coalesce=coalesce)
    event = await first_event(trigger)
    assert event["status"] == "error"
    assert "nested too deep" in event["message"]
    assert conns.seen  # it looked (and looked again: a bad answer is transient to a trigger), then ended


def test_json_at_the_depth_limit_is_a_job_and_its_event_serializes(conns: HostileServer) -> None:
    conns.behaviour = fixed(deep_json(MAX_DEPTH - 1).replace(b"Queuing", b"Success"), "application/json")
    job = _ali_hook().get_job(cat.MTS_IPRODUCTION_JOB, job_id="j1")
    event = evaluate(cat.MTS_IPRODUCTION_JOB, "j1", job)
    assert event is not None
    assert event["status"] == "success"
    json.dumps(event)
    repr(event)


def deep_xml(depth: int, job_id: str = "a") -> str:
    """A GetJobs answer that is valid but for one job's Operation nested ``depth`` more levels."""
    return (f"<Response><JobsDetail><JobId>{job_id}</JobId><State>Running</State><Operation>"
            + "<x>" * depth + "</x>" * depth + "</Operation></JobsDetail></Response>")


XML_TOO_DEEP = {
    "one level too deep": deep_xml(MAX_DEPTH - 3 + 1),  # Response, JobsDetail, Operation, then x...
    "900 levels": deep_xml(900),
    "5,000 levels": deep_xml(5_000),
    "100,000 levels": deep_xml(100_000),
    "100,000 bare elements": "<a>" * 100_000 + "</a>" * 100_000,
}


@pytest.mark.parametrize("body", list(XML_TOO_DEEP.values()), ids=list(XML_TOO_DEEP))
def test_sync_deep_xml_is_refused_as_nested_too_deep(conns: HostileServer, body: str) -> None:
    conns.behaviour = xml_of(body)
    hook = _ci_hook()
    refused(lambda: hook.get_ci_job("a"), BadResponseError, r"nested too deep.*depth limit 64")
    refused(lambda: hook.get_jobs(["a"]), BadResponseError, "nested too deep")
    refused(lambda: hook.list_jobs(tag="Translation"), BadResponseError, "nested too deep")


@pytest.mark.parametrize("body", list(XML_TOO_DEEP.values()), ids=list(XML_TOO_DEEP))
async def test_async_deep_xml_is_refused_as_nested_too_deep(hostile: HostileServer, body: str) -> None:
    await _async_job_refused(hostile, "tencent", body, "nested too deep")


def test_xml_at_the_depth_limit_is_a_job_and_its_event_serializes(conns: HostileServer) -> None:
    conns.behaviour = xml_of(deep_xml(MAX_DEPTH - 3).replace("Running", "Success"))
    job = _ci_hook().get_ci_job("a")
    event = evaluate(tcat.TENCENT_CI_JOB, "a", job)
    assert event is not None
    assert event["status"] == "success"
    json.dumps(event)


def test_the_xml_conversion_is_unchanged_for_vendor_answers() -> None:
    root, content = xml.parse(b"<Response><JobsDetail><JobId>a</JobId><Input><Object> k </Object></Input>"
                              b"</JobsDetail><JobsDetail><JobId>b</JobId></JobsDetail><NextToken/>"
                              b"<Tag>x</Tag><Tag>y</Tag></Response>")
    assert root == "Response"
    assert content == {"JobsDetail": [{"JobId": "a", "Input": {"Object": "k"}}, {"JobId": "b"}], "NextToken": "",
                       "Tag": ["x", "y"]}


@pytest.mark.parametrize("body", [deep_xml(900), deep_xml(100_000)], ids=["900 levels", "100,000 levels"])
async def test_one_deep_answer_to_a_batch_fails_each_trigger_sharing_it_cleanly(conns: HostileServer,
                                                                               body: str) -> None:
    conns.behaviour = xml_of(body)
    triggers = [TencentCIJobTrigger(conn_id=CI_CONN, job_ids={"job_ids": i}, poll_interval=0.01,
                                    max_transient_errors=0) for i in ("a", "b", "c")]
    events = await asyncio.gather(*(first_event(t) for t in triggers))
    # One shared GET /jobs/a,b,c (tried twice) answered them all, and each wait ended on its own
    # with the typed error's message: none crashed, none hangs.
    assert len(conns.seen) == 2
    assert [seen.replace("%2C", ",") for seen in conns.seen] == ["GET /jobs/a,b,c"] * 2
    assert [e["job_id"] for e in events] == ["a", "b", "c"]
    for event in events:
        assert event["status"] == "error"
        assert "nested too deep" in event["message"]
    assert coalesce.active_pollers() == 0


async def test_a_batch_with_a_deep_answer_is_ridden_out_as_a_bad_answer(conns: HostileServer) -> None:
    # Bad answers are transient to a trigger: it looks again, and a good answer ends the wait.
    answers = [deep_xml(5_000)] * 2 + ["<Response>" + "".join(
        f"<JobsDetail><JobId>{i}</JobId><State>Success</State></JobsDetail>" for i in "ab") + "</Response>"]

    async def flaky(request: web.Request) -> web.StreamResponse:
        body = answers.pop(0) if len(answers) > 1 else answers[0]
        return web.Response(body=body.encode(), content_type="application/xml")

    conns.behaviour = flaky
    triggers = [TencentCIJobTrigger(conn_id=CI_CONN, job_ids={"job_ids": i}, poll_interval=0.01,
                                    max_transient_errors=3) for i in "ab"]
    events = await asyncio.gather(*(first_event(t) for t in triggers))
    assert [e["status"] for e in events] == ["success", "success"]


# -- class 2: a 200 whose body is a vendor error, a job without a state, another job ---------------
MTS_IN = {"Bucket": "in", "Location": "oss-cn-shanghai", "Object": "a.mp4"}
ALI_CALLS: dict[str, tuple[Any, dict[str, Any]]] = {
    "ListSmartJobs": (cat.LIST_SMART_JOBS, {}),
    "GetSmartHandleJob": (cat.GET_SMART_HANDLE_JOB, {"job_id": "j1"}),
    "ListLiveSnapshotJobs": (cat.LIST_LIVE_SNAPSHOT_JOBS, {}),
    "QueryIProductionJob": (cat.QUERY_IPRODUCTION_JOB, {"job_id": "j1"}),
    "SubmitIProductionJob": (cat.SUBMIT_IPRODUCTION_JOB, {"function_name": "VideoQualityEnhancement"}),
    "ListTasks": (cat.LIST_TASKS, {"project_name": "p"}),
    "GetTask": (cat.GET_TASK, {"project_name": "p", "task_id": "t1", "task_type": "FaceClustering"}),
    # IMM Create*Task (issue 18, part 3)
    "CreateMediaConvertTask": (cat.CREATE_MEDIA_CONVERT_TASK, {"project_name": "p",
                                                               "sources": [{"URI": "oss://media-in/a.mp4"}]}),
    "CreateVideoLabelClassificationTask": (cat.CREATE_VIDEO_LABEL_CLASSIFICATION_TASK,
                                           {"project_name": "p", "source_uri": "oss://media-in/a.mp4"}),
    "CreateFigureClusteringTask": (cat.CREATE_FIGURE_CLUSTERING_TASK, {"project_name": "p", "dataset_name": "d"}),
    "CreateOfficeConversionTask": (cat.CREATE_OFFICE_CONVERSION_TASK, {
        "project_name": "p", "source_uri": "oss://docs-in/a.docx", "target_type": "pdf",
        "target_uri": "oss://docs-out/a.pdf"}),
    "CreateFileCompressionTask": (cat.CREATE_FILE_COMPRESSION_TASK, {
        "project_name": "p", "target_uri": "oss://docs-out/a.zip", "source_manifest_uri": "oss://docs-in/r.json"}),
    # MTS transcoding, snapshots and media info (issue 18, part 1)
    "SubmitJobs": (cat.SUBMIT_JOBS, {"input": MTS_IN, "output_bucket": "out", "pipeline_id": "p1",
                                     "outputs": [{"OutputObject": "a.mp4", "TemplateId": "t1"}]}),
    "QueryJobList": (cat.QUERY_JOB_LIST, {"job_ids": ["j1"]}),
    "ListJob": (cat.LIST_JOB, {}),
    "CancelJob": (cat.CANCEL_JOB, {"job_id": "j1"}),
    "SubmitSnapshotJob": (cat.SUBMIT_SNAPSHOT_JOB, {"input": MTS_IN, "snapshot_config": {"OutputFile": MTS_IN}}),
    "QuerySnapshotJobList": (cat.QUERY_SNAPSHOT_JOB_LIST, {"snapshot_job_ids": ["j1"]}),
    "SubmitMediaInfoJob": (cat.SUBMIT_MEDIA_INFO_JOB, {"input": MTS_IN}),
    "QueryMediaInfoJobList": (cat.QUERY_MEDIA_INFO_JOB_LIST, {"media_info_job_ids": ["j1"]}),
    # ICE transcoding, snapshots and media conversion (issue 18, part 2)
    "SubmitTranscodeJob": (cat.SUBMIT_TRANSCODE_JOB, {
        "input_group": [{"Type": "OSS", "Media": "oss://media-in/a.mp4"}],
        "output_group": [{"Output": {"Type": "OSS", "Media": "oss://media-out/a.mp4"},
                          "ProcessConfig": {"Transcode": {"TemplateId": "t"}}}]}),
    "GetTranscodeJob": (cat.GET_TRANSCODE_JOB, {"parent_job_id": "j1"}),
    "ListTranscodeJobs": (cat.LIST_TRANSCODE_JOBS, {}),
    "ice.SubmitSnapshotJob": (cat.ICE_SUBMIT_SNAPSHOT_JOB, {"input": {"Type": "Media", "Media": "m1"},
                                                    "output": {"Type": "OSS", "Media": "oss://media-out/a.jpg"},
                                                    "template_config": {"TemplateId": "t"}}),
    "GetSnapshotJob": (cat.GET_SNAPSHOT_JOB, {"job_id": "j1"}),
    "ListSnapshotJobs": (cat.LIST_SNAPSHOT_JOBS, {}),
    "SubmitMediaConvertJob": (cat.SUBMIT_MEDIA_CONVERT_JOB, {
        "config": {"Inputs": [{"InputFile": {"Type": "Media", "Media": "m1"}}]}}),
    "GetMediaConvertJob": (cat.GET_MEDIA_CONVERT_JOB, {"job_id": "j1"}),
    "ListMediaConvertJobs": (cat.LIST_MEDIA_CONVERT_JOBS, {}),
    # ICE timeline editing and IProduction (issue 18, part 2)
    "SubmitMediaProducingJob": (cat.SUBMIT_MEDIA_PRODUCING_JOB, {"timeline": {"VideoTracks": []},
                                                                 "output_media_config": {"MediaURL": "u"}}),
    "GetMediaProducingJob": (cat.GET_MEDIA_PRODUCING_JOB, {"job_id": "j1"}),
    "ListMediaProducingJobs": (cat.LIST_MEDIA_PRODUCING_JOBS, {}),
    "ice.SubmitIProductionJob": (cat.ICE_SUBMIT_IPRODUCTION_JOB, {
        "function_name": "Cover", "input": {"Type": "OSS", "Media": "m"}, "output": {"Type": "OSS", "Media": "m"}}),
    "ice.QueryIProductionJob": (cat.ICE_QUERY_IPRODUCTION_JOB, {"job_id": "j1"}),
    "CancelIProductionJob": (cat.ICE_CANCEL_IPRODUCTION_JOB, {"job_id": "j1"}),
}
ERRORS_WITH_200: dict[str, tuple[str, type[MediaJobsError]]] = {
    "InvalidParameter": ("InvalidParameter", InvalidParameterError),
    "Forbidden.RAM": ("Forbidden.RAM", AuthError),
    "Throttling.User": ("Throttling.User", ThrottledError),
    "JobNotFound": ("InvalidJobId.NotFound", NotFoundError),
    "unknown code": ("Weird.NewCode", VendorError),
}


def _error_200(code: str) -> Behaviour:
    return json_of({"RequestId": "rid-200", "HostId": "h", "Code": code, "Message": f"it said {code}",
                    "Recommend": "r"})


def _check_vendor_error(err: MediaJobsError, code: str) -> None:
    assert (err.status, err.code, err.vendor_message, err.request_id) == (200, code, f"it said {code}", "rid-200")


def test_every_alibaba_operation_declares_its_answer_keys() -> None:
    assert set(ALI_CALLS) == set(cat.OPERATIONS)
    for operation in cat.OPERATIONS.values():
        assert operation.answer_keys, operation.name
    # IMM GetTask's own answer carries Code/Message: only TaskId and Status tell it from an error.
    assert set(cat.GET_TASK.answer_keys) == {"TaskId", "Status"}


@pytest.mark.parametrize("case", list(ERRORS_WITH_200))
@pytest.mark.parametrize("action", list(ALI_CALLS))
def test_sync_alibaba_error_body_with_200_is_that_vendor_error(conns: HostileServer, action: str, case: str) -> None:
    code, error = ERRORS_WITH_200[case]
    conns.behaviour = _error_200(code)
    operation, arguments = ALI_CALLS[action]
    err = refused(lambda: _ali_hook().call(operation, **arguments), error, re.escape(f"{code}: it said {code}"))
    _check_vendor_error(err, code)


@pytest.mark.parametrize("case", list(ERRORS_WITH_200))
@pytest.mark.parametrize("action", list(ALI_CALLS))
async def test_async_alibaba_error_body_with_200_is_that_vendor_error(hostile: HostileServer, action: str,
                                                                      case: str) -> None:
    code, error = ERRORS_WITH_200[case]
    hostile.behaviour = _error_200(code)
    operation, arguments = ALI_CALLS[action]
    client = await _async_client(hostile.url)
    try:
        err = await arefused(lambda: client.call(operation, **arguments), error, re.escape(code))
    finally:
        await client.close()
    _check_vendor_error(err, code)


@pytest.mark.parametrize("body", [{"RequestId": "r"}, {"RequestId": "r", "Code": "", "Message": "odd"}, {}],
                         ids=["only a RequestId", "empty Code", "empty object"])
@pytest.mark.parametrize("action", list(ALI_CALLS))
def test_sync_alibaba_200_without_its_answer_keys_is_a_bad_answer(conns: HostileServer, action: str,
                                                                  body: dict[str, Any]) -> None:
    # Neither the answer (no items, no job) nor an error: not "no items", not "no job".
    conns.behaviour = json_of(body)
    operation, arguments = ALI_CALLS[action]
    if operation is cat.ICE_CANCEL_IPRODUCTION_JOB and body.get("Message"):
        # Its whole answer is RequestId and Message: a Message without a Code is its answer.
        assert _ali_hook().call(operation, **arguments) == body
        return
    refused(lambda: _ali_hook().call(operation, **arguments), BadResponseError,
            rf"{operation.name} answered HTTP 200 without {operation.answer_keys[0]}")


@pytest.mark.parametrize("action", list(ALI_CALLS))
async def test_async_alibaba_200_without_its_answer_keys_is_a_bad_answer(hostile: HostileServer,
                                                                         action: str) -> None:
    hostile.behaviour = json_of({"RequestId": "r"})
    operation, arguments = ALI_CALLS[action]
    client = await _async_client(hostile.url)
    try:
        await arefused(lambda: client.call(operation, **arguments), BadResponseError, "without")
    finally:
        await client.close()


@pytest.mark.parametrize("kind", [cat.MTS_IPRODUCTION_JOB, cat.ICE_SMART_JOB, cat.IMM_TASK], ids=lambda k: k.name)
def test_sync_get_job_on_an_error_body_with_200_raises_it(conns: HostileServer, kind: JobKind) -> None:
    conns.behaviour = _error_200("InvalidParameter")
    ids = {k: ALI_CALLS[kind.get.name][1][k] for k in kind.id_args}
    err = refused(lambda: _ali_hook().get_job(kind, **ids), InvalidParameterError, "InvalidParameter")
    _check_vendor_error(err, "InvalidParameter")


@pytest.mark.parametrize("coalesce", [True, False], ids=["shared poller", "own client"])
@pytest.mark.parametrize("trigger_class", [MtsIProductionJobTrigger, IceSmartJobTrigger])
async def test_a_wait_on_an_error_body_with_200_ends_with_its_code(conns: HostileServer, coalesce: bool,
                                                                   trigger_class: type[MediaJobTrigger]) -> None:
    # It used to read as a job in an unknown state: the wait never ended.
    conns.behaviour = _error_200("InvalidParameter")
    trigger = trigger_class(conn_id=ALI_CONN, job_ids={"job_id": "j1"}, poll_interval=0.01, coalesce=coalesce)
    event = await first_event(trigger)
    assert (event["status"], event["code"], event["request_id"]) == ("error", "InvalidParameter", "rid-200")
    assert "it said InvalidParameter" in event["message"]


# Answers that look like a job but are none: no state, an empty one, one of the wrong type, or the
# state of another job (a wrong result, worse than no result).
NOT_THE_JOB: dict[str, tuple[JobKind, dict[str, Any], str]] = {
    "MTS, no State": (cat.MTS_IPRODUCTION_JOB, {"JobId": "j1"}, "without State"),
    "MTS, empty State": (cat.MTS_IPRODUCTION_JOB, {"JobId": "j1", "State": ""}, "without State"),
    "MTS, State an object": (cat.MTS_IPRODUCTION_JOB, {"JobId": "j1", "State": {"Value": "Success"}},
                             "without a state"),
    "MTS, another job": (cat.MTS_IPRODUCTION_JOB, {"JobId": "j2", "State": "Success"},
                         r"asked for mts_iproduction 'j1'.*'j2'.*not the job asked for"),
    "ICE, no JobId": (cat.ICE_SMART_JOB, {"State": "Finished"}, "without JobId"),
    "ICE, State null": (cat.ICE_SMART_JOB, {"JobId": "j1", "State": None}, "without State"),
    "ICE, JobId a number": (cat.ICE_SMART_JOB, {"JobId": 1, "State": "Finished"}, "not the job asked for"),
    "IMM, another task": (cat.IMM_TASK, {"TaskId": "t2", "Status": "Succeeded"}, "not the job asked for"),
    "IMM, Status a list": (cat.IMM_TASK, {"TaskId": "t1", "Status": ["Succeeded"]}, "without a state"),
    "only a RequestId": (cat.MTS_IPRODUCTION_JOB, {}, "without JobId, State"),
}


@pytest.mark.parametrize("case", list(NOT_THE_JOB))
def test_sync_a_job_answer_that_is_not_the_job_is_refused(conns: HostileServer, case: str) -> None:
    kind, fields, text = NOT_THE_JOB[case]
    conns.behaviour = json_of({"RequestId": "r", **fields})
    ids = {k: ALI_CALLS[kind.get.name][1][k] for k in kind.id_args}
    refused(lambda: _ali_hook().get_job(kind, **ids), BadResponseError, text)


@pytest.mark.parametrize("case", list(NOT_THE_JOB))
async def test_async_a_job_answer_that_is_not_the_job_is_refused(hostile: HostileServer, case: str) -> None:
    kind, fields, text = NOT_THE_JOB[case]
    hostile.behaviour = json_of({"RequestId": "r", **fields})
    ids = {k: ALI_CALLS[kind.get.name][1][k] for k in kind.id_args}
    client = await _async_client(hostile.url)
    try:
        await arefused(lambda: client.get_job(kind, **ids), BadResponseError, text)
    finally:
        await client.close()


async def test_a_wait_answered_with_another_job_does_not_take_its_state(conns: HostileServer) -> None:
    conns.behaviour = json_of({"RequestId": "r", "JobId": "j2", "State": "Success"})
    trigger = MtsIProductionJobTrigger(conn_id=ALI_CONN, job_ids={"job_id": "j1"}, poll_interval=0.01,
                                       max_transient_errors=0)
    event = await first_event(trigger)
    assert event["status"] == "error"
    assert "not the job asked for" in event["message"]


@pytest.mark.parametrize(("status", "group"), [("Failed", "failure"), ("Running", None), ("Succeeded", "success")])
def test_imm_task_answers_with_their_own_code_and_message_are_tasks(conns: HostileServer, status: str,
                                                                    group: str | None) -> None:
    conns.behaviour = json_of({"RequestId": "r", "TaskId": "t1", "TaskType": "FaceClustering", "Status": status,
                               "Code": "ResourceNotFound" if status == "Failed" else "",
                               "Message": "the file is gone" if status == "Failed" else "", "ProjectName": "p"})
    task = _ali_hook().get_job(cat.IMM_TASK, project_name="p", task_id="t1", task_type="FaceClustering")
    event = evaluate(cat.IMM_TASK, "t1", task)
    assert (event or {}).get("status") == group
    if group == "failure":
        assert event is not None
        assert (event["code"], event["message"]) == ("ResourceNotFound", "the file is gone")


TENCENT_CALLS: dict[str, Callable[[TencentCloudCIHook], Any]] = {
    "ListJobs": lambda hook: hook.list_jobs(tag="Translation"),
    "GetJobs": lambda hook: hook.get_jobs(["a", "b"]),
    "GetJobs (one job)": lambda hook: hook.get_ci_job("a"),
    "SubmitJob": lambda hook: hook.submit_job(tag="WordsGeneralize", input_object="in.txt", queue_id="p1234",
                                              words_generalize={"NerMethod": "DL", "SegMethod": "MIX"}),
    "CancelJob": lambda hook: hook.cancel_job("a"),
}
TENCENT_ERRORS = {"InvalidArgument": InvalidParameterError, "AccessDenied": AuthError, "NoSuchBucket": NotFoundError,
                  "SlowDown": ThrottledError, "NewCode": VendorError}


def _ci_error_200(code: str) -> Behaviour:
    return xml_of(f"<Error><Code>{code}</Code><Message>it said {code}</Message><Resource>/jobs</Resource>"
                  "<RequestId>rid-200</RequestId><TraceId>t</TraceId></Error>")


def test_every_tencent_operation_is_tried() -> None:
    assert {name.split(" ")[0] for name in TENCENT_CALLS} == set(tcat.OPERATIONS)


@pytest.mark.parametrize("code", list(TENCENT_ERRORS))
@pytest.mark.parametrize("call", list(TENCENT_CALLS))
def test_sync_tencent_error_document_with_200_is_that_vendor_error(conns: HostileServer, call: str, code: str) -> None:
    conns.behaviour = _ci_error_200(code)
    err = refused(lambda: TENCENT_CALLS[call](_ci_hook()), TENCENT_ERRORS[code], re.escape(f"{code}: it said {code}"))
    _check_vendor_error(err, code)


@pytest.mark.parametrize("code", list(TENCENT_ERRORS))
@pytest.mark.parametrize("operation", list(tcat.OPERATIONS.values()), ids=list(tcat.OPERATIONS))
async def test_async_tencent_error_document_with_200_is_that_vendor_error(hostile: HostileServer, operation: Any,
                                                                          code: str) -> None:
    hostile.behaviour = _ci_error_200(code)
    arguments: dict[str, dict[str, Any]] = {
        "ListJobs": {"tag": "Translation"}, "GetJobs": {"job_ids": ["a"]}, "CancelJob": {"job_id": "a"},
        "SubmitJob": {"tag": "WordsGeneralize", "input_object": "in.txt", "queue_id": "p1234"}}
    client = await _async_ci_client(hostile.url)
    try:
        err = await arefused(lambda: client.call(operation, **arguments[operation.name]), TENCENT_ERRORS[code],
                             re.escape(code))
    finally:
        await client.close()
    _check_vendor_error(err, code)


@pytest.mark.parametrize("body", ["<Response/>", "<Response><NextToken/></Response>"])
def test_a_submission_answered_without_the_new_job_is_refused(conns: HostileServer, body: str) -> None:
    conns.behaviour = xml_of(body)
    refused(lambda: TENCENT_CALLS["SubmitJob"](_ci_hook()), BadResponseError, "without JobsDetail")


STATELESS_CI = {
    "no State": "<Response><JobsDetail><JobId>a</JobId><Code>Success</Code></JobsDetail></Response>",
    "empty State": "<Response><JobsDetail><JobId>a</JobId><State/></JobsDetail></Response>",
    "State with children": "<Response><JobsDetail><JobId>a</JobId><State><V>Success</V></State></JobsDetail>"
                           "</Response>",
}


@pytest.mark.parametrize("body", list(STATELESS_CI.values()), ids=list(STATELESS_CI))
def test_sync_tencent_job_without_a_state_is_refused(conns: HostileServer, body: str) -> None:
    conns.behaviour = xml_of(body)
    refused(lambda: _ci_hook().get_ci_job("a"), BadResponseError, "without a state")


@pytest.mark.parametrize("body", list(STATELESS_CI.values()), ids=list(STATELESS_CI))
async def test_async_tencent_job_without_a_state_is_refused(hostile: HostileServer, body: str) -> None:
    await _async_job_refused(hostile, "tencent", body, "without a state")


async def test_a_tencent_wait_on_an_error_document_with_200_ends_with_its_code(conns: HostileServer) -> None:
    conns.behaviour = _ci_error_200("InvalidArgument")
    trigger = TencentCIJobTrigger(conn_id=CI_CONN, job_ids={"job_ids": "a"}, poll_interval=0.01)
    event = await first_event(trigger)
    assert (event["status"], event["code"], event["request_id"]) == ("error", "InvalidArgument", "rid-200")


# -- class 3: an empty or rootless 200 from Tencent, and an answer silent about an asked id -------
ROOTLESS = {
    "empty body": ("", "an empty body"),
    "whitespace": (" \r\n\t ", "an empty body"),
    "HTML page": ("<html><body>OK</body></html>", "<html> document, not the vendor's <Response>"),
    "unknown root": ("<Foo/>", "<Foo> document"),
    "root in the wrong case": ("<response><JobsDetail><JobId>a</JobId></JobsDetail></response>", "<response>"),
    "declaration, other root": ("<?xml version='1.0'?>\n<Result><JobsDetail/></Result>", "<Result>"),
}


@pytest.mark.parametrize("case", list(ROOTLESS))
@pytest.mark.parametrize("call", [c for c in TENCENT_CALLS if c != "CancelJob"])
def test_sync_empty_or_rootless_200_is_a_bad_answer(conns: HostileServer, call: str, case: str) -> None:
    body, text = ROOTLESS[case]
    conns.behaviour = xml_of(body)
    err = refused(lambda: TENCENT_CALLS[call](_ci_hook()), BadResponseError, re.escape(text))
    assert err.status == 200


@pytest.mark.parametrize("case", list(ROOTLESS))
@pytest.mark.parametrize("operation", [tcat.LIST_JOBS, tcat.GET_JOBS, tcat.SUBMIT_JOB], ids=lambda o: o.name)
async def test_async_empty_or_rootless_200_is_a_bad_answer(hostile: HostileServer, operation: Any,
                                                           case: str) -> None:
    body, text = ROOTLESS[case]
    hostile.behaviour = xml_of(body)
    arguments: dict[str, dict[str, Any]] = {
        "ListJobs": {"tag": "Translation"}, "GetJobs": {"job_ids": ["a"]},
        "SubmitJob": {"tag": "WordsGeneralize", "input_object": "in.txt", "queue_id": "p1234"}}
    client = await _async_ci_client(hostile.url)
    try:
        await arefused(lambda: client.call(operation, **arguments[operation.name]), BadResponseError,
                       re.escape(text))
        if operation is tcat.GET_JOBS:
            await arefused(lambda: client.get_job(tcat.TENCENT_CI_JOB, job_ids="a"), BadResponseError,
                           re.escape(text))
    finally:
        await client.close()


@pytest.mark.parametrize("case", ["empty body", "whitespace"])
async def test_a_wait_on_an_empty_200_is_an_error_not_a_missing_job(conns: HostileServer, case: str) -> None:
    # With no grace, "not found" would end the wait at once: it must not be what an empty body means.
    conns.behaviour = xml_of(ROOTLESS[case][0])
    trigger = TencentCIJobTrigger(conn_id=CI_CONN, job_ids={"job_ids": "a"}, poll_interval=0.01, not_found_grace=0,
                                  max_transient_errors=0)
    event = await first_event(trigger)
    assert event["status"] == "error"
    assert "empty body" in event["message"]


@pytest.mark.parametrize("body", ["", " \n", "<Response/>"], ids=["documented empty body", "whitespace",
                                                                  "empty Response"])
def test_cancel_accepts_its_documented_empty_answer(conns: HostileServer, body: str) -> None:
    conns.behaviour = xml_of(body)
    _ci_hook().cancel_job("a")  # a success: nothing raised


@pytest.mark.parametrize("case", ["HTML page", "unknown root", "declaration, other root"])
async def test_cancel_refuses_a_document_that_is_not_its_answer(conns: HostileServer, case: str) -> None:
    body, text = ROOTLESS[case]
    conns.behaviour = xml_of(body)
    refused(lambda: _ci_hook().cancel_job("a"), BadResponseError, re.escape(text))
    client = await _async_ci_client(conns.url)
    try:
        await arefused(lambda: client.call(tcat.CANCEL_JOB, job_id="a"), BadResponseError, re.escape(text))
    finally:
        await client.close()


def _detail(job_id: str, state: str = "Success") -> str:
    return f"<JobsDetail><JobId>{job_id}</JobId><State>{state}</State></JobsDetail>"


# Asked for "a" (and "b"): answers that do not say what became of an asked id.
AMBIGUOUS = {
    "empty Response": ("<Response/>", "neither JobsDetail nor NonExistJobIds for job 'a'"),
    "another job only": (f"<Response>{_detail('b')}</Response>", "neither JobsDetail nor NonExistJobIds for job 'a'"),
    "another id missing": ("<Response><NonExistJobIds>b</NonExistJobIds></Response>", "neither"),
    "only NextToken": ("<Response><NextToken/></Response>", "neither"),
    "in both lists": (f"<Response>{_detail('a')}<NonExistJobIds>a</NonExistJobIds></Response>",
                      "job 'a' both in JobsDetail and in NonExistJobIds"),
    "twice, differently": (f"<Response>{_detail('a')}{_detail('a', 'Failed')}</Response>", "2 times"),
}


@pytest.mark.parametrize("case", list(AMBIGUOUS))
def test_sync_an_answer_silent_about_an_asked_id_is_ambiguous(conns: HostileServer, case: str) -> None:
    body, text = AMBIGUOUS[case]
    conns.behaviour = xml_of(body)
    hook = _ci_hook()
    refused(lambda: hook.get_ci_job("a"), BadResponseError, text)
    refused(lambda: hook.get_jobs(["a"]), BadResponseError, text)


@pytest.mark.parametrize("case", list(AMBIGUOUS))
async def test_async_an_answer_silent_about_an_asked_id_is_ambiguous(hostile: HostileServer, case: str) -> None:
    body, text = AMBIGUOUS[case]
    hostile.behaviour = xml_of(body)
    client = await _async_ci_client(hostile.url)
    try:
        await arefused(lambda: client.get_job(tcat.TENCENT_CI_JOB, job_ids="a"), BadResponseError, text)
    finally:
        await client.close()


def test_get_jobs_names_the_id_an_answer_left_out(conns: HostileServer) -> None:
    conns.behaviour = xml_of(f"<Response>{_detail('a')}</Response>")
    refused(lambda: _ci_hook().get_jobs(["a", "b"]), BadResponseError, "for job 'b'")
    conns.behaviour = xml_of(f"<Response>{_detail('a')}<NonExistJobIds>b</NonExistJobIds></Response>")
    assert _ci_hook().get_jobs(["a", "b"])["NonExistJobIds"] == ["b"]


async def test_a_batch_answer_silent_about_one_id_fails_only_that_wait(conns: HostileServer) -> None:
    # "b" is in neither list: its wait gets the typed error; the answer is good for the others.
    conns.behaviour = xml_of(f"<Response>{_detail('a')}{_detail('c', 'Failed')}<NonExistJobIds>d</NonExistJobIds>"
                             "</Response>")
    triggers = [TencentCIJobTrigger(conn_id=CI_CONN, job_ids={"job_ids": i}, poll_interval=0.01, not_found_grace=0,
                                    max_transient_errors=0) for i in "abcd"]
    events = await asyncio.gather(*(first_event(t) for t in triggers))
    assert len(conns.seen) == 1  # one batched call answered all four
    assert [e["status"] for e in events] == ["success", "error", "failure", "not_found"]
    assert "neither JobsDetail nor NonExistJobIds for job 'b'" in events[1]["message"]
