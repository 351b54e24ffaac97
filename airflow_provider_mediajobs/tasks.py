"""What operators and sensors share: the vendor's connection under its own name, the names users
see for catalog arguments, the ``__init__`` signature Airflow reads, the deferrable default, the
trigger of a job kind and the output asset event.

Operators and sensors both import this module and never each other. It is imported at DAG
parse, so it imports no hook, trigger or HTTP library at module level.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseOperator

from airflow_provider_mediajobs.exceptions import MediaJobsError, NotFoundError
from airflow_provider_mediajobs.vendors import Vendor

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_mediajobs.cancelling import CancelOutcome
    from airflow_provider_mediajobs.catalog.model import JobKind
    from airflow_provider_mediajobs.hooks.base import MediaJobsBaseHook
    from airflow_provider_mediajobs.triggers.base import MediaJobTrigger
    from airflow_provider_mediajobs.waiting import JobWait, Look


@functools.cache
def reserved_names() -> frozenset[str]:
    """Names an operator argument must not take: BaseOperator's own attributes and arguments."""
    return frozenset(dir(BaseOperator)) | frozenset(inspect.signature(BaseOperator.__init__).parameters)


def default_deferrable() -> bool:
    """``[operators] default_deferrable`` (False when unset)."""
    from airflow.configuration import conf  # the configuration is loaded by the time a task is built

    return bool(conf.getboolean("operators", "default_deferrable", fallback=False))


def trigger_for(vendor: Vendor, kind: JobKind) -> type[MediaJobTrigger]:
    """The trigger class that waits for ``kind`` (imported when a task defers, never at parse)."""
    # Imported here: triggers load aiohttp, which DAG parsing must not pay for.
    from airflow_provider_mediajobs.triggers.base import MediaJobTrigger

    importlib.import_module(vendor.module("triggers"))  # defines, and so registers, its triggers
    return MediaJobTrigger.for_kind(kind)


def look_once(wait: JobWait, hook: MediaJobsBaseHook, ids: Mapping[str, Any]) -> Look:
    """One look at the job from the worker, fed to ``wait``; what it makes of it.

    A failure the wait does not ride out is raised as it came: the hook already retried it, and
    it is the task's failure (worker waits ride out none, see :class:`JobWait`).

    :param ids: the arguments of the kind's ``get`` that name the job.
    """
    job: dict[str, Any] | None
    try:
        job = hook.get_job(wait.kind, **ids)
    except NotFoundError:
        job = None  # not visible (yet): the wait's grace decides
    except MediaJobsError as err:
        look = wait.failed(err)
        if look.event is not None:
            raise
        return look
    return wait.saw(job)


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


def declare_signature(cls: type, required: Sequence[str] = (), optional: Sequence[str] = ()) -> None:
    """Give ``cls`` an ``__init__`` whose signature names the arguments it takes from ``**kwargs``.

    Airflow reads operator arguments from ``__init__`` signatures (``expand()`` validation,
    ``default_args``), and so do IDEs; catalog arguments otherwise travel through ``**kwargs``.

    :param required: keyword-only arguments without a default.
    :param optional: keyword-only arguments defaulting to None.
    """

    def __init__(self: Any, **kwargs: Any) -> None:
        super(cls, self).__init__(**kwargs)  # type: ignore[arg-type]

    keyword = inspect.Parameter.KEYWORD_ONLY
    __init__.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [inspect.Parameter(arg, keyword) for arg in required]
        + [inspect.Parameter(arg, keyword, default=None) for arg in optional]
        + [inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD)]
    )
    __init__.__doc__ = cls.__mro__[1].__init__.__doc__  # type: ignore[misc]
    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = __init__  # type: ignore[misc]


class VendorTaskMixin:
    """The vendor side of an operator or sensor: its connection and the names of its arguments.

    The connection id lives in the attribute the vendor's ``conn_name_attr`` names
    (``alibaba_cloud_media_conn_id``), which is also a template field, so
    ``{{ var.value.media_conn }}`` works as on any provider.
    """

    vendor: ClassVar[Vendor]
    conn_name_attr: ClassVar[str]
    default_conn_id: ClassVar[str]
    renamed: ClassVar[Mapping[str, str]] = {}
    """Catalog argument -> the name this task takes it under, where BaseOperator owns the
    catalog's (``task_id``, ``task_type``, ``output``) or another name reads better
    (``input_uri``). The one renaming table: arguments, template fields and errors follow it."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "vendor" in cls.__dict__:
            cls.conn_name_attr = cls.vendor.conn_name_attr
            cls.default_conn_id = cls.vendor.default_conn_id

    @classmethod
    def shown(cls, args: Sequence[str]) -> list[str]:
        """The names this task takes the catalog arguments ``args`` under."""
        return [cls.renamed.get(arg, arg) for arg in args]

    @classmethod
    def check_names(cls, args: Sequence[str]) -> None:
        """Refuse, at class definition, catalog arguments that would shadow BaseOperator's own."""
        clash = sorted(set(cls.shown(args)) & reserved_names())
        if clash:
            # e.g. IMM's TaskId / TaskType and MTS's Output: BaseOperator owns task_id,
            # task_type and output, so the task must take them under other names.
            raise TypeError(f"{cls.__name__}: rename {clash} in `renamed`; BaseOperator owns these names")

    def catalog_values(self, args: Sequence[str]) -> dict[str, Any]:
        """The (rendered) values of the catalog arguments ``args``, read under this task's names."""
        return {arg: getattr(self, self.renamed.get(arg, arg)) for arg in args}

    def set_conn_id(self, named: str | None, kwargs: dict[str, Any]) -> None:
        """Keep the connection id under the vendor's name, taking ``conn_id=`` as its alias.

        ``conn_id`` is what most providers call it, so a DAG author may well write it; two
        different ids are refused rather than one silently winning.

        :param named: the value given under ``conn_name_attr`` (None: not given).
        :param kwargs: the remaining keyword arguments; ``conn_id`` is taken out of them.
        """
        alias = kwargs.pop("conn_id", None)
        if alias is not None and named is not None and alias != named:
            raise TypeError(f"{type(self).__name__}: give the connection once, as {self.conn_name_attr}= "
                            f"(conn_id= is its alias), not both ({named!r} and {alias!r})")
        value = named if named is not None else alias if alias is not None else self.default_conn_id
        setattr(self, self.conn_name_attr, value)

    @property
    def conn_id(self) -> str:
        """The (rendered) connection id."""
        value: str = getattr(self, self.conn_name_attr)
        return value

    def get_hook(self) -> MediaJobsBaseHook:
        """The vendor hook for ``conn_id`` (passed under the vendor's name, which errors then name)."""
        named: dict[str, Any] = {self.conn_name_attr: self.conn_id}
        hook: MediaJobsBaseHook = self.vendor.hook_class()(**named)
        return hook


