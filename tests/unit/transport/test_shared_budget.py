"""The shared request budget (extra ``qps_budget_redis_url``) against a real ``redis-server``,
started on 127.0.0.1 for each test and stopped by its pid: several processes, loops and threads
draw from one budget, sync and async requests alike (retries included), the URL's password
leaks nowhere, and a Redis that dies or hangs mid-run leaves requests to the local limiter with
one warning and no failure.

Counts are checked loosely over windows, never as timings: the precise figures are the
benchmark's (``python -m benchmarks.quota``).
"""

from __future__ import annotations

import asyncio
import bisect
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from airflow_provider_mediajobs.emulator import ALIBABA_KEY
from airflow_provider_mediajobs.exceptions import NotFoundError, ThrottledError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.base import AsyncJobClient, quota_key
from airflow_provider_mediajobs.quota import SharedLimiter, blocking_limiter_for, limiter_for
from airflow_provider_mediajobs.shared_budget import KEY_PREFIX, SharedBudgetUrl, budget_id, budget_item
from airflow_provider_mediajobs.testing import EmulatorHandle, find_secrets
from airflow_provider_mediajobs.transport import RetryPolicy
from airflow_provider_mediajobs.triggers import coalesce
from airflow_provider_mediajobs.triggers.alibaba import MtsIProductionJobTrigger
from benchmarks.harness import RedisServer
from tests.helpers import ROOT, debian_package, new_job

pytestmark = pytest.mark.redis

# A password with characters a URL must percent-encode, so both forms are looked for.
PASSWORD = "Redis/pw+Sentinel-7x"
CONN_ID = "alibaba_shared_budget"
KEY = "alibaba_cloud_media:LTAItestKEY"
FAST = RetryPolicy(attempts=3, initial=0.01, max_wait=0.02)


def need_redis_server() -> None:
    """Install the Debian package redis-server when it is missing (see :func:`debian_package`)."""
    debian_package("redis-server", lambda: shutil.which("redis-server") is not None)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    need_redis_server()
    with RedisServer(password=PASSWORD) as server:
        yield server


@pytest.fixture
def shared_connection(mediajobs_connections: EmulatorHandle, redis_server: RedisServer,
                      monkeypatch: pytest.MonkeyPatch) -> RedisServer:
    """``alibaba_shared_budget``: the default Alibaba connection, with the shared budget in Redis."""
    conn = mediajobs_connections.connections()["alibaba_cloud_media_default"]
    conn["extra"] = {**conn["extra"], "qps_budget_redis_url": redis_server.url()}
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", json.dumps(conn))
    return redis_server


def redis_client(server: RedisServer) -> Any:
    import redis

    return redis.Redis.from_url(server.url(), socket_timeout=2)


def most_in_any(stamps: list[float], seconds: float) -> int:
    """The most of ``stamps`` (epoch seconds) within any window of ``seconds``."""
    ordered = sorted(stamps)
    return max((bisect.bisect_left(ordered, t + seconds) - i for i, t in enumerate(ordered)), default=0)


# -- without Redis ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("budget", "amount", "window"), [(50, 50, 1), (12.5, 25, 2), (0.1, 1, 10), (33.3, 33, 1),
                                                         (10000, 10000, 1)])
def test_a_budget_is_counted_in_whole_requests_over_whole_seconds(budget: float, amount: int, window: int) -> None:
    item = budget_item(budget)
    assert (item.amount, item.get_expiry()) == (amount, window)


@pytest.mark.parametrize("budget", [0.1, 0.15, 0.7, 1.5, 2.3, 12.5, 49.9, 99.99])
def test_the_counted_budget_is_never_above_the_given_one(budget: float) -> None:
    item = budget_item(budget)
    assert item.amount / item.get_expiry() <= budget + 1e-9


def test_the_url_is_shown_without_its_password() -> None:
    url = SharedBudgetUrl(f"redis://user:{quote(PASSWORD, safe='')}@redis.internal:6380/2")
    assert url.redacted == "redis://***@redis.internal:6380/2"
    assert find_secrets([repr(url), str(url), url.scrub(f"AUTH {PASSWORD} at {url.url}")], [PASSWORD]) == []
    assert SharedBudgetUrl("redis://redis.internal").redacted == "redis://redis.internal"


