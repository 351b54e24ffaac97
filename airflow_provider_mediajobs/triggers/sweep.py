"""List sweeps: one list page answers up to a hundred waits, where direct looks answer one (or ten).

A kind whose vendor lists its jobs (:class:`~airflow_provider_mediajobs.catalog.model.Sweep`:
ICE ``ListSmartJobs``, IMM ``ListTasks`` per project, Tencent ``GET /jobs`` per queue and tag)
is answered by rounds. Looks that arrive within ``window`` seconds of each other form a round in
their scope (the listing's arguments: a project, a queue and tag). The round either sweeps the
listing newest first, or looks at each job directly, whichever it expects to cost fewer requests:

- a sweep stops at the first of: every job of the round seen, jobs older than the oldest of them
  (or the listing's own time filter past them), or a page budget of one page less than the
  direct looks would take, so a sweep never costs more than the looks it replaces;
- what the sweep did not see (a job too old, in another scope, or past the budget) is looked at
  directly, as is any job whose scope is still unknown (Tencent: its first look tells its queue);
- what a round cost per look answered is measured, and the next round of that scope picks the
  sweep only while it is the cheaper; after :data:`REMEASURE_EVERY` direct rounds one sweep
  measures again (an account that was busy with jobs nobody waits for may have calmed down);
- the items a sweep saw answer later looks of the same jobs for ``fresh`` seconds.

A job a sweep finds still running is answered from its item. A job it finds ended is concluded
with the detail the sensor returns after a direct look: the item itself where it is that detail
(IMM, Tencent), else one direct ``get`` (ICE items lack ``JobResult`` and the failure's code).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Coroutine, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from airflow_provider_mediajobs import metrics
from airflow_provider_mediajobs.catalog.model import dig
from airflow_provider_mediajobs.exceptions import AuthError, MediaJobsError, ThrottledError

if TYPE_CHECKING:
    from airflow_provider_mediajobs.catalog.model import JobKind, Sweep
    from airflow_provider_mediajobs.hooks.base import AsyncJobClient

log = logging.getLogger(__name__)

#: Direct rounds after which one sweep measures its cost again.
REMEASURE_EVERY = 10
#: Seconds a scope whose listing failed (refused, unreadable, down) is looked at directly only.
BROKEN_FOR = 120.0
#: Slack under the oldest job's creation time: the vendors state times to the second, and a
#: job's clock and the listing's may round differently.
CREATED_SLACK = timedelta(seconds=2)
#: The most job ids remembered (their scope, their creation time) for waits not yet ended.
MAX_REMEMBERED = 100_000
#: The most pages one round reads, whatever the direct looks would cost: a round's looks wait for it.
MAX_PAGES_PER_ROUND = 50
#: Seconds after its last look that a job is forgotten (its wait ended or was cancelled); a wait
#: polling less often than this relearns its job's scope with one direct look.
FORGET_AFTER = 900.0
#: Failures of a list call that any look would meet now (the vendor asks to slow down, or refuses
#: the key): the looks of the round fail with them, without adding direct calls to the load. Any
#: other failure (refused, unreadable, a server or network error) may be the listing's own, so
#: the round's looks go direct and meet the vendor's state themselves: a listing that keeps
#: failing must not fail waits that direct looks can serve.
SHARED_FAILURES = (ThrottledError, AuthError)

ScopeKey = tuple[tuple[str, str], ...]


class Poller(Protocol):
    """What a sweep needs of the shared poller (:class:`.coalesce.SharedPoller`): its client."""

    client: AsyncJobClient


class Fetcher(Protocol):
    """A kind's direct fetcher (:mod:`.coalesce`): one look at one job, batched or not."""

    async def fetch(self, ids: Mapping[str, Any]) -> dict[str, Any] | None: ...

    async def close(self) -> None: ...


def parse_created(value: Any) -> datetime | None:
    """An ISO 8601 time as the vendors write it (``...Z``, ``+08:00``, ``+0800``); None if not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def pending_detail(kind: JobKind, job_id: str, state: str) -> dict[str, Any]:
    """The least ``get`` answer that says ``job_id`` is in ``state`` (for a still running job
    whose list item is not its detail): its id and its state, at their paths."""
    detail: dict[str, Any] = {}
    for path, value in ((kind.id_key, job_id), (kind.state, state)):
        node = detail
        for step in path[:-1]:
            node = node.setdefault(step, {})
        node[path[-1]] = value
    return detail


class Waiting(Protocol):
    """An entry of a fetcher's pending looks: the futures of the looks at one job."""

    futures: list[asyncio.Future[Any]]


_W = TypeVar("_W", bound=Waiting)


