"""Metrics through Airflow's ``Stats``: the one module that knows their names and sends them.

Whatever the deployment's ``[metrics]`` section turns on (statsd, Datadog's dogstatsd or
OpenTelemetry) gets them; with none of those on, every call here returns after one check of a
module global, so the polling of a thousand waits pays nothing for metrics it does not send.

Every name starts with :data:`PREFIX`, which Airflow puts after its own ``[metrics] statsd_prefix``
(``airflow.mediajobs.request``). Each event is sent the way Airflow 3 sends its own metrics:

- under the family's name with tags (``mediajobs.request`` with ``vendor``, ``operation``,
  ``outcome``), for the backends that keep tags (dogstatsd, OpenTelemetry, statsd with
  ``statsd_influxdb_enabled``);
- while ``[metrics] legacy_names_on`` is true (its default; Airflow 3.1 has no such option and
  always sends both), once more under a dotted name that carries the tags' values in their order,
  for plain statsd, which drops tags: ``mediajobs.request.alibaba.QueryIProductionJob.ok``.

A tag value is a vendor, operation or job kind name from the catalog, or one of this module's
own words (outcomes, modes, a wait's status): never an id, a connection id, a URL or a key. Each is
checked once against :data:`_SEGMENT` before a name is built from it, and anything else is sent as
``other``, so neither a secret nor a character Airflow's name validation refuses can get into a
name. ``docs/operating.md`` has the table of every metric.

Imported at DAG parse (``waiting.py`` counts waits): nothing beyond the standard library and the
provider's exceptions is imported before the first metric is sent.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Concatenate, NamedTuple, ParamSpec, Protocol, TypeVar

from airflow_provider_mediajobs.exceptions import (
    AuthError,
    BadResponseError,
    NotFoundError,
    ServerError,
    ThrottledError,
    TransportError,
    VendorError,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from airflow_provider_mediajobs.catalog.model import JobKind, Operation

log = logging.getLogger(__name__)

#: The first part of every metric's name (after Airflow's own ``statsd_prefix``).
PREFIX = "mediajobs"


class Family(NamedTuple):
    """One metric: its name after :data:`PREFIX`, its type and its tags, in dotted-name order.

    :param name: ``request``, ``wait.ended``...
    :param kind: ``counter`` or ``timer`` (as statsd types them).
    :param tags: the tag names; the dotted name appends their values in this order.
    """

    name: str
    kind: str
    tags: tuple[str, ...]

    @property
    def metric(self) -> str:
        """The name sent with tags: ``mediajobs.<name>``."""
        return f"{PREFIX}.{self.name}"


REQUEST = Family("request", "counter", ("vendor", "operation", "outcome"))
THROTTLED = Family("throttled", "counter", ("vendor", "operation"))
RETRY = Family("retry", "counter", ("vendor", "operation", "outcome"))
BATCH_CALLS = Family("batch.calls", "counter", ("vendor", "kind"))
BATCH_IDS = Family("batch.ids", "counter", ("vendor", "kind"))
SWEEP_ROUNDS = Family("sweep.rounds", "counter", ("vendor", "kind", "mode"))
SWEEP_PAGES = Family("sweep.pages", "counter", ("vendor", "kind"))
SWEEP_JOBS = Family("sweep.jobs", "counter", ("vendor", "kind"))
SWEEP_SEEN = Family("sweep.seen", "counter", ("vendor", "kind"))
WAIT_STARTED = Family("wait.started", "counter", ("vendor", "kind", "mode"))
WAIT_ENDED = Family("wait.ended", "counter", ("vendor", "kind", "mode", "status"))
WAIT_DURATION = Family("wait.duration", "timer", ("vendor", "kind", "mode", "status"))

#: Every metric this provider sends (the table in ``docs/operating.md`` lists each).
FAMILIES = (REQUEST, THROTTLED, RETRY, BATCH_CALLS, BATCH_IDS, SWEEP_ROUNDS, SWEEP_PAGES, SWEEP_JOBS,
            SWEEP_SEEN, WAIT_STARTED, WAIT_ENDED, WAIT_DURATION)

OK = "ok"
OTHER = "other"
#: An attempt's outcome by the error it failed with: the first class that matches (subclasses
#: before their bases). An error of none of them (a refused argument, a library's own exception)
#: is :data:`OTHER`.
OUTCOMES: tuple[tuple[type[BaseException], str], ...] = (
    (ThrottledError, "throttled"),
    (AuthError, "auth"),  # expired credentials and clock skew included
    (NotFoundError, "not_found"),
    (ServerError, "server_error"),
    (VendorError, "client_error"),  # a refused parameter, and any other error body the vendor answered
    (BadResponseError, "bad_response"),  # unreadable, hostile, too large, a redirect
    (TransportError, "transport"),  # refused, reset, timed out: no complete answer
)
#: How the wait statuses of ``waiting.py``'s events are sent (anything else as :data:`OTHER`).
STATUSES = frozenset({"success", "failure", "not_found", "timeout", "error"})

# What Airflow's validation takes (letters, digits, ``_.-``), less the dot, which would shift the
# dotted name's parts; 64 characters keep any name far below Airflow's limit of 250.
_SEGMENT = re.compile(r"[A-Za-z0-9_-]{1,64}")
# The [metrics] options of which any one makes Airflow send metrics (its stats factory reads the same).
_BACKENDS = ("statsd_on", "statsd_datadog_enabled", "otel_on")


def outcome(error: BaseException | None) -> str:
    """The outcome class of one attempt: :data:`OK` without ``error``, else by :data:`OUTCOMES`."""
    if error is None:
        return OK
    for cls, name in OUTCOMES:
        if isinstance(error, cls):
            return name
    return OTHER


class Sink:
    """Airflow's ``Stats`` and whether dotted names go too; the names made so far.

    :param stats: what ``incr`` and ``timing`` are called on.
    :param dotted: send the dotted names too (``[metrics] legacy_names_on``).
    """

    def __init__(self, stats: Any, dotted: bool) -> None:
        self.stats = stats
        self.dotted = dotted
        # (family, values) -> (dotted name, tags): a few dozen pairs, all from finite sets.
        self._names: dict[tuple[str, tuple[str, ...]], tuple[str, dict[str, str]]] = {}
        self._failed = False

    def named(self, family: Family, values: tuple[str, ...]) -> tuple[str, dict[str, str]]:
        """The dotted name and the tags of ``family`` for ``values``."""
        key = (family.name, values)
        found = self._names.get(key)
        if found is None:
            safe = tuple(v if isinstance(v, str) and _SEGMENT.fullmatch(v) else OTHER for v in values)
            found = self._names[key] = (".".join((family.metric, *safe)), dict(zip(family.tags, safe, strict=True)))
        return found

    def count(self, family: Family, values: tuple[str, ...], count: int = 1) -> None:
        """Add ``count`` to ``family``'s counter for ``values``."""
        dotted, tags = self.named(family, values)
        try:
            self.stats.incr(family.metric, count, tags=tags)
            if self.dotted:
                self.stats.incr(dotted, count)
        except Exception:  # a metric must never fail the request or the wait it describes
            self._warn_once()

    def time(self, family: Family, values: tuple[str, ...], seconds: float) -> None:
        """Record ``seconds`` in ``family``'s timer for ``values`` (backends take a timedelta as ms)."""
        dotted, tags = self.named(family, values)
        elapsed = timedelta(seconds=max(seconds, 0.0))
        try:
            self.stats.timing(family.metric, elapsed, tags=tags)
            if self.dotted:
                self.stats.timing(dotted, elapsed)
        except Exception:  # as in count()
            self._warn_once()

    def _warn_once(self) -> None:
        if not self._failed:
            self._failed = True
            log.warning("sending a metric failed; the provider goes on without it", exc_info=True)


