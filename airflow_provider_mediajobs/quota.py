"""One account, one quota: the request limiter every request of a key pair goes through.

A vendor counts requests per account and key (Alibaba: per AccessKey and API, MTS 100 QPS for
QueryIProductionJob-like calls; Tencent CI: per bucket), and answers past the cap with a
throttling error. Each process keeps one :class:`AdaptiveLimiter` per key pair, per event loop for
the async clients (:func:`limiter_for`: the triggers) and one for the sync clients
(:func:`blocking_limiter_for`: hooks in workers): every request of that key pair, retries
included, waits for a token from it (the client asks for one before each attempt), and each
answer tells it how the vendor took the rate:

- a throttling answer lowers the rate multiplicatively (at most once per ``cooldown`` seconds,
  so the answers to one burst count once);
- answers that are not throttled raise it additively, by ``ceiling * increase`` per second,
  back toward the ceiling (the ``qps_budget`` extra).

That is AIMD, the rule TCP uses for a shared link and botocore's adaptive retry mode uses (with a
CUBIC curve) per client: K triggerers that know nothing of each other each back off when the
account's cap is hit and share the cap between them, without any coordination.

Where the deployment runs Redis, the connection extra ``qps_budget_redis_url`` makes the budget
exact and shared instead: every process of every host that names the same Redis draws each
token from one budget there too (:mod:`airflow_provider_mediajobs.shared_budget`), with its own
adaptive limiter still on top, and falls back to the latter alone while Redis cannot be reached.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
import weakref
from collections.abc import Callable, MutableMapping
from typing import Any

# limits and redis (the optional redis extra) are imported by shared_budget on first use only.
from airflow_provider_mediajobs.shared_budget import RedisBudget, SharedBudgetUrl, budget_id

log = logging.getLogger(__name__)


class TokenBucket:
    """A token bucket: at most ``rate`` acquisitions per second, bursts up to ``burst``.

    Async waiters (:meth:`acquire`) queue on one asyncio lock, sync ones (:meth:`acquire_blocking`)
    on one thread lock, so each side is served in arrival order; each sleep gets a little jitter
    so that requests spread over time instead of marching in step. The arithmetic is guarded by a
    thread lock of its own, held only between sleeps, so threads may share one bucket.

    :param rate: tokens per second.
    :param burst: bucket capacity (default a tenth of a second's worth, at least one).
    :param rng: random source for the jitter.
    """

    def __init__(self, rate: float, burst: float | None = None, rng: random.Random | None = None) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate / 10)
        self.tokens = self.burst
        self.updated = time.monotonic()
        self.rng = rng or random.Random()
        self._lock = asyncio.Lock()
        self._blocking = threading.Lock()
        self._state = threading.Lock()
        self.acquired = 0

    def _refill(self) -> None:
        # The caller holds self._state.
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def _take(self) -> float:
        """Take a token and return 0, or return the seconds to sleep before asking again."""
        with self._state:
            self._refill()
            if self.tokens >= 1:
                self.tokens -= 1
                self.acquired += 1
                return 0.0
            return (1 - self.tokens) / self.rate + self.rng.uniform(0, 0.2 / self.rate)

    async def acquire(self) -> None:
        """Wait for one token (the async clients)."""
        async with self._lock:
            await self._wait()

    def acquire_blocking(self) -> None:
        """Wait for one token, blocking the calling thread (the sync clients)."""
        with self._blocking:
            self._wait_blocking()

    async def _wait(self) -> None:
        # The caller holds self._lock.
        while True:
            delay = self._take()
            if not delay:
                return
            await asyncio.sleep(delay)

    def _wait_blocking(self) -> None:
        # The caller holds self._blocking.
        while True:
            delay = self._take()
            if not delay:
                return
            time.sleep(delay)

    def answered(self, throttled: bool) -> None:
        """What the vendor made of one request (a fixed bucket ignores it)."""


class AdaptiveLimiter(TokenBucket):
    """A token bucket whose rate follows the vendor's answers (AIMD, see the module docs).

    :param ceiling: the highest rate, requests per second (the ``qps_budget`` extra).
    :param floor: the lowest rate it backs off to.
    :param decrease: the factor a throttling answer multiplies the rate by.
    :param increase: the share of ``ceiling`` added per second of answers without throttling.
    :param cooldown: seconds after a decrease during which further throttling answers (to
        requests already sent at the old rate) do not decrease it again.
    :param clock: monotonic seconds (tests pass a fake one).
    """

    def __init__(self, ceiling: float, *, floor: float | None = None, decrease: float = 0.7,
                 increase: float = 0.02, cooldown: float = 1.0, rng: random.Random | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        super().__init__(ceiling, rng=rng)
        self.ceiling = ceiling
        self.floor = floor if floor is not None else min(ceiling, max(0.5, ceiling / 100))
        self.decrease = decrease
        self.increase = increase
        self.cooldown = cooldown
        self._clock = clock or time.monotonic
        self._last_change = self._clock()
        self._last_decrease = float("-inf")
        self.throttled = 0
        self.decreases = 0

    def answered(self, throttled: bool) -> None:
        """Lower the rate on a throttling answer, raise it slowly on the others."""
        with self._state:
            now = self._clock()
            if throttled:
                self.throttled += 1
                if now - self._last_decrease >= self.cooldown:
                    self._set_rate(max(self.floor, self.rate * self.decrease))
                    self._last_decrease = now
                    self.decreases += 1
            elif self.rate < self.ceiling and now - self._last_decrease >= self.cooldown:
                self._set_rate(min(self.ceiling, self.rate + self.ceiling * self.increase * (now - self._last_change)))
            self._last_change = now

    def lower_ceiling(self, ceiling: float) -> None:
        """Lower the ceiling to ``ceiling`` (a higher one is ignored), and the rate with it."""
        with self._state:
            if ceiling < self.ceiling:
                self.ceiling = ceiling
                self._set_rate(min(self.rate, ceiling))  # the burst follows the rate, as on any change

    def _set_rate(self, rate: float) -> None:
        # The caller holds self._state.
        self._refill()  # tokens earned at the old rate stay earned
        self.rate = rate
        self.burst = max(1.0, rate / 10)
        self.tokens = min(self.tokens, self.burst)


class SharedLimiter(AdaptiveLimiter):
    """A key pair's adaptive limiter in this process, on top of its budget in Redis.

    Each token is taken here first (so a throttling answer still lowers this process's rate, for
    instance while other clients of the account, outside the budget, use up the vendor's cap),
    then from the shared budget (:class:`~airflow_provider_mediajobs.shared_budget.RedisBudget`),
    which lets the request through at once while Redis cannot be reached.

    :param ceiling: the budget (``qps_budget``): requests per second of every process naming this
        Redis together, and this process's own ceiling.
    :param url: the Redis that holds the budget.
    :param key: the key pair (``quota_key``).
    :param options: for :class:`~airflow_provider_mediajobs.shared_budget.RedisBudget`
        (``timeout``, ``retry_after``, ``strategy``...).
    """

    def __init__(self, ceiling: float, url: SharedBudgetUrl, key: str, *, rng: random.Random | None = None,
                 clock: Callable[[], float] | None = None, **options: Any) -> None:
        super().__init__(ceiling, rng=rng, clock=clock)
        self.budget = RedisBudget(url, key, ceiling, rng=rng, **options)

    def __repr__(self) -> str:
        return f"SharedLimiter(rate {self.rate:g}/s, {self.budget!r})"

    @property
    def url(self) -> SharedBudgetUrl:
        """Where the shared budget lives."""
        return self.budget.url

    def lower_ceiling(self, ceiling: float) -> None:
        """Lower this process's ceiling and the shared budget it counts against."""
        super().lower_ceiling(ceiling)
        self.budget.rebudget(self.ceiling)

    async def _wait(self) -> None:
        await super()._wait()
        await self.budget.take()

    def _wait_blocking(self) -> None:
        super()._wait_blocking()
        self.budget.take_blocking()

    def close(self) -> None:
        """Close the sync side's Redis connections."""
        self.budget.close()

    async def aclose(self) -> None:
        """Close every Redis connection of this limiter, the async side's in the running loop."""
        await self.budget.aclose()


# Per event loop (tests and `airflow dags test` make new loops), per key pair.
_LIMITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, AdaptiveLimiter]] = (
    weakref.WeakKeyDictionary()
)
# The sync clients' limiters: one per key pair for the whole process, whatever the thread.
_BLOCKING: dict[str, AdaptiveLimiter] = {}
_BLOCKING_LOCK = threading.Lock()


