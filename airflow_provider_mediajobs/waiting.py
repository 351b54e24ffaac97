"""Waiting for a job, without I/O: the rules every wait follows, and the events it ends with.

:class:`JobWait` holds the rules (not visible yet, grace exceeded, timed out, transient failures
counted and backed off, an unknown state warned once, expired credentials re-read). Three
drivers feed it what each look at the job found and do what it answers, the way
:class:`~airflow_provider_mediajobs.catalog.paging.Pager` serves sync and async paging: the
sensor's poke, the submit operator's wait in the worker, and the trigger's loop. So success,
failure, unknown and not-found mean the same everywhere.

Events are plain JSON dicts, because a trigger's event crosses the metadata database::

    {"status": "success" | "failure" | "not_found" | "timeout" | "error",
     "kind": ..., "job_id": ..., "job": {...} | None, "output": "oss://..." | None,
     "code": ..., "message": ..., "request_id": ...}
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from airflow_provider_mediajobs import exceptions, metrics
from airflow_provider_mediajobs.catalog.model import dig
from airflow_provider_mediajobs.exceptions import (
    BadResponseError,
    ExpiredCredentialsError,
    JobFailedError,
    JobNotFoundError,
    MediaJobsError,
    ServerError,
    ThrottledError,
    TransportError,
    WaitTimeoutError,
)

if TYPE_CHECKING:
    from airflow_provider_mediajobs.catalog.model import JobKind

#: Errors a wait rides out (the client already retried each call; these are what is left).
TRANSIENT = (ThrottledError, ServerError, TransportError, BadResponseError)

#: The longest pause between two looks after failures in a row (seconds).
MAX_BACKOFF = 300.0


class Look:
    """What one look at the job means for the wait.

    A slotted class, not a dataclass or NamedTuple: operators and sensors import this module at
    DAG parse, and those cost a fraction of a millisecond each to create.

    :param event: the event the wait ends with; None to keep waiting.
    :param delay: seconds until the next look.
    :param note: what to log about this look, if anything.
    :param level: the logging level of ``note``.
    :param refresh: re-read the connection before the next look (credentials may be renewed).
    """

    __slots__ = ("delay", "event", "level", "note", "refresh")

    def __init__(self, event: dict[str, Any] | None = None, delay: float = 0.0, note: str | None = None,
                 level: int = logging.INFO, refresh: bool = False) -> None:
        self.event, self.delay, self.note, self.level, self.refresh = event, delay, note, level, refresh

    def __repr__(self) -> str:
        return f"Look(event={self.event!r}, delay={self.delay!r}, note={self.note!r})"


class JobWait:
    """The state of one wait: give it each look's outcome, do what the :class:`Look` says.

    :param kind: the job kind.
    :param job_id: the job's own id (what logs and events name it by).
    :param poll_interval: seconds between looks (each jittered by 10% so that waits started
        together spread out).
    :param not_found_grace: seconds a just-submitted job may stay invisible.
    :param timeout: seconds after which the wait ends with a ``timeout`` event (None: never).
    :param max_transient_errors: failed looks in a row ridden out before the wait ends with the
        last error (0: the first one ends it, for drivers whose client already retried).
    :param credentials_grace: seconds to keep re-reading the connection after temporary
        credentials expired, before the wait ends with that error.
    :param started: when the wait began, on ``clock`` (default: now). A sensor in reschedule
        mode, which runs each poke in a new process, gives the start Airflow recorded.
    :param clock: monotonic seconds.
    :param rng: random source for the jitter.
    """

    def __init__(
        self,
        kind: JobKind,
        job_id: str,
        *,
        poll_interval: float,
        not_found_grace: float,
        timeout: float | None = None,
        max_transient_errors: int = 0,
        credentials_grace: float = 0.0,
        started: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.kind = kind
        self.job_id = job_id
        self.poll_interval = poll_interval
        self.not_found_grace = not_found_grace
        self.timeout = timeout
        self.max_transient_errors = max_transient_errors
        self.credentials_grace = credentials_grace
        self.clock = clock
        self.started = clock() if started is None else started
        self.rng = rng or random.Random()
        self.failures = 0
        self.last_state: str | None = None
        self._expired_since: float | None = None
        self._warned_unknown = False
        if started is None:  # a wait given its start resumes one begun earlier (reschedule mode)
            metrics.wait_started(kind)

    @property
    def waited(self) -> float:
        """Seconds since the wait began."""
        return self.clock() - self.started

    @metrics.counts_end
    def saw(self, job: Mapping[str, Any] | None) -> Look:
        """A look that got an answer: the job's detail, or None when the vendor says it does not
        exist (yet)."""
        self.failures = 0
        self._expired_since = None
        name = f"{self.kind.name} {self.job_id}"
        if job is None:
            if self.waited >= self.not_found_grace:
                return Look(not_found_event(self.kind, self.job_id, self.waited))
            return self._pending(f"{name} not visible yet ({self.waited:.0f}s)")
        event = evaluate(self.kind, self.job_id, job)
        if event is not None:
            return Look(event)
        self.last_state = str(dig(job, self.kind.state))
        if self.kind.classify(job) == "unknown" and not self._warned_unknown:
            self._warned_unknown = True
            return self._pending(f"{name} is in a state this provider does not know ({self.last_state!r}); "
                                 "still waiting", logging.WARNING)
        return self._pending(f"{name} is {self.last_state}")

    @metrics.counts_end
    def failed(self, error: MediaJobsError) -> Look:
        """A look that failed with ``error`` (after the client's own retries)."""
        if isinstance(error, ExpiredCredentialsError):
            # Re-read the connection each look: it may hold renewed credentials. Past the grace
            # period, end with the error, which says what to renew.
            now = self.clock()
            self._expired_since = self._expired_since if self._expired_since is not None else now
            if now - self._expired_since > self.credentials_grace:
                return Look(error_event(self.kind, self.job_id, error))
            return Look(delay=self.poll_interval, refresh=True, note=f"{self.kind.name} {self.job_id}: {error}",
                        level=logging.WARNING)
        if not isinstance(error, TRANSIENT):
            return Look(error_event(self.kind, self.job_id, error))
        self.failures += 1
        if self.failures > self.max_transient_errors:
            return Look(error_event(self.kind, self.job_id, error))
        ceiling = min(self.poll_interval * 2 ** min(self.failures, 6), MAX_BACKOFF)
        delay = self._until_deadline(self.rng.uniform(ceiling / 2, ceiling))
        return self._timed_out() or Look(
            delay=delay, level=logging.WARNING,
            note=f"{self.kind.name} {self.job_id}: look {self.failures} failed ({error}); next in {delay:.1f}s",
        )

    def _pending(self, note: str, level: int = logging.INFO) -> Look:
        delay = self._until_deadline(self.poll_interval * self.rng.uniform(0.9, 1.1))
        return self._timed_out() or Look(delay=delay, note=note, level=level)

    def _until_deadline(self, delay: float) -> float:
        # The last look falls on the deadline, not up to a backoff (minutes) after it: the
        # deadline is the wait's own, so it must end the wait on time.
        if self.timeout is None:
            return delay
        return max(min(delay, self.timeout - self.waited), 0.0)

    def _timed_out(self) -> Look | None:
        if self.timeout is None or self.waited <= self.timeout:
            return None
        last = f"; its last state was {self.last_state}" if self.last_state else ""
        return Look({"status": "timeout", "kind": self.kind.name, "job_id": self.job_id, "job": None,
                     "state": self.last_state,
                     "message": f"{self.kind.name} {self.job_id} did not end within {self.timeout:g}s{last}"})


def evaluate(kind: JobKind, job_id: str, job: Mapping[str, Any]) -> dict[str, Any] | None:
    """The event ``job`` ends the wait with, or None while it is pending (or in an unknown state)."""
    group = kind.classify(job)
    if group == "success":
        return {"status": "success", "kind": kind.name, "job_id": job_id, "job": dict(job),
                "output": kind.output(job)}
    if group == "failure":
        code, message = dig(job, kind.error_code), dig(job, kind.error_message)
        state = dig(job, kind.state)
        return {"status": "failure", "kind": kind.name, "job_id": job_id, "job": dict(job),
                "code": str(code) if code not in (None, "") else str(state),
                "message": str(message) if message not in (None, "") else f"the job ended in state {state}"}
    return None


def not_found_event(kind: JobKind, job_id: str, waited: float) -> dict[str, Any]:
    """The event of a job the vendor kept saying does not exist."""
    return {"status": "not_found", "kind": kind.name, "job_id": job_id, "job": None,
            "message": f"{kind.name} {job_id} still did not exist after {waited:.0f}s"}


def error_event(kind: JobKind, job_id: str, error: Exception) -> dict[str, Any]:
    """The event of a wait that hit a permanent error (or too many transient ones).

    It carries the error's class name and parts, so that the task raises the same typed error,
    with the same text, as a wait in poke mode would (see :func:`conclude`).
    """
    event: dict[str, Any] = {"status": "error", "kind": kind.name, "job_id": job_id, "job": None,
                             "message": str(getattr(error, "summary", None) or error),
                             "error": type(error).__name__}
    for attr in ("code", "request_id", "status", "vendor_message"):
        value = getattr(error, attr, None)
        if value is not None:
            event["http_status" if attr == "status" else attr] = value
    return event


def _error_class(name: Any) -> type[MediaJobsError]:
    """The provider's error class an event names; the base class for anything else (an event
    is data from the metadata database, never a way to pick an arbitrary class)."""
    found = getattr(exceptions, name, None) if isinstance(name, str) and name.isidentifier() else None
    if isinstance(found, type) and issubclass(found, MediaJobsError):
        return found
    return MediaJobsError


def conclude(event: Mapping[str, Any]) -> dict[str, Any]:
    """Turn an ending event into the task's result, or raise what it means.

    :return: the job's detail on success.
    :raises JobFailedError: the job reached a failure state (with the vendor's code and message).
    :raises JobNotFoundError: the job never appeared.
    :raises WaitTimeoutError: the wait's own timeout passed (the job may still be running).
    :raises MediaJobsError: the wait itself failed: the same class and text as the error the
        trigger met (an ``AuthError`` for a wrong secret, as in poke mode).
    """
    status = event.get("status")
    job_id = event.get("job_id")
    if status == "success":
        return dict(event.get("job") or {})
    if status == "failure":
        raise JobFailedError(
            f"{event.get('kind')} {job_id} failed: {event.get('code')}: {event.get('message')}",
            code=event.get("code"), vendor_message=event.get("message"),
        )
    if status == "not_found":
        raise JobNotFoundError(str(event.get("message")), code="NotFound")
    if status == "timeout":
        raise WaitTimeoutError(str(event.get("message")))
    cls = _error_class(event.get("error"))
    raise cls(str(event.get("message") or f"waiting for {event.get('kind')} {job_id} failed"),
              status=event.get("http_status"), code=event.get("code"),
              vendor_message=event.get("vendor_message"), request_id=event.get("request_id"))
