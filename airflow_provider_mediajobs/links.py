"""Console links: the button in Airflow's UI that opens a task's job in the vendor's web console.

Every sensor, submit operator and get operator whose job kind declares a
:class:`~airflow_provider_mediajobs.catalog.model.Console` shows a :class:`ConsoleLink` named after
it ("MTS console", "ICE console", "IMM console", "CI console"). The page's address is the
catalog's, filled in from where the job runs (the connection's region, and its bucket on Tencent)
and the job's ids.

How Airflow 3 shows a link, and so why :func:`persist` stores two XComs:

- the API server does not run :meth:`ConsoleLink.get_link`: a serialized DAG keeps each link as
  its name and XCom key, and the UI shows the value stored under that key
  (``XComOperatorLink``);
- the worker stores that value only when a try ends or defers, from ``get_link()``.

:func:`persist` therefore stores the parts of the address (region, bucket, ids: never a secret)
under :data:`PARTS_KEY`, from which ``get_link()`` rebuilds the address when the try ends, and the
address itself under the link's key at once, so the button is there while the task still runs in
the worker or waits in the triggerer.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
from airflow.sdk import BaseOperatorLink

from airflow_provider_mediajobs.catalog.model import JobKind

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator, Context
    from airflow.sdk.types import TaskInstanceKey

    from airflow_provider_mediajobs.hooks.base import MediaJobsBaseHook

#: The XCom key of a task's link parts (a small dict: the kind, region, bucket and ids).
PARTS_KEY = "mediajobs_console"


@attrs.define()
class ConsoleLink(BaseOperatorLink):
    """The vendor console's page for the job a task waits for, submits or fetches.

    :param kind: the job kind; its :attr:`~airflow_provider_mediajobs.catalog.model.JobKind.console`
        names the link and gives the page's address.
    """

    kind: JobKind

    @property
    def name(self) -> str:
        """The button's text: the console's title."""
        return self.kind.console.title if self.kind.console else self.kind.name

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        """The page for the job the task persisted (see :func:`persist`); "" when it persisted none.

        :param operator: the task.
        :param ti_key: the task instance.
        """
        # Imported here: the worker runs this when a try ends; DAG parsing never does.
        from airflow.sdk.execution_time.xcom import XCom

        return link_for(self.kind, XCom.get_value(ti_key=ti_key, key=PARTS_KEY))


def link_for(kind: JobKind, parts: Any) -> str:
    """The console page of ``kind`` for the persisted ``parts``; "" when they are not its own.

    :param parts: what :func:`persist` stored (None when nothing was).
    """
    if kind.console is None or not isinstance(parts, Mapping) or parts.get("kind") != kind.name:
        return ""
    return kind.console.link(parts)


def kind_linked(cls: type) -> JobKind | None:
    """The job kind whose console a task class links to: the kind a sensor waits for or a submit
    operator submits, else the kind whose ``get`` is the operator's operation (a get operator)."""
    kind = getattr(cls, "kind", None) or getattr(cls, "job_kind", None)
    if isinstance(kind, JobKind):
        return kind
    operation = getattr(cls, "operation", None)
    vendor = getattr(cls, "vendor", None)
    if operation is None or vendor is None:
        return None
    # The vendor's catalog is the module its operators are declared from: already imported.
    catalog = importlib.import_module(vendor.module("catalog"))
    fetched = [kind for kind in vars(catalog).values() if isinstance(kind, JobKind) and kind.get is operation]
    return fetched[0] if len(fetched) == 1 else None


def attach(cls: type) -> None:
    """Give a task class the console link of its job kind (:func:`kind_linked`), unless the class
    declares its own ``operator_extra_links``."""
    if "operator_extra_links" in cls.__dict__:
        return
    kind = kind_linked(cls)
    cls.operator_extra_links = (ConsoleLink(kind),) if kind is not None and kind.console else ()  # type: ignore[attr-defined]


def _console_link(task: Any) -> ConsoleLink | None:
    links = [link for link in getattr(task, "operator_extra_links", ()) if isinstance(link, ConsoleLink)]
    return links[0] if links else None


