"""The catalog-driven operator: an operator class names one catalog operation and a hook.

Every documented parameter of the operation becomes a keyword argument and a template field of
the same snake_case name, checked (after rendering) before any request. Listing operators page
for the user, up to ``max_items``; results are plain JSON values, safe for XCom.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseOperator

from airflow_provider_mediajobs import links
from airflow_provider_mediajobs.catalog.model import dig
from airflow_provider_mediajobs.catalog.params import check_flag, check_seconds, invalid
from airflow_provider_mediajobs.compat import HAS_RESUMABLE_JOBS
from airflow_provider_mediajobs.compat import ResumableJobMixin as _Resumable
from airflow_provider_mediajobs.exceptions import BadResponseError, MediaJobsValidationError, NotFoundError
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

    from airflow_provider_mediajobs.catalog.model import BatchAnswer, JobKind, Operation

# Paging parameters are driven by the pager, not by the DAG author.
_PAGING_ARGS = frozenset({"next_token", "page_no"})


class CatalogOperator(VendorTaskMixin, BaseOperator):
    """Call one catalog operation and return its result as the XCom value.

    :param max_items: for listings, stop after this many items (default: all).
    :param kwargs: the operation's documented parameters (snake_case, under the names in
        ``renamed``), the vendor's connection argument (``conn_id=`` is its alias) and
        BaseOperator's.
    """

    operation: ClassVar[Operation]
    template_fields: Sequence[str] = ()
    ui_color = "#e8f4fd"
    formerly: ClassVar[Mapping[str, str]] = {}
    """Old argument name -> its name now: still accepted, with a deprecation warning."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "operation" in cls.__dict__:
            cls.check_names(cls.api_catalog_args())
            cls.template_fields = (*cls.api_args(), cls.conn_name_attr)
            if "__init__" not in cls.__dict__:
                declare_signature(cls, optional=(*cls.api_args(), cls.conn_name_attr))
            links.attach(cls)

    @classmethod
    def api_catalog_args(cls) -> list[str]:
        """The operation's parameters the DAG author sets (the pager drives the paging ones)."""
        return [a for a in cls.operation.args if a not in _PAGING_ARGS]

    @classmethod
    def api_args(cls) -> list[str]:
        """The operator arguments that carry the operation's parameters."""
        return cls.shown(cls.api_catalog_args())

    def __init__(self, *, max_items: int | None = None, **kwargs: Any) -> None:
        for old, new in self.formerly.items():
            if old in kwargs:
                if kwargs.get(new) is not None:
                    raise TypeError(f"{type(self).__name__}: give {new}= only ({old}= is its former name)")
                warnings.warn(f"{type(self).__name__}: {old}= is now {new}=", DeprecationWarning, stacklevel=3)
                kwargs[new] = kwargs.pop(old)
        api_values = {arg: kwargs.pop(arg, None) for arg in self.api_args()}
        named = kwargs.pop(self.conn_name_attr, None)
        conn_args = {k: kwargs.pop(k) for k in ("conn_id",) if k in kwargs}
        super().__init__(**kwargs)
        self.set_conn_id(named, conn_args)
        self.max_items = max_items
        if max_items is not None and self.operation_of().paging is None:
            raise invalid("max_items", f"left unset: {self.operation_of().name} does not list", max_items)
        if max_items is not None and (not isinstance(max_items, int) or isinstance(max_items, bool) or max_items < 1):
            raise invalid("max_items", "a positive integer or None", max_items)
        for arg, value in api_values.items():
            setattr(self, arg, value)

    def operation_of(self) -> Operation:
        """The operation this task calls: the class's ``operation``. A family operator, whose
        operation is chosen per task (``ImmCreateTaskOperator``'s ``imm_task_type``), overrides
        it; everything that calls or binds the operation asks here."""
        return self.operation

    def api_arguments(self) -> dict[str, Any]:
        """The rendered values, under the catalog's argument names."""
        return self.catalog_values([a for a in self.operation_of().args if a not in _PAGING_ARGS])

    def execute(self, context: Context) -> Any:
        """Check the arguments, call the vendor and return a JSON-serializable result."""
        operation = self.operation_of()
        arguments = self.api_arguments()
        # Check before building the hook: a bad argument never costs a connection lookup.
        operation.bind(arguments, self.renamed)
        hook = self.get_hook()
        links.persist(self, context, arguments, hook)  # a get operator's job (listings have no link)
        if operation.paging is not None:
            items = hook.paginate(operation, self.max_items, **arguments)
            self.log.info("%s returned %d items", operation.name, len(items))
            return items
        return self.shape_result(hook.call(operation, **arguments), context)

    def shape_result(self, response: dict[str, Any], context: Context) -> Any:
        """Turn the response into the XCom value (the whole response by default)."""
        return response


