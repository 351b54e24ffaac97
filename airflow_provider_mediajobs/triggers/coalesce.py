"""Many waits, few requests: a per-process shared poller for the triggers.

A triggerer runs up to a thousand triggers in one event loop. Polling each job on its own sends N
requests per interval for N waits and, against MTS's 100 QPS per account, turns into a throttling
storm. Here the waits of one connection share:

- one :class:`AsyncJobClient` (one aiohttp session);
- the key pair's request limiter (:mod:`airflow_provider_mediajobs.quota`), which every request
  made with one AccessKey / SecretId in this process, retries included, waits on: at most
  ``qps_budget`` per second (connection extra), less while the vendor throttles;
- a fetcher per job kind: kinds whose API answers several ids at once (Tencent
  ``GET /jobs/{id1},{id2},...``) are answered in batches of at most ``batch_size`` ids (extra
  ``batch_size``, never more than the kind's ``get`` takes: 10 for Tencent; gathered for at most
  ``batch_window`` seconds); other kinds share one
  in-flight call per job (and its answer for ``share_window`` seconds), so identical waits cost
  one call;
- for kinds the vendor lists (ICE smart jobs, IMM tasks, Tencent CI jobs), list sweeps: one page
  answers up to a hundred waits, whenever that is cheaper than the direct looks (:mod:`.sweep`;
  extra ``list_sweeps``).

Each triggerer process coalesces its own waits; several triggerers on one account each back off
when the vendor throttles (the limiter is adaptive), so together they settle under the account's
cap. A poller lives as long as somebody waits on it: the last :func:`release` closes its session.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_mediajobs import metrics
from airflow_provider_mediajobs.exceptions import NotFoundError, ServerError, TransportError
from airflow_provider_mediajobs.extras import DEFAULT_BATCH_WINDOW
from airflow_provider_mediajobs.hooks.base import AsyncJobClient
from airflow_provider_mediajobs.quota import TokenBucket
from airflow_provider_mediajobs.triggers.sweep import SweepFetcher, wait_listed

if TYPE_CHECKING:
    from airflow_provider_mediajobs.catalog.model import JobKind
    from airflow_provider_mediajobs.hooks.base import VendorApi



@dataclass
class _Pending:
    since: float
    futures: list[asyncio.Future[Any]] = field(default_factory=list)


class BatchFetcher:
    """Answer single-job reads of a batchable kind with one call per ``batch_size`` ids.

    A batch is sent as soon as it is full, or ``window`` seconds after its oldest id arrived.
    Waits answered by one call sleep about the same poll interval and come back together, so
    after the first round they gather into full batches on their own.

    :param poller: the owning poller (its client).
    :param kind: a job kind whose ``get`` takes several ids in ``kind.job_id_arg``.
    :param batch_size: most ids per call; never more than the kind's ``get`` takes.
    :param window: longest time an id waits for company before its batch is sent (seconds).
    """

    def __init__(self, poller: SharedPoller, kind: JobKind, batch_size: int,
                 window: float = DEFAULT_BATCH_WINDOW) -> None:
        self.poller = poller
        self.kind = kind
        self.batch_size = max(1, min(batch_size, kind.max_batch))
        self.window = window
        self._pending: dict[str, _Pending] = {}
        self._full = asyncio.Event()
        self._flusher: asyncio.Task[None] | None = None
        self._calls: set[asyncio.Task[None]] = set()

    async def fetch(self, ids: Mapping[str, Any]) -> dict[str, Any] | None:
        """The job's current detail, or None when the vendor says it does not exist."""
        job_id = self.kind.job_id(ids)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        entry = self._pending.get(job_id)
        if entry is None:
            entry = self._pending[job_id] = _Pending(loop.time())
            if len(self._pending) >= self.batch_size:
                self._full.set()
        entry.futures.append(future)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await wait_listed(self._pending, job_id, future)

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            # Dicts keep insertion order: the first pending id is the one waiting longest.
            oldest = next(iter(self._pending.values())).since
            due = oldest + self.window - loop.time()
            if due > 0 and len(self._pending) < self.batch_size:
                self._full.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), due)
                continue
            ids = list(self._pending)
            # Full batches go now; a partial one only once its oldest id has waited long enough.
            count = len(ids) if due <= 0 else len(ids) - len(ids) % self.batch_size
            for start in range(0, count, self.batch_size):
                batch = {i: self._pending.pop(i) for i in ids[start : min(start + self.batch_size, count)]}
                task = asyncio.create_task(self._call(batch))
                self._calls.add(task)
                task.add_done_callback(self._calls.discard)
            self._full.clear()

    async def _call(self, batch: dict[str, _Pending]) -> None:
        metrics.batch(self.kind, len(batch))
        try:
            response = await self.poller.client.call(self.kind.get, **{self.kind.job_id_arg: list(batch)})
        except asyncio.CancelledError:
            for entry in batch.values():
                for future in entry.futures:
                    if not future.done():
                        future.cancel()
            raise
        except Exception as error:
            for entry in batch.values():
                for future in entry.futures:
                    if not future.done():
                        future.set_exception(error)
            return
        for job_id, entry in batch.items():
            try:
                job = self.kind.find(response, job_id)
            except Exception as error:
                # An answer bad for this id (ambiguous, another job, no state) fails this id's
                # waits only, as the fetch's error; raised here it would strand every waiter.
                for future in entry.futures:
                    if not future.done():
                        future.set_exception(error)
                continue
            for future in entry.futures:
                if not future.done():
                    future.set_result(dict(job) if job is not None else None)

    async def close(self) -> None:
        """Cancel the flusher and the calls under way."""
        tasks = [t for t in (self._flusher, *self._calls) if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class SingleFlightFetcher:
    """Share one in-flight call (and its answer for ``share_window`` s) among identical waits."""

    def __init__(self, poller: SharedPoller, kind: JobKind, share_window: float = 1.0) -> None:
        self.poller = poller
        self.kind = kind
        self.share_window = share_window
        self._inflight: dict[tuple[tuple[str, str], ...], asyncio.Task[dict[str, Any] | None]] = {}
        self._done_at: dict[tuple[tuple[str, str], ...], float] = {}

    async def fetch(self, ids: Mapping[str, Any]) -> dict[str, Any] | None:
        """The job's current detail, or None when the vendor says it does not exist."""
        key = tuple(sorted((k, str(v)) for k, v in ids.items()))
        task = self._inflight.get(key)
        # An answer is shared while the call runs and for share_window seconds after; a failure
        # only while it runs: replayed to a waiter's next look, it would count as a new failed
        # look (and say the vendor is down) without a request having been made.
        fresh = task is not None and (
            not task.done()
            or (not task.cancelled() and task.exception() is None
                and time.monotonic() - self._done_at.get(key, 0.0) < self.share_window)
        )
        if task is None or not fresh:
            task = asyncio.create_task(self._call(key, dict(ids)))
            self._inflight[key] = task
        # shield: one waiter being cancelled must not cancel the call the others wait on.
        return await asyncio.shield(task)

    async def _call(self, key: tuple[tuple[str, str], ...], ids: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return await self.poller.client.get_job(self.kind, **ids)
        except NotFoundError:
            return None
        finally:
            self._done_at[key] = time.monotonic()
            # Forget stale answers so the map does not grow with every job ever waited for.
            if len(self._inflight) > 4096:
                cutoff = time.monotonic() - self.share_window
                for stale in [k for k, t in self._done_at.items() if t < cutoff]:
                    self._done_at.pop(stale, None)
                    self._inflight.pop(stale, None)

    async def close(self) -> None:
        """Cancel calls under way."""
        tasks = [t for t in self._inflight.values() if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class SharedPoller:
    """The shared side of every wait on one connection in this process.

    :param client: the async client for the connection.
    :param bucket: the key pair's request limiter, which the client takes a token from for every
        attempt (kept here for figures: ``acquired``, ``rate``, ``throttled``).
    :param batch_size: most ids per batched call.
    :param batch_window: longest wait for a partial batch to fill (seconds); also how long a look
        waits for others to share a list sweep.
    :param list_sweeps: answer the waits of kinds the vendor lists by list sweeps where they are
        cheaper (:mod:`.sweep`).
    """

    def __init__(self, client: AsyncJobClient, bucket: TokenBucket | None, batch_size: int | None = None,
                 batch_window: float = DEFAULT_BATCH_WINDOW, list_sweeps: bool = True) -> None:
        self.client = client
        self.bucket = bucket
        # None: as many as each kind's get takes (BatchFetcher caps it per kind).
        self.batch_size = batch_size or 1 << 30
        self.batch_window = batch_window
        self.list_sweeps = list_sweeps
        self.users = 0
        self._fetchers: dict[str, BatchFetcher | SingleFlightFetcher | SweepFetcher] = {}
        # Set while the vendor answers; cleared by a look that found it down (see pause()).
        self._up = asyncio.Event()
        self._up.set()
        self._prober: object | None = None
        self.probes = 0

    @property
    def vendor_up(self) -> bool:
        """False from a look that found the vendor down until a look gets an answer again."""
        return self._up.is_set()

    async def fetch(self, kind: JobKind, ids: Mapping[str, Any]) -> dict[str, Any] | None:
        """The job's current detail, or None when the vendor says it does not exist."""
        fetcher = self._fetchers.get(kind.name)
        if fetcher is None:
            fetcher = self._fetchers[kind.name] = self._fetcher(kind)
        try:
            result = await fetcher.fetch(ids)
        except OUTAGE:
            self._up.clear()
            raise
        self._up.set()
        return result

    def _fetcher(self, kind: JobKind) -> BatchFetcher | SingleFlightFetcher | SweepFetcher:
        direct: BatchFetcher | SingleFlightFetcher
        if kind.max_batch > 1:
            direct = BatchFetcher(self, kind, self.batch_size, self.batch_window)
            batch = direct.batch_size
        else:
            direct, batch = SingleFlightFetcher(self, kind), 1
        if kind.sweep is not None and self.list_sweeps:
            return SweepFetcher(self, kind, direct, batch, self.batch_window)
        return direct

    async def pause(self, waiter: object, delay: float, probe_every: float) -> None:
        """Sleep after ``waiter``'s look failed, until its next look.

        While the vendor is down, one waiter at a time is the probe: it looks again after
        ``probe_every`` seconds. Every other waiter sleeps until a look gets an answer again (or
        its own backoff ``delay`` ends), so the end of an outage wakes them all at once instead
        of each finding it out after its own, growing backoff.

        :param waiter: who is pausing (the trigger).
        :param delay: the waiter's own backoff, the longest it sleeps.
        :param probe_every: how soon the probe looks again.
        """
        if self._up.is_set():
            await asyncio.sleep(delay)  # the vendor answers others: this failure was the look's own
            return
        if self._prober is None:
            self._prober = waiter
            self.probes += 1
            try:
                await asyncio.sleep(min(delay, probe_every))
            finally:
                self._prober = None
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._up.wait(), delay)

    async def close(self) -> None:
        """Stop every fetcher and close the session."""
        for fetcher in self._fetchers.values():
            await fetcher.close()
        await self.client.close()


#: Failures that mean the vendor cannot be reached or is down, as opposed to one look's own
#: problem (a bad answer for one id) or the vendor asking us to slow down (throttling).
OUTAGE = (ServerError, TransportError)

# Read [metrics] now, with the triggers' other imports, not on a first look inside the event loop.
metrics.resolve()

# Per event loop (tests and `airflow dags test` make new loops), per connection.
_POLLERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, str], SharedPoller]] = (
    weakref.WeakKeyDictionary()
)
_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


