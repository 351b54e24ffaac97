"""One exact request budget per key pair, shared through Redis by every process that uses it.

The adaptive limiters of :mod:`airflow_provider_mediajobs.quota` know nothing of each other: K
triggerers with the same key pair each back off when the vendor throttles, so they settle under
the account's cap, but only after some throttling answers, and the workers' requests are not
counted with them. Where the deployment already runs Redis (Celery deployments do), the
connection extra ``qps_budget_redis_url`` makes ``qps_budget`` one budget for all of them: every
attempt, sync or async, retries included, first takes a token from its process's adaptive
limiter (so a throttling answer still lowers the local rate), then one from the budget in Redis
(:class:`RedisBudget`; :class:`~airflow_provider_mediajobs.quota.SharedLimiter` does both).

The budget is counted by `limits <https://limits.readthedocs.io>`_: its moving window, a Lua
script run atomically in Redis, through redis-py, async on the triggers' side and sync on the
workers'. A moving window admits at most the budget's count in any window of its length, so the
vendor never sees a burst over it; a refused request sleeps until the oldest request of the
window leaves it (plus a little jitter) instead of polling.

Redis is a help, never a requirement: every call to it is bounded (:data:`REDIS_TIMEOUT`, no
client retries), and when one fails (Redis down, hung, refusing the password) the budget logs
one warning, lets requests through to the local limiter alone, and asks Redis again after
:data:`RETRY_REDIS_AFTER` seconds. No request fails because of Redis.

Only a digest of the key pair (:func:`budget_id`) reaches Redis, under :data:`KEY_PREFIX`; the
URL, which may carry a password, reaches no log line or error text (:class:`SharedBudgetUrl`).

``limits`` and ``redis`` (the provider's ``redis`` extra) are imported on first use only.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from limits import RateLimitItem
    from limits.aio.strategies import RateLimiter as AsyncRateLimiter
    from limits.strategies import RateLimiter
    from limits.util import WindowStats

log = logging.getLogger(__name__)

#: Seconds one Redis call (connecting included) may take before the budget gives up on Redis.
REDIS_TIMEOUT = 0.5
#: Seconds requests rely on the local limiter alone after a Redis call failed.
RETRY_REDIS_AFTER = 30.0
#: The prefix of every Redis key this provider writes.
KEY_PREFIX = "mediajobs"
#: The longest window a budget is counted over, in seconds (see :func:`budget_item`).
MAX_WINDOW = 10
#: The strategies of ``limits`` by name (class names in ``limits.strategies`` and
#: ``limits.aio.strategies``). Only the moving window is exact; the other two are here so that
#: ``benchmarks.quota`` can measure why (see docs/design-notes.md).
STRATEGIES = {
    "moving-window": "MovingWindowRateLimiter",
    "fixed-window": "FixedWindowRateLimiter",
    "sliding-window-counter": "SlidingWindowCounterRateLimiter",
}


class SharedBudgetUrl:
    """Where a key pair's shared budget lives: a Redis URL (extra ``qps_budget_redis_url``).

    The URL is a secret (it may carry a password): ``repr`` and ``str`` show :attr:`redacted`
    only, so settings that hold one may be logged.

    :param url: ``redis://[[user]:password@]host[:port][/db]`` or ``rediss://...``, checked.
    """

    __slots__ = ("url",)

    def __init__(self, url: str) -> None:
        self.url = url

    @property
    def redacted(self) -> str:
        """The URL without its user info: ``redis://***@host:6379/0``."""
        parts = urlsplit(self.url)
        _, at, host = parts.netloc.rpartition("@")
        return f"{parts.scheme}://{'***@' if at else ''}{host}{parts.path}"

    @property
    def secrets(self) -> tuple[str, ...]:
        """The URL and its password, as written (percent-encoded) and as sent to Redis."""
        userinfo, at, _ = urlsplit(self.url).netloc.rpartition("@")
        password = userinfo.partition(":")[2] if at else ""
        return tuple(s for s in dict.fromkeys((self.url, password, unquote(password))) if s)

    def scrub(self, text: str) -> str:
        """``text`` with every form of the URL and its password replaced by ``***``."""
        from airflow_provider_mediajobs.exceptions import redact

        text = redact(text, self.secrets)
        for secret in sorted(self.secrets, key=len, reverse=True):  # redact() skips very short ones
            text = text.replace(secret, "***")
        return text

    def __repr__(self) -> str:
        return f"SharedBudgetUrl({self.redacted!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SharedBudgetUrl) and other.url == self.url

    def __hash__(self) -> int:
        return hash(self.url)


