"""What both vendors' hooks share: connection handling, the sync client, paging, one-job reads,
and the async client the triggers use. A vendor hook only says how a connection becomes a
:class:`~airflow_provider_mediajobs.transport.VendorProtocol` and names its public methods.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from functools import cached_property
from string import Formatter
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple
from urllib.parse import urlsplit

from airflow.sdk import BaseHook

from airflow_provider_mediajobs import extras, quota, transport
from airflow_provider_mediajobs.catalog.model import JobKind, Operation
from airflow_provider_mediajobs.catalog.paging import Pager
from airflow_provider_mediajobs.catalog.params import invalid
from airflow_provider_mediajobs.exceptions import (
    MediaJobsValidationError,
    NotFoundError,
    redacted,
    secret_forms,
)
from airflow_provider_mediajobs.extras import MAX_RESPONSE_BYTES, MIN_RESPONSE_BYTES
from airflow_provider_mediajobs.shared_budget import SharedBudgetUrl
from airflow_provider_mediajobs.transport import (
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

    from airflow_provider_mediajobs.extras import Choice, Tunable
    from airflow_provider_mediajobs.quota import TokenBucket
    from airflow_provider_mediajobs.vendors import Vendor

log = logging.getLogger(__name__)

# ASCII classes only: Python's \d and \w also match other scripts' digits and letters.
_REGION = re.compile(r"[a-z]{2,}(-[a-z0-9]+)+", re.ASCII)
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)", re.ASCII)

# Extras every connection of this provider reads; a vendor adds its own (``VendorApi.extras``).
COMMON_EXTRAS = frozenset({"region", "security_token", "endpoint_url", "allow_unknown_region",
                           extras.QPS_BUDGET_REDIS_URL}) | {t.name for t in extras.TUNABLES} | {
    c.name for c in extras.CHOICES
}


class ConnectionSettings(NamedTuple):
    """Everything one read of a connection yields, checked as a whole.

    :param protocol: the vendor protocol (credentials, region, endpoint).
    :param timeouts: connect / read / total timeouts (extras ``*_timeout``).
    :param max_response_bytes: the largest answer read (extra ``max_response_bytes``).
    :param qps_budget: requests per second per key pair (extra ``qps_budget``): per process, or for
        every process together with ``qps_budget_redis_url``.
    :param batch_size: most ids per batched call (extra ``batch_size``).
    :param batch_window: longest wait for a partial batch to fill, seconds (extra ``batch_window``).
    :param qps_budget_redis_url: the Redis holding the key pair's shared budget (extra
        ``qps_budget_redis_url``), or None; its repr hides the URL.
    :param list_sweeps: whether the shared poller may answer waits by list sweeps (extra
        ``list_sweeps``: ``auto`` or ``off``).
    """

    protocol: VendorProtocol
    timeouts: Timeouts
    max_response_bytes: int
    qps_budget: float
    batch_size: int
    batch_window: float
    qps_budget_redis_url: SharedBudgetUrl | None = None
    list_sweeps: bool = True


class ConnectionFields:
    """Read and check a connection's fields, naming the field in every error.

    :param conn: the Airflow connection.
    :param conn_type: its expected type, for messages.
    """

    def __init__(self, conn: Connection, conn_type: str) -> None:
        self.conn = conn
        self.where = f"connection {conn.conn_id!r} ({conn_type})"
        try:
            extra = conn.extra_dejson if conn.extra else {}
        except Exception:  # whatever the parser says, the field is unusable
            raise MediaJobsValidationError(f"{self.where}: extra must be a JSON object") from None
        if not isinstance(extra, dict):
            raise MediaJobsValidationError(f"{self.where}: extra must be a JSON object")
        self.extra: dict[str, Any] = extra

    def fail(self, field: str, problem: str) -> MediaJobsValidationError:
        """An error that names the field and what is wrong, never its value."""
        return MediaJobsValidationError(f"{self.where}: {field} {problem}")

    def text(self, field: str, value: Any, *, required: bool = False, ascii_only: bool = False) -> str | None:
        """A string field: stripped, no control characters or inner spaces.

        :param ascii_only: printable ASCII only (values that go into HTTP headers: keys, tokens).
        """
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(field, "is missing")
            return None
        if not isinstance(value, str):
            raise self.fail(field, f"must be a string, not {type(value).__name__}")
        text: str = value.strip()
        if re.search(r"[\s\x00-\x1f\x7f]", text):
            raise self.fail(field, "must not contain spaces or control characters")
        if ascii_only and not (text.isascii() and text.isprintable()):
            raise self.fail(field, "must be printable ASCII (it is sent in an HTTP header)")
        if "{{" in text or "{%" in text:
            raise self.fail(field, "looks like an unrendered Jinja template")
        return text

    def secret_pair(self, id_label: str, secret_label: str) -> tuple[str, str]:
        """Key id and secret from login/password, or the official connection's extras."""
        key_id = self.text(f"{id_label} (login)", self.conn.login, ascii_only=True) or self.text(
            f"{id_label} (extra access_key_id)", self.extra.get("access_key_id"), ascii_only=True
        )
        secret = self.text(f"{secret_label} (password)", self.conn.password, ascii_only=True) or self.text(
            f"{secret_label} (extra access_key_secret)", self.extra.get("access_key_secret"), ascii_only=True
        )
        if not key_id:
            raise self.fail(id_label, "is missing: set the login field (or the extra access_key_id)")
        if not secret:
            raise self.fail(secret_label, "is missing: set the password field (or the extra access_key_secret)")
        mask(secret)
        return key_id, secret

    def secret(self, field: str) -> str | None:
        """An optional secret extra, masked in logs as soon as it is read."""
        value = self.text(field, self.extra.get(field), ascii_only=True)
        if value:
            mask(value)
        return value

    def region(self, default: str | None, known: frozenset[str] = frozenset(), vendor: str = "") -> str:
        """The ``region`` extra (``cn-shanghai``, ``ap-beijing``...).

        :param known: the vendor's region ids; another one is refused (a typo would otherwise
            fail only at the first request, as a DNS error or ``NoSuchBucket``), unless the
            extra ``allow_unknown_region`` is true.
        :param vendor: the vendor's name, for the error.
        """
        value = self.text("region", self.extra.get("region")) or default
        if value is None:
            raise self.fail("region", "is missing: set the extra region (e.g. ap-beijing)")
        if not _REGION.fullmatch(value):
            raise self.fail("region", f"must look like cn-shanghai or ap-beijing, got {value!r}")
        if known and value not in known and not self.flag("allow_unknown_region"):
            import difflib

            close = difflib.get_close_matches(value, sorted(known), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise self.fail("region", f"{value!r} is not a {vendor} region id{hint}; known: "
                            f"{', '.join(sorted(known))}. For a region newer than this provider, set the "
                            "extra allow_unknown_region to true")
        return value

    def flag(self, field: str) -> bool:
        """A boolean extra (``true``/``false``, as JSON or text); false when unset."""
        value = self.extra.get(field)
        if value is None or value == "":
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise self.fail(field, f"must be true or false, got {value!r}")

    def endpoint_url(self, placeholders: Mapping[str, str]) -> str | None:
        """The ``endpoint_url`` extra: ``http(s)://host[:port]``, no user info, path or query.

        Checked here, with the placeholders filled by example values, so that a bad port, a stray
        brace or a broken IPv6 literal is an error about this field, not a library error at
        request time.

        :param placeholders: the ``{name}`` placeholders this vendor fills, each with an example
            value (``{"product": "ice", "region": "cn-shanghai"}``).
        """
        value = self.text("endpoint_url", self.extra.get("endpoint_url"))
        if value is None:
            return None
        allowed = ", ".join("{" + p + "}" for p in placeholders) or "none"
        try:
            names = [name for _, name, spec, conv in Formatter().parse(value) if name is not None or spec or conv]
        except ValueError:
            problem = f"has an unmatched '{{' or '}}' (placeholders allowed: {allowed})"
            raise self.fail("endpoint_url", problem) from None
        unknown = sorted({str(n) for n in names if n not in placeholders})
        if unknown:
            raise self.fail("endpoint_url", f"names unknown placeholders {unknown} (allowed: {allowed})")
        sample = value.format(**placeholders)
        url_problem = _url_problem(sample)
        if url_problem:
            raise self.fail("endpoint_url", url_problem)
        return value.rstrip("/")

    def choice(self, field: str, allowed: tuple[str, ...], default: str) -> str:
        """An extra restricted to ``allowed``."""
        value = self.text(field, self.extra.get(field)) or default
        if value not in allowed:
            raise self.fail(field, f"must be one of {', '.join(allowed)}, got {value!r}")
        return value

    def pick(self, extra: Choice) -> str:
        """A word extra declared in :mod:`airflow_provider_mediajobs.extras`, one of its values."""
        return self.choice(extra.name, extra.values, extra.default)

    def tunable(self, extra: Tunable, high: float | None = None) -> float:
        """A numeric extra declared in :mod:`airflow_provider_mediajobs.extras`, within its bounds.

        :param high: a lower upper bound than the declared one (a vendor's own cap).
        """
        top = extra.high if high is None else min(high, extra.high)
        return self.number(extra.name, min(extra.default, top), extra.low, top, integer=extra.integer)

    def number(self, field: str, default: float, low: float, high: float, *, integer: bool = False) -> float:
        """A numeric extra within ``[low, high]`` (a number, or a string of ASCII digits).

        :param integer: whole numbers only.
        """
        value = self.extra.get(field)
        kind = "an integer" if integer else "a number"
        problem = f"must be {kind} from {low:g} to {high:g}"
        if value is None or (isinstance(value, str) and not value.strip()):
            return default
        if isinstance(value, str):
            # float() alone would take "nan", "1e400", "1_0" and digits of other scripts.
            if not _NUMBER.fullmatch(value.strip()):
                raise self.fail(field, f"{problem}, got {value!r}")
            value = float(value)
        if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
            raise self.fail(field, f"{problem}, got {value!r}")
        if integer and value != int(value):
            raise self.fail(field, f"{problem}, got {value!r}")
        return float(value)

    def timeouts(self) -> Timeouts:
        """Extras ``connect_timeout``, ``read_timeout`` and ``total_timeout`` (seconds) over the
        defaults; the only way to set them for a deferred wait, whose hook the triggerer builds."""
        return Timeouts(
            connect=self.tunable(extras.CONNECT_TIMEOUT),
            read=self.tunable(extras.READ_TIMEOUT),
            total=self.tunable(extras.TOTAL_TIMEOUT),
        )

    def max_response_bytes(self) -> int:
        """Extra ``max_response_bytes``: the largest answer read (default 16 MiB); larger ones are
        refused without reading them into memory."""
        return int(self.tunable(extras.MAX_RESPONSE))

    def shared_budget_url(self) -> SharedBudgetUrl | None:
        """Extra ``qps_budget_redis_url``: ``redis://[[user]:password@]host[:port][/db]`` or
        ``rediss://...``, masked in logs as soon as it is read; None when unset.

        No error quotes the value (it may carry a password), and query options are refused: the
        provider sets the client's timeouts itself, so a hung Redis cannot stall a request.
        """
        field = extras.QPS_BUDGET_REDIS_URL
        url = self.text(field, self.extra.get(field), ascii_only=True)
        if url is None:
            return None
        mask(url)
        target = SharedBudgetUrl(url)
        for secret in target.secrets[1:]:  # the password, as written and as sent
            mask(secret)
        problem = _redis_url_problem(url)
        if problem:
            raise self.fail(field, problem)
        import importlib.util

        if importlib.util.find_spec("limits") is None or importlib.util.find_spec("redis") is None:
            raise self.fail(field, "needs limits and redis-py: install the provider's redis extra "
                            "(airflow-provider-mediajobs[redis])")
        return target

    def unknown_extras(self, known: frozenset[str]) -> list[str]:
        """Extras this provider does not read (a typo such as ``batchsize`` would be ignored)."""
        return sorted(k for k in self.extra if k not in known)


def _url_problem(url: str) -> str | None:
    """What is wrong with an endpoint URL, or None."""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError past 65535 or for a non-numeric port
    except ValueError as err:
        return f"is not a valid URL ({err})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http:// or https:// URL with a host"
    if "@" in parts.netloc or parts.query or parts.fragment or "?" in url or "#" in url:
        return "must not carry user info, a query or a fragment"
    if parts.path not in ("", "/"):
        return "must not carry a path: requests are signed for the path the vendor expects"
    if port == 0:
        return "must not use port 0"
    host = parts.hostname
    if parts.netloc.startswith("["):
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"has an invalid IPv6 address {host!r}"
    elif not (len(host) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in host.rstrip(".").split("."))):
        return f"has an invalid host name {host!r} (letters, digits, '-' and '.' only)"
    return None