_sink: Sink | None = None
_resolved = False


def resolve() -> Sink | None:
    """What this process sends to, or None when it sends no metrics: the first call reads
    ``[metrics]`` (and imports Airflow's ``Stats`` if it is on), later ones, and any after
    :func:`route`, answer what is known. The first metric calls it; the triggers' modules call it
    when imported, so that nothing is imported for the first time inside the triggerer's loop."""
    global _sink, _resolved
    if _resolved:
        return _sink
    try:
        from airflow.configuration import conf

        if any(conf.getboolean("metrics", option, fallback=False) for option in _BACKENDS):
            from airflow_provider_mediajobs.compat import airflow_stats

            _sink = Sink(airflow_stats(), conf.getboolean("metrics", "legacy_names_on", fallback=True))
        else:
            _sink = None
    except Exception:  # an unreadable configuration costs the metrics, never a wait
        log.warning("metrics are off: Airflow's [metrics] configuration could not be read", exc_info=True)
        _sink = None
    _resolved = True
    return _sink


def route(stats: Any | None, *, dotted: bool = True) -> None:
    """Send to ``stats`` from now on (anything with Airflow's ``incr`` and ``timing``), or nothing
    with None; for tests and for embedding the provider elsewhere than an Airflow component.

    :param dotted: send the dotted names too.
    """
    global _sink, _resolved
    _sink, _resolved = (None if stats is None else Sink(stats, dotted)), True


