"""One account, one quota: the request limiter every async request of a key pair goes through.

A vendor counts requests per account and key (Alibaba: per AccessKey and API, MTS 100 QPS for
QueryIProductionJob-like calls; Tencent CI: per bucket), and answers past the cap with a
throttling error. Each triggerer process keeps one :class:`AdaptiveLimiter` per key pair: every
request of that key pair, retries included, waits for a token from it (the client asks for one
before each attempt), and each answer tells it how the vendor took the rate:

- a throttling answer lowers the rate multiplicatively (at most once per ``cooldown`` seconds,
  so the answers to one burst count once);
- answers that are not throttled raise it additively, by ``ceiling * increase`` per second,
  back toward the ceiling (the ``qps_budget`` extra).

That is AIMD, the rule TCP uses for a shared link and botocore's adaptive retry mode uses (with a
CUBIC curve) per client: K triggerers that know nothing of each other each back off when the
account's cap is hit and share the cap between them, without any coordination.
"""

from __future__ import annotations

import asyncio
import random
import time
import weakref
from collections.abc import Callable


class TokenBucket:
    """An async token bucket: at most ``rate`` acquisitions per second, bursts up to ``burst``.

    Waiters are served in arrival order (one lock), and each sleep gets a little jitter so that
    requests spread over time instead of marching in step.

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
        self.acquired = 0

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    async def acquire(self) -> None:
        """Wait for one token."""
        async with self._lock:
            self._refill()
            while self.tokens < 1:
                deficit = (1 - self.tokens) / self.rate
                await asyncio.sleep(deficit + self.rng.uniform(0, 0.2 / self.rate))
                self._refill()
            self.tokens -= 1
            self.acquired += 1

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

    def _set_rate(self, rate: float) -> None:
        self._refill()  # tokens earned at the old rate stay earned
        self.rate = rate
        self.burst = max(1.0, rate / 10)
        self.tokens = min(self.tokens, self.burst)


# Per event loop (tests and `airflow dags test` make new loops), per key pair.
_LIMITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, AdaptiveLimiter]] = (
    weakref.WeakKeyDictionary()
)


def limiter_for(key: str, ceiling: float) -> AdaptiveLimiter:
    """The running loop's limiter of key pair ``key`` (made with ``ceiling`` on first use).

    :param key: who the vendor counts against (``AsyncJobClient.quota_key``: type and key id).
    :param ceiling: requests per second at most (the connection's ``qps_budget``); a later
        client of the same key pair with another budget lowers the ceiling, never raises it.
    """
    limiters = _LIMITERS.setdefault(asyncio.get_running_loop(), {})
    limiter = limiters.get(key)
    if limiter is None:
        limiter = limiters[key] = AdaptiveLimiter(ceiling)
    elif ceiling < limiter.ceiling:
        limiter.ceiling = ceiling
        limiter._set_rate(min(limiter.rate, ceiling))  # the burst follows the rate, as on any change
    return limiter