async def acquire(vendor: VendorApi, conn_id: str) -> SharedPoller:
    """Join (or start) the shared poller of ``conn_id`` in the running loop.

    Starting one reads the connection once: the client checks every extra, the poller's tuning
    included, and the key pair found there picks the request limiter.
    """
    loop = asyncio.get_running_loop()
    lock = _LOCKS.setdefault(loop, asyncio.Lock())
    async with lock:
        pollers = _POLLERS.setdefault(loop, {})
        key = (vendor.identity.conn_type, conn_id)
        poller = pollers.get(key)
        if poller is None:
            client = await AsyncJobClient.create(vendor, conn_id)
            settings = client.settings
            assert settings is not None  # create() always reads them
            poller = SharedPoller(client, client.limiter, settings.batch_size, settings.batch_window,
                                  settings.list_sweeps)
            pollers[key] = poller
        poller.users += 1
        return poller


async def release(poller: SharedPoller) -> None:
    """Leave ``poller``; the last one out closes it."""
    loop = asyncio.get_running_loop()
    lock = _LOCKS.setdefault(loop, asyncio.Lock())
    async with lock:
        poller.users -= 1
        if poller.users > 0:
            return
        pollers = _POLLERS.get(loop, {})
        for key, value in list(pollers.items()):
            if value is poller:
                del pollers[key]
    await poller.close()


def active_pollers() -> int:
    """How many shared pollers the running loop has (for tests and benchmarks)."""
    return len(_POLLERS.get(asyncio.get_running_loop(), {}))
