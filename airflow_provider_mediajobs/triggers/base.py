"""The one polling loop every job trigger runs; subclasses only name the vendor and the job kind.

By default the trigger asks the process-wide shared poller (:mod:`.coalesce`) for the job's
state, so a thousand waits cost few requests; ``coalesce=False`` makes it poll on its own (the
benchmark's baseline). Either way the same async client, signing, retry decisions and parsing as
the sync hooks are used.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import aiohttp  # noqa: F401 - imported here, not on first use inside the triggerer's event loop
from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_mediajobs import cancelling
from airflow_provider_mediajobs.catalog.params import check_count, check_flag, check_seconds, invalid
from airflow_provider_mediajobs.exceptions import MediaJobsError, NotFoundError
from airflow_provider_mediajobs.hooks.base import AsyncJobClient, VendorApi, check_conn_id
from airflow_provider_mediajobs.triggers import coalesce
from airflow_provider_mediajobs.waiting import JobWait

if TYPE_CHECKING:
    from airflow_provider_mediajobs.catalog.model import JobKind
    from airflow_provider_mediajobs.triggers.coalesce import SharedPoller

log = logging.getLogger(__name__)

def kill_timeout() -> float:
    """Seconds a cancel in :meth:`MediaJobTrigger.on_kill` may take: four fifths of
    ``[triggerer] on_kill_timeout`` (default 30), so that its outcome is logged before Airflow
    stops waiting for it."""
    from airflow.configuration import conf

    return 0.8 * float(conf.getfloat("triggerer", "on_kill_timeout", fallback=30.0))


#: The latest ``deadline`` accepted (2100-01-01 in Unix seconds): a sanity bound, not a limit.
LATEST = 4102444800.0

#: The most seconds between two probes of a vendor found down (the poll interval if shorter).
PROBE_EVERY = 2.0


class MediaJobTrigger(BaseTrigger):
    """Poll one job until it succeeds or fails.

    :param conn_id: the Airflow connection id (read asynchronously in the triggerer).
    :param job_ids: the arguments of the job kind's ``get`` that name the job (its ``id_args``).
    :param poll_interval: seconds between looks at the job.
    :param not_found_grace: seconds a job may stay invisible (just submitted) before the wait fails.
    :param max_transient_errors: consecutive failed looks tolerated before the wait fails.
    :param coalesce: share polling with every other wait on the same connection in this process.
    :param credentials_grace: seconds to keep re-reading the connection after temporary credentials
        expired, waiting for someone (or a rotation job) to renew them, before the wait fails.
    :param deadline: when the wait gives up, in Unix seconds (None: never). The trigger enforces it
        itself, because Airflow's own trigger timeout runs neither ``execute_complete`` nor
        ``on_kill``: at the deadline the job is cancelled (with ``cancel_on_kill``) and the wait
        ends with a ``timeout`` event naming the job, its last state and where it runs.
    :param cancel_on_kill: cancel the job when its task is marked failed or success or cleared
        while it waits (Airflow 3.3+, through :meth:`on_kill`), and at the deadline.
    """

    vendor: ClassVar[VendorApi]
    kind: ClassVar[JobKind]
    _by_kind: ClassVar[dict[str, type[MediaJobTrigger]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__:
            # The first class declared for a kind is its trigger (what sensors and operators defer to).
            MediaJobTrigger._by_kind.setdefault(cls.kind.name, cls)

    @classmethod
    def for_kind(cls, kind: JobKind) -> type[MediaJobTrigger]:
        """The trigger class declared for ``kind`` (its module must be imported)."""
        try:
            return cls._by_kind[kind.name]
        except KeyError:
            raise TypeError(f"no trigger is declared for the job kind {kind.name}") from None

    def __init__(
        self,
        *,
        conn_id: str,
        job_ids: Mapping[str, str],
        poll_interval: float = 10.0,
        not_found_grace: float = 60.0,
        max_transient_errors: int = 20,
        coalesce: bool = True,
        credentials_grace: float = 600.0,
        deadline: float | None = None,
        cancel_on_kill: bool = False,
    ) -> None:
        super().__init__()
        check_conn_id("conn_id", conn_id)
        if not isinstance(job_ids, Mapping):
            raise invalid("job_ids", f"a mapping of the arguments of {self.kind.get.name}", job_ids)
        self.kind.check_ids(job_ids)
        self.conn_id = conn_id
        self.job_ids = {k: str(v) for k, v in job_ids.items()}
        self.poll_interval = check_seconds("poll_interval", poll_interval, allow_zero=False)
        self.not_found_grace = check_seconds("not_found_grace", not_found_grace)
        self.max_transient_errors = check_count("max_transient_errors", max_transient_errors)
        self.coalesce = bool(check_flag("coalesce", coalesce))
        self.credentials_grace = check_seconds("credentials_grace", credentials_grace)
        self.deadline = None if deadline is None else check_seconds("deadline", deadline, high=LATEST, or_none=True)
        self.cancel_on_kill = bool(check_flag("cancel_on_kill", cancel_on_kill))
        self._poller: SharedPoller | None = None
        self._client: AsyncJobClient | None = None

    @property
    def job_id(self) -> str:
        """The job's own id (what logs and events name it by)."""
        return self.kind.job_id(self.job_ids)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Class path and kwargs: ids, conn id and timing only, never a credential."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "conn_id": self.conn_id,
                "job_ids": self.job_ids,
                "poll_interval": self.poll_interval,
                "not_found_grace": self.not_found_grace,
                "max_transient_errors": self.max_transient_errors,
                "coalesce": self.coalesce,
                "credentials_grace": self.credentials_grace,
                "deadline": self.deadline,
                "cancel_on_kill": self.cancel_on_kill,
            },
        )

    async def fetch(self) -> dict[str, Any] | None:
        """The job's current detail, or None while the vendor says it does not exist.

        The one step a different polling strategy would replace.
        """
        if self.coalesce:
            if self._poller is None:
                self._poller = await coalesce.acquire(self.vendor, self.conn_id)
            return await self._poller.fetch(self.kind, self.job_ids)
        if self._client is None:
            self._client = await AsyncJobClient.create(self.vendor, self.conn_id)
        try:
            return await self._client.get_job(self.kind, **self.job_ids)
        except NotFoundError:
            return None

    async def refresh_credentials(self) -> None:
        """Re-read the connection after temporary credentials expired."""
        client = self._poller.client if self._poller is not None else self._client
        if client is not None:
            await client.refresh_credentials()

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Drive :class:`JobWait` until the job ends; yield exactly one event."""
        timeout = None if self.deadline is None else max(self.deadline - time.time(), 0.0)
        wait = JobWait(self.kind, self.job_id, poll_interval=self.poll_interval,
                       not_found_grace=self.not_found_grace, max_transient_errors=self.max_transient_errors,
                       credentials_grace=self.credentials_grace, timeout=timeout)
        try:
            while True:
                try:
                    look = wait.saw(await self.fetch())
                except MediaJobsError as err:
                    look = wait.failed(err)
                if look.event is not None:
                    event = look.event
                    if event["status"] == "timeout":
                        event = await self._past_deadline(event)
                    yield TriggerEvent(event)
                    return
                # Only warnings: a triggerer runs a thousand waits, each looking every few seconds.
                if look.note and look.level > logging.INFO:
                    log.log(look.level, look.note)
                if self._poller is not None and wait.failures:
                    # After a failed look the shared poller decides: one probe while the vendor is
                    # down, everybody woken when it answers again.
                    await self._poller.pause(self, look.delay, min(self.poll_interval, PROBE_EVERY))
                else:
                    await asyncio.sleep(look.delay)
                if look.refresh:
                    await self.refresh_credentials()
        finally:
            await self.cleanup()

    def _live_client(self) -> AsyncJobClient | None:
        return self._poller.client if self._poller is not None else self._client

    async def _past_deadline(self, event: dict[str, Any]) -> dict[str, Any]:
        """The deadline passed: cancel where the kind can be, and say so in the ending event.

        Only reached after a look, so the wait's client (own or shared) is open.
        """
        client = self._live_client()
        where = f"connection {self.conn_id!r}"
        result = None
        if client is not None:
            where = f"{cancelling.location(self.kind, client.client.protocol)} ({where})"
            if self.cancel_on_kill:
                result = await cancelling.acancel_quietly(
                    lambda: client.cancel_job_of(self.kind, **self.job_ids), self.kind, self.job_ids,
                    "the wait's deadline passed", log, cancelling.DEADLINE_CANCEL_TIMEOUT,
                )
        return cancelling.after_deadline(event, result, where)

    async def on_kill(self) -> None:
        """Cancel the job: its task was marked failed or success, or cleared, while it waited.

        Airflow 3.3+ calls this with the user's action, bounded by ``[triggerer] on_kill_timeout``
        (3.1 and 3.2 never call it). 3.3 also calls it for a trigger that merely moved to another
        triggerer (apache/airflow#73454); the task is then still ``deferred``, and the job is left
        alone, as it is when the task's state cannot be read.
        """
        if self.cancel_on_kill:
            limit = kill_timeout()
            await cancelling.outlast_cancellation(self._cancel_if_killed(limit), limit)

    async def _cancel_if_killed(self, limit: float) -> None:
        name = f"{self.kind.name} {self.job_id}"
        ti = getattr(self, "task_instance", None)
        state = None if ti is None else await cancelling.atask_state(ti)
        if state == "deferred":
            log.info("%s: this trigger stopped, but its task still waits (moved to another triggerer): "
                     "not cancelling the job", name)
            return
        if state is None:
            log.warning("%s: cannot tell whether the task was killed or its trigger moved: not cancelling "
                        "the job", name)
            return

        async def cancel() -> None:
            # The wait's own client closed with run(); reading the connection may fail too, and
            # that is an outcome to log like a refusal.
            client = await AsyncJobClient.create(self.vendor, self.conn_id)
            try:
                await client.cancel_job_of(self.kind, **self.job_ids)
            finally:
                await client.close()

        await cancelling.acancel_quietly(cancel, self.kind, self.job_ids, cancelling.user_action(state), log, limit)

    async def cleanup(self) -> None:
        """Leave the shared poller or close the own session (runs on every exit)."""
        poller, client = self._poller, self._client
        self._poller = self._client = None
        if poller is not None:
            await coalesce.release(poller)
        if client is not None:
            await client.close()