async def wait_listed(pending: MutableMapping[str, _W], job_id: str,
                      future: asyncio.Future[Any]) -> dict[str, Any] | None:
    """Await ``future``, one of ``pending[job_id].futures``; a cancelled look leaves no trace (its
    job is dropped from ``pending`` when nobody else wants it). Shared by the batching fetcher
    (:class:`.coalesce.BatchFetcher`) and the sweeps."""
    try:
        result: dict[str, Any] | None = await future
        return result
    finally:
        entry = pending.get(job_id)
        if entry is not None and future in entry.futures:
            entry.futures.remove(future)
            if not entry.futures:
                del pending[job_id]


@dataclass
class _Want:
    ids: Mapping[str, Any]
    futures: list[asyncio.Future[Any]] = field(default_factory=list)


@dataclass
class _Scope:
    key: ScopeKey
    args: dict[str, Any]
    pending: dict[str, _Want] = field(default_factory=dict)
    # job id -> (item, monotonic time seen), for jobs somebody waits on
    seen: dict[str, tuple[Mapping[str, Any], float]] = field(default_factory=dict)
    waited: dict[str, float] = field(default_factory=dict)  # job id -> last look (monotonic)
    # What the last sweep measured (see SweepFetcher._sweep_pays).
    cover_pages: int | None = None  # pages it took to see every job it looked for
    cover_exact: bool = True  # False: it ran out of budget first, cover_pages is a lower bound
    miss_share: float = 0.0  # share of the jobs it covered but did not see (looked at directly)
    extra_share: float = 0.0  # share it saw ended whose item is not the detail (one get each)
    direct_rounds: int = 0
    broken_until: float = float("-inf")
    task: asyncio.Task[None] | None = None

    def fresh_item(self, job_id: str, fresh: float) -> Mapping[str, Any] | None:
        """The item a sweep saw for ``job_id`` at most ``fresh`` seconds ago, or None."""
        seen = self.seen.get(job_id)
        return seen[0] if seen is not None and time.monotonic() - seen[1] <= fresh else None