def budget_id(key: str) -> str:
    """What stands for key pair ``key`` in Redis keys and log lines: a digest, not the key id."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def budget_item(budget: float) -> RateLimitItem:
    """``budget`` requests per second as a whole number of requests per whole seconds.

    ``limits`` counts whole requests over windows of whole seconds: 50 QPS is 50 per second,
    12.5 is 25 per 2 s, 0.1 is 1 per 10 s. The shortest window within 1% of ``budget`` is taken
    (else the closest, up to :data:`MAX_WINDOW` s), rounding down so the budget is never
    exceeded; within a window longer than a second its requests may come together.

    :param budget: requests per second (the ``qps_budget`` extra, at least 0.1).
    """
    from limits import RateLimitItemPerSecond

    best: tuple[float, int, int] | None = None
    for window in range(1, MAX_WINDOW + 1):
        amount = math.floor(budget * window + 1e-9)
        if amount < 1:
            continue
        error = (budget - amount / window) / budget
        if error <= 0.01:
            return RateLimitItemPerSecond(amount, window, namespace="quota")
        if best is None or error < best[0]:
            best = (error, amount, window)
    if best is None:
        raise ValueError(f"a budget of {budget} requests per second is less than one per {MAX_WINDOW} s")
    return RateLimitItemPerSecond(best[1], best[2], namespace="quota")


class RedisBudget:
    """A key pair's budget in Redis, as one process draws from it.

    One object serves one side: the async clients of one event loop (:meth:`take`) or the sync
    clients of the process (:meth:`take_blocking`); it opens the matching Redis client on first
    use. The caller serializes its own waiters (the limiter's lock), so at most one request of
    this process waits on Redis at a time.

    :param url: the Redis that holds the budget.
    :param key: the key pair (``quota_key``); Redis sees only its digest.
    :param budget: requests per second of every process naming this Redis, together.
    :param timeout: seconds one Redis call may take.
    :param retry_after: seconds of local limiting alone after a Redis call failed.
    :param strategy: a key of :data:`STRATEGIES`; keep the default (the others are for the
        benchmark's comparison).
    :param clock: monotonic seconds (for ``retry_after``).
    :param wall: the clock the window's entries are stamped with (``limits`` uses ``time.time``).
    """

    def __init__(self, url: SharedBudgetUrl, key: str, budget: float, *, timeout: float = REDIS_TIMEOUT,
                 retry_after: float = RETRY_REDIS_AFTER, strategy: str = "moving-window",
                 rng: random.Random | None = None, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}")
        self.url = url
        self.budget_id = budget_id(key)
        self.item = budget_item(budget)
        self.timeout = timeout
        self.retry_after = retry_after
        self.strategy = strategy
        self.rng = rng or random.Random()
        self._clock = clock
        self._wall = wall
        self._sync: RateLimiter | None = None
        self._async: AsyncRateLimiter | None = None
        self._sync_pool: Any = None
        self._async_pool: Any = None
        self._down = False
        self._down_until = -math.inf
        #: Tokens taken from the shared budget.
        self.acquired = 0
        #: Redis calls that failed (each left requests to the local limiter for a while).
        self.failures = 0

    def __repr__(self) -> str:
        return (f"RedisBudget({self.item} in {self.url.redacted}, key pair {self.budget_id}, "
                f"{'local only for now' if self._down else 'shared'})")

    @property
    def shared(self) -> bool:
        """False while Redis is taken for unreachable (requests pass on the local limiter alone)."""
        return not self._down

    def rebudget(self, budget: float) -> None:
        """Count against ``budget`` from now on (a lower ``qps_budget`` read later)."""
        self.item = budget_item(budget)

    async def take(self) -> None:
        """Wait for a token of the shared budget; return at once while Redis is unreachable."""
        while self._due():
            try:
                strategy = self._async_strategy()
                if await asyncio.wait_for(strategy.hit(self.item, self.budget_id), self.timeout):
                    self._taken()
                    return
                stats = await asyncio.wait_for(strategy.get_window_stats(self.item, self.budget_id), self.timeout)
            except Exception as err:  # whatever Redis did, the request goes on without it
                self._failed(err)
                return
            await asyncio.sleep(self._until_free(stats))

    def take_blocking(self) -> None:
        """:meth:`take` for the sync clients, blocking the calling thread."""
        while self._due():
            try:
                strategy = self._sync_strategy()
                if strategy.hit(self.item, self.budget_id):
                    self._taken()
                    return
                stats = strategy.get_window_stats(self.item, self.budget_id)
            except Exception as err:  # the socket timeouts bound each call (see _options)
                self._failed(err)
                return
            time.sleep(self._until_free(stats))

    def _due(self) -> bool:
        return not self._down or self._clock() >= self._down_until

    def _taken(self) -> None:
        self.acquired += 1
        if self._down:
            self._down = False
            log.info("the shared request budget of key pair %s (%s) is reachable again", self.budget_id,
                     self.url.redacted)

    def _failed(self, error: BaseException) -> None:
        self.failures += 1
        self._down_until = self._clock() + self.retry_after
        reason = f"{type(error).__name__}: {self.url.scrub(str(error))[:200]}"
        if self._down:
            log.debug("the shared request budget of key pair %s is still unreachable (%s)", self.budget_id, reason)
            return
        self._down = True
        log.warning("the shared request budget of key pair %s (%s) is unreachable (%s); this process limits the "
                    "key pair's requests on its own (adaptive) and asks Redis again in %g s", self.budget_id,
                    self.url.redacted, reason, self.retry_after)

    def _until_free(self, stats: WindowStats) -> float:
        """Seconds until the window has room again, plus jitter so waiters do not come in step."""
        window = float(self.item.get_expiry())
        wait = stats.reset_time - self._wall() if stats.remaining <= 0 else 0.0
        jitter = max(0.001, min(0.05, window / self.item.amount / 2))
        return min(max(wait, 0.0), window) + self.rng.uniform(0.001, jitter)

    # -- Redis clients ------------------------------------------------------------------------------
    def _options(self, retry: Any) -> dict[str, Any]:
        # No client-side retries (redis-py retries 3 times with up to 10 s backoff by default):
        # the fallback is the retry, and each call must end within the timeout.
        from redis.backoff import NoBackoff

        return {"socket_timeout": self.timeout, "socket_connect_timeout": self.timeout,
                "retry": retry(NoBackoff(), 0)}

    def _sync_strategy(self) -> RateLimiter:
        if self._sync is None:
            import limits.strategies
            import redis
            from limits.storage import RedisStorage
            from redis.retry import Retry

            # Our own pool, so that close() can close it through redis-py's public API.
            self._sync_pool = redis.ConnectionPool.from_url(self.url.url, **self._options(Retry))
            storage = RedisStorage(self.url.url, key_prefix=KEY_PREFIX, connection_pool=self._sync_pool)
            self._sync = getattr(limits.strategies, STRATEGIES[self.strategy])(storage)
        return self._sync

    def _async_strategy(self) -> AsyncRateLimiter:
        if self._async is None:
            import limits.aio.strategies
            import redis.asyncio
            from limits.aio.storage import RedisStorage as AsyncRedisStorage
            from redis.asyncio.retry import Retry as AsyncRetry

            self._async_pool = redis.asyncio.ConnectionPool.from_url(self.url.url, **self._options(AsyncRetry))
            storage = AsyncRedisStorage(self.url.url, implementation="redispy", key_prefix=KEY_PREFIX,
                                        connection_pool=self._async_pool)
            self._async = getattr(limits.aio.strategies, STRATEGIES[self.strategy])(storage)
        return self._async

    def close(self) -> None:
        """Close the sync side's Redis connections (a later request opens new ones)."""
        if self._sync_pool is not None:
            self._sync_pool.disconnect()
        self._sync = self._sync_pool = None

    async def aclose(self) -> None:
        """Close every Redis connection of this budget, the async side's in the running loop."""
        if self._async_pool is not None:
            await self._async_pool.disconnect()
        self._async = self._async_pool = None
        self.close()
