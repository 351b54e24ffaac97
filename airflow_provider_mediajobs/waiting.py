"""What a wait concludes from one look at a job: shared by sensors (poke), triggers (async) and
submit-and-wait operators, so success, failure, unknown and not-found mean the same everywhere.

Events are plain JSON dicts, because a trigger's event crosses the metadata database::

    {"status": "success" | "failure" | "not_found" | "error",
     "kind": ..., "job_id": ..., "job": {...} | None, "output": "oss://..." | None,
     "code": ..., "message": ..., "request_id": ...}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airflow_provider_mediajobs.catalog.model import dig

if TYPE_CHECKING:
    from airflow_provider_mediajobs.catalog.model import JobKind
    from airflow_provider_mediajobs.exceptions import MediaJobsError


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
    from airflow_provider_mediajobs import exceptions

    found = getattr(exceptions, name, None) if isinstance(name, str) and name.isidentifier() else None
    if isinstance(found, type) and issubclass(found, exceptions.MediaJobsError):
        return found
    return exceptions.MediaJobsError


def conclude(event: Mapping[str, Any]) -> dict[str, Any]:
    """Turn an ending event into the task's result, or raise what it means.

    :return: the job's detail on success.
    :raises JobFailedError: the job reached a failure state (with the vendor's code and message).
    :raises JobNotFoundError: the job never appeared.
    :raises MediaJobsError: the wait itself failed: the same class and text as the error the
        trigger met (an ``AuthError`` for a wrong secret, as in poke mode).
    """
    from airflow_provider_mediajobs.exceptions import JobFailedError, JobNotFoundError

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
    cls = _error_class(event.get("error"))
    raise cls(str(event.get("message") or f"waiting for {event.get('kind')} {job_id} failed"),
              status=event.get("http_status"), code=event.get("code"),
              vendor_message=event.get("vendor_message"), request_id=event.get("request_id"))