def single_id(value: Any) -> str | None:
    """``value`` as one job id, or None where it names several (``"a,b"``, a list of two) or none."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        value = value[0] if len(value) == 1 else None
    if isinstance(value, str) and value and "," not in value:
        return value
    return None


def parts_of(kind: JobKind, ids: Mapping[str, Any], protocol: Any) -> dict[str, str]:
    """What a link to one job is built from.

    :param ids: the kind's id arguments under the catalog's names, naming one job (see
        :func:`single_id`).
    :param protocol: the connection's protocol: its ``region`` (and ``bucket`` on Tencent). Only
        these are read from it, never its credentials.
    """
    parts = {"kind": kind.name}
    for name in ("region", "bucket"):
        value = getattr(protocol, name, None)
        if isinstance(value, str):
            parts[name] = value
    parts["job_id"] = str(single_id(ids.get(kind.job_id_arg)))
    return {**parts, **{arg: str(ids[arg]) for arg in kind.id_args if arg != kind.job_id_arg}}


def names_one_job(kind: JobKind, ids: Mapping[str, Any]) -> bool:
    """Whether ``ids`` name exactly one job of ``kind``: one id of its own, and every other id."""
    others = [ids.get(arg) for arg in kind.id_args if arg != kind.job_id_arg]
    return single_id(ids.get(kind.job_id_arg)) is not None and all(isinstance(v, str) and v for v in others)


def persist(task: Any, context: Context, ids: Mapping[str, Any], hook: MediaJobsBaseHook | None = None) -> None:
    """Store the link to the job ``ids`` name, for the UI to show from now on (best effort).

    Does nothing for a task without a :class:`ConsoleLink`, one that pushes no XCom
    (``do_xcom_push=False``), outside a task run (no ``ti``), or when ``ids`` name no single job;
    and nothing twice for the same job in one run of ``execute``. A failure (the connection
    cannot be read, the metadata database cannot be reached) is logged, never raised: the task's
    own work reports it if it matters.

    :param task: the operator or sensor.
    :param context: the task's context.
    :param ids: the job's id arguments under the catalog's names (other arguments are ignored).
    :param hook: the task's hook when it has one already (else one is made: a connection read).
    """
    link = _console_link(task)
    ti = context.get("ti")
    if link is None or ti is None or not getattr(task, "do_xcom_push", True):
        return
    named = {arg: ids.get(arg) for arg in link.kind.id_args}
    done = getattr(task, "_console_link_for", None)
    if not names_one_job(link.kind, named) or (done is not None and done[0] is ti and done[1] == named):
        return  # several jobs; or one a submit operator reaches twice in one run (wait, then result)
    log = task.log
    try:
        protocol = (hook or task.get_hook()).protocol
    except Exception as err:
        log.warning("No %s link: the connection could not be read (%s)", link.name, type(err).__name__)
        return
    parts = parts_of(link.kind, named, protocol)
    url = link_for(link.kind, parts)
    try:
        ti.xcom_push(key=PARTS_KEY, value=parts)
        _push_to_metadata_db(ti, link.xcom_key, url)
    except Exception as err:
        log.warning("No %s link: it could not be stored (%s: %s)", link.name, type(err).__name__, err)
        return
    task._console_link_for = (ti, named)
    log.info("%s link for %s %s: %s", link.name, link.kind.name, parts["job_id"], url or "(no page for this job)")


def _push_to_metadata_db(ti: Any, key: str, value: str) -> None:
    # The task runner stores a link's value this way (task_runner._xcom_push_to_db, the same on
    # Airflow 3.1, 3.2 and 3.3): straight to the metadata database, past any custom XCom backend,
    # because the API server reads it there. A backend that kept it elsewhere would leave the
    # database holding a reference, which the UI would show as the address.
    from airflow.sdk.execution_time.xcom import XCom

    XCom._set_xcom_in_db(key=key, value=value, dag_id=ti.dag_id, task_id=ti.task_id, run_id=ti.run_id,
                         map_index=ti.map_index)
