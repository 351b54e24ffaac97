"""The one polling loop every job trigger runs; subclasses only name the job kind and the hook.

By default the trigger asks the process-wide shared poller (:mod:`.coalesce`) for the job's
state, so a thousand waits cost few requests; ``coalesce=False`` makes it poll on its own (the
benchmark's baseline). Either way the same async client, signing, retry decisions and parsing as
the sync hooks are used.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import random
import time
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import aiohttp  # noqa: F401 - imported here, not on first use inside the triggerer's event loop
from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_mediajobs.catalog.params import check_count, check_flag, check_seconds, invalid
from airflow_provider_mediajobs.exceptions import (
    BadResponseError,
    ExpiredCredentialsError,
    MediaJobsError,
    NotFoundError,
    ServerError,
    ThrottledError,
    TransportError,
)
from airflow_provider_mediajobs.hooks.base import AsyncJobClient, check_conn_id
from airflow_provider_mediajobs.triggers import coalesce
from airflow_provider_mediajobs.waiting import error_event, evaluate, not_found_event

if TYPE_CHECKING:
    from airflow_provider_mediajobs.catalog.model import JobKind
    from airflow_provider_mediajobs.hooks.base import MediaJobsBaseHook
    from airflow_provider_mediajobs.triggers.coalesce import SharedPoller

log = logging.getLogger(__name__)

# Errors the loop rides out (the client already retried each call; these are what is left).
TRANSIENT = (ThrottledError, ServerError, TransportError, BadResponseError)


class MediaJobTrigger(BaseTrigger):
    """Poll one job until it succeeds or fails.

    :param conn_id: the Airflow connection id (read asynchronously in the triggerer).
    :param job_ids: the arguments of the job kind's ``get`` that name the job.
    :param poll_interval: seconds between looks at the job.
    :param not_found_grace: seconds a job may stay invisible (just submitted) before the wait fails.
    :param max_transient_errors: consecutive failed looks tolerated before the wait fails.
    :param coalesce: share polling with every other wait on the same connection in this process.
    :param credentials_grace: seconds to keep re-reading the connection after temporary credentials
        expired, waiting for someone (or a rotation job) to renew them, before the wait fails.
    """

    kind: ClassVar[JobKind]
    hook_class_path: ClassVar[str]

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
        self._poller: SharedPoller | None = None
        self._client: AsyncJobClient | None = None

    @property
    def job_id(self) -> str:
        """The job's own id (what logs and events name it by)."""
        return str(self.job_ids[self.kind.job_id_arg])

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
            },
        )

    @classmethod
    def hook_class(cls) -> type[MediaJobsBaseHook]:
        """The vendor hook class (imported when the trigger runs, not at DAG parse)."""
        module, _, name = cls.hook_class_path.rpartition(".")
        hook: type[MediaJobsBaseHook] = getattr(importlib.import_module(module), name)
        return hook

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Import the hook (and with it requests, defusedxml users) when the trigger class is
        # loaded, so that nothing is imported for the first time inside the event loop.
        if "hook_class_path" in cls.__dict__:
            cls.hook_class()

    async def fetch(self) -> dict[str, Any] | None:
        """The job's current detail, or None while the vendor says it does not exist.

        The one step a different polling strategy would replace.
        """
        if self.coalesce:
            if self._poller is None:
                self._poller = await coalesce.acquire(self.hook_class(), self.conn_id)
            return await self._poller.fetch(self.kind, self.job_ids)
        if self._client is None:
            self._client = await AsyncJobClient.create(self.hook_class(), self.conn_id)
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
        """Poll until the job ends; yield exactly one event."""
        started = time.monotonic()
        failures = 0
        warned_state: Any = None
        expired_since: float | None = None
        try:
            while True:
                try:
                    job = await self.fetch()
                except ExpiredCredentialsError as err:
                    # Re-read the connection each look: it may hold renewed credentials. Past the
                    # grace period, end with the error, which says what to renew.
                    expired_since = expired_since or time.monotonic()
                    if time.monotonic() - expired_since > self.credentials_grace:
                        yield TriggerEvent(error_event(self.kind, self.job_id, err))
                        return
                    await asyncio.sleep(self.poll_interval)
                    await self.refresh_credentials()
                    continue
                except TRANSIENT as err:
                    failures += 1
                    if failures > self.max_transient_errors:
                        yield TriggerEvent(error_event(self.kind, self.job_id, err))
                        return
                    delay = min(self.poll_interval * 2 ** min(failures, 6), 300.0)
                    log.warning("%s %s: look %d failed (%s); next in %.1fs", self.kind.name, self.job_id,
                                failures, err, delay)
                    await asyncio.sleep(random.uniform(delay / 2, delay))
                    continue
                except MediaJobsError as err:
                    yield TriggerEvent(error_event(self.kind, self.job_id, err))
                    return
                failures = 0
                expired_since = None
                if job is None:
                    waited = time.monotonic() - started
                    if waited >= self.not_found_grace:
                        yield TriggerEvent(not_found_event(self.kind, self.job_id, waited))
                        return
                else:
                    event = evaluate(self.kind, self.job_id, job)
                    if event is not None:
                        yield TriggerEvent(event)
                        return
                    state = self.kind.classify(job)
                    if state == "unknown" and warned_state is None:
                        warned_state = job.get(self.kind.state[0])
                        log.warning("%s %s is in a state this provider does not know (%r); still waiting",
                                    self.kind.name, self.job_id, warned_state)
                # Jitter spreads many triggers that started together.
                await asyncio.sleep(self.poll_interval * random.uniform(0.9, 1.1))
        finally:
            await self.cleanup()

    async def cleanup(self) -> None:
        """Leave the shared poller or close the own session (runs on every exit)."""
        poller, client = self._poller, self._client
        self._poller = self._client = None
        if poller is not None:
            await coalesce.release(poller)
        if client is not None:
            await client.close()
