"""Cancelling a job when its task is killed or its wait's deadline passes: best effort, never raised.

A kill must not fail because the vendor refused a cancel, and a deadline must end the wait with
an event whatever the cancel did: every outcome (cancelled, refused with the vendor's answer, no
cancel for this kind, no answer in time) is logged with the job id and returned, never raised.
The sync hook and the async client differ only in the call; what the outcome means, and what a
deadline's event then says, is decided here once for both.

Imported when a task is killed or a wait ends, never at DAG parse.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from airflow_provider_mediajobs.exceptions import CancelNotSupportedError

if TYPE_CHECKING:
    from airflow_provider_mediajobs.catalog.model import JobKind

#: Seconds a deadline's cancel may take before the wait ends without its answer.
DEADLINE_CANCEL_TIMEOUT = 20.0


class CancelOutcome(NamedTuple):
    """What asking the vendor to cancel one job came to.

    :param cancelled: the vendor accepted the cancel.
    :param supported: the vendor has a cancel for this kind of job at all.
    :param note: one sentence for the log and the deadline's message, naming the job.
    """

    cancelled: bool
    supported: bool
    note: str


def outcome(kind: JobKind, job_id: str, why: str, error: BaseException | None) -> CancelOutcome:
    """What a cancel that raised ``error`` (None: it was accepted) means.

    :param why: why it was asked (``the task was marked failed``, ``its deadline passed``).
    """
    name = f"{kind.name} {job_id}"
    if error is None:
        return CancelOutcome(True, True, f"Cancelled {name} ({why})")
    if isinstance(error, CancelNotSupportedError):
        return CancelOutcome(False, False, f"Not cancelling {name} ({why}): {error}")
    # A provider error's text carries the vendor's code, message and request id, scrubbed of secrets.
    answer = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return CancelOutcome(False, True, f"Could not cancel {name} ({why}); it may still be running: {answer}")


def report(log: logging.Logger | Any, result: CancelOutcome) -> CancelOutcome:
    """Log ``result``: info when cancelled, a warning otherwise."""
    log.log(logging.INFO if result.cancelled else logging.WARNING, result.note)
    return result


def cancel_quietly(cancel: Callable[[], Any], kind: JobKind, ids: Mapping[str, Any], why: str,
                   log: logging.Logger | Any) -> CancelOutcome:
    """Cancel one job from the worker; log and return the outcome, never raise.

    :param cancel: makes the call (a hook's ``cancel_job_of`` bound to the job).
    :param ids: the arguments of ``kind.get`` that name the job.
    """
    try:
        cancel()
    except Exception as err:  # best effort: a kill or a deadline must not fail over a refused cancel
        return report(log, outcome(kind, kind.job_id(ids), why, err))
    return report(log, outcome(kind, kind.job_id(ids), why, None))


async def acancel_quietly(cancel: Callable[[], Awaitable[Any]], kind: JobKind, ids: Mapping[str, Any],
                          why: str, log: logging.Logger | Any, limit: float) -> CancelOutcome:
    """Async twin of :func:`cancel_quietly`, bounded by ``limit`` seconds.

    :param limit: how long the vendor may take to answer (a trigger's ``on_kill`` is cut off by
        ``[triggerer] on_kill_timeout``; this bound keeps the outcome loggable within it).
    """
    import asyncio

    try:
        await asyncio.wait_for(cancel(), limit)
    except TimeoutError:
        return report(log, outcome(kind, kind.job_id(ids), why,
                                   TimeoutError(f"the vendor did not answer the cancel within {limit:g}s")))
    except Exception as err:  # best effort, as in cancel_quietly
        return report(log, outcome(kind, kind.job_id(ids), why, err))
    return report(log, outcome(kind, kind.job_id(ids), why, None))


async def outlast_cancellation(work: Awaitable[Any], limit: float) -> None:
    """Run ``work`` to its end, or for ``limit`` seconds, even while the calling task is cancelled.

    Airflow 3.3.2 runs a trigger's ``on_kill`` inside the trigger's cancelled task, and cancels
    that task again at each of the triggerer's state syncs (about every second) until the trigger
    has finished: an ``on_kill`` that awaits anything longer (asking the task's state, the
    vendor's cancel) is cut off before its answer. So the work runs in a task of its own, awaited
    through those cancellations, and is itself bounded by ``limit``.
    """
    import asyncio

    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(work)
    ends = loop.time() + limit
    current = asyncio.current_task()
    while not task.done():
        remaining = ends - loop.time()
        if remaining <= 0:
            task.cancel()
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), remaining)
        except asyncio.CancelledError:
            if current is not None:
                current.uncancel()  # taken: this await is what was cancelled, not the work
        except TimeoutError:
            task.cancel()
            return


def task_state(ti: Any) -> str | None:
    """The state the metadata database holds for the task instance ``ti`` (``none`` for a
    cleared task; None when it cannot be told).

    A kill reaches a trigger's ``on_kill`` and a worker's ``on_kill`` for more than a user's
    action: Airflow 3.3 cancels a trigger that moved to another triggerer the same way
    (apache/airflow#73454), and a worker that shuts down sends its tasks SIGTERM. The task's
    state tells them apart: a moved trigger's task is still ``deferred``, a shut-down worker's
    task still ``running``; a task marked failed or success, or cleared, is neither.

    Asked through the Task SDK's supervisor (``GetTaskStates``, on 3.1 to 3.3); a worker blocks
    on it, a trigger awaits :func:`atask_state`.
    """
    try:
        from airflow.sdk.execution_time.task_runner import SUPERVISOR_COMMS

        return _state_of(ti, SUPERVISOR_COMMS.send(_states_request(ti)))
    except Exception:  # no supervisor to ask (a test, an old Airflow), or it failed: unknown
        return None


async def atask_state(ti: Any) -> str | None:
    """Async twin of :func:`task_state`, for a trigger in the triggerer's event loop."""
    try:
        from airflow.sdk.execution_time.task_runner import SUPERVISOR_COMMS

        return _state_of(ti, await SUPERVISOR_COMMS.asend(_states_request(ti)))
    except Exception:  # as in task_state
        return None


def _map_index(ti: Any) -> int:
    index = getattr(ti, "map_index", -1)
    return -1 if index is None else int(index)


def _states_request(ti: Any) -> Any:
    from airflow.sdk.execution_time.comms import GetTaskStates

    return GetTaskStates(dag_id=ti.dag_id, task_ids=[ti.task_id], run_ids=[ti.run_id], map_index=_map_index(ti))


def _state_of(ti: Any, response: Any) -> str | None:
    # The answer maps run id -> task id (``<task id>_<map index>`` for a mapped one) -> state.
    key = ti.task_id if _map_index(ti) < 0 else f"{ti.task_id}_{_map_index(ti)}"
    run = (getattr(response, "task_states", None) or {}).get(ti.run_id) or {}
    if key not in run:
        return None
    # A cleared task has no state yet: "none", which is not the wait's state either.
    return str(run[key]) if run[key] is not None else "none"


def user_action(state: str) -> str:
    """Why a task found in ``state`` after its kill was stopped, for the cancel's log line: marked
    failed or success, or else cleared (no state yet, ``restarting``, or scheduled again)."""
    return f"its task was marked {state}" if state in ("failed", "success") else "its task was cleared"


def location(kind: JobKind, protocol: Any) -> str:
    """Where a job of ``kind`` runs, for a message: the product, region and (Tencent) bucket."""
    service = kind.get.service
    where = f"{service.vendor} {service.product.upper()} in region {getattr(protocol, 'region', '?')}"
    bucket = getattr(protocol, "bucket", None)
    return f"{where}, bucket {bucket}" if bucket else where


def after_deadline(event: Mapping[str, Any], result: CancelOutcome | None, where: str) -> dict[str, Any]:
    """The ``timeout`` event a deadline ends a wait with, saying what became of the job.

    :param event: the wait's ``timeout`` event (its message names the job and its last state).
    :param result: the cancel's outcome; None when ``cancel_on_kill`` is off.
    :param where: where the job runs (:func:`location`).
    """
    ended = dict(event)
    if result is not None and result.cancelled:
        tail = "; it was cancelled"
    else:
        why = "" if result is None else f" ({result.note})"
        tail = f"; the job may still be running on {where}{why}"
    ended["message"] = f"{event.get('message')}{tail}"
    ended["cancelled"] = bool(result and result.cancelled)
    return ended
