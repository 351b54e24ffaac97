"""The emulator's HTTP server: routes vendor requests (Alibaba by ``x-acs-version``/``Version``,
Tencent by a ``*.ci.*.myqcloud.com`` Host), injects faults, counts, and serves the admin API under
``/_emulator/``. Logs never carry Authorization headers or query strings (they hold signatures)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiohttp import web

import airflow_provider_mediajobs.emulator.alibaba as alibaba
import airflow_provider_mediajobs.emulator.tencent as tencent
from airflow_provider_mediajobs.emulator.admin import ADMIN_PATH
from airflow_provider_mediajobs.emulator.backend import DEFAULT_STALL_SECONDS, Backend, Fault, VendorError

log = logging.getLogger(__name__)

HTML_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
MAX_JOBS_PER_CALL = 100_000  # admin POST jobs "count"


class Vendor(Protocol):
    """What the server asks of a vendor module (:mod:`.alibaba`, :mod:`.tencent`)."""

    VENDOR: str  # its name in log lines and the admin API

    def operation_of(self, request: web.Request) -> str: ...

    async def handle(self, request: web.Request, backend: Backend) -> web.Response: ...

    def error_response(self, err: VendorError) -> web.Response: ...

    def throttled(self) -> VendorError: ...

    def unavailable(self) -> VendorError: ...


# -- faults -----------------------------------------------------------------------------------------
# Each fault kind's answer; ``None`` lets the request be answered normally afterwards.
FaultAnswer = Callable[[web.Request, Vendor, float], Awaitable[web.StreamResponse | None]]


async def _unavailable(request: web.Request, vendor: Vendor, stall_seconds: float) -> web.StreamResponse | None:
    return vendor.error_response(vendor.unavailable())


async def _throttled(request: web.Request, vendor: Vendor, stall_seconds: float) -> web.StreamResponse | None:
    return vendor.error_response(vendor.throttled())


async def _reset(request: web.Request, vendor: Vendor, stall_seconds: float) -> web.StreamResponse | None:
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=500)  # never reaches the client: the connection is gone


async def _stall(request: web.Request, vendor: Vendor, stall_seconds: float) -> web.StreamResponse | None:
    await asyncio.sleep(stall_seconds)
    return None  # then answer normally, too late for a client with a shorter timeout


async def _truncated(request: web.Request, vendor: Vendor, stall_seconds: float) -> web.StreamResponse | None:
    resp = web.StreamResponse(status=200, headers={"Content-Type": "application/json", "Content-Length": "4096"})
    await resp.prepare(request)
    await resp.write(b'{"RequestId": "truncated", "Jobs')
    if request.transport is not None:
        request.transport.close()
    return resp


async def _html(request: web.Request, vendor: Vendor, stall_seconds: float) -> web.StreamResponse | None:
    return web.Response(body=HTML_PAGE, status=502, content_type="text/html")


FAULTS: dict[str, FaultAnswer] = {
    "503": _unavailable, "throttling": _throttled, "reset": _reset, "stall": _stall, "truncated": _truncated,
    "html": _html,
}
FAULT_KINDS = tuple(FAULTS)


def build_app(backend: Backend, stall_seconds: float = DEFAULT_STALL_SECONDS) -> web.Application:
    """The aiohttp application serving ``backend``."""

    async def vendor(request: web.Request) -> web.StreamResponse:
        module: Vendor = tencent if tencent.is_ci_request(request) else alibaba
        operation = module.operation_of(request)
        fault = backend.pick_fault(operation)
        answer = FAULTS.get(fault) if fault else None
        if answer is not None:
            early = await answer(request, module, stall_seconds)
            if early is not None:
                backend.count(operation, early.status)
                log.info("%s %s -> injected %s", module.VENDOR, operation, fault)
                return early
        response: web.StreamResponse = await module.handle(request, backend)
        backend.count(operation, response.status)
        # Operation and status only: the query string and headers carry signatures and tokens.
        log.info("%s %s -> %d", module.VENDOR, operation, response.status)
        return response

    async def admin(request: web.Request) -> web.StreamResponse:
        return await _admin(request, backend)

    app = web.Application(client_max_size=4 << 20)
    app.router.add_route("*", ADMIN_PATH + "{action:.*}", admin)
    app.router.add_route("*", "/{tail:.*}", vendor)
    return app


# -- admin API ----------------------------------------------------------------------------------------
# A handler gets the backend, the JSON body and the action (``jobs/{id}/state``...).
AdminHandler = Callable[[Backend, dict[str, Any], str], web.StreamResponse]


def _counters(backend: Backend, body: dict[str, Any], action: str) -> web.StreamResponse:
    with backend.lock:
        return web.json_response(dict(backend.counters))


def _reset_backend(backend: Backend, body: dict[str, Any], action: str) -> web.StreamResponse:
    backend.reset(seed_jobs=body.get("seed_jobs"))
    return web.json_response({"ok": True})


def _create_jobs(backend: Backend, body: dict[str, Any], action: str) -> web.StreamResponse:
    kind = body.pop("kind", None)
    count = body.pop("count", None)
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)
                              or not 1 <= count <= MAX_JOBS_PER_CALL):
        raise web.HTTPBadRequest(text=f"count must be an integer from 1 to {MAX_JOBS_PER_CALL}")
    # Every field (kind included, checked against the backend's kinds) is checked before any job
    # exists: a refused body creates nothing.
    try:
        options = backend.job_options(kind, body)
    except ValueError as err:
        raise web.HTTPBadRequest(text=str(err)) from None
    if count is None:
        created = backend.create(kind, **options)
        return web.json_response({"job_id": created.job_id, "done_at": created.done_at(),
                                  "attributes": created.attrs})
    many = [backend.create(kind, **options) for _ in range(count)]
    return web.json_response({"job_ids": [j.job_id for j in many], "done_at": [j.done_at() for j in many],
                              "attributes": many[0].attrs})


def _force_state(backend: Backend, body: dict[str, Any], action: str) -> web.StreamResponse:
    forced = backend.force(action.split("/")[1], body.get("state"))
    if forced is None:
        raise web.HTTPNotFound(text="no such job")
    return web.json_response({"job_id": forced.job_id, "state": body.get("state")})


def _clear_faults(backend: Backend, body: dict[str, Any], action: str) -> web.StreamResponse:
    backend.faults.clear()
    return web.json_response({"ok": True})


def _add_fault(backend: Backend, body: dict[str, Any], action: str) -> web.StreamResponse:
    kind, rate = body.get("kind"), float(body.get("rate", 0))
    if kind not in FAULT_KINDS or not 0 <= rate <= 1:
        raise web.HTTPBadRequest(text=f"kind must be one of {FAULT_KINDS}, rate within 0..1")
    backend.faults.append(Fault(kind, rate, body.get("operation")))
    return web.json_response({"faults": len(backend.faults)})


def _qps(backend: Backend, body: dict[str, Any], action: str) -> web.StreamResponse:
    limit = body.get("limit")
    backend.qps_limit = float(limit) if limit else None
    return web.json_response({"limit": backend.qps_limit})


def _sts(backend: Backend, body: dict[str, Any], action: str) -> web.StreamResponse:
    vendor = body.get("vendor", alibaba.VENDOR)
    keys = backend.alibaba_keys if vendor == alibaba.VENDOR else backend.tencent_keys
    key_id = body.get("key_id") or next(iter(keys))
    token = backend.issue_token(vendor, key_id, float(body.get("ttl", 3600)))
    return web.json_response({"token": token, "key_id": key_id, "secret": keys[key_id]})


def _clock(backend: Backend, body: dict[str, Any], action: str) -> web.StreamResponse:
    backend.clock_skew_limit = float(body.get("skew_limit", backend.clock_skew_limit))
    backend.clock_offset = float(body.get("offset", backend.clock_offset))
    return web.json_response({"skew_limit": backend.clock_skew_limit, "offset": backend.clock_offset})


# (method, action) -> handler; method "*" answers any method the action has no entry of its own for.
ADMIN_ROUTES: dict[tuple[str, str], AdminHandler] = {
    ("GET", "counters"): _counters,
    ("*", "reset"): _reset_backend,
    ("POST", "jobs"): _create_jobs,
    ("DELETE", "faults"): _clear_faults,
    ("*", "faults"): _add_fault,
    ("*", "qps"): _qps,
    ("*", "sts"): _sts,
    ("*", "clock"): _clock,
}


def _admin_route(method: str, action: str) -> AdminHandler | None:
    if action.startswith("jobs/") and action.endswith("/state"):  # jobs/{id}/state, any method
        return _force_state
    return ADMIN_ROUTES.get((method, action)) or ADMIN_ROUTES.get(("*", action))


async def _admin(request: web.Request, backend: Backend) -> web.StreamResponse:
    action = request.match_info["action"].strip("/")
    try:
        body: Any = await request.json() if request.can_read_body else {}
    except ValueError:
        raise web.HTTPBadRequest(text="the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="the body must be a JSON object")
    handler = _admin_route(request.method, action)
    if handler is None:
        raise web.HTTPNotFound(text=f"unknown admin action {action!r}")
    return handler(backend, body, action)


async def _cancel_all_but_me() -> None:
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class EmulatorServer:
    """Run the emulator on 127.0.0.1 in a background thread (for sync code and tests).

    :param port: TCP port; 0 picks a free one.
    :param backend_options: passed to :class:`Backend` (``seed_jobs``, ``queue_seconds``...).
    """

    def __init__(self, port: int = 0, host: str = LOOPBACK_HOSTS[0], stall_seconds: float = DEFAULT_STALL_SECONDS,
                 **backend_options: Any) -> None:
        if host not in LOOPBACK_HOSTS:
            raise ValueError("the emulator only listens on loopback")
        self.host, self.port = host, port
        self.backend = Backend(**backend_options)
        self.stall_seconds = stall_seconds
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    async def start_async(self) -> str:
        """Start in the running loop; return the base URL."""
        self._runner = web.AppRunner(build_app(self.backend, self.stall_seconds), access_log=None,
                                     shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sock = site._server.sockets[0]  # type: ignore[union-attr]
        self.port = sock.getsockname()[1]
        self.url = f"http://{self.host}:{self.port}"
        return self.url

    async def stop_async(self) -> None:
        """Stop a server started with :meth:`start_async`."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def start(self) -> str:
        """Start in a background thread; return the base URL."""
        def run() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self.start_async())
            except BaseException as err:  # reported to the starting thread
                self._error = err
                self._ready.set()
                return
            self._ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="mediajobs-emulator", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise RuntimeError(f"the emulator could not start: {self._error}")
        return self.url

    def stop(self) -> None:
        """Stop the background server."""
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self.stop_async(), self._loop).result(30)
        # Handlers still held by an injected stall would otherwise die pending with the loop.
        asyncio.run_coroutine_threadsafe(_cancel_all_but_me(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)
        self._loop = self._thread = None

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