def limiter_for(key: str, ceiling: float, shared: SharedBudgetUrl | None = None) -> AdaptiveLimiter:
    """The running loop's limiter of key pair ``key`` (made with ``ceiling`` on first use).

    :param key: who the vendor counts against (``AsyncJobClient.quota_key``: type and key id).
    :param ceiling: requests per second at most (the connection's ``qps_budget``); a later
        client of the same key pair with another budget lowers the ceiling, never raises it.
    :param shared: the Redis holding the key pair's shared budget (``qps_budget_redis_url``),
        or None for this process's adaptive limiter alone.
    """
    return _one_per_key(_LIMITERS.setdefault(asyncio.get_running_loop(), {}), key, ceiling, shared)


def blocking_limiter_for(key: str, ceiling: float, shared: SharedBudgetUrl | None = None) -> AdaptiveLimiter:
    """This process's limiter of key pair ``key`` for the sync clients (see :func:`limiter_for`).

    Every sync request (hooks, operators, sensors that poke), retries included, takes a token
    from it with :meth:`TokenBucket.acquire_blocking`: the same rule as the async side, one code
    path whether or not a shared budget is configured.
    """
    with _BLOCKING_LOCK:
        return _one_per_key(_BLOCKING, key, ceiling, shared)


def _one_per_key(limiters: MutableMapping[str, AdaptiveLimiter], key: str, ceiling: float,
                 shared: SharedBudgetUrl | None) -> AdaptiveLimiter:
    limiter = limiters.get(key)
    if limiter is None:
        limiter = limiters[key] = _new_limiter(key, ceiling, shared)
        return limiter
    if getattr(limiter, "url", None) != shared and key not in _DISAGREEMENTS:
        # Swapping the limiter would split the key pair's requests between two budgets; the
        # first connection read keeps deciding until the process restarts.
        _DISAGREEMENTS.add(key)
        log.warning("connections of key pair %s disagree on qps_budget_redis_url; this process keeps "
                    "the first one it read until it restarts", budget_id(key))
    limiter.lower_ceiling(ceiling)
    return limiter


_DISAGREEMENTS: set[str] = set()


def _new_limiter(key: str, ceiling: float, shared: SharedBudgetUrl | None) -> AdaptiveLimiter:
    return AdaptiveLimiter(ceiling) if shared is None else SharedLimiter(ceiling, shared, key)


def forget_limiters() -> None:
    """Drop this process's sync limiters, so the next sync client of a key pair starts afresh.

    For tests: a limiter remembers how the vendor took earlier requests (throttling lowers its
    rate for a while), which one test should not pass on to the next. The async limiters belong
    to their event loop and go with it.
    """
    with _BLOCKING_LOCK:
        for limiter in _BLOCKING.values():
            close = getattr(limiter, "close", None)
            if close is not None:
                close()
        _BLOCKING.clear()
        _DISAGREEMENTS.clear()
