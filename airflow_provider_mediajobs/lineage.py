"""OpenLineage for the submit operators and the job sensors: the objects a job read and wrote.

The OpenLineage provider (``apache-airflow-providers-openlineage``, the ``openlineage`` extra)
calls ``get_openlineage_facets_on_complete`` when a task ends; it is the one place that imports
the provider or the OpenLineage client, so without the extra nothing of either is imported. The
operator and sensor modules import this one at DAG parse, so at top level it imports only the
standard library and :mod:`~airflow_provider_mediajobs.assets`.

What a task reports comes from its job kind in the catalog (``JobKind.inputs`` and
``JobKind.output``), as ``oss://`` and ``cos://`` datasets named by
:func:`~airflow_provider_mediajobs.assets.dataset_name`:

- **inputs**: read from the job's detail as its wait ended (success or failure); without one (a
  submit that does not wait), from the submit request, which both vendors echo in a job's detail
  under the same names (MTS QueryIProductionJob answers ``Input`` and ``Output`` as submitted; a
  CI ``JobsDetail`` holds the request's ``Input`` and ``Operation`` nodes), so the kind reads both
  alike.
- **outputs**: the job's output object, once the job has succeeded: a dataset reported as written
  exists. A submit that does not wait reports none; the sensor that waits for the job does.
- **what the request names**: where a job's detail names no object (an IMM task: GetTask shows no
  URI), the submit operator reads them from the request it sent
  (:meth:`JobLineageMixin.submitted_objects`): what it reads always, what it writes once the job
  has succeeded. A sensor of such a kind reports none, as it never saw the request.

Where the job is read from: the completion keeps the event its wait ended with on the task
(:meth:`JobLineageMixin.keep_for_lineage`), in every mode: a worker wait and a sensor's pokes end
in the same process, and after a deferral Airflow builds the task anew, calls ``execute_complete``
with the trigger's event on it, and hands the listener that same object (``context["task"]``). So
lineage costs no XCom read and no call to the vendor; the one lookup is a Tencent connection's
bucket, which a job's detail leaves out of its input (see ``catalog.tencent``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeGuard

from airflow_provider_mediajobs.assets import dataset_name

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage

    from airflow_provider_mediajobs.catalog.model import JobKind

log = logging.getLogger(__name__)


def as_detail(wire: Mapping[str, str]) -> dict[str, Any]:
    """A submit request's wire parameters nested at each ``/`` of their names (Tencent's XML paths,
    ``Input/Object``), which is how a job's detail holds them.

    :param wire: vendor names to wire strings (``Operation.bind``).
    """
    detail: dict[str, Any] = {}
    for name, value in wire.items():
        *parents, leaf = name.split("/")
        node = detail
        for parent in parents:
            child = node.setdefault(parent, {})
            if not isinstance(child, dict):  # a name that is also another's parent: keep the first
                break
            node = child
        else:
            node.setdefault(leaf, value)
    return detail


def _nameable(uri: Any) -> TypeGuard[str]:
    if not isinstance(uri, str):
        return False
    try:
        dataset_name(uri)
    except ValueError:
        return False
    return True


class JobLineageMixin:
    """Report a job's input and output objects to OpenLineage (see :mod:`.lineage`).

    The task keeps the event its wait ends with (:meth:`keep_for_lineage`) and says which kind of
    job it waits for and what it submitted (:meth:`lineage_of`).
    """

    _lineage_event: Mapping[str, Any] | None = None

    def keep_for_lineage(self, event: Mapping[str, Any]) -> None:
        """Keep the event the wait ended with (its ``status``, the job's detail and output).

        :param event: the wait's ending event (see :mod:`~airflow_provider_mediajobs.waiting`).
        """
        self._lineage_event = event

    def lineage_of(self) -> tuple[JobKind, Mapping[str, str] | None]:
        """The kind of job this task waits for, and the wire parameters it submitted that job with
        (None: it submitted nothing)."""
        raise NotImplementedError

    def submitted_objects(self, request: Mapping[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The objects the submit request itself names as read and as written, for a kind whose
        detail names none (IMM: GetTask shows no URI, its Create*Task request does). None by default.

        :param request: the wire parameters the job was submitted with.
        :return: ``(reads, writes)``; the writes are reported once the job has succeeded.
        """
        return (), ()

    def job_lineage(self) -> tuple[list[str], list[str]]:
        """The URIs of the objects the job read and wrote, as far as this task knows.

        :return: ``(inputs, outputs)``, each without repeats.
        """
        kind, request = self.lineage_of()
        event = self._lineage_event or {}
        job = event.get("job")
        seen = job if isinstance(job, Mapping) else as_detail(request) if request is not None else None
        succeeded = event.get("status") == "success"
        inputs = list(kind.inputs(seen, self._connection_bucket)) if seen is not None else []
        outputs = [event.get("output")] if succeeded else []
        if request is not None:
            reads, writes = self.submitted_objects(request)
            inputs += reads
            outputs += writes if succeeded else ()
        # The event crossed the metadata database after a deferral: only a URI that names an
        # object is reported.
        return ([uri for uri in dict.fromkeys(inputs) if _nameable(uri)],
                [uri for uri in dict.fromkeys(outputs) if _nameable(uri)])

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> OperatorLineage:
        """The job's input and output objects as OpenLineage datasets (called by the OpenLineage
        provider's listener when the task ends, successful or not).

        :param task_instance: the task instance that ended (the datasets come from this task).
        """
        from airflow.providers.openlineage.extractors import OperatorLineage
        from openlineage.client.event_v2 import Dataset

        inputs, outputs = self.job_lineage()
        return OperatorLineage(inputs=[Dataset(*dataset_name(uri)) for uri in inputs],
                               outputs=[Dataset(*dataset_name(uri)) for uri in outputs])

    def _connection_bucket(self) -> str | None:
        """The bucket of this task's connection; None when it names none or cannot be read."""
        try:
            bucket = getattr(self.get_hook().protocol, "bucket", None)  # type: ignore[attr-defined]
        except Exception as err:  # lineage is best effort: it must not fail the task's report
            log.debug("lineage: could not read the bucket of the connection: %s", type(err).__name__)
            return None
        return bucket if isinstance(bucket, str) else None
