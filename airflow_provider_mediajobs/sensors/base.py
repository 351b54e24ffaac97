"""The job sensor: poke, reschedule and deferrable modes over one catalog job kind.

Poke and reschedule look at the job from the worker with the sync hook; deferrable hands the
wait to the kind's trigger in the triggerer and frees the worker slot. All three conclude through
:mod:`airflow_provider_mediajobs.waiting`, so a state means the same in each.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseSensorOperator

from airflow_provider_mediajobs.operators.base import VendorConnectionMixin

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_mediajobs.catalog.model import JobKind


def default_deferrable() -> bool:
    """``[operators] default_deferrable`` (False when unset)."""
    from airflow.configuration import conf

    return bool(conf.getboolean("operators", "default_deferrable", fallback=False))


def emit_asset_event(context: Context, uri: str | None, extra: Mapping[str, Any]) -> None:
    """Attach the job's output object to the task's outlet asset events, when both are known.

    The sensor or operator declares ``outlets=[Asset(...)]`` / ``[AssetAlias(...)]``; for an
    alias the event is recorded against ``Asset(uri)`` so downstream DAGs scheduled on that
    object run.
    """
    if not uri:
        return
    outlet_events = context.get("outlet_events")
    task = context.get("task")
    outlets = list(getattr(task, "outlets", None) or [])
    if outlet_events is None or not outlets:
        return
    from airflow.sdk import Asset, AssetAlias

    for outlet in outlets:
        if isinstance(outlet, AssetAlias):
            outlet_events[outlet].add(Asset(uri), extra=dict(extra))
        elif isinstance(outlet, Asset) and outlet.uri == uri:
            outlet_events[outlet].extra.update(extra)


class MediaJobSensor(VendorConnectionMixin, BaseSensorOperator):
    """Wait for one job of a catalog job kind.

    :param vendor_conn_id: the Airflow connection id (given to the vendor subclass under its
        ``conn_name_attr``; ``conn_id=`` is accepted as its alias).
    :param job_ids: the ids that name the job (the kind's ``get`` arguments).
    :param deferrable: wait in the triggerer (default ``[operators] default_deferrable``).
    :param not_found_grace: seconds a just-submitted job may be invisible before the wait fails.
    :param coalesce: in deferrable mode, share polling with other waits of the same connection.
    """

    kind: ClassVar[JobKind]
    trigger_class: ClassVar[str]
    ui_color = "#fdf3e8"

    def __init__(
        self,
        *,
        vendor_conn_id: str | None = None,
        job_ids: Mapping[str, Any],
        deferrable: bool | None = None,
        not_found_grace: float = 60.0,
        coalesce: bool = True,
        **kwargs: Any,
    ) -> None:
        from airflow_provider_mediajobs.catalog.params import check_flag, check_seconds

        kwargs.setdefault("poke_interval", 10)
        conn_args = {k: kwargs.pop(k) for k in ("conn_id",) if k in kwargs}
        super().__init__(**kwargs)
        self.set_conn_id(vendor_conn_id, conn_args)
        self._job_args = dict(job_ids)
        self.deferrable = default_deferrable() if deferrable is None else bool(check_flag("deferrable", deferrable))
        self.not_found_grace = check_seconds("not_found_grace", not_found_grace)
        self.coalesce = bool(check_flag("coalesce", coalesce))
        self._first_poke: float | None = None

    def job_ids(self) -> dict[str, str]:
        """The rendered ids, checked (the catalog's rules) before any request."""
        ids = {arg: getattr(self, attr) for arg, attr in self._job_args.items()}
        self.kind.check_ids(ids, {arg: attr for arg, attr in self._job_args.items() if arg != attr})
        return {k: str(v) for k, v in ids.items()}

    def execute(self, context: Context) -> Any:
        """Defer to the trigger, or poke from the worker."""
        if not self.deferrable:
            return super().execute(context)
        ids = self.job_ids()
        module, _, name = self.trigger_class.rpartition(".")
        import importlib

        trigger_cls = getattr(importlib.import_module(module), name)
        self.defer(
            trigger=trigger_cls(
                conn_id=self.conn_id, job_ids=ids, poll_interval=float(self.poke_interval),
                not_found_grace=self.not_found_grace, coalesce=self.coalesce,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=float(self.timeout)) if self.timeout else None,
        )
        return None  # pragma: no cover - defer() raises

    def poke(self, context: Context) -> Any:
        """Look at the job once: True-ish with the job when done, False while pending."""
        from airflow_provider_mediajobs.compat import poke_return_value
        from airflow_provider_mediajobs.exceptions import NotFoundError
        from airflow_provider_mediajobs.waiting import evaluate, not_found_event

        ids = self.job_ids()
        job_id = ids[self.kind.job_id_arg]
        if self._first_poke is None:
            self._first_poke = time.monotonic()
        try:
            job = self.get_hook().get_job(self.kind, **ids)
        except NotFoundError:
            waited = self._waited(context, self._first_poke)
            if waited < self.not_found_grace:
                self.log.info("%s %s not visible yet (%.0fs)", self.kind.name, job_id, waited)
                return False
            return poke_return_value(True, self._finish(context, not_found_event(self.kind, job_id, waited)))
        event = evaluate(self.kind, job_id, job)
        if event is None:
            self.log.info("%s %s is %s", self.kind.name, job_id, job.get(self.kind.state[0]))
            return False
        return poke_return_value(True, self._finish(context, event))

    def _waited(self, context: Context, first_poke: float) -> float:
        """Seconds since the wait began. In reschedule mode every poke runs in a new process, so
        the start comes from Airflow's record of the first reschedule, not from this instance."""
        ti = context.get("ti")
        if self.reschedule and ti is not None and hasattr(ti, "get_first_reschedule_date"):
            first = ti.get_first_reschedule_date(context)
            if first is not None:
                return float((datetime.now(UTC) - first).total_seconds())
        return time.monotonic() - first_poke

    def execute_complete(self, context: Context, event: dict[str, Any]) -> Any:
        """Conclude a deferred wait from the trigger's event."""
        return self._finish(context, event)

    def _finish(self, context: Context, event: Mapping[str, Any]) -> Any:
        from airflow_provider_mediajobs.compat import AirflowSkipException
        from airflow_provider_mediajobs.exceptions import MediaJobsError
        from airflow_provider_mediajobs.waiting import conclude

        try:
            job = conclude(event)
        except MediaJobsError as err:
            if self.soft_fail:
                raise AirflowSkipException(f"soft_fail: {err}") from err
            raise
        self.log.info("%s %s succeeded", self.kind.name, event.get("job_id"))
        emit_asset_event(context, event.get("output"), {"job_id": event.get("job_id"), "kind": self.kind.name})
        return job

