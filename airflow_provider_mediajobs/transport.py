"""The senders: the only I/O in the provider's request path.

Both the sync (``requests``, hooks) and the async (``aiohttp``, triggers) path run the same loop:
ask the vendor protocol to *build* a freshly signed request, send it, ask the protocol to *parse*
the answer. Whether and how long to wait before another attempt is decided by one
:class:`RetryPolicy`, used by tenacity's ``Retrying`` and ``AsyncRetrying`` alike.

Redirects are never followed: the vendors do not redirect these APIs, and following one would
hand a signed ``Authorization`` header to whatever host the ``Location`` names.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from tenacity import AsyncRetrying, RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from airflow_provider_mediajobs.exceptions import (
    BadResponseError,
    MediaJobsError,
    ServerError,
    ThrottledError,
    TransportError,
    redacted,
)

if TYPE_CHECKING:
    import aiohttp
    import requests

    from airflow_provider_mediajobs.catalog.model import Operation

log = logging.getLogger(__name__)

DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
MIN_RESPONSE_BYTES = 1024
"""Below this no vendor error body fits (the provider's own bound, not a vendor's)."""
MAX_RESPONSE_BYTES = 1 << 30


@dataclass(frozen=True)
class HttpRequest:
    """A fully built, signed request. ``url`` carries the query string exactly as signed.

    :param secrets: this attempt's signature(s): kept out of any error about it.
    """

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = b""
    secrets: tuple[str, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class HttpResponse:
    """An answer read in full (up to the size cap). Header names are lower case."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        """Return a header's value by lower-case name."""
        return self.headers.get(name.lower())


class VendorProtocol(Protocol):
    """What a vendor contributes: build signed requests and parse answers, without I/O."""

    def build(self, operation: Operation, wire: Mapping[str, str]) -> HttpRequest:
        """Return a request signed afresh (new nonce and time) for one attempt."""
        ...

    def parse(self, operation: Operation, response: HttpResponse) -> dict[str, Any]:
        """Return the parsed body, or raise the typed error the answer means."""
        ...

    def secrets(self) -> tuple[str, ...]:
        """The key secret and token: never to appear in an error."""
        ...


class ResponseTooLargeError(BadResponseError):
    """The body exceeded ``max_response_bytes``; never retried (it would only happen again)."""