def reset() -> None:
    """Forget what was resolved: the next metric reads ``[metrics]`` again."""
    global _sink, _resolved
    _sink, _resolved = None, False


# -- requests (transport.py) ----------------------------------------------------------------------
def request(operation: Operation, error: BaseException | None) -> None:
    """One attempt of ``operation`` ended: answered (``error`` None) or failed with ``error``.

    Counted by vendor, operation and :func:`outcome`; a throttling answer is counted as
    ``throttled`` too. Called from the one place both transports decide what an attempt meant.
    """
    sink = _sink if _resolved else resolve()
    if sink is None:
        return
    vendor, name, result = operation.service.vendor, operation.name, outcome(error)
    sink.count(REQUEST, (vendor, name, result))
    if result == "throttled":
        sink.count(THROTTLED, (vendor, name))


def retry(operation: Operation, error: BaseException | None) -> None:
    """tenacity is about to try ``operation`` again after an attempt that failed with ``error``."""
    sink = _sink if _resolved else resolve()
    if sink is not None:
        sink.count(RETRY, (operation.service.vendor, operation.name, outcome(error)))


# -- the shared poller (triggers/coalesce.py, triggers/sweep.py) ----------------------------------
def batch(kind: JobKind, ids: int) -> None:
    """One batched get of ``ids`` jobs of ``kind`` is sent."""
    sink = _sink if _resolved else resolve()
    if sink is not None:
        values = (kind.get.service.vendor, kind.name)
        sink.count(BATCH_CALLS, values)
        sink.count(BATCH_IDS, values, ids)


def sweep_round(kind: JobKind, jobs: int, pages: int | None = None, seen: int = 0) -> None:
    """A round of looks at ``jobs`` jobs of ``kind``: a sweep that read ``pages`` pages and found
    ``seen`` of the jobs in them, or (``pages`` None) a round that looked at each job directly."""
    sink = _sink if _resolved else resolve()
    if sink is None:
        return
    values = (kind.get.service.vendor, kind.name)
    sink.count(SWEEP_ROUNDS, (*values, "direct" if pages is None else "sweep"))
    if pages is not None:
        sink.count(SWEEP_PAGES, values, pages)
        sink.count(SWEEP_JOBS, values, jobs)
        sink.count(SWEEP_SEEN, values, seen)


# -- waits (waiting.py) ---------------------------------------------------------------------------
def _mode() -> str:
    """Where the wait runs. Its one async driver is the trigger: a wait made inside a running event
    loop is a deferred one (the triggerer, or ``airflow dags test`` running triggers), any other
    a worker's (a sensor's poke, the submit operator's wait)."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return "worker"
    return "deferred"


def wait_started(kind: JobKind) -> None:
    """A wait for a job of ``kind`` begins (not one resumed: a rescheduled sensor's later pokes)."""
    sink = _sink if _resolved else resolve()
    if sink is not None:
        sink.count(WAIT_STARTED, (kind.get.service.vendor, kind.name, _mode()))


def wait_ended(kind: JobKind, status: Any, waited: float) -> None:
    """A wait for a job of ``kind`` ended with an event of ``status`` after ``waited`` seconds."""
    sink = _sink if _resolved else resolve()
    if sink is None:
        return
    known = isinstance(status, str) and status in STATUSES
    values = (kind.get.service.vendor, kind.name, _mode(), status if known else OTHER)
    sink.count(WAIT_ENDED, values)
    sink.time(WAIT_DURATION, values, waited)


class _Look(Protocol):
    @property
    def event(self) -> Mapping[str, Any] | None: ...


class _Wait(Protocol):
    @property
    def kind(self) -> JobKind: ...

    @property
    def waited(self) -> float: ...


_W = TypeVar("_W", bound=_Wait)
_L = TypeVar("_L", bound=_Look)
_P = ParamSpec("_P")


def counts_end(look_at: Callable[Concatenate[_W, _P], _L]) -> Callable[Concatenate[_W, _P], _L]:
    """Decorate the methods of a wait that answer a look (``JobWait.saw``, ``JobWait.failed``):
    the answer that ends the wait (it carries an event) is counted, with how long the wait took.

    Every driver stops at the first event, so each wait is counted once, whichever drives it.
    """

    @functools.wraps(look_at)
    def answer(wait: _W, /, *args: _P.args, **kwargs: _P.kwargs) -> _L:
        look = look_at(wait, *args, **kwargs)
        event = look.event
        if event is not None and (_sink if _resolved else resolve()) is not None:
            wait_ended(wait.kind, event.get("status"), wait.waited)
        return look

    return answer