#: Seconds after a deferred wait's own deadline that Airflow's trigger timeout is set, as a
#: backstop: the trigger ends the wait itself at the deadline (cancelling where it can), which
#: takes one last look and the cancel's answer (bounded by 20 s); Airflow's timeout would end it
#: without either.
DEADLINE_BACKSTOP = 180.0


def deadline_for(timeout: float | None) -> tuple[float | None, timedelta | None]:
    """A deferred wait of at most ``timeout`` seconds: the trigger's ``deadline`` (Unix seconds)
    and the ``timeout`` to give ``defer()`` (None, None: no limit)."""
    if not timeout:
        return None, None
    return time.time() + float(timeout), timedelta(seconds=float(timeout) + DEADLINE_BACKSTOP)


class CancelOnKillMixin:
    """Cancel the job a task waits for when the task is killed in the worker, or its wait's
    deadline passes there (``cancel_on_kill``).

    A SIGTERM reaches ``on_kill`` for a user's action (marked failed or success, cleared), for
    ``execution_timeout``, and for a worker shutting down; the last leaves the task ``running`` in
    the metadata database, and a retry reattaches to the job, so the job is then left alone (see
    :func:`~airflow_provider_mediajobs.cancelling.task_state`). A deferred wait is cancelled by its
    trigger instead (:meth:`~airflow_provider_mediajobs.triggers.base.MediaJobTrigger.on_kill`).
    """

    cancel_on_kill: bool
    _waiting_for: tuple[JobKind, dict[str, str]] | None = None
    _ti: Any = None

    def waits_for(self, context: Context, kind: JobKind, ids: Mapping[str, str]) -> None:
        """Note the job this task now waits for in the worker (what ``on_kill`` would cancel)."""
        self._ti = context.get("ti")
        self._waiting_for = (kind, dict(ids))

    def cancel_waited_job(self, why: str) -> CancelOutcome | None:
        """Cancel the job noted by :meth:`waits_for` when ``cancel_on_kill``; log the outcome."""
        if not self.cancel_on_kill or self._waiting_for is None:
            return None
        from airflow_provider_mediajobs.cancelling import cancel_quietly

        kind, ids = self._waiting_for
        return cancel_quietly(lambda: self.get_hook().cancel_job_of(kind, **ids),  # type: ignore[attr-defined]
                              kind, ids, why, self.log)  # type: ignore[attr-defined]

    def on_kill(self) -> None:
        """Cancel the waited-for job if the kill is a user's action or ``execution_timeout``."""
        if not self.cancel_on_kill or self._waiting_for is None:
            return
        kind, ids = self._waiting_for
        why = self._kill_reason(f"{kind.name} {kind.job_id(ids)}")
        if why is not None:
            self.cancel_waited_job(why)

    def _kill_reason(self, name: str) -> str | None:
        from airflow_provider_mediajobs.cancelling import task_state, user_action

        limit: timedelta | None = getattr(self, "execution_timeout", None)
        started = getattr(self._ti, "start_date", None)
        # Airflow starts the execution_timeout clock after the try's start_date, so a kill at
        # least that long after it is the timeout (the task is still "running" then, as it is
        # when a worker shuts down).
        if limit and isinstance(started, datetime) and datetime.now(UTC) - started >= limit:
            return "its task's execution_timeout passed"
        state = None if self._ti is None else task_state(self._ti)
        log = self.log  # type: ignore[attr-defined]
        if state == "running":
            log.info("%s: the worker stops this task but it is still running (a worker shutdown): "
                     "not cancelling the job; a retry waits for it again", name)
            return None
        if state is None:
            log.warning("%s: cannot tell why this task was stopped: not cancelling the job", name)
            return None
        return user_action(state)