def _redis_url_problem(url: str) -> str | None:
    """What is wrong with a Redis URL, or None; never quoting it (it may hold a password)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a valid URL (check the host and port)"
    if parts.scheme not in ("redis", "rediss"):
        return "must be a redis:// or rediss:// URL"
    if not parts.hostname:
        return "must name a host"
    if port == 0:
        return "must not use port 0"
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return "must not carry a query or a fragment (the provider sets the client's options)"
    if parts.path not in ("", "/") and not re.fullmatch(r"/[0-9]{1,5}", parts.path, re.ASCII):
        return "may only have a database number as its path (redis://host:6379/0)"
    return None


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < float("inf")


def check_conn_id(arg: str, conn_id: Any) -> None:
    """A connection id must be a plain, rendered string (Airflow's own rule: letters, digits,
    ``_ - .``), so a typo or an unrendered ``{{ ... }}`` fails here and not as "not found".

    :param arg: the argument's name, for the error.
    """
    if not isinstance(conn_id, str) or not re.fullmatch(r"[A-Za-z0-9_.\-]{1,250}", conn_id, re.ASCII):
        if isinstance(conn_id, str) and ("{{" in conn_id or "{%" in conn_id):
            raise invalid(arg, "a rendered connection id (this still holds a Jinja template)", conn_id)
        raise invalid(arg, "a connection id of letters, digits, '_', '-' or '.'", conn_id)


def mask(secret: str) -> None:
    """Register ``secret`` with Airflow's log masker, in every form it can take on the wire
    (percent-encoded in a signed query, base64...): the masker matches exact text only."""
    from airflow.sdk.log import mask_secret

    for form in secret_forms(secret) or {secret}:
        mask_secret(form)


class VendorApi:
    """One vendor's API as the hooks and the async client use it: who the vendor is, its catalog
    operations, and how one of its connections becomes a protocol and settings.

    A plain object, so the triggers' async client holds the vendor itself rather than a hook
    class used for its classmethods; each vendor's hook module defines one.

    :param identity: the vendor's Airflow identity (connection type, attribute, default id).
    :param operations: the vendor's catalog operations by name; only these are ever sent.
    :param read_protocol: turns a connection's fields into the vendor protocol (credentials,
        region, endpoint), checking each.
    :param extras: extras the vendor reads beyond :data:`COMMON_EXTRAS`.
    :param max_batch_size: the most ids one batched call takes (the ``batch_size`` extra's bound).
    :param compatible_conn_types: other connection types it reads (the official ``alibaba_cloud``).
    """

    def __init__(
        self,
        identity: Vendor,
        operations: Mapping[str, Operation],
        read_protocol: Callable[[ConnectionFields], VendorProtocol],
        *,
        extras: frozenset[str] = frozenset(),
        max_batch_size: int = 1,
        compatible_conn_types: tuple[str, ...] = (),
    ) -> None:
        self.identity = identity
        self.operations = operations
        self._read_protocol = read_protocol
        self.extras = extras
        self.max_batch_size = max_batch_size
        self.accepted_conn_types = (identity.conn_type, *compatible_conn_types)

    def __repr__(self) -> str:
        return f"VendorApi({self.identity.name})"

    def protocol(self, conn: Connection) -> VendorProtocol:
        """Turn a connection into the vendor protocol (credentials, region, endpoint)."""
        return self._read_protocol(ConnectionFields(conn, self.identity.conn_type))

    def settings(self, conn: Connection) -> ConnectionSettings:
        """Read and check every field of ``conn`` at once: credentials, region, endpoint, timeouts,
        size cap and the shared poller's tuning. A bad value fails here, naming the field, before
        any request; an extra this provider does not read is logged (it may be a typo).
        """
        fields = ConnectionFields(conn, self.identity.conn_type)
        kind = getattr(conn, "conn_type", None)
        if kind and kind not in self.accepted_conn_types:
            # Said first: the other vendor's fields would otherwise surface as "bucket is missing".
            raise MediaJobsValidationError(
                f"{fields.where}: the connection's type is {kind!r}; {self.identity.hook_class_name} takes "
                f"{' or '.join(repr(t) for t in self.accepted_conn_types)} connections"
            )
        settings = ConnectionSettings(
            protocol=self._read_protocol(fields),
            timeouts=fields.timeouts(),
            max_response_bytes=fields.max_response_bytes(),
            qps_budget=fields.tunable(extras.QPS_BUDGET),
            batch_size=int(fields.tunable(extras.BATCH_SIZE, high=self.max_batch_size)),
            batch_window=fields.tunable(extras.BATCH_WINDOW),
            qps_budget_redis_url=fields.shared_budget_url(),
            list_sweeps=fields.pick(extras.LIST_SWEEPS) == "auto",
        )
        known = COMMON_EXTRAS | self.extras
        ignored = fields.unknown_extras(known)
        if ignored:
            log.warning("%s: extras %s are not read by this provider (known: %s)", fields.where, ignored,
                        ", ".join(sorted(known)))
        return settings

    def operation(self, operation: Operation | str) -> Operation:
        """Return this vendor's catalog operation given as itself or by its name.

        An operation of the other vendor, or anything else, is refused before any request: it
        would be signed and sent the wrong way.

        :param operation: an :class:`Operation` of this vendor's catalog, or its catalog name
            (``"ListSmartJobs"``, ``"ice.SubmitIProductionJob"``).
        """
        if isinstance(operation, Operation):
            # By identity: two products may have an action of the same name (the catalog keys the
            # later one ``product.action``).
            found = operation if any(op is operation for op in self.operations.values()) else None
        else:
            found = self.operations.get(operation) if isinstance(operation, str) else None
        if found is None:
            raise invalid("operation", f"one of {', '.join(sorted(self.operations))}", operation)
        return found

    def start_listing(self, operation: Operation | str, max_items: int | None, arguments: Mapping[str, Any]) -> Pager:
        """Resolve ``operation`` and check ``arguments`` for a listing; no request is made.

        Shared by the sync and async listings so both refuse the same input the same way.
        """
        operation = self.operation(operation)
        return Pager(operation, operation.bind(arguments), max_items)


class MediaJobsBaseHook(BaseHook):
    """Base of both vendors' hooks.

    :param conn_id: the Airflow connection id.
    :param retry_policy: how often and how long to retry transient errors.
    :param timeouts: connect / read / total timeouts in seconds.
    :param max_response_bytes: larger answers are refused (default: the connection's extra
        ``max_response_bytes``, else 16 MiB).
    """

    #: The vendor: identity, catalog and connection reading. Each vendor hook names its own; the
    #: attributes Airflow reads from a hook class (below) are derived from it.
    api: ClassVar[VendorApi]
    conn_name_attr: ClassVar[str]
    default_conn_name: ClassVar[str]
    conn_type: ClassVar[str]
    hook_name: ClassVar[str]
    #: The most ids one batched call of this vendor takes (the ``batch_size`` extra's bound).
    max_batch_size: ClassVar[int] = 1

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
        check_conn_id(self.conn_name_attr if self.conn_name_attr in conn_kwarg else "conn_id", self.conn_id)
        if retry_policy is not None and not isinstance(retry_policy, transport.RetryPolicy):
            raise invalid("retry_policy", "a RetryPolicy or None", retry_policy)
        if timeouts is not None and not (
            isinstance(timeouts, Timeouts)
            and all(_positive(v) for v in (timeouts.connect, timeouts.read, timeouts.total))
        ):
            raise invalid("timeouts", "a Timeouts of positive finite seconds, or None", timeouts)
        if max_response_bytes is not None and not (
            isinstance(max_response_bytes, int) and not isinstance(max_response_bytes, bool)
            and MIN_RESPONSE_BYTES <= max_response_bytes <= MAX_RESPONSE_BYTES
        ):
            raise invalid("max_response_bytes", f"an integer from {MIN_RESPONSE_BYTES} to {MAX_RESPONSE_BYTES} "
                          "or None", max_response_bytes)
        setattr(self, self.conn_name_attr, self.conn_id)
        self.retry_policy = retry_policy or RetryPolicy()
        self._timeouts = timeouts
        self._max_response_bytes = max_response_bytes

    def _test_call(self) -> tuple[Operation, dict[str, Any]]:
        """The cheap signed call ``test_connection`` makes."""
        raise NotImplementedError

    @classmethod
    def protocol_from_connection(cls, conn: Connection) -> VendorProtocol:
        """Turn a connection into the vendor protocol (see :meth:`VendorApi.protocol`)."""
        return cls.api.protocol(conn)

    @classmethod
    def settings_from_connection(cls, conn: Connection) -> ConnectionSettings:
        """Read and check every field of ``conn`` (see :meth:`VendorApi.settings`)."""
        return cls.api.settings(conn)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "api" in cls.__dict__:
            vendor = cls.api.identity
            cls.conn_name_attr = vendor.conn_name_attr
            cls.default_conn_name = vendor.default_conn_id
            cls.conn_type = vendor.conn_type
            cls.hook_name = vendor.integration
            cls.max_batch_size = cls.api.max_batch_size
            # Airflow 3.1 reads the form methods only from the hook class's own __dict__ (not
            # from a base), so each vendor hook gets them as its own.
            for name in ("get_ui_field_behaviour", "get_connection_form_widgets"):
                if name not in cls.__dict__:
                    setattr(cls, name, classmethod(getattr(MediaJobsBaseHook, name).__func__))

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
        # Provider info spells the keys in kebab case (hidden-fields); the hook method's contract,
        # which Airflow 3.1 validates, is snake case (hidden_fields).
        declared = cls._connection_type_info()["ui-field-behaviour"]
        return {key.replace("-", "_"): value for key, value in declared.items()}

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """Extra fields of the connection form for UIs that build it from widgets (Airflow 3.1).

        Airflow 3.3's UI reads ``conn-fields`` from the provider info instead; both come from the
        same declaration. Returns nothing where the widget libraries are not installed.
        """
        try:
            from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
            from flask_babel import lazy_gettext
            from wtforms import PasswordField, StringField
        except ImportError:
            return {}
        widgets: dict[str, Any] = {}
        for name, field in cls._connection_type_info()["conn-fields"].items():
            schema = field.get("schema", {})
            label = lazy_gettext(field["label"])
            if schema.get("format") == "password":
                widgets[name] = PasswordField(label, widget=BS3PasswordFieldWidget(), description=field["description"])
            elif "enum" in schema:
                # A text field: Airflow 3.1 accepts only String, Password, Integer and Boolean
                # fields from a hook, and drops every widget of a hook that offers another.
                allowed = ", ".join(schema["enum"])
                widgets[name] = StringField(label, widget=BS3TextFieldWidget(), default=schema.get("default"),
                                            description=f"{field['description']} ({allowed})")
            else:
                widgets[name] = StringField(label, widget=BS3TextFieldWidget(), default=schema.get("default"),
                                            description=field["description"])
        return widgets

    # -- shared machinery ---------------------------------------------------------------------
    @classmethod
    def operation(cls, operation: Operation | str) -> Operation:
        """This vendor's catalog operation given as itself or by its name (see :meth:`VendorApi.operation`)."""
        return cls.api.operation(operation)

    @cached_property
    def connection(self) -> Connection:
        """The Airflow connection (read once per hook)."""
        return self.get_connection(self.conn_id)

    @cached_property
    def settings(self) -> ConnectionSettings:
        """The checked connection settings (see :meth:`settings_from_connection`)."""
        return self.settings_from_connection(self.connection)

    @cached_property
    def protocol(self) -> VendorProtocol:
        """The vendor protocol built from the connection."""
        return self.settings.protocol

    @cached_property
    def timeouts(self) -> Timeouts:
        """The ``timeouts`` argument, else the connection's timeout extras, else the defaults."""
        return self._timeouts or self.settings.timeouts

    @cached_property
    def max_response_bytes(self) -> int:
        """The ``max_response_bytes`` argument, else the connection's extra, else 16 MiB."""
        if self._max_response_bytes is not None:
            return self._max_response_bytes
        return self.settings.max_response_bytes

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
        """The sync client: protocol, pooled sender, retry policy, and the key pair's limiter
        (one per process, shared with the Redis budget where the connection names one)."""
        settings = self.settings
        limiter = quota.blocking_limiter_for(quota_key(self.api, settings.protocol), settings.qps_budget,
                                             settings.qps_budget_redis_url)
        return Client(self.protocol, SyncSender(self.session, self.timeouts, self.max_response_bytes),
                      self.retry_policy, limiter)

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

    def _send_uncatalogued(self, operation: Operation, wire: Mapping[str, str]) -> dict[str, Any]:
        """Send an operation the catalog does not declare, as the vendor hooks' escape hatches
        (``call_action``, ``call_path``) build it: signed, rate-limited and retried like any call
        (an ambiguous failure only when ``operation.idempotent``), its answer size-capped, parsed
        and its errors typed and scrubbed of secrets.

        :param operation: the checked operation.
        :param wire: its parameters, already as the vendor names and spells them.
        """
        return self.client.call(operation, dict(wire))

    def iter_pages(
        self, operation: Operation | str, max_items: int | None = None, **arguments: Any
    ) -> Iterator[list[Any]]:
        """Yield the items of each page lazily, stopping at ``max_items``.

        The operation and arguments are checked here, when the iterator is made, so bad input
        raises at the call site rather than at the first ``next()``; pages are fetched lazily.
        """
        return self._pages(self.api.start_listing(operation, max_items, arguments))

    def _pages(self, pager: Pager) -> Iterator[list[Any]]:
        while (params := pager.next_params()) is not None:
            yield pager.feed(self.client.call(pager.operation, params))

    def paginate(self, operation: Operation | str, max_items: int | None = None, **arguments: Any) -> list[Any]:
        """Return every item of a listing (up to ``max_items``)."""
        return [item for page in self.iter_pages(operation, max_items, **arguments) for item in page]

    def get_job(self, kind: JobKind, **ids: Any) -> dict[str, Any]:
        """Fetch one job of ``kind``.

        :param ids: the arguments of ``kind.get`` that name the job.
        :raises NotFoundError: the vendor says it does not exist.
        """
        kind.check_ids(ids)
        return extract_job(kind, self.call(kind.get, **ids), ids)

    def cancel_job_of(self, kind: JobKind, **ids: Any) -> None:
        """Ask the vendor to cancel one job of ``kind`` (its catalog ``cancel``).

        :param ids: the arguments of ``kind.get`` that name the job.
        :raises CancelNotSupportedError: the vendor has no cancel for this kind.
        :raises VendorError: the vendor refused (a job that already runs, for Tencent CI).
        """
        kind.check_ids(ids)
        operation, arguments = kind.cancel_call(ids)
        self.call(operation, **arguments)

    def test_connection(self) -> tuple[bool, str]:
        """Make one cheap signed call; return ``(ok, message)`` without any secret in it."""
        try:
            operation, arguments = self._test_call()
            self.call(operation, **arguments)
        except Exception as err:  # the UI shows the message: never a stack trace, never a secret
            known = self.__dict__.get("protocol")
            return False, str(redacted(err, known.secrets() if known is not None else ()))
        return True, f"Connection {self.conn_id!r} works: {operation.name} answered."


def extract_job(kind: JobKind, response: Mapping[str, Any], ids: Mapping[str, Any]) -> dict[str, Any]:
    """Pick the job out of a ``get`` response, or raise :class:`NotFoundError`.

    :raises BadResponseError: the answer names another job, a job without a state, or is
        ambiguous about this one (see :meth:`JobKind.find`).
    """
    job_id = kind.job_id(ids)
    job = kind.find(response, job_id)
    if job is None:
        raise NotFoundError(f"{kind.name} {job_id!r} does not exist", code="NotFound")
    return dict(job)


def quota_key(vendor: VendorApi, protocol: VendorProtocol) -> str:
    """Who the vendor counts requests against: the connection type and key id (never the secret)."""
    return f"{vendor.identity.conn_type}:{protocol.key_id()}"


class AsyncJobClient:
    """The triggers' side: the same vendor, protocol, policy and parsing, with an aiohttp session.

    Build it with :meth:`create`, which reads the connection without blocking the triggerer's
    event loop; close it with :meth:`close`.

    :param vendor: the vendor whose API this client calls.
    :param conn_id: the connection it was read from (re-read by :meth:`refresh_credentials`).
    :param client: the async caller.
    :param settings: the connection's checked settings (from :meth:`create`).
    """

    def __init__(self, vendor: VendorApi, conn_id: str, client: AsyncClient,
                 settings: ConnectionSettings | None = None) -> None:
        self.vendor = vendor
        self.conn_id = conn_id
        self.client = client
        self.settings = settings

    @classmethod
    async def create(
        cls,
        vendor: VendorApi,
        conn_id: str,
        *,
        retry_policy: RetryPolicy | None = None,
        timeouts: Timeouts | None = None,
        max_response_bytes: int | None = None,
    ) -> AsyncJobClient:
        """Read ``conn_id`` asynchronously (once) and open a session for it.

        :param vendor: the vendor (a hook's ``api``).
        :param conn_id: the Airflow connection id.
        """
        # Imported here: a worker's sync hook never needs aiohttp (the triggers import it up front).
        import aiohttp

        check_conn_id("conn_id", conn_id)
        settings = vendor.settings(await BaseHook.aget_connection(conn_id))
        # Every client of one key pair in this event loop draws from one limiter (quota.py), and
        # from the key pair's shared budget where the connection names a Redis.
        limiter = quota.limiter_for(quota_key(vendor, settings.protocol), settings.qps_budget,
                                    settings.qps_budget_redis_url)
        session = aiohttp.ClientSession(trust_env=False)
        sender = AsyncSender(session, timeouts or settings.timeouts, max_response_bytes or settings.max_response_bytes)
        client = AsyncClient(settings.protocol, sender, retry_policy or RetryPolicy(), limiter)
        return cls(vendor, conn_id, client, settings)

    @property
    def quota_key(self) -> str:
        """Who the vendor counts requests against: the connection type and key id (never the secret)."""
        return quota_key(self.vendor, self.client.protocol)

    @property
    def limiter(self) -> TokenBucket | None:
        """The key pair's request limiter every attempt of this client waits on."""
        return self.client.limiter

    async def refresh_credentials(self) -> None:
        """Re-read the connection (e.g. after temporary credentials were renewed)."""
        self.client.protocol = self.vendor.protocol(await BaseHook.aget_connection(self.conn_id))

    async def call(self, operation: Operation | str, **arguments: Any) -> dict[str, Any]:
        """Async twin of :meth:`MediaJobsBaseHook.call`."""
        operation = self.vendor.operation(operation)
        return await self.client.call(operation, operation.bind(arguments))

    def iter_pages(
        self, operation: Operation | str, max_items: int | None = None, **arguments: Any
    ) -> AsyncIterator[list[Any]]:
        """Async twin of :meth:`MediaJobsBaseHook.iter_pages`; bad input raises here too."""
        return self._pages(self.vendor.start_listing(operation, max_items, arguments))

    async def _pages(self, pager: Pager) -> AsyncIterator[list[Any]]:
        while (params := pager.next_params()) is not None:
            yield pager.feed(await self.client.call(pager.operation, params))

    async def get_job(self, kind: JobKind, **ids: Any) -> dict[str, Any]:
        """Async twin of :meth:`MediaJobsBaseHook.get_job`."""
        kind.check_ids(ids)
        return extract_job(kind, await self.call(kind.get, **ids), ids)

    async def cancel_job_of(self, kind: JobKind, **ids: Any) -> None:
        """Async twin of :meth:`MediaJobsBaseHook.cancel_job_of`."""
        kind.check_ids(ids)
        operation, arguments = kind.cancel_call(ids)
        await self.call(operation, **arguments)

    async def close(self) -> None:
        """Close the aiohttp session."""
        await self.client.close()
