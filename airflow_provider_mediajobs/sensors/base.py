"""The job sensor: poke, reschedule and deferrable modes over one catalog job kind.

A sensor class names its vendor and job kind; the kind's ``id_args`` are the sensor's arguments
(under the names in ``renamed``) and template fields. Poke and reschedule look at the job from
the worker with the sync hook; deferrable hands the wait to the kind's trigger in the triggerer
and frees the worker slot. All three follow :class:`~airflow_provider_mediajobs.waiting.JobWait`,
so a state means the same in each.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseSensorOperator

from airflow_provider_mediajobs import links
from airflow_provider_mediajobs.catalog.params import check_flag, check_seconds, invalid
from airflow_provider_mediajobs.compat import AirflowSensorTimeout, AirflowSkipException, poke_return_value
from airflow_provider_mediajobs.exceptions import MediaJobsError
from airflow_provider_mediajobs.lineage import JobLineageMixin
from airflow_provider_mediajobs.tasks import (
    CancelOnKillMixin,
    VendorTaskMixin,
    deadline_for,
    declare_signature,
    default_deferrable,
    emit_asset_event,
    look_once,
    trigger_for,
)
from airflow_provider_mediajobs.waiting import JobWait, conclude

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_mediajobs.catalog.model import JobKind


class MediaJobSensor(JobLineageMixin, CancelOnKillMixin, VendorTaskMixin, BaseSensorOperator):
    """Wait for one job of a catalog job kind.

    :param deferrable: wait in the triggerer (default ``[operators] default_deferrable``).
    :param not_found_grace: seconds a just-submitted job may be invisible before the wait fails.
    :param coalesce: in deferrable mode, share polling with other waits of the same connection.
    :param cancel_on_kill: cancel the job (where its kind can be cancelled) when the task is marked
        failed or success or cleared while it waits, and when ``timeout`` passes. Best effort: a
        refused cancel is logged with the vendor's answer, never raised. See docs/operating.md.
    :param kwargs: the ids that name the job (the kind's ``id_args``, under the names in
        ``renamed``), the vendor's connection argument (``conn_id=`` is its alias) and
        BaseSensorOperator's.
    """

    kind: ClassVar[JobKind]
    template_fields: Sequence[str] = ()
    ui_color = "#fdf3e8"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__:
            cls.check_names(cls.kind.id_args)
            cls.template_fields = (*cls.shown(cls.kind.id_args), cls.conn_name_attr)
            if "__init__" not in cls.__dict__:
                declare_signature(cls, required=cls.shown(cls.kind.id_args), optional=(cls.conn_name_attr,))
            links.attach(cls)

    def __init__(
        self,
        *,
        deferrable: bool | None = None,
        not_found_grace: float = 60.0,
        coalesce: bool = True,
        cancel_on_kill: bool = True,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("poke_interval", 10)
        ids = {name: kwargs.pop(name, None) for name in self.shown(self.kind.id_args)}
        named = kwargs.pop(self.conn_name_attr, None)
        conn_args = {k: kwargs.pop(k) for k in ("conn_id",) if k in kwargs}
        super().__init__(**kwargs)
        for name, value in ids.items():
            if value is None:
                raise invalid(name, f"given: {type(self).__name__} waits for the job it names", None)
            setattr(self, name, value)
        self.set_conn_id(named, conn_args)
        self.deferrable = default_deferrable() if deferrable is None else bool(check_flag("deferrable", deferrable))
        self.not_found_grace = check_seconds("not_found_grace", not_found_grace)
        self.coalesce = bool(check_flag("coalesce", coalesce))
        self.cancel_on_kill = bool(check_flag("cancel_on_kill", cancel_on_kill))
        self._wait: JobWait | None = None

    def job_ids(self) -> dict[str, str]:
        """The rendered ids under the catalog's names, checked before any request."""
        ids = self.catalog_values(self.kind.id_args)
        self.kind.check_ids(ids, self.renamed)
        return {k: str(v) for k, v in ids.items()}

    def execute(self, context: Context) -> Any:
        """Defer to the trigger, or poke from the worker.

        Either way the wait's ``timeout`` cancels the job where it can (``cancel_on_kill``): the
        trigger does it at its deadline, since Airflow's own trigger timeout would skip it.
        """
        ids = self.job_ids()  # rendered and checked once, before any request
        links.persist(self, context, ids)  # before any wait: the UI links the job meanwhile
        if not self.deferrable:
            self.waits_for(context, self.kind, ids)
            try:
                return super().execute(context)
            except (AirflowSensorTimeout, AirflowSkipException) as err:
                # soft_fail turns the timeout into a skip, which a failed job's soft_fail raises too.
                if isinstance(err, AirflowSensorTimeout) or (self._wait and self._wait.waited > float(self.timeout)):
                    self.cancel_waited_job("the sensor's timeout passed")
                raise
        deadline, backstop = deadline_for(self.timeout)
        self.defer(
            trigger=trigger_for(self.vendor, self.kind)(
                conn_id=self.conn_id, job_ids=ids, poll_interval=float(self.poke_interval),
                not_found_grace=self.not_found_grace, coalesce=self.coalesce, deadline=deadline,
                cancel_on_kill=self.cancel_on_kill,
            ),
            method_name="execute_complete",
            timeout=backstop,
        )
        return None  # pragma: no cover - defer() raises

    def poke(self, context: Context) -> Any:
        """Look at the job once: True-ish with the job when done, False while pending.

        Airflow times the pokes and enforces ``timeout``; :class:`JobWait` decides the rest.
        """
        ids = self.job_ids()
        look = look_once(self._wait_state(context, self.kind.job_id(ids)), self.get_hook(), ids)
        if look.note:
            self.log.log(look.level, look.note)
        if look.event is None:
            return False
        return poke_return_value(True, self._finish(context, look.event))

    def _wait_state(self, context: Context, job_id: str) -> JobWait:
        """The wait's state. In reschedule mode every poke runs in a new process, so the start
        comes from Airflow's record of the first reschedule, not from this instance (and the
        wait, given its start, is one resumed, not a new one to count)."""
        started = None
        ti = context.get("ti")
        if self.reschedule and ti is not None and hasattr(ti, "get_first_reschedule_date"):
            first = ti.get_first_reschedule_date(context)
            if first is not None:
                started = time.monotonic() - (datetime.now(UTC) - first).total_seconds()
        if self._wait is None:
            self._wait = JobWait(self.kind, job_id, poll_interval=float(self.poke_interval),
                                 not_found_grace=self.not_found_grace, started=started)
        elif started is not None:
            self._wait.started = started
        return self._wait

    def execute_complete(self, context: Context, event: dict[str, Any]) -> Any:
        """Conclude a deferred wait from the trigger's event."""
        return self._finish(context, event)

    def lineage_of(self) -> tuple[JobKind, None]:
        """The job's kind; a sensor submits nothing (see :mod:`.lineage`)."""
        return self.kind, None

    def _finish(self, context: Context, event: Mapping[str, Any]) -> Any:
        self.keep_for_lineage(event)
        try:
            job = conclude(event)
        except MediaJobsError as err:
            if self.soft_fail:
                raise AirflowSkipException(f"soft_fail: {err}") from err
            raise
        self.log.info("%s %s succeeded", self.kind.name, event.get("job_id"))
        emit_asset_event(context, event.get("output"), {"job_id": event.get("job_id"), "kind": self.kind.name})
        return job
