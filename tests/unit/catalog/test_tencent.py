"""Tencent CI catalog: the wire query is the signed one, hostile XML refused, error bodies typed."""

from __future__ import annotations

import asyncio
import threading
from typing import Any
from urllib.parse import unquote

import pytest
from aiohttp import web

from airflow_provider_mediajobs.catalog import tencent as cat
from airflow_provider_mediajobs.catalog import xml
from airflow_provider_mediajobs.exceptions import BadResponseError, ClockSkewError, ExpiredCredentialsError
from airflow_provider_mediajobs.signing import parse_q_authorization, q_signature
from airflow_provider_mediajobs.transport import HttpResponse


class Recorder:
    """A local server that records the raw request target and answers an empty job list (and
    every asked id as unknown, so that a GetJobs answer names each one)."""

    def __init__(self) -> None:
        self.targets: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        async def handle(request: web.Request) -> web.Response:
            self.targets.append(request.raw_path)
            self.headers.append(dict(request.headers))
            asked = request.path.removeprefix("/jobs").strip("/")
            missing = f"<NonExistJobIds>{asked}</NonExistJobIds>" if asked else ""
            return web.Response(body=f"<Response><NextToken></NextToken>{missing}</Response>".encode(),
                                content_type="application/xml")

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", handle)
            self.runner = web.AppRunner(app, access_log=None)
            self.loop.run_until_complete(self.runner.setup())
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            self.loop.run_until_complete(site.start())
            self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
            ready.set()
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        ready.wait(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture
def recorder() -> Any:
    server = Recorder()
    yield server
    server.stop()


def _check_wire_matches_signature(target: str, headers: dict[str, str]) -> None:
    path, _, query = target.partition("?")
    pairs = [tuple(p.split("=", 1)) for p in query.split("&") if p]
    assert all("+" not in v for _, v in pairs)  # a space is %20 on the wire, never +
    decoded = [(unquote(k), unquote(v)) for k, v in pairs]
    auth = parse_q_authorization(headers["Authorization"])
    names = auth["q-header-list"].split(";")
    expected, _, _ = q_signature(
        "GET",
        unquote(path),
        decoded,
        {n: headers[n.title() if n == "host" else n] for n in names},
        "wire-secret",
        auth["q-sign-time"],
    )
    assert expected == auth["q-signature"]


def test_the_query_on_the_wire_is_the_signed_one(recorder: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook

    conn = {
        "conn_type": "tencent_cloud_ci",
        "login": "AKIDwire",
        "password": "wire-secret",
        "extra": {"bucket": "examplebucket-1250000000", "region": "ap-beijing", "endpoint_url": recorder.url},
    }
    monkeypatch.setenv("AIRFLOW_CONN_WIRE", json.dumps(conn))
    hook = TencentCloudCIHook("wire")
    hook.list_jobs(
        tag="Translation",
        input_object="in dir/a+b=c,d:e.txt",
        states="Success,Failed",
        start_creation_time="2023-11-14T00:00:00+0800",
        end_creation_time="2023-11-15T00:00:00+0800",
    )
    hook.get_jobs(["j1", "j2"])
    list_target, get_target = recorder.targets
    assert "inputObject=in%20dir%2Fa%2Bb%3Dc%2Cd%3Ae.txt" in list_target
    assert "startCreationTime=2023-11-14T00%3A00%3A00%2B0800" in list_target
    assert get_target == "/jobs/j1%2Cj2"  # the comma goes out encoded, the path is signed decoded
    for target, headers in zip(recorder.targets, recorder.headers, strict=True):
        assert headers["Host"] == "examplebucket-1250000000.ci.ap-beijing.myqcloud.com"
        _check_wire_matches_signature(target, headers)


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><Response>&b;</Response>',
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Response>&x;</Response>',
        b"<Response><JobsDetail>",
        b"<html><body>502 Bad Gateway</body></html><trailing>",
    ],
    ids=["entity expansion", "external entity", "truncated", "html"],
)
def test_hostile_or_broken_xml_is_refused_clearly(body: bytes) -> None:
    protocol = cat.TencentProtocol(cat.TencentCredentials("id", "key"), "ap-beijing", "b-1250000000")
    with pytest.raises(BadResponseError):
        protocol.parse(cat.LIST_JOBS, HttpResponse(200, {"content-type": "application/xml"}, body))


def test_jobs_detail_is_always_a_list_and_missing_ids_too() -> None:
    _, one = xml.parse(
        b"<Response><JobsDetail><JobId>a</JobId></JobsDetail><NonExistJobIds>x,y</NonExistJobIds></Response>"
    )
    assert one["JobsDetail"] == [{"JobId": "a"}]
    protocol = cat.TencentProtocol(cat.TencentCredentials("id", "key"), "ap-beijing", "b-1250000000")
    parsed = protocol.parse(
        cat.GET_JOBS, HttpResponse(200, {}, b"<Response><NonExistJobIds>x,y</NonExistJobIds></Response>")
    )
    assert parsed["JobsDetail"] == []
    assert parsed["NonExistJobIds"] == ["x", "y"]


@pytest.mark.parametrize(
    ("code", "message", "error"),
    [
        ("RequestTimeTooSkewed", "The difference is too large", ClockSkewError),
        ("AccessDenied", "Request has expired", ClockSkewError),
        ("ExpiredToken", "The provided token has expired.", ExpiredCredentialsError),
    ],
)
def test_error_bodies_become_typed_errors(code: str, message: str, error: type[Exception]) -> None:
    protocol = cat.TencentProtocol(cat.TencentCredentials("id", "key"), "ap-beijing", "b-1250000000")
    body = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>rid-1</RequestId></Error>".encode()
    with pytest.raises(error) as info:
        protocol.parse(cat.LIST_JOBS, HttpResponse(403, {"x-ci-request-id": "hdr"}, body))
    assert info.value.code == code  # type: ignore[attr-defined]
    assert info.value.request_id == "rid-1"  # type: ignore[attr-defined]
    if error is ClockSkewError:
        assert "clock" in str(info.value)