@dataclass(frozen=True)
class Timeouts:
    """Connect and read timeouts in seconds; ``total`` bounds one attempt on the async path.

    The read timeout applies between bytes, so a server that trickles a byte at a time is also
    bounded by ``total`` on both paths (the sync sender checks it while reading).
    """

    connect: float = 5.0
    read: float = 30.0
    total: float = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    """When to try again and how long to wait, shared by the sync and async senders.

    Waits grow exponentially with full jitter (botocore's "standard" mode), so many triggers hit
    by the same outage do not come back in lockstep. A vendor ``Retry-After`` /
    ``x-acs-retry-after`` is a floor for the wait.

    :param attempts: total attempts, the first included.
    :param initial: the first backoff ceiling in seconds.
    :param max_wait: the backoff ceiling in seconds.
    """

    attempts: int = 5
    initial: float = 0.5
    max_wait: float = 20.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

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

    def backoff(self, attempt: int, error: BaseException | None) -> float:
        """Seconds to wait after the ``attempt``-th failed attempt (1-based)."""
        ceiling = min(self.max_wait, self.initial * (2 ** (attempt - 1)))
        wait = self.rng.uniform(0, ceiling)
        retry_after = getattr(error, "retry_after", None)
        if isinstance(retry_after, int | float) and retry_after > 0:
            wait = max(wait, min(float(retry_after), self.max_wait))
        return wait

    def tenacity_kwargs(self, operation: Operation) -> dict[str, Any]:
        """Arguments for tenacity's ``Retrying`` / ``AsyncRetrying``."""

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            return self.backoff(state.attempt_number, error)

        def before_sleep(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            log.warning(
                "%s attempt %d/%d failed (%s); retrying in %.2fs",
                operation.name,
                state.attempt_number,
                self.attempts,
                error,
                state.next_action.sleep if state.next_action else 0.0,
            )

        return {
            "stop": stop_after_attempt(self.attempts),
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


class SyncSender:
    """Send :class:`HttpRequest` objects over one pooled ``requests.Session``.

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

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send one attempt and read the answer (bounded in size and time)."""
        import time

        import requests

        deadline = time.monotonic() + self.timeouts.total
        try:
            resp = self.session.request(
                request.method,
                request.url,
                headers=dict(request.headers),
                data=request.body or None,
                timeout=(self.timeouts.connect, self.timeouts.read),
                allow_redirects=False,
                stream=True,
            )
        except requests.exceptions.ConnectTimeout as err:
            raise TransportError(
                f"connect timeout after {self.timeouts.connect}s: {_short(err)}", sent=False
            ) from None
        except requests.exceptions.ConnectionError as err:
            raise TransportError(f"connection failed: {_short(err)}", sent=_maybe_sent(err)) from None
        except requests.exceptions.Timeout:
            raise TransportError(f"no answer within the read timeout of {self.timeouts.read}s") from None
        with resp:
            if 300 <= resp.status_code < 400:
                raise _redirect_refused(resp.status_code)
            body = BoundedBody(self.max_response_bytes, resp.status_code)
            try:
                for chunk in resp.iter_content(65536):
                    body.add(chunk)
                    if time.monotonic() > deadline:
                        raise TransportError(f"the answer took longer than {self.timeouts.total}s to arrive")
            except requests.exceptions.RequestException as err:
                raise TransportError(f"the answer broke off: {_short(err)}") from None
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

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send one attempt and read the answer (bounded in size and time)."""
        import aiohttp

        timeout = aiohttp.ClientTimeout(
            total=self.timeouts.total, connect=self.timeouts.connect, sock_read=self.timeouts.read
        )
        try:
            async with self.session.request(
                request.method,
                request.url,
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
        except TimeoutError:
            raise TransportError(f"no complete answer within {self.timeouts.total}s") from None
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


class Client:
    """Sync caller: protocol + sender + policy.

    :param protocol: the vendor's request builder and response parser.
    :param sender: the sync sender.
    :param policy: the retry policy.
    """

    def __init__(self, protocol: VendorProtocol, sender: SyncSender, policy: RetryPolicy) -> None:
        self.protocol = protocol
        self.sender = sender
        self.policy = policy

    def call(self, operation: Operation, wire: Mapping[str, str]) -> dict[str, Any]:
        """Call ``operation`` with bound wire parameters, retrying as the policy says."""
        for attempt in Retrying(**self.policy.tenacity_kwargs(operation)):
            with attempt:
                return self._attempt(operation, wire)
        raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover

    def _attempt(self, operation: Operation, wire: Mapping[str, str]) -> dict[str, Any]:
        request = None
        try:
            request = self.protocol.build(operation, wire)
            return self.protocol.parse(operation, self.sender.send(request))
        except Exception as err:  # every failure leaves as a typed, redacted error
            failure = _redacted_attempt_error(err, self.protocol, request)
        raise failure  # outside the handler: the original stays out of __context__


class AsyncClient:
    """Async caller: the same protocol and policy as :class:`Client`, another sender."""

    def __init__(self, protocol: VendorProtocol, sender: AsyncSender, policy: RetryPolicy) -> None:
        self.protocol = protocol
        self.sender = sender
        self.policy = policy

    async def call(self, operation: Operation, wire: Mapping[str, str]) -> dict[str, Any]:
        """Call ``operation`` with bound wire parameters, retrying as the policy says."""
        async for attempt in AsyncRetrying(**self.policy.tenacity_kwargs(operation)):
            with attempt:
                return await self._attempt(operation, wire)
        raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover

    async def _attempt(self, operation: Operation, wire: Mapping[str, str]) -> dict[str, Any]:
        request = None
        try:
            request = self.protocol.build(operation, wire)
            return self.protocol.parse(operation, await self.sender.send(request))
        except Exception as err:  # every failure leaves as a typed, redacted error
            failure = _redacted_attempt_error(err, self.protocol, request)
        raise failure  # outside the handler: the original stays out of __context__
