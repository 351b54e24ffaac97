"""The catalog's building blocks: operations, paging styles and job kinds.

An :class:`Operation` knows everything about one vendor API that does not need I/O: its
parameters and how they are checked and serialized, its method and path, how it pages and where
its items are. A :class:`JobKind` knows how to read one job's state. Hooks, operators, sensors
and triggers are thin layers over these.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from string import Formatter
from typing import Any, Literal, NamedTuple
from urllib.parse import quote

from airflow_provider_mediajobs.catalog.params import IdList, Param, invalid, refuse_template
from airflow_provider_mediajobs.catalog.params import job_id as job_id_param
from airflow_provider_mediajobs.exceptions import BadResponseError, MediaJobsValidationError

Check = Callable[[Mapping[str, Any]], None]
"""A cross-parameter rule: gets the normalized arguments, raises a validation error."""


def window(start_arg: str, end_arg: str, longest: timedelta | None = None) -> Check:
    """A rule: ``start_arg`` before ``end_arg``, and at most ``longest`` apart."""

    def check(args: Mapping[str, Any]) -> None:
        start, end = args.get(start_arg), args.get(end_arg)
        if start is None or end is None:
            return
        if start >= end:
            raise invalid(f"{start_arg}/{end_arg}", f"a window whose {start_arg} is before {end_arg}",
                          (str(start), str(end)))
        if longest is not None and end - start > longest:
            raise invalid(f"{start_arg}/{end_arg}", f"a window of at most {longest.days} days", (str(start), str(end)))

    return check


class Service(NamedTuple):
    """A vendor product and API version.

    :param vendor: ``alibaba`` or ``tencent``.
    :param product: ``ice``, ``mts``, ``imm`` or ``ci``.
    :param version: the API version (Alibaba only).
    """

    vendor: Literal["alibaba", "tencent"]
    product: str
    version: str = ""


class Paging(NamedTuple):
    """How an operation pages.

    :param style: ``token`` (NextToken) or ``page`` (PageNo / PageSize).
    :param items: response key of the list of items, or its path with ``/`` where the vendor nests
        it (MTS ``JobList/Job``).
    :param token_param: request parameter carrying the token (``token`` style).
    :param token_key: response key of the next token (``token`` style).
    :param page_param: request parameter of the page number (``page`` style).
    :param size_param: request parameter of the page size.
    :param total_key: response key of the total count (``page`` style).
    """

    style: Literal["token", "page"]
    items: str
    token_param: str = "NextToken"
    token_key: str = "NextToken"
    page_param: str = "PageNo"
    size_param: str = "PageSize"
    total_key: str = "TotalCount"


class Operation(NamedTuple):
    """One vendor API.

    A NamedTuple, as the other catalog records: operators import the catalog at DAG parse, and a
    dataclass costs about half a millisecond to create.

    :param name: the vendor's action name (``ListSmartJobs``) or a path name (``ListJobs``).
    :param service: product and version.
    :param method: HTTP method the official SDK uses.
    :param params: documented parameters.
    :param path: URL path; ``{name}`` placeholders are filled from path parameters.
    :param paging: how it pages, if it lists.
    :param checks: cross-parameter rules.
    :param idempotent: whether repeating it is harmless (a submission is not: a retry after an
        ambiguous failure could create a second job).
    :param answer_keys: top-level keys every successful answer carries. A 2xx answer without one
        of them is no success: both protocols' ``parse`` raise the vendor error it carries (an
        error body may come with HTTP 200) or a :class:`BadResponseError`, instead of handing
        back an answer that would read as "no job" or "no items".
    :param empty_answer: the vendor documents an empty body as the successful answer (Tencent
        CancelJob); any other operation refuses an empty 2xx body.
    :param body: a request body sent as given, not built from the parameters (a Tencent call the
        catalog does not declare; see :func:`~airflow_provider_mediajobs.catalog.tencent.uncatalogued`).
    :param form: wire names sent in a form-encoded body instead of the query string (Alibaba: where
        the official SDK puts them, e.g. SubmitMediaProducingJob's ``Timeline``, too large for a URL).
    """

    name: str
    service: Service
    method: Literal["GET", "POST", "PUT"]
    params: tuple[Param, ...] = ()
    path: str = "/"
    paging: Paging | None = None
    checks: tuple[Check, ...] = ()
    idempotent: bool = True
    path_params: tuple[str, ...] = ()
    answer_keys: tuple[str, ...] = ()
    empty_answer: bool = False
    body: str | None = None
    form: tuple[str, ...] = ()

    def missing_answer_keys(self, answer: Mapping[str, Any]) -> list[str]:
        """The :attr:`answer_keys` that ``answer`` lacks (absent, null or empty text)."""
        return [key for key in self.answer_keys if answer.get(key) is None or answer.get(key) == ""]

    def param(self, arg: str) -> Param:
        """Return the parameter whose Python name is ``arg``."""
        for param in self.params:
            if param.arg == arg:
                return param
        raise KeyError(arg)

    @property
    def args(self) -> tuple[str, ...]:
        """The Python names of the parameters, in catalog order."""
        return tuple(p.arg for p in self.params)

    def bind(self, arguments: Mapping[str, Any], names: Mapping[str, str] | None = None) -> dict[str, str]:
        """Check ``arguments`` and serialize them to wire parameters.

        ``None`` means "not given". Unknown names are refused, so a typo in a DAG fails loudly
        instead of silently dropping a filter.

        :param arguments: catalog argument names to values.
        :param names: the names users see for catalog arguments, where a layer shows one under
            another name (an operator must call ``task_id`` ``imm_task_id``: BaseOperator owns
            ``task_id``); errors then name the argument as users see it.
        :return: vendor names to wire strings.
        :raises MediaJobsValidationError: naming the argument and what is allowed.
        """
        try:
            return self._bind(arguments, names or {})
        except MediaJobsValidationError as err:
            raise err.renamed(names or {}) from None

    def user_args(self, names: Mapping[str, str] | None = None) -> tuple[str, ...]:
        """The parameters as users name them (see :meth:`bind`), in catalog order."""
        return tuple((names or {}).get(arg, arg) for arg in self.args)

    def split_ids(self, arg: str, value: Any) -> list[list[str]]:
        """Check ``value`` (ids as a list or a comma-separated string) whole, then cut it into the
        calls the list-typed parameter ``arg`` takes: at most its ``max_items`` ids each, duplicates
        dropped, in the order given. A bad id in the third call's share is refused before the first
        call is sent.

        :param arg: an :class:`~.params.IdList` parameter of this operation (Tencent ``job_ids``).
        :raises MediaJobsValidationError: naming ``arg``, before any request.
        """
        param = self.param(arg)
        if not isinstance(param, IdList):
            raise TypeError(f"{self.name}: {arg} is no list of ids")
        if value is None:
            raise invalid(arg, f"given: {self.name} requires it", None)
        refuse_template(arg, value)
        ids = IdList(param.arg, param.wire, max_items=None).normalize(value)
        per_call = param.max_items or len(ids)
        return [ids[i : i + per_call] for i in range(0, len(ids), per_call)]

    def _bind(self, arguments: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, str]:
        unknown = sorted(set(arguments) - set(self.args))
        if unknown:
            raise invalid(unknown[0], f"one of the arguments of {self.name}: {', '.join(self.user_args(names))}",
                          "unknown")
        wire: dict[str, str] = {}
        normalized: dict[str, Any] = {}
        for param in self.params:
            value = arguments.get(param.arg)
            refuse_template(param.arg, value)
            if value is None:
                if param.required:
                    raise invalid(param.arg, f"given: {self.name} requires it", None)
                continue
            normalized[param.arg] = param.normalize(value)
            wire[param.wire] = param.serialize(value)
        for check in self.checks:
            check(normalized)
        return wire


def _no_output(job: Mapping[str, Any]) -> str | None:
    return None


BucketOf = Callable[[], str | None]
"""Gives the bucket of the connection a job runs on (Tencent CI: the bucket every call goes to),
None where its connection names none or cannot be read. Asked only when a job's detail names an
object without its bucket, since reading the connection is a lookup."""


def _no_inputs(job: Mapping[str, Any], bucket: BucketOf) -> tuple[str, ...]:
    return ()


def _whole_answer(response: Mapping[str, Any], job_id: str) -> Mapping[str, Any] | None:
    return response


class BatchAnswer(NamedTuple):
    """Where a ``get`` that takes several ids at once answers them: a list of jobs, and a list of
    the asked ids the vendor does not know. Tencent ``GET /jobs/{ids}`` answers ``JobsDetail`` and
    ``NonExistJobIds``; MTS ``QueryJobList`` ``JobList/Job`` and ``NonExistJobIds/String``, and its
    snapshot and media info twins likewise. One reading serves them all: each asked id must be
    answered in exactly one of the two lists, and an answer that says nothing about it (or both
    things) is refused, since "not in the answer" is not the same as "does not exist".

    Its :meth:`find` is such a kind's ``JobKind.extract``.

    :param operation: the ``get``'s name, for messages.
    :param items: path to the list of jobs in the answer.
    :param missing: path to the unknown ids: a list, or one comma-separated string.
    :param id_key: path to a job's own id in one item.
    """

    operation: str
    items: tuple[str, ...]
    missing: tuple[str, ...]
    id_key: tuple[str, ...] = ("JobId",)

    def jobs(self, response: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """The jobs the answer holds (none where it holds no list).

        :raises BadResponseError: the list is something else (a string, an object).
        """
        value = dig(response, self.items)
        if value is None or value == "":
            return []
        if not isinstance(value, list):
            raise BadResponseError(f"{self.operation} answered {'/'.join(self.items)} as a "
                                   f"{type(value).__name__}, not a list of jobs")
        return [job for job in value if isinstance(job, Mapping)]

    def missing_ids(self, response: Mapping[str, Any]) -> list[str]:
        """The ids the answer says do not exist.

        :raises BadResponseError: they are not text.
        """
        value = dig(response, self.missing)
        if value is None or value == "":
            return []
        items = value if isinstance(value, list) else [value]
        ids: list[str] = []
        for item in items:
            if not isinstance(item, str):
                raise BadResponseError(f"{self.operation} answered {'/'.join(self.missing)} holding "
                                       f"{type(item).__name__}, not job ids")
            ids += [i.strip() for i in item.split(",") if i.strip()]
        return ids

    def find(self, response: Mapping[str, Any], job_id: str) -> Mapping[str, Any] | None:
        """The job ``job_id`` in the answer; None when the answer says it does not exist.

        :raises BadResponseError: the answer names ``job_id`` in neither list (ambiguous: it says
            nothing about that job), in both, or several times with different details.
        """
        items, missing = "/".join(self.items), "/".join(self.missing)
        found = [job for job in self.jobs(response) if dig(job, self.id_key) == job_id]
        said_missing = job_id in self.missing_ids(response)
        if found and said_missing:
            raise BadResponseError(f"{self.operation} answered job {job_id!r} both in {items} and in {missing}")
        if any(job != found[0] for job in found[1:]):
            raise BadResponseError(f"{self.operation} answered job {job_id!r} {len(found)} times, with different "
                                   "details")
        if found:
            return found[0]
        if said_missing:
            return None
        raise BadResponseError(
            f"{self.operation} answered neither {items} nor {missing} for job {job_id!r}: an ambiguous answer, "
            "not a 'not found'"
        )

    def checked(self, response: Mapping[str, Any], asked: Sequence[str] = ()) -> tuple[
            list[Mapping[str, Any]], list[str]]:
        """Both lists of an answer, each asked id checked to be in exactly one (see :meth:`find`).

        :param asked: the ids the call asked for.
        :raises BadResponseError: an asked id is in neither list, or in both.
        """
        for job_id in asked:
            self.find(response, job_id)
        return self.jobs(response), self.missing_ids(response)

    def shaped(self, jobs: Sequence[Mapping[str, Any]], missing: Sequence[str]) -> dict[str, Any]:
        """An answer holding ``jobs`` and ``missing`` at this answer's paths (both present, even
        empty): what a call split into several returns, merged, as XCom."""
        answer: dict[str, Any] = {}
        for path, value in ((self.items, [dict(job) for job in jobs]), (self.missing, list(missing))):
            node = answer
            for step in path[:-1]:
                node = node.setdefault(step, {})
            node[path[-1]] = value
        return answer


class Sweep(NamedTuple):
    """How one list call answers many waits of a job kind at once (the shared poller's sweeps).

    A sweep lists the kind's jobs newest first, a page at a time, and stops as soon as it has
    seen every job waited for, reached jobs older than the oldest of them, or spent its page
    budget; whatever it did not see is looked at directly.

    :param list: the listing.
    :param item_id: path to a job's own id in a list item.
    :param item_state: path to its state in a list item.
    :param item_created: path to its creation time in a list item (ISO 8601).
    :param job_created: the same in a ``get`` answer.
    :param arguments: the list arguments every sweep sends: newest first, the largest page.
    :param scope_ids: list arguments a wait's ids give (same names: IMM ``project_name``).
    :param scope_job: list arguments learned from the job itself, each with its path in a ``get``
        answer and a list item alike (Tencent: ``queue_id`` from ``QueueId``, ``tag`` from
        ``Tag``); until a look has seen the job, its wait is looked at directly.
    :param since: the list arguments that bound creation time from below, for a time; None where
        the listing has no such filter.
    :param as_detail: the ``get`` answer an item stands for, given the wait's ids (None from it: the
        item is not the job those ids name, so a direct look decides); None where an item lacks
        some of that answer (ICE: ``JobResult``), so a job a sweep finds ended is concluded by one
        direct ``get``.
    """

    list: Operation
    item_id: Sequence[str]
    item_state: Sequence[str]
    item_created: Sequence[str]
    job_created: Sequence[str]
    arguments: Mapping[str, Any]
    scope_ids: tuple[str, ...] = ()
    scope_job: tuple[tuple[str, Sequence[str]], ...] = ()
    since: Callable[[datetime], Mapping[str, Any]] | None = None
    as_detail: Callable[[Mapping[str, Any], Mapping[str, Any]], Mapping[str, Any] | None] | None = None


class Cancel(NamedTuple):
    """How a job of a kind is cancelled, or that it cannot be: every kind declares one.

    :param operation: the vendor's cancel operation; None where the vendor has none.
    :param source: where the vendor says so (its API page or list, an SDK model).
    :param id_args: the kind's id arguments -> the cancel operation's arguments, where the names
        differ (Tencent: the batched ``job_ids`` of ``GET /jobs/{ids}`` -> ``job_id``).
    :param only_in: the states the vendor documents a cancel for (empty: not documented); a job in
        another state is still asked, and the vendor's refusal logged, as its state may have moved.
    """

    operation: Operation | None
    source: str
    id_args: Mapping[str, str] = {}
    only_in: frozenset[str] = frozenset()


def cannot_cancel(source: str) -> Cancel:
    """The declaration of a kind the vendor offers no cancel for.

    :param source: where that is read (the product's API list).
    """
    return Cancel(None, source)


class Console(NamedTuple):
    """Where the vendor's web console shows jobs of a kind: the extra link its operators and
    sensors show in Airflow's UI (see :mod:`airflow_provider_mediajobs.links`).

    :param title: the link's name in Airflow's UI.
    :param url: the page's address; its placeholders are ``{region}``, ``{bucket}`` (Tencent), and
        ``{job_id}`` and the kind's other id arguments, each filled in percent-encoded.
    :param source: where that address is read, and what is not known about it.
    """

    title: str
    url: str
    source: str

    @property
    def fields(self) -> frozenset[str]:
        """The placeholders :attr:`url` names."""
        return frozenset(name for _, name, _, _ in Formatter().parse(self.url) if name is not None)

    def link(self, parts: Mapping[str, Any]) -> str:
        """The page for one job: :attr:`url` filled in from ``parts``; "" when one is missing.

        :param parts: the region, the bucket, the job's ids (what the link persisted).
        """
        values = {name: parts.get(name) for name in self.fields}
        if not all(isinstance(value, str) and value for value in values.values()):
            return ""
        return self.url.format(**{name: quote(str(value), safe="") for name, value in values.items()})


class _JobKindFields(NamedTuple):
    name: str
    get: Operation
    id_args: tuple[str, ...]
    state: Sequence[str]
    success: frozenset[str]
    failure: frozenset[str]
    pending: frozenset[str]
    cancel: Cancel
    error_code: Sequence[str] = ("ErrorCode",)
    error_message: Sequence[str] = ("ErrorMessage",)
    output: Callable[[Mapping[str, Any]], str | None] = _no_output
    job_id_arg: str = "job_id"
    extract: Callable[[Mapping[str, Any], str], Mapping[str, Any] | None] = _whole_answer
    id_key: Sequence[str] = ("JobId",)
    sweep: Sweep | None = None
    inputs: Callable[[Mapping[str, Any], BucketOf], tuple[str, ...]] = _no_inputs
    console: Console | None = None


class JobKind(_JobKindFields):
    """How to read one kind of job's state.

    :param name: a short name used in logs and events (``mts_iproduction``).
    :param get: the operation that fetches one job.
    :param id_args: the arguments of ``get`` that name one job: sensors take exactly these (as
        their users see them), triggers serialize them, the shared poller keys on them.
    :param state: path to the state inside one job.
    :param success: states that end the wait successfully.
    :param failure: states that end the wait with an error.
    :param pending: states that keep the wait going.
    :param cancel: how to cancel a job of this kind, or that the vendor cannot (see :class:`Cancel`).
    :param error_code: path to the failure code inside one job.
    :param error_message: path to the failure message inside one job.
    :param output: returns the output object's URI (``oss://b/o``, ``cos://b/o``) or None.
    :param job_id_arg: the one of ``id_args`` that is the job's own id. Where ``get`` takes a list
        of ids in it (Tencent ``job_ids``), waits of this kind are batched, at most that
        parameter's ``max_items`` per call.
    :param extract: picks the job out of a ``get`` response; None when the response says it does
        not exist.
    :param id_key: path to the job's own id inside one job: it must be the id asked for.
    :param sweep: how a list call answers many waits of this kind at once; None where the
        vendor has no such list.
    :param inputs: returns the URIs of the objects a job reads (``oss://b/o``, ``cos://b/o``), from
        its detail (or a submit request of the same shape) and, where the detail leaves it out, the
        bucket of its connection; empty where the detail names none. OpenLineage reports them with
        :attr:`output` (see :mod:`airflow_provider_mediajobs.lineage`).
    :param console: the vendor console's page for jobs of this kind (see :class:`Console`); None
        where there is none to link to.
    """

    __slots__ = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> JobKind:
        kind = super().__new__(cls, *args, **kwargs)
        known = kind.get.args
        if not set(kind.id_args) <= set(known) or kind.job_id_arg not in kind.id_args:
            raise TypeError(f"job kind {kind.name}: id_args {kind.id_args} and job_id_arg {kind.job_id_arg!r} "
                            f"must be arguments of {kind.get.name} ({', '.join(known)})")
        if kind.console is not None:
            # A placeholder nothing fills would leave every link of this kind empty: refused at import.
            unknown = sorted(kind.console.fields - set(kind.link_parts))
            if unknown:
                raise TypeError(f"job kind {kind.name}: its console URL names {unknown}; it may name "
                                f"{', '.join(kind.link_parts)}")
        return kind

    @property
    def link_parts(self) -> tuple[str, ...]:
        """What a console link of this kind is built from: where the job runs (region, and the
        Tencent bucket), its own id as ``job_id``, and its other id arguments."""
        return ("region", "bucket", "job_id", *(arg for arg in self.id_args if arg != self.job_id_arg))

    def job_id(self, ids: Mapping[str, Any]) -> str:
        """The job's own id among the arguments that name it."""
        return str(ids[self.job_id_arg])

    def cancel_call(self, ids: Mapping[str, Any]) -> tuple[Operation, dict[str, Any]]:
        """The cancel operation and its arguments for the job ``ids`` name.

        :raises CancelNotSupportedError: the vendor has no cancel for this kind (with the source).
        """
        operation = self.cancel.operation
        if operation is None:
            from airflow_provider_mediajobs.exceptions import CancelNotSupportedError

            raise CancelNotSupportedError(
                f"{self.name} {self.job_id(ids)} cannot be cancelled: the vendor has no cancel operation "
                f"for this kind ({self.cancel.source}); it keeps running until it ends"
            )
        arguments = {self.cancel.id_args.get(arg, arg): value for arg, value in ids.items()}
        return operation, {arg: value for arg, value in arguments.items() if arg in operation.args}

    def find(self, response: Mapping[str, Any], job_id: str) -> Mapping[str, Any] | None:
        """The job ``job_id`` in a ``get`` response, checked; None when the vendor says it does
        not exist.

        Everything a wait and its lineage later read from the job (state, failure code and message,
        output, inputs) is read here once, so a hostile answer fails now, as the fetch's error,
        instead of later while the wait concludes (in a trigger, outside the loop that handles bad
        answers).

        :param response: the parsed ``get`` answer.
        :param job_id: the job's own id, as asked for.
        :raises BadResponseError: the answer names another job, has no state, or cannot be read.
        """
        job = self.extract(response, job_id)
        return None if job is None else self.check(job, job_id)

    def check(self, job: Any, job_id: str) -> Mapping[str, Any]:
        """``job`` (one job's detail, from a ``get`` or a sweep) checked as :meth:`find` checks it.

        :raises BadResponseError: it is no mapping, names another job, has no state, or cannot be read.
        """
        asked = f"{self.get.name} was asked for {self.name} {job_id!r} but answered"
        if not isinstance(job, Mapping):
            raise BadResponseError(f"{asked} a {type(job).__name__}, not a job")
        got = dig(job, self.id_key)
        if got != job_id:
            # Another job's state would be a wrong result, worse than no result.
            raise BadResponseError(f"{asked} the job {_short(got)} ({'/'.join(self.id_key)}): not the job asked for")
        state = dig(job, self.state)
        if not isinstance(state, str) or not state:
            # A job always has a state; without one this is no job answer, and waiting on it as
            # "unknown state" would never end.
            raise BadResponseError(f"{asked} a job without a state ({'/'.join(self.state)} is {_short(state)})")
        dig(job, self.error_code)
        dig(job, self.error_message)
        self.output(job)
        self.inputs(job, _no_bucket)
        return job

    @property
    def max_batch(self) -> int:
        """Most job ids one ``get`` call takes: the cap of a list-typed ``job_id_arg``, else 1."""
        cap = getattr(self.get.param(self.job_id_arg), "max_items", None)
        return cap if isinstance(cap, int) else 1

    def check_ids(self, ids: Mapping[str, Any], names: Mapping[str, str] | None = None) -> None:
        """Check the ids of one job before any request: the ``get`` operation's rules, and the
        job's own id must be a single id (a batchable ``get`` would take ``"j1,j2"`` as two jobs).

        :param ids: the arguments of ``get`` that name the job.
        :param names: the names users see (see :meth:`Operation.bind`).
        :raises MediaJobsValidationError: naming the argument.
        """
        try:
            refuse_template(self.job_id_arg, ids.get(self.job_id_arg))
            job_id_param(self.job_id_arg, self.job_id_arg).serialize(ids.get(self.job_id_arg))
        except MediaJobsValidationError as err:
            raise err.renamed(names or {}) from None
        self.get.bind(ids, names)

    def classify(self, job: Mapping[str, Any]) -> Literal["success", "failure", "pending", "unknown"]:
        """Say which group the job's current state belongs to."""
        state = dig(job, self.state)
        if state in self.success:
            return "success"
        if state in self.failure:
            return "failure"
        if state in self.pending:
            return "pending"
        return "unknown"


def _no_bucket() -> str | None:
    # check() reads what the job's detail says, never the connection.
    return None


def dig(data: Any, path: Sequence[str]) -> Any:
    """Follow ``path`` through nested mappings; None where any step is missing.

    A step that is a JSON object in a string is decoded first: MTS documents QueryIProductionJob's
    ``Result`` as an object, while its SDK models it as a string, so both forms must be read.

    :raises BadResponseError: such a JSON string is nested too deep (see :mod:`.nesting`).
    """
    # Imported here, not at the top: DAG parsing loads the catalog and never reads an answer.
    from airflow_provider_mediajobs.catalog.nesting import loads

    for key in path:
        if isinstance(data, str) and data.lstrip().startswith("{"):
            try:
                data = loads(data, f"the JSON text read for {'/'.join(path)}")
            except ValueError:
                return None
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _short(value: Any) -> str:
    # Quote a vendor value in a message without letting a huge or odd one flood it.
    text = repr(value) if isinstance(value, str | int | float | bool) or value is None else type(value).__name__
    return text if len(text) <= 80 else text[:77] + "..."
