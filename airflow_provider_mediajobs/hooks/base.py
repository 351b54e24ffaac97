"""What both vendors' hooks share: connection handling, the sync client, paging, one-job reads,
and the async client the triggers use. A vendor hook only says how a connection becomes a
:class:`~airflow_provider_mediajobs.transport.VendorProtocol` and names its public methods.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from airflow.sdk import BaseHook

from airflow_provider_mediajobs.catalog.model import JobKind, Operation
from airflow_provider_mediajobs.catalog.paging import Pager
from airflow_provider_mediajobs.catalog.params import invalid
from airflow_provider_mediajobs.exceptions import MediaJobsError, MediaJobsValidationError, NotFoundError
from airflow_provider_mediajobs.transport import (
    DEFAULT_MAX_RESPONSE_BYTES,
    AsyncClient,
    AsyncSender,
    Client,
    RetryPolicy,
    SyncSender,
    Timeouts,
    VendorProtocol,
    mount_deadline_adapter,
)

if TYPE_CHECKING:
    from airflow.sdk import Connection

_REGION = re.compile(r"[a-z]{2,}(-[a-z0-9]+)+")


class ConnectionFields:
    """Read and check a connection's fields, naming the field in every error.

    :param conn: the Airflow connection.
    :param conn_type: its expected type, for messages.
    """

    def __init__(self, conn: Connection, conn_type: str) -> None:
        self.conn = conn
        self.where = f"connection {conn.conn_id!r} ({conn_type})"
        extra = conn.extra_dejson if conn.extra else {}
        if not isinstance(extra, dict):
            raise MediaJobsValidationError(f"{self.where}: extra must be a JSON object")
        self.extra: dict[str, Any] = extra

    def fail(self, field: str, problem: str) -> MediaJobsValidationError:
        """An error that names the field and what is wrong, never its value."""
        return MediaJobsValidationError(f"{self.where}: {field} {problem}")

    def text(self, field: str, value: Any, *, required: bool = False) -> str | None:
        """A string field: stripped, no control characters or inner spaces."""
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(field, "is missing")
            return None
        if not isinstance(value, str):
            raise self.fail(field, f"must be a string, not {type(value).__name__}")
        text: str = value.strip()
        if re.search(r"[\s\x00-\x1f\x7f]", text):
            raise self.fail(field, "must not contain spaces or control characters")
        return text

    def secret_pair(self, id_label: str, secret_label: str) -> tuple[str, str]:
        """Key id and secret from login/password, or the official connection's extras."""
        key_id = self.text(f"{id_label} (login)", self.conn.login) or self.text(
            f"{id_label} (extra access_key_id)", self.extra.get("access_key_id")
        )
        secret = self.text(f"{secret_label} (password)", self.conn.password) or self.text(
            f"{secret_label} (extra access_key_secret)", self.extra.get("access_key_secret")
        )
        if not key_id:
            raise self.fail(id_label, "is missing: set the login field (or the extra access_key_id)")
        if not secret:
            raise self.fail(secret_label, "is missing: set the password field (or the extra access_key_secret)")
        mask(secret)
        return key_id, secret

    def secret(self, field: str) -> str | None:
        """An optional secret extra, masked in logs as soon as it is read."""
        value = self.text(field, self.extra.get(field))
        if value:
            mask(value)
        return value

    def region(self, default: str | None) -> str:
        """The ``region`` extra (``cn-shanghai``, ``ap-beijing``...)."""
        value = self.text("region", self.extra.get("region")) or default
        if value is None:
            raise self.fail("region", "is missing: set the extra region (e.g. ap-beijing)")
        if not _REGION.fullmatch(value):
            raise self.fail("region", f"must look like cn-shanghai or ap-beijing, got {value!r}")
        return value

    def endpoint_url(self) -> str | None:
        """The ``endpoint_url`` extra: ``http(s)://host[:port]``, no user info."""
        value = self.text("endpoint_url", self.extra.get("endpoint_url"))
        if value is None:
            return None
        parts = urlsplit(value.replace("{product}", "product").replace("{region}", "region"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self.fail("endpoint_url", "must be an http:// or https:// URL with a host")
        if parts.username or parts.password or parts.query or parts.fragment:
            raise self.fail("endpoint_url", "must not carry user info, a query or a fragment")
        return value.rstrip("/")

    def choice(self, field: str, allowed: tuple[str, ...], default: str) -> str:
        """An extra restricted to ``allowed``."""
        value = self.text(field, self.extra.get(field)) or default
        if value not in allowed:
            raise self.fail(field, f"must be one of {', '.join(allowed)}, got {value!r}")
        return value

    def number(self, field: str, default: float, low: float, high: float) -> float:
        """A numeric extra within ``[low, high]``."""
        value = self.extra.get(field, default)
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise self.fail(field, f"must be a number from {low} to {high}") from None
        if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
            raise self.fail(field, f"must be a number from {low} to {high}")
        return float(value)

    def timeouts(self) -> Timeouts:
        """Extras ``connect_timeout``, ``read_timeout`` and ``total_timeout`` (seconds) over the
        defaults; the only way to set them for a deferred wait, whose hook the triggerer builds."""
        default = Timeouts()
        return Timeouts(
            connect=self.number("connect_timeout", default.connect, 0.1, 300),
            read=self.number("read_timeout", default.read, 0.1, 600),
            total=self.number("total_timeout", default.total, 0.1, 3600),
        )

    def max_response_bytes(self) -> int:
        """Extra ``max_response_bytes``: the largest answer read (default 16 MiB); larger ones are
        refused without reading them into memory."""
        return int(self.number("max_response_bytes", DEFAULT_MAX_RESPONSE_BYTES, 1024, 1 << 30))


def mask(secret: str) -> None:
    """Register ``secret`` with Airflow's log masker."""
    from airflow.sdk.log import mask_secret

    mask_secret(secret)


class MediaJobsBaseHook(BaseHook):
    """Base of both vendors' hooks.

    :param conn_id: the Airflow connection id.
    :param retry_policy: how often and how long to retry transient errors.
    :param timeouts: connect / read / total timeouts in seconds.
    :param max_response_bytes: larger answers are refused (default: the connection's extra
        ``max_response_bytes``, else 16 MiB).
    """

    conn_name_attr: ClassVar[str]
    default_conn_name: ClassVar[str]
    conn_type: ClassVar[str]
    hook_name: ClassVar[str]
    #: This vendor's catalog operations by name; :meth:`operation` accepts only these.
    operations: ClassVar[Mapping[str, Operation]]

    def __init__(
        self,
        conn_id: str | None = None,
        *,
        retry_policy: RetryPolicy | None = None,
        timeouts: Timeouts | None = None,
        max_response_bytes: int | None = None,
        **conn_kwarg: str,
    ) -> None:
        # Airflow (the UI's Test button, default_args) passes the conn id under the hook's
        # ``conn_name_attr`` (``alibaba_cloud_media_conn_id=...``); accept it here, once.
        unknown = set(conn_kwarg) - {self.conn_name_attr}
        if unknown:
            raise TypeError(f"{type(self).__name__} got unexpected arguments {sorted(unknown)}")
        super().__init__()
        self.conn_id = conn_kwarg.get(self.conn_name_attr) or conn_id or self.default_conn_name
        setattr(self, self.conn_name_attr, self.conn_id)
        self.retry_policy = retry_policy or RetryPolicy()
        self._timeouts = timeouts
        self._max_response_bytes = max_response_bytes

    # -- what a vendor supplies -------------------------------------------------------------
    @classmethod
    def protocol_from_connection(cls, conn: Connection) -> VendorProtocol:
        """Turn a connection into the vendor protocol (credentials, region, endpoint)."""
        raise NotImplementedError

    def _test_call(self) -> tuple[Operation, dict[str, Any]]:
        """The cheap signed call ``test_connection`` makes."""
        raise NotImplementedError

    # -- the connection form (one source: get_provider_info) --------------------------------------
    @classmethod
    def _connection_type_info(cls) -> dict[str, Any]:
        from airflow_provider_mediajobs import get_provider_info

        for entry in get_provider_info()["connection-types"]:
            if entry["connection-type"] == cls.conn_type:
                info: dict[str, Any] = entry
                return info
        raise KeyError(cls.conn_type)

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Hidden, relabelled and placeholder fields of the connection form (Airflow 3.1 reads this)."""
        behaviour: dict[str, Any] = dict(cls._connection_type_info()["ui-field-behaviour"])
        return behaviour

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """Extra fields of the connection form for UIs that build it from widgets (Airflow 3.1).

        Airflow 3.3's UI reads ``conn-fields`` from the provider info instead; both come from the
        same declaration. Returns nothing where the widget libraries are not installed.
        """
        try:
            from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
            from flask_babel import lazy_gettext
            from wtforms import PasswordField, SelectField, StringField
        except ImportError:
            return {}
        widgets: dict[str, Any] = {}
        for name, field in cls._connection_type_info()["conn-fields"].items():
            schema = field.get("schema", {})
            label = lazy_gettext(field["label"])
            if schema.get("format") == "password":
                widgets[name] = PasswordField(label, widget=BS3PasswordFieldWidget(), description=field["description"])
            elif "enum" in schema:
                widgets[name] = SelectField(label, choices=[(v, v) for v in schema["enum"]],
                                            default=schema.get("default"), description=field["description"])
            else:
                widgets[name] = StringField(label, widget=BS3TextFieldWidget(), default=schema.get("default"),
                                            description=field["description"])
        return widgets

    # -- shared machinery ---------------------------------------------------------------------
    @classmethod
    def operation(cls, operation: Operation | str) -> Operation:
        """Return this vendor's catalog operation given as itself or by its name.

        An operation of the other vendor, or anything else, is refused before any request: it
        would be signed and sent the wrong way.

        :param operation: an :class:`Operation` of this hook's catalog, or its name
            (``"ListSmartJobs"``).
        """
        name = operation.name if isinstance(operation, Operation) else operation
        found = cls.operations.get(name) if isinstance(name, str) else None
        if found is None or (isinstance(operation, Operation) and operation is not found):
            raise invalid("operation", f"one of {', '.join(sorted(cls.operations))}", operation)
        return found

    @cached_property
    def connection(self) -> Connection:
        """The Airflow connection (read once per hook)."""
        return self.get_connection(self.conn_id)

    @cached_property
    def protocol(self) -> VendorProtocol:
        """The vendor protocol built from the connection."""
        return self.protocol_from_connection(self.connection)

    @cached_property
    def timeouts(self) -> Timeouts:
        """The ``timeouts`` argument, else the connection's timeout extras, else the defaults."""
        return self._timeouts or ConnectionFields(self.connection, self.conn_type).timeouts()

    @cached_property
    def max_response_bytes(self) -> int:
        """The ``max_response_bytes`` argument, else the connection's extra, else 16 MiB."""
        if self._max_response_bytes is not None:
            return self._max_response_bytes
        return ConnectionFields(self.connection, self.conn_type).max_response_bytes()

    @cached_property
    def session(self) -> Any:
        """One pooled ``requests.Session`` per hook."""
        import requests

        session = requests.Session()
        # Proxies and netrc from the environment would silently reroute signed requests.
        session.trust_env = False
        mount_deadline_adapter(session)  # total_timeout bounds every sync attempt, trickles included
        return session

    @cached_property
    def client(self) -> Client:
        """The sync client: protocol, pooled sender and retry policy."""
        return Client(self.protocol, SyncSender(self.session, self.timeouts, self.max_response_bytes),
                      self.retry_policy)

    def get_conn(self) -> Client:
        """Return the sync client (Airflow's conventional accessor)."""
        return self.client

    def call(self, operation: Operation | str, **arguments: Any) -> dict[str, Any]:
        """Check ``arguments``, then call ``operation`` once (with retries).

        :param operation: a catalog operation of this vendor, or its name.
        :param arguments: its Python-named arguments; None means not given.
        """
        operation = self.operation(operation)
        return self.client.call(operation, operation.bind(arguments))

    def iter_pages(
        self, operation: Operation | str, max_items: int | None = None, *, labels: Mapping[str, str] | None = None,
        **arguments: Any,
    ) -> Iterator[list[Any]]:
        """Yield the items of each page lazily, stopping at ``max_items``.

        The operation and arguments are checked here, when the iterator is made, so bad input
        raises at the call site rather than at the first ``next()``; pages are fetched lazily.

        :param labels: argument names to show in errors instead of the catalog's, for methods
            that expose an argument under another name (``page_size`` for ``max_results``).
        """
        return self._pages(self.start_listing(operation, max_items, arguments, labels))

    @classmethod
    def start_listing(
        cls, operation: Operation | str, max_items: int | None, arguments: Mapping[str, Any],
        labels: Mapping[str, str] | None = None,
    ) -> Pager:
        """Resolve ``operation`` and check ``arguments`` for a listing; no request is made.

        Shared by the sync and async listings so both refuse the same input the same way.
        """
        operation = cls.operation(operation)
        return Pager(operation, operation.bind(arguments, labels), max_items)

    def _pages(self, pager: Pager) -> Iterator[list[Any]]:
        while (params := pager.next_params()) is not None:
            yield pager.feed(self.client.call(pager.operation, params))

    def paginate(self, operation: Operation | str, max_items: int | None = None, **arguments: Any) -> list[Any]:
        """Return every item of a listing (up to ``max_items``)."""
        return [item for page in self.iter_pages(operation, max_items, **arguments) for item in page]

    def get_job(self, kind: JobKind, **ids: Any) -> dict[str, Any]:
        """Fetch one job of ``kind``.

        :raises NotFoundError: the vendor says it does not exist.
        """
        kind.check_ids(ids)
        response = self.call(kind.get, **ids)
        return extract_job(kind, response, ids)

    def test_connection(self) -> tuple[bool, str]:
        """Make one cheap signed call; return ``(ok, message)`` without any secret in it."""
        try:
            operation, arguments = self._test_call()
            self.call(operation, **arguments)
        except MediaJobsError as err:
            return False, str(err)
        except Exception as err:  # the UI shows the message; it must not be a stack trace
            return False, f"{type(err).__name__}: {err}"
        return True, f"Connection {self.conn_id!r} works: {operation.name} answered."


def extract_job(kind: JobKind, response: Mapping[str, Any], ids: Mapping[str, Any]) -> dict[str, Any]:
    """Pick the job out of a ``get`` response, or raise :class:`NotFoundError`."""
    job = kind.extract(response, str(ids[kind.job_id_arg]))
    if job is None:
        raise NotFoundError(f"{kind.name} {ids[kind.job_id_arg]!r} does not exist", code="NotFound")
    return dict(job)


class AsyncJobClient:
    """The triggers' side: the same protocol, policy and parsing, with an aiohttp session.

    Build it with :meth:`create`, which reads the connection without blocking the triggerer's
    event loop; close it with :meth:`close`.
    """

    def __init__(self, hook_class: type[MediaJobsBaseHook], conn_id: str, client: AsyncClient) -> None:
        self.hook_class = hook_class
        self.conn_id = conn_id
        self.client = client

    @classmethod
    async def create(
        cls,
        hook_class: type[MediaJobsBaseHook],
        conn_id: str,
        *,
        retry_policy: RetryPolicy | None = None,
        timeouts: Timeouts | None = None,
        max_response_bytes: int | None = None,
    ) -> AsyncJobClient:
        """Read ``conn_id`` asynchronously and open a session for it."""
        import aiohttp

        conn = await BaseHook.aget_connection(conn_id)
        protocol = hook_class.protocol_from_connection(conn)
        session = aiohttp.ClientSession(trust_env=False)
        fields = ConnectionFields(conn, hook_class.conn_type)
        sender = AsyncSender(session, timeouts or fields.timeouts(), max_response_bytes or fields.max_response_bytes())
        return cls(hook_class, conn_id, AsyncClient(protocol, sender, retry_policy or RetryPolicy()))

    async def refresh_credentials(self) -> None:
        """Re-read the connection (e.g. after temporary credentials were renewed)."""
        conn = await BaseHook.aget_connection(self.conn_id)
        self.client.protocol = self.hook_class.protocol_from_connection(conn)

    async def call(self, operation: Operation | str, **arguments: Any) -> dict[str, Any]:
        """Async twin of :meth:`MediaJobsBaseHook.call`."""
        operation = self.hook_class.operation(operation)
        return await self.client.call(operation, operation.bind(arguments))

    def iter_pages(
        self, operation: Operation | str, max_items: int | None = None, **arguments: Any
    ) -> AsyncIterator[list[Any]]:
        """Async twin of :meth:`MediaJobsBaseHook.iter_pages`; bad input raises here too."""
        return self._pages(self.hook_class.start_listing(operation, max_items, arguments))

    async def _pages(self, pager: Pager) -> AsyncIterator[list[Any]]:
        while (params := pager.next_params()) is not None:
            yield pager.feed(await self.client.call(pager.operation, params))

    async def get_job(self, kind: JobKind, **ids: Any) -> dict[str, Any]:
        """Async twin of :meth:`MediaJobsBaseHook.get_job`."""
        kind.check_ids(ids)
        return extract_job(kind, await self.call(kind.get, **ids), ids)

    async def close(self) -> None:
        """Close the aiohttp session."""
        await self.client.sender.session.close()
