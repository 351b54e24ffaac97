"""The senders: the only I/O in the provider's request path.

Both the sync (``requests``, hooks) and the async (``aiohttp``, triggers) path run the same loop:
ask the vendor protocol to *build* a freshly signed request, send it, ask the protocol to *parse*
the answer. Whether and how long to wait before another attempt is decided by one
:class:`RetryPolicy`, used by tenacity's ``Retrying`` and ``AsyncRetrying`` alike.

Redirects are never followed: the vendors do not redirect these APIs, and following one would
hand a signed ``Authorization`` header to whatever host the ``Location`` names.

Time bounds (``docs/connections.md`` has the table): one attempt ends within ``Timeouts.total``
plus :data:`DEADLINE_SLACK` on both paths, whatever the server does; a whole call ends within
:meth:`RetryPolicy.worst_case_seconds`.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import random
import re
import socket
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tenacity import AsyncRetrying, RetryCallState, Retrying, retry_if_exception

from airflow_provider_mediajobs import metrics
from airflow_provider_mediajobs.catalog.wire import (
    RETRY_AFTER_CEILING,
    HttpRequest,
    HttpResponse,
    VendorProtocol,
    parse_retry_after,
)
from airflow_provider_mediajobs.exceptions import (
    BadResponseError,
    MediaJobsError,
    ServerError,
    ThrottledError,
    TransportError,
    redacted,
)
from airflow_provider_mediajobs.extras import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
)

if TYPE_CHECKING:
    import aiohttp
    import requests
    import requests.adapters

    from airflow_provider_mediajobs.catalog.model import Operation
    from airflow_provider_mediajobs.quota import TokenBucket

# The wire types are the catalog's; they are named here too because senders take and return them.
__all__ = ["RETRY_AFTER_CEILING", "HttpRequest", "HttpResponse", "VendorProtocol", "parse_retry_after"]

log = logging.getLogger(__name__)


#: Seconds an attempt may run past ``Timeouts.total``: the sync watchdog's wake-up and the unwinding
#: of the read it breaks; on the async path, aiohttp rounds timeouts above 5 s up to a whole second.
DEADLINE_SLACK = 1.0


class ResponseTooLargeError(BadResponseError):
    """The body exceeded ``max_response_bytes``; never retried (it would only happen again)."""


@dataclass(frozen=True)
class Timeouts:
    """Connect, read and total timeouts of one attempt, in seconds, on both paths.

    ``total`` is a real deadline over the whole attempt: connecting, the status line and headers,
    and the body. A server that trickles a byte at a time, in the headers or the body, with or
    without ``Content-Length``, is cut off there (plus :data:`DEADLINE_SLACK`). ``read`` bounds a
    silence between bytes; ``connect`` the opening of the connection (at most ``total``).

    :param connect: seconds to open a connection.
    :param read: seconds to wait for the next bytes of an answer.
    :param total: seconds one attempt may take in all.
    """

    connect: float = DEFAULT_CONNECT_TIMEOUT
    read: float = DEFAULT_READ_TIMEOUT
    total: float = DEFAULT_TOTAL_TIMEOUT


@dataclass(frozen=True)
class RetryPolicy:
    """When to try again and how long to wait, shared by the sync and async senders.

    Waits grow exponentially with full jitter (botocore's "standard" mode), so many triggers hit
    by the same outage do not come back in lockstep. A vendor ``Retry-After`` /
    ``x-acs-retry-after`` (see :func:`parse_retry_after`) is a floor for the wait, up to
    ``retry_after_cap``.

    A whole call ends within :meth:`worst_case_seconds`: every attempt within its timeout, every
    wait within ``max(max_wait, retry_after_cap)``, and with ``max_elapsed`` no attempt starting
    later than that after the call began.

    :param attempts: total attempts, the first included.
    :param initial: the first backoff ceiling in seconds.
    :param max_wait: the backoff ceiling in seconds.
    :param retry_after_cap: the longest wait a vendor's ``Retry-After`` may impose, in seconds;
        None means ``max_wait``.
    :param max_elapsed: seconds after the call began past which no further attempt starts (the
        wait before it counted); None means only ``attempts`` limits the retries.
    """

    attempts: int = 5
    initial: float = 0.5
    max_wait: float = 20.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)
    retry_after_cap: float | None = None
    max_elapsed: float | None = None

    @property
    def retry_after_limit(self) -> float:
        """The effective cap on a vendor's ``Retry-After``, in seconds."""
        return self.max_wait if self.retry_after_cap is None else self.retry_after_cap

    def retryable(self, error: BaseException, operation: Operation) -> bool:
        """Decide whether ``error`` is worth another attempt of ``operation``.

        A non-idempotent call (a submission) is repeated only when the vendor certainly did not
        act on it: it throttled us, or the request never left this machine.
        """
        if isinstance(error, ThrottledError):
            return True
        if isinstance(error, TransportError):
            return operation.idempotent or not error.sent
        if not operation.idempotent:
            return False
        if isinstance(error, ResponseTooLargeError):
            return False
        return isinstance(error, ServerError | BadResponseError)

    def ceiling(self, attempt: int) -> float:
        """The jitter ceiling after the ``attempt``-th failed attempt (1-based)."""
        # Capping the exponent keeps 2**n finite for any attempt count; past it max_wait rules anyway.
        return min(self.max_wait, self.initial * 2.0 ** min(max(attempt - 1, 0), 64))

    def retry_after_floor(self, error: BaseException | None) -> float:
        """The wait ``error``'s ``retry_after`` asks for, capped at :attr:`retry_after_limit`.

        Anything that is not a positive number (None, NaN, negative, a string) asks for nothing.
        """
        value = getattr(error, "retry_after", None)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return 0.0
        try:
            seconds = float(value)
        except OverflowError:  # an int too large for a float: as huge as it gets
            seconds = math.inf
        if math.isnan(seconds) or seconds <= 0:
            return 0.0
        return max(0.0, min(seconds, self.retry_after_limit))

    def backoff(self, attempt: int, error: BaseException | None) -> float:
        """Seconds to wait after the ``attempt``-th failed attempt (1-based)."""
        return max(self.rng.uniform(0, self.ceiling(attempt)), self.retry_after_floor(error))

    def worst_case_seconds(self, attempt_timeout: float) -> float:
        """The longest a whole call can take, retries and waits included.

        ``attempts * (attempt_timeout + DEADLINE_SLACK)`` plus, for each retry, the larger of its
        jitter ceiling and :attr:`retry_after_limit`; with ``max_elapsed`` at most
        ``max_elapsed + attempt_timeout + DEADLINE_SLACK``. The defaults give
        ``5 * 61 + 4 * 20 = 385`` s with ``Timeouts.total`` = 60 s.

        :param attempt_timeout: ``Timeouts.total`` of the sender.
        """
        attempt = attempt_timeout + DEADLINE_SLACK
        waits = sum(max(self.ceiling(k), self.retry_after_limit) for k in range(1, self.attempts))
        bound = self.attempts * attempt + waits
        if self.max_elapsed is not None:
            bound = min(bound, self.max_elapsed + attempt)
        return bound

    def tenacity_kwargs(self, operation: Operation) -> dict[str, Any]:
        """Arguments for tenacity's ``Retrying`` / ``AsyncRetrying``."""

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            return self.backoff(state.attempt_number, error)

        def stop(state: RetryCallState) -> bool:
            if state.attempt_number >= self.attempts:
                return True
            if self.max_elapsed is None:
                return False
            # tenacity (8.3+) computes the wait before asking: a wait that would carry the next
            # attempt past max_elapsed stops the call now rather than after sleeping.
            upcoming = getattr(state, "upcoming_sleep", 0.0) or 0.0
            if (state.seconds_since_start or 0.0) + upcoming < self.max_elapsed:
                return False
            log.warning("%s: no further attempt, the call would pass max_elapsed=%ss", operation.name,
                        self.max_elapsed)
            return True

        def before_sleep(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            metrics.retry(operation, error)  # tenacity calls this once before each retry, sync or async
            log.warning(
                "%s attempt %d/%d failed (%s); retrying in %.2fs",
                operation.name,
                state.attempt_number,
                self.attempts,
                error,
                state.next_action.sleep if state.next_action else 0.0,
            )

        return {
            "stop": stop,
            "wait": wait,
            "retry": retry_if_exception(lambda e: self.retryable(e, operation)),
            "before_sleep": before_sleep,
            "reraise": True,
        }


class BoundedBody:
    """Collect a response body, refusing it past ``limit`` bytes (shared by both senders).

    :param limit: the most bytes accepted.
    :param status: the response's HTTP status.
    """

    def __init__(self, limit: int, status: int) -> None:
        self.limit = limit
        self.status = status
        self.size = 0
        self.chunks: list[bytes] = []

    def add(self, chunk: bytes) -> None:
        """Take one chunk.

        :raises ResponseTooLargeError: the body grew past the limit.
        """
        self.size += len(chunk)
        if self.size > self.limit:
            raise ResponseTooLargeError(f"response body exceeds max_response_bytes={self.limit}", status=self.status)
        self.chunks.append(chunk)

    def response(self, headers: Iterable[tuple[str, str]]) -> HttpResponse:
        """The complete response (header names lower-cased)."""
        return HttpResponse(self.status, {k.lower(): v for k, v in headers}, b"".join(self.chunks))


def _redirect_refused(status: int) -> BadResponseError:
    return BadResponseError(
        f"the endpoint answered a redirect (HTTP {status}); redirects are refused so that signed "
        "credentials never reach another host: check endpoint_url",
        status=status,
    )


# -- the sync path's deadline ------------------------------------------------------------------
# requests' read timeout applies to each socket read, so a server trickling one byte at a time
# (in the status line, the headers or the body) never trips it. Each sync attempt therefore runs
# under an AttemptDeadline: the connections it uses register with it, and when ``total`` runs out
# a timer shuts their sockets down, which wakes the blocked read at once.

_ATTEMPT = threading.local()  # the running thread's AttemptDeadline, if any


def _shutdown(sock: object) -> None:
    raw = sock if isinstance(sock, socket.socket) else getattr(sock, "socket", None)  # TLS-in-TLS wraps one
    if not isinstance(raw, socket.socket):
        return
    # socket.socket's own shutdown, also for an SSLSocket: ssl's override would tear down the TLS
    # state under the reading thread instead of just ending the stream. OSError: already closed.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(raw, socket.SHUT_RDWR)


class AttemptDeadline:
    """A deadline over one sync attempt: connect, status line, headers and body.

    Use it as a context manager around the attempt, in the thread that makes it. Connections of
    :func:`deadline_adapter` that open or send during it register with it; when ``seconds`` have
    passed, their sockets are shut down, so the read blocked on them returns at once and the
    attempt fails instead of waiting for the next byte.

    :param seconds: the attempt's budget (``Timeouts.total``).
    """

    #: After the deadline, how often to look for a socket still being opened (it is not visible
    #: until the TCP connect returns, which ``connect_timeout`` bounds).
    poll_seconds = 0.05

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._connections: list[Any] = []
        self._sockets: list[tuple[Any, object]] = []  # (connection, a socket it had)
        self._shut: list[object] = []
        self._finished = False
        self._timer: threading.Timer | None = None
        self._outer: AttemptDeadline | None = None

    def __enter__(self) -> AttemptDeadline:
        self._outer = getattr(_ATTEMPT, "deadline", None)
        _ATTEMPT.deadline = self
        with self._lock:
            self._arm(max(0.0, self.deadline - time.monotonic()))
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()
        _ATTEMPT.deadline = self._outer

    def passed(self) -> bool:
        """Whether the deadline has passed (whether or not the timer has fired yet)."""
        return self.expired or time.monotonic() >= self.deadline

    def track(self, connection: Any) -> None:
        """Register a connection (anything with a ``sock`` attribute) the attempt uses.

        Its socket of the moment is remembered too, for when http.client drops ``sock`` from the
        connection while the answer is still being read through it.
        """
        with self._lock:
            if self._finished:
                return
            # The latest attempt to use a connection owns it: urllib3 pools a connection as soon as
            # its body is read, and an attempt that took it since must not lose its socket to ours.
            connection.mediajobs_attempt = self
            if not any(known is connection for known in self._connections):
                self._connections.append(connection)
            sock = getattr(connection, "sock", None)
            if sock is not None and not any(known is sock for _, known in self._sockets):
                self._sockets.append((connection, sock))
            if self.expired:
                self._shut_down_sockets()

    def finish(self) -> None:
        """End the attempt: nothing is shut down after this. Idempotent.

        Call it before a connection goes back to the pool, where another thread may take it.
        """
        with self._lock:
            self._finished = True
            self._connections.clear()
            self._sockets.clear()
            self._shut.clear()
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()

    def _arm(self, delay: float) -> None:
        timer = threading.Timer(delay, self._expire)
        timer.daemon = True  # never keeps an interpreter alive
        timer.name = "mediajobs-attempt-deadline"
        self._timer = timer
        timer.start()

    def _expire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self.expired = True
            self._shut_down_sockets()
            # Keep looking until the attempt ends: a connection may still be opening its socket.
            self._arm(self.poll_seconds)

    def _shut_down_sockets(self) -> None:
        current = [(connection, getattr(connection, "sock", None)) for connection in self._connections]
        for connection, sock in [*current, *self._sockets]:
            if getattr(connection, "mediajobs_attempt", None) is not self:
                continue  # another attempt uses it now
            if sock is not None and not any(done is sock for done in self._shut):
                self._shut.append(sock)
                _shutdown(sock)


def _track_connection(connection: Any) -> None:
    deadline: AttemptDeadline | None = getattr(_ATTEMPT, "deadline", None)
    if deadline is not None:
        deadline.track(connection)


@functools.cache
def _deadline_adapter_class() -> type[requests.adapters.HTTPAdapter]:
    # Built on first use: requests and urllib3 stay out of DAG parsing, which imports this module.
    from requests.adapters import HTTPAdapter
    from urllib3 import ProxyManager
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class DeadlineHTTPConnection(HTTPConnection):
        """An HTTP connection that registers with the running :class:`AttemptDeadline`."""

        def connect(self) -> None:
            _track_connection(self)
            super().connect()

        def request(self, method: str, url: str, body: Any = None, headers: Any = None, **kwargs: Any) -> None:
            _track_connection(self)  # a pooled connection is reused without connect()
            super().request(method, url, body, headers, **kwargs)
            # Again with the socket now open: http.client drops ``sock`` from a connection whose
            # answer says "Connection: close" while the body is still read through it.
            _track_connection(self)

    class DeadlineHTTPSConnection(HTTPSConnection):
        """An HTTPS connection that registers with the running :class:`AttemptDeadline`.

        It registers before connecting: urllib3 sets ``sock`` to the TCP socket before the TLS
        handshake, so a trickled handshake is cut off too.
        """

        def connect(self) -> None:
            _track_connection(self)
            super().connect()

        def request(self, method: str, url: str, body: Any = None, headers: Any = None, **kwargs: Any) -> None:
            _track_connection(self)
            super().request(method, url, body, headers, **kwargs)
            _track_connection(self)

    class DeadlineHTTPConnectionPool(HTTPConnectionPool):
        ConnectionCls = DeadlineHTTPConnection

    class DeadlineHTTPSConnectionPool(HTTPSConnectionPool):
        ConnectionCls = DeadlineHTTPSConnection

    pools = {"http": DeadlineHTTPConnectionPool, "https": DeadlineHTTPSConnectionPool}

    class DeadlineAdapter(HTTPAdapter):
        """``requests``' adapter, pooling as usual, whose connections obey :class:`AttemptDeadline`."""

        def init_poolmanager(self, connections: int, maxsize: int, block: bool = False,
                             **pool_kwargs: Any) -> None:
            super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

        def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
            manager = super().proxy_manager_for(proxy, **proxy_kwargs)
            if isinstance(manager, ProxyManager):  # a SOCKS manager brings its own pool classes
                manager.pool_classes_by_scheme = pools
            return manager

    return DeadlineAdapter


def deadline_adapter() -> requests.adapters.HTTPAdapter:
    """A new ``requests`` adapter whose connections obey the running :class:`AttemptDeadline`."""
    return _deadline_adapter_class()()


def mount_deadline_adapter(session: requests.Session) -> None:
    """Mount :func:`deadline_adapter` on ``session`` for ``http://`` and ``https://``.

    Idempotent. It replaces requests' default adapters; an adapter of another class that the
    caller mounted is left alone (the deadline is then only checked between body chunks).
    """
    from requests.adapters import HTTPAdapter

    adapter_class = _deadline_adapter_class()
    adapter: requests.adapters.HTTPAdapter | None = None
    for prefix in ("https://", "http://"):
        mounted = session.adapters.get(prefix)
        if mounted is None or type(mounted) is HTTPAdapter:
            adapter = adapter or adapter_class()
            session.mount(prefix, adapter)


class SyncSender:
    """Send :class:`HttpRequest` objects over one pooled ``requests.Session``.

    Each attempt runs under an :class:`AttemptDeadline` of ``timeouts.total``; the sender mounts
    the adapter that enforces it on ``session`` (see :func:`mount_deadline_adapter`).

    :param session: the session (one per hook, so connections are reused).
    :param timeouts: connect / read / total timeouts.
    :param max_response_bytes: larger bodies are refused with :class:`ResponseTooLargeError`.
    """

    def __init__(
        self,
        session: requests.Session,
        timeouts: Timeouts = Timeouts(),
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self.session, self.timeouts, self.max_response_bytes = session, timeouts, max_response_bytes
        mount_deadline_adapter(session)

    def _too_slow(self) -> TransportError:
        return TransportError(f"no complete answer within total_timeout={self.timeouts.total}s")

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send one attempt and read the answer (bounded in size, and in time by ``timeouts.total``)."""
        import requests

        # Connecting may not take longer than the whole attempt may.
        connect = min(self.timeouts.connect, self.timeouts.total)
        with AttemptDeadline(self.timeouts.total) as deadline:
            try:
                resp = self.session.request(
                    request.method,
                    request.url,
                    headers=dict(request.headers),
                    data=request.body or None,
                    timeout=(connect, self.timeouts.read),
                    allow_redirects=False,
                    stream=True,
                )
            except requests.exceptions.RequestException as err:
                if deadline.expired:
                    raise self._too_slow() from None
                if isinstance(err, requests.exceptions.ConnectTimeout):
                    raise TransportError(f"connect timeout after {connect}s: {_short(err)}", sent=False) from None
                if isinstance(err, requests.exceptions.ConnectionError):
                    raise TransportError(f"connection failed: {_short(err)}", sent=_maybe_sent(err)) from None
                if isinstance(err, requests.exceptions.Timeout):
                    raise TransportError(f"no answer within the read timeout of {self.timeouts.read}s") from None
                raise
            with resp:
                if 300 <= resp.status_code < 400:
                    raise _redirect_refused(resp.status_code)
                body = BoundedBody(self.max_response_bytes, resp.status_code)
                try:
                    for chunk in resp.iter_content(65536):
                        body.add(chunk)
                        if deadline.passed():  # also holds where another adapter was mounted
                            raise self._too_slow()
                except requests.exceptions.RequestException as err:
                    if deadline.expired:
                        raise self._too_slow() from None
                    raise TransportError(f"the answer broke off: {_short(err)}") from None
                # Before the connection goes back to the pool, where another thread may take it.
                deadline.finish()
                if deadline.expired:  # a body that ends at the close was ended by the shutdown
                    raise self._too_slow()
                return body.response(resp.headers.items())


class AsyncSender:
    """Send :class:`HttpRequest` objects over one ``aiohttp.ClientSession``.

    :param session: the session; its owner closes it.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        timeouts: Timeouts = Timeouts(),
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self.session, self.timeouts, self.max_response_bytes = session, timeouts, max_response_bytes

    async def close(self) -> None:
        """Close the session."""
        await self.session.close()

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send one attempt and read the answer (bounded in size and time)."""
        import aiohttp
        import yarl

        timeout = aiohttp.ClientTimeout(
            total=self.timeouts.total, connect=self.timeouts.connect, sock_read=self.timeouts.read
        )
        try:
            async with self.session.request(
                request.method,
                # As built: yarl would otherwise re-quote the URL and send a path's %2C as ",".
                yarl.URL(request.url, encoded=True),
                headers=dict(request.headers),
                data=request.body or None,
                timeout=timeout,
                allow_redirects=False,
            ) as resp:
                if 300 <= resp.status < 400:
                    raise _redirect_refused(resp.status)
                body = BoundedBody(self.max_response_bytes, resp.status)
                async for chunk in resp.content.iter_chunked(65536):
                    body.add(chunk)
                return body.response(resp.headers.items())
        except MediaJobsError:
            raise
        except aiohttp.ClientConnectorError as err:
            raise TransportError(f"connection failed: {_short(err)}", sent=False) from None
        except aiohttp.ConnectionTimeoutError:
            # As on the sync path: the connection never opened, so even a submission may be retried.
            raise TransportError(f"connect timeout after {self.timeouts.connect}s", sent=False) from None
        except aiohttp.SocketTimeoutError:
            raise TransportError(f"no answer within the read timeout of {self.timeouts.read}s") from None
        except TimeoutError:
            # ClientTimeout(total=...) covers connect, headers and body: a trickle ends here too.
            raise TransportError(f"no complete answer within total_timeout={self.timeouts.total}s") from None
        except aiohttp.ClientError as err:
            raise TransportError(f"the request or its answer broke off: {_short(err)}") from None


_QUERY = re.compile(r"\?[^\s'\")]*")


def _short(err: BaseException) -> str:
    # Library messages quote the URL; its query holds V1 signatures and STS tokens. Drop it.
    text = _QUERY.sub("?<query>", str(err))
    return text if len(text) <= 300 else text[:297] + "..."


# V1 signing puts SecurityToken and Signature in the query, percent-encoded: Airflow's masker knows
# the raw token only, so a line quoting the query must lose those values at the source.
_SIGNED_QUERY_VALUE = re.compile(r"([?&](?:SecurityToken|Signature)=)[^&\s\"']*")


def redact_signed_query(text: str) -> str:
    """Replace the values of ``SecurityToken`` and ``Signature`` query parameters with ``***``."""
    return _SIGNED_QUERY_VALUE.sub(r"\1***", text)


class _RedactSignedQueryFilter(logging.Filter):
    """urllib3 logs every request line, query included, at DEBUG; redact the signed values."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_signed_query(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact_signed_query(record.msg)
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactSignedQueryFilter())


def _maybe_sent(err: BaseException) -> bool:
    # A refused or unresolvable connection never carried the request; anything else might have.
    text = repr(err)
    return not any(marker in text for marker in ("NewConnectionError", "NameResolutionError", "Connection refused"))


def _redacted_attempt_error(error: BaseException, protocol: VendorProtocol, request: HttpRequest | None) -> Exception:
    """What one failed attempt raises: a typed error free of the credentials and of this
    attempt's signature (tenacity logs it before a retry, the caller sees the last one)."""
    return redacted(error, (*protocol.secrets(), *(request.secrets if request is not None else ())))


def _answered(limiter: TokenBucket | None, operation: Operation, error: BaseException | None) -> None:
    """What one attempt of ``operation`` meant, sync or async: counted in the metrics, and told to
    the key pair's limiter (only throttling lowers it)."""
    metrics.request(operation, error)
    if limiter is not None and (error is None or isinstance(error, ThrottledError)):
        limiter.answered(throttled=error is not None)


class Client:
    """Sync caller: protocol + sender + policy.

    :param protocol: the vendor's request builder and response parser.
    :param sender: the sync sender.
    :param policy: the retry policy.
    :param limiter: the key pair's request limiter for this process's sync clients
        (:func:`~airflow_provider_mediajobs.quota.blocking_limiter_for`): every attempt, retries
        included, waits for a token from it, as on the async side.
    """

    def __init__(self, protocol: VendorProtocol, sender: SyncSender, policy: RetryPolicy,
                 limiter: TokenBucket | None = None) -> None:
        self.protocol = protocol
        self.sender = sender
        self.policy = policy
        self.limiter = limiter

    def call(self, operation: Operation, wire: Mapping[str, str]) -> dict[str, Any]:
        """Call ``operation`` with bound wire parameters, retrying as the policy says."""
        for attempt in Retrying(**self.policy.tenacity_kwargs(operation)):
            with attempt:
                return self._attempt(operation, wire)
        raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover

    def _attempt(self, operation: Operation, wire: Mapping[str, str]) -> dict[str, Any]:
        request = None
        if self.limiter is not None:
            self.limiter.acquire_blocking()
        try:
            request = self.protocol.build(operation, wire)
            answer = self.protocol.parse(operation, self.sender.send(request))
        except Exception as err:  # every failure leaves as a typed, redacted error
            _answered(self.limiter, operation, err)
            failure = _redacted_attempt_error(err, self.protocol, request)
        else:
            _answered(self.limiter, operation, None)
            return answer
        raise failure  # outside the handler: the original stays out of __context__


class AsyncClient:
    """Async caller: the same protocol and policy as :class:`Client`, another sender.

    :param limiter: the key pair's request limiter (:mod:`airflow_provider_mediajobs.quota`):
        every attempt, retries included, waits for a token from it, and tells it whether the
        vendor throttled the request.
    """

    def __init__(self, protocol: VendorProtocol, sender: AsyncSender, policy: RetryPolicy,
                 limiter: TokenBucket | None = None) -> None:
        self.protocol = protocol
        self.sender = sender
        self.policy = policy
        self.limiter = limiter

    async def call(self, operation: Operation, wire: Mapping[str, str]) -> dict[str, Any]:
        """Call ``operation`` with bound wire parameters, retrying as the policy says."""
        async for attempt in AsyncRetrying(**self.policy.tenacity_kwargs(operation)):
            with attempt:
                return await self._attempt(operation, wire)
        raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover

    async def _attempt(self, operation: Operation, wire: Mapping[str, str]) -> dict[str, Any]:
        request = None
        if self.limiter is not None:
            await self.limiter.acquire()
        try:
            request = self.protocol.build(operation, wire)
            answer = self.protocol.parse(operation, await self.sender.send(request))
        except Exception as err:  # every failure leaves as a typed, redacted error
            _answered(self.limiter, operation, err)
            failure = _redacted_attempt_error(err, self.protocol, request)
        else:
            _answered(self.limiter, operation, None)
            return answer
        raise failure  # outside the handler: the original stays out of __context__

    async def close(self) -> None:
        """Close the sender's session."""
        await self.sender.close()