class BatchedGetOperator(CatalogOperator):
    """Fetch jobs by id from a ``get`` that takes a few ids per call (Tencent ``GET /jobs/{ids}``,
    MTS ``QueryJobList``...): any number of ids, checked whole before any request, asked for in
    calls of as many as the vendor takes, the answers merged into one with both lists (jobs, and
    ids the vendor does not know), present even when empty.
    """

    answer: ClassVar[BatchAnswer]
    """Where the ``get``'s answer holds its jobs and the unknown ids."""
    ids_arg: ClassVar[str]
    """The ``get``'s list-of-ids argument (under the catalog's name)."""

    def execute(self, context: Context) -> Any:
        """Check every id, then fetch them in calls the vendor takes."""
        ids = self.catalog_values([self.ids_arg])[self.ids_arg]
        try:
            self.operation.split_ids(self.ids_arg, ids)  # the whole list, before any request
        except MediaJobsValidationError as err:
            raise err.renamed(self.renamed) from None
        hook = self.get_hook()
        links.persist(self, context, {self.ids_arg: ids}, hook)  # one id: its job; several: none
        return hook.get_many(self.operation, self.ids_arg, ids, self.answer)


if not HAS_RESUMABLE_JOBS:  # pragma: no cover - Airflow 3.1 / 3.2

    class _Resumable:  # type: ignore[no-redef]
        """Before 3.3 there is no task state store to reattach from: submit, then wait.

        A retry after a worker died mid-wait submits a new job; see docs/sensors.md.
        """

        def __init__(self, *, durable: bool = True, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.durable = durable

        def execute_resumable(self, context: Context) -> Any:
            job_id = self.submit_job(context)  # type: ignore[attr-defined]
            return self.poll_until_complete(job_id, context)  # type: ignore[attr-defined]


class SubmitJobOperator(JobLineageMixin, CancelOnKillMixin, _Resumable, CatalogOperator):
    """Submit a job and, if asked, wait for it (in the worker, or deferred to the triggerer).

    The job id is the XCom return value. With ``wait_for_completion`` it is also pushed under the
    key ``job_id`` before the wait, the job's final detail under the key ``job``, and the task
    fails with the vendor's code and message if the job fails. On Airflow 3.3+ the submitted id is
    kept in the task state store before waiting, so a retry after a worker crash reattaches to
    that job instead of submitting a second one.

    :param wait_for_completion: wait until the job succeeds or fails.
    :param deferrable: wait in the triggerer (default ``[operators] default_deferrable``).
    :param poll_interval: seconds between looks at the job.
    :param wait_timeout: give up waiting after this many seconds (None: no limit).
    :param not_found_grace: seconds a just-submitted job may be invisible.
    :param cancel_on_kill: cancel the job (where its kind can be cancelled) when the task is marked
        failed or success or cleared while it waits, and when ``wait_timeout`` passes. Best effort:
        a refused cancel is logged with the vendor's answer, never raised. See docs/operating.md.
    """

    job_kind: ClassVar[JobKind]
    job_id_path: ClassVar[Sequence[str]] = ("JobId",)
    """Where the submit answer holds the new job's id (MTS SubmitJobs, ICE SubmitTranscodeJob and
    others nest it); override :meth:`job_id_from` where a path is not enough (a list)."""
    external_id_key = "mediajobs_job_id"

    def __init__(
        self,
        *,
        wait_for_completion: bool = False,
        deferrable: bool | None = None,
        poll_interval: float = 10.0,
        wait_timeout: float | None = None,
        not_found_grace: float = 60.0,
        cancel_on_kill: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.cancel_on_kill = bool(check_flag("cancel_on_kill", cancel_on_kill))
        # Checked here, at DAG parse: after submission a bad value would strand a running job.
        self.wait_for_completion = bool(check_flag("wait_for_completion", wait_for_completion))
        self.deferrable = default_deferrable() if deferrable is None else bool(check_flag("deferrable", deferrable))
        self.poll_interval = check_seconds("poll_interval", poll_interval, allow_zero=False)
        self.wait_timeout = None if wait_timeout is None else check_seconds(
            "wait_timeout", wait_timeout, allow_zero=False, or_none=True
        )
        self.not_found_grace = check_seconds("not_found_grace", not_found_grace)

    def execute(self, context: Context) -> Any:
        """Submit (or reattach) and optionally wait; return the job id."""
        self.operation_of().bind(self.api_arguments(), self.renamed)
        return self.execute_resumable(context)

    def job_id_from(self, response: dict[str, Any]) -> str:
        """The new job's id in the submit response."""
        job_id = dig(response, self.job_id_path)
        if not isinstance(job_id, str) or not job_id:
            raise BadResponseError(f"{self.operation_of().name} answered without a {'/'.join(self.job_id_path)}")
        return job_id

    def _ids(self, job_id: str) -> dict[str, str]:
        return {self.job_kind.job_id_arg: job_id}

    def lineage_of(self) -> tuple[JobKind, Mapping[str, str] | None]:
        """The job's kind and the wire parameters it is submitted with (see :mod:`.lineage`)."""
        try:
            return self.job_kind, self.operation_of().bind(self.api_arguments(), self.renamed)
        except MediaJobsValidationError:  # refused before any request: nothing was submitted
            return self.job_kind, None

    # -- ResumableJobMixin's contract -----------------------------------------------------------
    def submit_job(self, context: Context) -> str:
        """Submit once; the hook never retries a submission ambiguously."""
        job_id = self.job_id_from(self.get_hook().call(self.operation_of(), **self.api_arguments()))
        self.log.info("Submitted %s job %s", self.job_kind.name, job_id)
        return job_id

    def get_job_status(self, external_id: Any, context: Context) -> str:
        """The stored job's state (``NotFound`` when the vendor does not know it)."""
        try:
            job = self.get_hook().get_job(self.job_kind, **self._ids(str(external_id)))
        except NotFoundError:
            return "NotFound"
        return str(job.get(self.job_kind.state[0]))

    def is_job_active(self, status: str) -> bool:
        """Neither a success nor a failure state: reattach to it."""
        kind = self.job_kind
        return status not in kind.success and status not in kind.failure and status != "NotFound"

    def is_job_succeeded(self, status: str) -> bool:
        """A success state: do not submit again."""
        return status in self.job_kind.success

    def get_job_result(self, external_id: Any, context: Context) -> Any:
        """The XCom value: the job id."""
        links.persist(self, context, self._ids(str(external_id)))  # also a job a retry found succeeded
        return external_id

    def poll_until_complete(self, external_id: Any, context: Context) -> Any:
        """Wait (or defer) if asked; return the job id.

        The id is pushed under the XCom key ``job_id`` before any wait, so a downstream task (a
        clean-up with ``trigger_rule="all_done"``) finds the job even when the wait fails.
        """
        job_id = str(external_id)
        links.persist(self, context, self._ids(job_id))  # submitted or reattached: before any wait
        if not self.wait_for_completion:
            return job_id
        ti = context.get("ti")
        if ti is not None:
            ti.xcom_push(key="job_id", value=job_id)
        if self.deferrable:
            deadline, backstop = deadline_for(self.wait_timeout)
            trigger = trigger_for(self.vendor, self.job_kind)(
                conn_id=self.conn_id, job_ids=self._ids(job_id), poll_interval=self.poll_interval,
                not_found_grace=self.not_found_grace, deadline=deadline, cancel_on_kill=self.cancel_on_kill,
            )
            self.defer(trigger=trigger, method_name="execute_complete", timeout=backstop)
        return self._wait_in_worker(job_id, context)

    def _wait_in_worker(self, job_id: str, context: Context) -> str:
        """Drive :class:`JobWait` from the worker: look, then sleep as long as it says."""
        from airflow_provider_mediajobs.cancelling import after_deadline, location

        hook = self.get_hook()
        ids = self._ids(job_id)
        self.waits_for(context, self.job_kind, ids)
        wait = JobWait(self.job_kind, job_id, poll_interval=self.poll_interval,
                       not_found_grace=self.not_found_grace, timeout=self.wait_timeout)
        while True:
            look = look_once(wait, hook, ids)
            if look.refresh:
                hook = self.get_hook()  # reads the connection again: it may hold renewed credentials
            if look.note:
                self.log.log(look.level, look.note)
            if look.event is not None:
                event = look.event
                if event["status"] == "timeout":
                    # The worker's twin of the trigger's deadline: cancel, then say what became of it.
                    event = after_deadline(event, self.cancel_waited_job("the wait's deadline passed"),
                                           location(self.job_kind, hook.protocol))
                return self.execute_complete(context, event)
            time.sleep(look.delay)

    def execute_complete(self, context: Context, event: dict[str, Any]) -> str:
        """Conclude the wait: push the job's detail, emit the output asset event, return the id."""
        self.keep_for_lineage(event)
        job = conclude(event)
        context["ti"].xcom_push(key="job", value=job)
        emit_asset_event(context, event.get("output"), {"job_id": event.get("job_id"), "kind": self.job_kind.name})
        return str(event.get("job_id"))

