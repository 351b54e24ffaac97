"""Hostile answers from a real local server: a clear error within the configured timeout and
bounded memory, never a hang or a crash deep in a parser. Sync and async paths alike."""

from __future__ import annotations

import asyncio
import json
import threading
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.exceptions import BadResponseError, MediaJobsError, TransportError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.base import AsyncJobClient
from airflow_provider_mediajobs.transport import (
    AsyncClient,
    AsyncSender,
    Client,
    ResponseTooLargeError,
    RetryPolicy,
    SyncSender,
    Timeouts,
)

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
    "deeply nested JSON": (fixed(DEEP_JSON, "application/json"), BadResponseError, "not JSON"),
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

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def route(request: web.Request) -> web.StreamResponse:
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
    return AsyncJobClient(AlibabaCloudMediaHook, "hostile", client)


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