def test_redis_keys_hold_a_digest_of_the_key_pair_not_its_id() -> None:
    assert ALIBABA_KEY[0] not in budget_id(f"alibaba_cloud_media:{ALIBABA_KEY[0]}")
    assert budget_id("a:KEY1") != budget_id("a:KEY2")


# -- one budget, many takers -------------------------------------------------------------------
_TAKER = """
import json, sys, time
from airflow_provider_mediajobs.quota import blocking_limiter_for
from airflow_provider_mediajobs.shared_budget import SharedBudgetUrl
url, key, budget, start, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
limiter = blocking_limiter_for(key, budget, SharedBudgetUrl(url))
time.sleep(max(0.0, start - time.time()))
stamps = []
while time.time() < start + seconds:
    limiter.acquire_blocking()
    stamps.append(time.time())
print(json.dumps({"stamps": stamps, "shared": limiter.budget.acquired}))
"""


def test_processes_loops_and_threads_draw_from_one_budget(redis_server: RedisServer) -> None:
    budget, seconds = 20.0, 3.0
    start = time.time() + 3.0  # time for the other process to import
    url = SharedBudgetUrl(redis_server.url())
    child = subprocess.Popen([sys.executable, "-c", _TAKER, url.url, KEY, str(budget), str(start), str(seconds)],
                             cwd=ROOT, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    stamps: dict[str, list[float]] = {}

    def in_a_loop(name: str) -> None:
        async def take() -> None:
            limiter = limiter_for(KEY, budget, url)
            await asyncio.sleep(max(0.0, start - time.time()))
            while time.time() < start + seconds:
                await limiter.acquire()
                stamps[name].append(time.time())
            await limiter.aclose()  # type: ignore[attr-defined]

        stamps[name] = []
        asyncio.run(take())

    def in_a_thread(name: str) -> None:
        limiter = blocking_limiter_for(KEY, budget, url)
        stamps[name] = []
        time.sleep(max(0.0, start - time.time()))
        while time.time() < start + seconds:
            limiter.acquire_blocking()
            stamps[name].append(time.time())

    threads = [threading.Thread(target=in_a_loop, args=(f"loop {n}",)) for n in range(2)]
    threads += [threading.Thread(target=in_a_thread, args=(f"thread {n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    out, _ = child.communicate(timeout=60)
    stamps["process"] = json.loads(out)["stamps"]

    every = [t for taken in stamps.values() for t in taken]
    # Five takers that each could take 20 per second alone: together they had one budget. A
    # moving window admits at most 20 in any second (0.8 s here leaves room for the delay between
    # Redis stamping an entry and the taker noting it), so at most 20 per started second in all.
    assert most_in_any(every, 0.8) <= budget
    assert len(every) <= budget * (seconds + 1)
    assert len(every) >= budget * seconds / 2, {name: len(taken) for name, taken in stamps.items()}


# -- sync and async requests, retries included -------------------------------------------------
def _budget_entries(server: RedisServer, budget: float) -> int:
    item = budget_item(budget)
    key = f"{KEY_PREFIX}:{item.key_for(budget_id(f'alibaba_cloud_media:{ALIBABA_KEY[0]}'))}"
    return int(redis_client(server).llen(key))


async def test_sync_and_async_attempts_draw_from_the_shared_budget(
    mediajobs_connections: EmulatorHandle, shared_connection: RedisServer
) -> None:
    mediajobs_connections.admin("POST", "faults", {"kind": "throttling", "rate": 1.0})
    hook = AlibabaCloudMediaHook(CONN_ID, retry_policy=FAST)
    with pytest.raises(ThrottledError):
        hook.query_iproduction_job("j1")
    # Read at once: the window's key expires a second after its last entry.
    entries = _budget_entries(shared_connection, hook.settings.qps_budget)
    sync = hook.client.limiter
    assert isinstance(sync, SharedLimiter)
    assert sync is blocking_limiter_for(quota_key(hook.api, hook.protocol), hook.settings.qps_budget,
                                        hook.settings.qps_budget_redis_url)
    # Three attempts: three tokens of the shared budget, three entries in its window in Redis.
    assert (sync.budget.acquired, sync.acquired, sync.throttled) == (3, 3, 3)
    assert entries == 3
    assert sync.rate < sync.ceiling  # the throttling answers still lowered the local rate

    client = await AsyncJobClient.create(AlibabaCloudMediaHook.api, CONN_ID, retry_policy=FAST)
    try:
        with pytest.raises(ThrottledError):
            await client.call("QueryIProductionJob", job_id="j1")
    finally:
        await client.close()
    limiter = client.limiter
    assert isinstance(limiter, SharedLimiter)
    assert limiter is not sync
    assert limiter.budget.item.key_for(limiter.budget.budget_id) == sync.budget.item.key_for(sync.budget.budget_id)
    assert (limiter.budget.acquired, limiter.throttled) == (3, 3)
    await limiter.aclose()
    assert mediajobs_connections.counters()["requests"] == 6


def test_without_redis_sync_attempts_take_tokens_from_the_process_limiter(
    mediajobs_connections: EmulatorHandle,
) -> None:
    mediajobs_connections.admin("POST", "faults", {"kind": "throttling", "rate": 1.0})
    hook = AlibabaCloudMediaHook(retry_policy=FAST)
    with pytest.raises(ThrottledError):
        hook.query_iproduction_job("j1")
    limiter = hook.client.limiter
    assert type(limiter).__name__ == "AdaptiveLimiter"
    assert (limiter.acquired, limiter.throttled) == (3, 3)  # type: ignore[union-attr]
    # One limiter per key pair for the whole process: another hook of the same key shares it.
    assert AlibabaCloudMediaHook(retry_policy=FAST).client.limiter is limiter


# -- the password ----------------------------------------------------------------------------------
async def test_the_redis_password_leaks_nowhere(mediajobs_connections: EmulatorHandle,
                                                shared_connection: RedisServer, caplog: pytest.LogCaptureFixture,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from unittest import mock

    caplog.set_level(logging.DEBUG)
    # 5 requests per 10 s: the budget's Redis key lives 10 s after its last request, long enough
    # to be read below however slow the machine (this test makes one request of the key pair).
    conn = json.loads(os.environ[f"AIRFLOW_CONN_{CONN_ID.upper()}"])
    conn["extra"]["qps_budget"] = 0.5
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", json.dumps(conn))
    with mock.patch("airflow.sdk.log.mask_secret") as masked:
        hook = AlibabaCloudMediaHook(CONN_ID, retry_policy=FAST)
        settings = hook.settings
    masked_values = {c.args[0] for c in masked.call_args_list if isinstance(c.args[0], str)}
    assert {PASSWORD, quote(PASSWORD, safe=""), shared_connection.url()} <= masked_values

    texts = [repr(settings), str(settings), repr(hook.client.limiter), repr(vars(hook.client))]
    with pytest.raises(NotFoundError) as info:
        hook.query_iproduction_job("no-such-job")
    texts += [str(info.value), repr(info.value)]
    keys = [k.decode() for k in redis_client(shared_connection).keys("*")]
    assert keys
    assert all(k.startswith(f"{KEY_PREFIX}:") for k in keys)
    trigger = MtsIProductionJobTrigger(conn_id=CONN_ID, job_ids={"job_id": "j1"}, poll_interval=0.2)
    texts.append(json.dumps(trigger.serialize()))

    # A wrong password: Redis refuses it, the warning says so without either password.
    wrong = "Wrong/pw+Sentinel-9z"
    conn["login"] = "LTAIotherKEY"  # another key pair: a limiter of its own
    conn["extra"]["qps_budget_redis_url"] = shared_connection.url(wrong)
    monkeypatch.setenv("AIRFLOW_CONN_ALIBABA_WRONG_REDIS", json.dumps(conn))
    with pytest.raises(Exception) as refused:  # the emulator does not know the key: the request goes on
        AlibabaCloudMediaHook("alibaba_wrong_redis", retry_policy=FAST).query_iproduction_job("j1")
    texts += [str(refused.value)]
    assert "AuthenticationError" in caplog.text or "password" in caplog.text.lower()

    # Redis gone mid-run: the warning names no password either.
    shared_connection.kill()
    client = await AsyncJobClient.create(AlibabaCloudMediaHook.api, CONN_ID, retry_policy=FAST)
    try:
        with pytest.raises(NotFoundError):
            await client.call("QueryIProductionJob", job_id="no-such-job")
        texts.append(repr(client.limiter))
    finally:
        await client.close()

    captured = capsys.readouterr()
    texts += [caplog.text, captured.out, captured.err, *keys]
    assert find_secrets(texts, [PASSWORD, wrong]) == []
    assert not any(ALIBABA_KEY[0] in k for k in keys)


# -- when Redis fails --------------------------------------------------------------------------
def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name.endswith("shared_budget") and r.levelno == logging.WARNING]


async def test_waits_ride_out_redis_dying_mid_run_with_one_warning(
    mediajobs_connections: EmulatorHandle, shared_connection: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    jobs = [new_job(mediajobs_connections, "mts", queue_s=0.1, run_s=1.0 + i / 10, succeed=i % 4 != 0)
            for i in range(12)]
    triggers = [MtsIProductionJobTrigger(conn_id=CONN_ID, job_ids={"job_id": j}, poll_interval=0.2) for j in jobs]

    async def first_event(trigger: MtsIProductionJobTrigger) -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("no event")

    def shared_limiter() -> SharedLimiter | None:
        pollers = coalesce._POLLERS.get(asyncio.get_running_loop(), {})
        limiter = next((p.client.limiter for p in pollers.values()), None)
        return limiter if isinstance(limiter, SharedLimiter) and limiter.budget.acquired > 0 else None

    waits = [asyncio.create_task(first_event(t)) for t in triggers]
    for _ in range(600):  # the first looks go through Redis, however slow the machine
        limiter = shared_limiter()
        if limiter is not None:
            break
        await asyncio.sleep(0.05)
    assert limiter is not None
    shared_connection.kill()
    events = await asyncio.wait_for(asyncio.gather(*waits), 60)

    assert [e["status"] for e in events] == ["failure" if i % 4 == 0 else "success" for i in range(12)]
    assert not limiter.budget.shared
    assert limiter.budget.failures >= 1
    (warning,) = _warnings(caplog)
    assert "unreachable" in warning
    assert "limits the key pair's requests on its own" in warning
    await limiter.aclose()


@pytest.mark.parametrize("side", ["async", "sync"])
async def test_a_hung_redis_cannot_stall_a_request(redis_server: RedisServer, caplog: pytest.LogCaptureFixture,
                                                   side: str) -> None:
    limiter = SharedLimiter(50.0, SharedBudgetUrl(redis_server.url()), KEY, timeout=0.3)
    try:
        await _take(limiter, side)
        assert limiter.budget.acquired == 1
        redis_server.pause()  # connections stay open, nothing is answered
        started = time.monotonic()
        await _take(limiter, side)
        # Within a few timeouts, whatever the machine's load: not redis-py's 3 retries with backoff.
        assert time.monotonic() - started < 5
        assert (limiter.budget.acquired, limiter.acquired, limiter.budget.shared) == (1, 2, False)
        assert len(_warnings(caplog)) == 1
    finally:
        redis_server.resume()
        await limiter.aclose()


async def _take(limiter: SharedLimiter, side: str) -> None:
    if side == "async":
        await limiter.acquire()
    else:
        await asyncio.to_thread(limiter.acquire_blocking)


async def test_redis_is_asked_again_after_a_while(redis_server: RedisServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    limiter = SharedLimiter(50.0, SharedBudgetUrl(redis_server.url()), KEY, retry_after=0.3)
    try:
        redis_server.kill()
        await limiter.acquire()  # unreachable from the start: local only, one warning
        await limiter.acquire()  # not asked again yet
        assert (limiter.budget.acquired, limiter.budget.failures, limiter.acquired) == (0, 1, 2)
        redis_server.start()
        await asyncio.sleep(0.35)
        await limiter.acquire()
        assert (limiter.budget.acquired, limiter.budget.shared) == (1, True)
        assert len(_warnings(caplog)) == 1
        assert any("reachable again" in r.getMessage() for r in caplog.records)
    finally:
        await limiter.aclose()