class SweepFetcher:
    """Answer the looks of one kind by list sweeps where they are cheaper (see the module docs).

    :param poller: the owning poller (its client).
    :param kind: a job kind with a :class:`~airflow_provider_mediajobs.catalog.model.Sweep`.
    :param direct: the kind's direct fetcher, for what a sweep does not answer.
    :param batch: how many jobs one direct call looks at (what the sweep's cost is weighed against).
    :param window: seconds a look waits for others to share its round.
    :param fresh: seconds a sweep's items answer later looks.
    """

    def __init__(self, poller: Poller, kind: JobKind, direct: Fetcher, batch: int, window: float,
                 fresh: float = 1.0) -> None:
        assert kind.sweep is not None
        self.poller = poller
        self.kind = kind
        self.sweep: Sweep = kind.sweep
        self.direct = direct
        self.batch = batch
        self.window = window
        self.fresh = fresh
        self._scopes: dict[ScopeKey, _Scope] = {}
        # Learned from looks: a job's scope (where scope_job needs the job) and creation time.
        self._scope_of_job: dict[str, tuple[ScopeKey, dict[str, Any]]] = {}
        self._created: dict[str, datetime] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- one look ---------------------------------------------------------------------------------
    async def fetch(self, ids: Mapping[str, Any]) -> dict[str, Any] | None:
        """The job's current detail, or None when the vendor says it does not exist."""
        job_id = self.kind.job_id(ids)
        scope = self._scope(ids, job_id)
        if scope is None:
            return await self._look_direct(ids)
        scope.waited[job_id] = time.monotonic()
        item = scope.fresh_item(job_id, self.fresh)
        if item is not None:
            return await self._answer(scope, ids, job_id, item)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        scope.pending.setdefault(job_id, _Want(ids)).futures.append(future)
        if scope.task is None or scope.task.done():
            scope.task = asyncio.create_task(self._rounds(scope))
        return await wait_listed(scope.pending, job_id, future)

    def _scope(self, ids: Mapping[str, Any], job_id: str) -> _Scope | None:
        if self.sweep.scope_job:
            learned = self._scope_of_job.get(job_id)
            if learned is None:
                return None
            key, args = learned
        else:
            args = {arg: ids[arg] for arg in self.sweep.scope_ids}
            key = tuple(sorted((k, str(v)) for k, v in args.items()))
        scope = self._scopes.get(key)
        if scope is None:
            scope = self._scopes[key] = _Scope(key, dict(args))
        return scope

    async def _look_direct(self, ids: Mapping[str, Any]) -> dict[str, Any] | None:
        job = await self.direct.fetch(ids)
        if job is not None:
            self._learn(self.kind.job_id(ids), job)
        return job

    def _learn(self, job_id: str, job: Mapping[str, Any]) -> None:
        """Remember what a look at ``job_id`` told: when it was made and (if needed) its scope."""
        if len(self._created) >= MAX_REMEMBERED:
            self._created.clear()
            self._scope_of_job.clear()
        created = parse_created(dig(job, self.sweep.job_created))
        if created is not None:
            self._created[job_id] = created
        if self.sweep.scope_job and job_id not in self._scope_of_job:
            values = {arg: dig(job, path) for arg, path in self.sweep.scope_job}
            if all(isinstance(v, str) and v for v in values.values()):
                self._scope_of_job[job_id] = (tuple(sorted(values.items())), values)

    async def _answer(self, scope: _Scope, ids: Mapping[str, Any], job_id: str,
                      item: Mapping[str, Any]) -> dict[str, Any] | None:
        """What ``item``, seen by a sweep, says to a look at ``job_id``."""
        state = dig(item, self.sweep.item_state)
        if self.sweep.as_detail is not None:
            detail = self.sweep.as_detail(item, ids)
            if detail is not None:
                return dict(self.kind.check(detail, job_id))
        elif isinstance(state, str) and state in self.kind.pending:
            return pending_detail(self.kind, job_id, state)
        # Ended (or in a state this provider does not know), or not the job of these ids: the
        # direct look says which, in full.
        scope.seen.pop(job_id, None)
        return await self._look_direct(ids)

    # -- rounds -----------------------------------------------------------------------------------
    async def _rounds(self, scope: _Scope) -> None:
        while scope.pending:
            await asyncio.sleep(self.window)
            # A copy: a look that ends removes itself from the dict it joined (wait_listed), and
            # the round must keep counting what it was asked.
            wants, scope.pending = dict(scope.pending), {}
            # Looks that came while the last round paged may have been answered by it meanwhile.
            for job_id in list(wants):
                item = scope.fresh_item(job_id, self.fresh)
                if item is not None:
                    want = wants.pop(job_id)
                    self._settle(want, self._answer(scope, want.ids, job_id, item))
            if not wants:
                continue
            try:
                await self._round(scope, wants)
            except Exception:
                # A defect here must not strand the round's waits: they get direct looks.
                log.exception("%s: a sweep round failed; looking at its %d jobs directly", self.kind.name, len(wants))
                for want in wants.values():
                    if not all(f.done() for f in want.futures):
                        self._settle(want, self._look_direct(want.ids))

    async def _round(self, scope: _Scope, wants: dict[str, _Want]) -> None:
        direct_cost = self._direct_cost(len(wants))
        budget = min(direct_cost - 1, MAX_PAGES_PER_ROUND)
        sweeping = self._sweep_pays(scope, len(wants), direct_cost, budget)
        if not sweeping:
            metrics.sweep_round(self.kind, len(wants))  # a sweeping round is counted by _sweep
        left = await self._sweep(scope, wants, budget) if sweeping else wants
        for want in left.values():
            self._settle(want, self._look_direct(want.ids))
        self._forget(scope)

    def _direct_cost(self, looks: int) -> int:
        return math.ceil(looks / self.batch)

    def _sweep_pays(self, scope: _Scope, looks: int, direct_cost: int, budget: int) -> bool:
        """Whether a sweep of ``looks`` looks is expected to cost fewer requests than direct looks.

        What a sweep costs hardly depends on how many looks it answers: it pages from the newest
        job back to the oldest one looked for, and the jobs nobody waits for on the way count as
        much as the others. So the measure kept is the pages the last sweep needed to cover its
        jobs (a lower bound when it ran out of budget), plus the direct looks it left: the jobs
        it covered but did not see, and (ICE) the gets that conclude the ended ones.
        """
        if budget < 1 or time.monotonic() < scope.broken_until:
            return False  # a single direct call: no page can be cheaper
        if scope.cover_pages is None:
            expected = 0.0  # never measured: try
        elif not scope.cover_exact and scope.cover_pages > budget:
            expected = math.inf  # it took more pages than this round may spend
        else:
            expected = (scope.cover_pages + scope.miss_share * self._direct_cost(looks)
                        + scope.extra_share * looks)
        if expected < direct_cost:
            scope.direct_rounds = 0
            return True
        scope.direct_rounds += 1
        if scope.direct_rounds >= REMEASURE_EVERY:
            # The account may have calmed down (or the jobs nobody waits for ended): measure again.
            scope.direct_rounds, scope.cover_pages = 0, None
            return True
        return False

    async def _sweep(self, scope: _Scope, wants: dict[str, _Want], budget: int) -> dict[str, _Want]:
        """Page the listing for ``wants``, at most ``budget`` pages; return the wants it did not
        answer, and keep in ``scope`` what it cost (see :meth:`_sweep_pays`)."""
        sweep = self.sweep
        left = dict(wants)
        created = [when for job_id in wants if (when := self._created.get(job_id)) is not None]
        # Only when every job's creation is known can the sweep stop at the oldest of them.
        oldest = min(created) - CREATED_SLACK if created and len(created) == len(wants) else None
        arguments: dict[str, Any] = {**scope.args, **sweep.arguments}
        if oldest is not None and sweep.since is not None:
            arguments.update(sweep.since(oldest))
        pages = 0
        extra = 0  # direct looks that conclude ended jobs whose items are not their detail
        try:
            listing = self.poller.client.iter_pages(sweep.list, None, **arguments)
        except MediaJobsError as err:
            metrics.sweep_round(self.kind, len(wants), pages, 0)
            return self._broken(scope, left, err)
        out_of_budget = False
        try:
            async for items in listing:
                pages += 1
                now = time.monotonic()
                past_oldest = False
                for item in items:
                    job_id, when = self._read_item(item)
                    if job_id is None:
                        continue
                    if when is not None and oldest is not None and when < oldest:
                        past_oldest = True
                    if job_id in left or job_id in scope.waited:
                        scope.seen[job_id] = (item, now)
                        if when is not None:
                            self._created[job_id] = when
                    want = left.pop(job_id, None)
                    if want is not None:
                        state = dig(item, sweep.item_state)
                        if sweep.as_detail is None and not (isinstance(state, str) and state in self.kind.pending):
                            extra += 1
                        self._settle(want, self._answer(scope, want.ids, job_id, item))
                if not left or past_oldest:
                    break
                if pages >= budget:
                    out_of_budget = True
                    break
        except asyncio.CancelledError:
            raise
        except SHARED_FAILURES as err:
            for want in left.values():
                _fail(want, err)
            return {}
        except MediaJobsError as err:
            return self._broken(scope, left, err)
        finally:
            # Whatever ended the sweep: what it read, and how many of its jobs it found.
            metrics.sweep_round(self.kind, len(wants), pages, len(wants) - len(left))
            with contextlib.suppress(Exception):
                await listing.aclose()  # type: ignore[attr-defined]
        scope.cover_pages, scope.cover_exact = (pages + 1, False) if out_of_budget else (pages, True)
        scope.miss_share = 0.0 if out_of_budget else len(left) / len(wants)
        scope.extra_share = extra / len(wants)
        return left

    def _read_item(self, item: Any) -> tuple[str | None, datetime | None]:
        if not isinstance(item, Mapping):
            return None, None
        job_id = dig(item, self.sweep.item_id)
        if not isinstance(job_id, str) or not job_id:
            return None, None
        return job_id, parse_created(dig(item, self.sweep.item_created))

    def _broken(self, scope: _Scope, left: dict[str, _Want], err: Exception) -> dict[str, _Want]:
        """The listing failed for this scope: look directly for a while."""
        scope.broken_until = time.monotonic() + BROKEN_FOR
        log.warning("%s: listing %s for %s failed (%s); looking at each job directly for %.0f s",
                    self.kind.name, self.sweep.list.name, dict(scope.key) or "the account", err, BROKEN_FOR)
        return left

    def _forget(self, scope: _Scope) -> None:
        """Drop what no wait has asked about for a while (ended or cancelled waits)."""
        cutoff = time.monotonic() - FORGET_AFTER
        for job_id in [j for j, at in scope.waited.items() if at < cutoff]:
            del scope.waited[job_id]
            scope.seen.pop(job_id, None)
            self._created.pop(job_id, None)
            self._scope_of_job.pop(job_id, None)
        for job_id in [j for j, (_, at) in scope.seen.items() if at < cutoff]:
            del scope.seen[job_id]

    def _settle(self, want: _Want, look: Coroutine[Any, Any, dict[str, Any] | None]) -> None:
        async def run() -> None:
            try:
                result = await look
            except asyncio.CancelledError:
                for future in want.futures:
                    future.cancel()
                raise
            except Exception as err:  # this job's look failed: its waits see the failure
                _fail(want, err)
                return
            for future in want.futures:
                if not future.done():
                    future.set_result(result)

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Cancel rounds and looks under way."""
        tasks = [t for t in (*self._tasks, *(s.task for s in self._scopes.values())) if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.direct.close()


def _fail(want: _Want, err: BaseException) -> None:
    for future in want.futures:
        if not future.done():
            future.set_exception(err)
