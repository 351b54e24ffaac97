"""The wire types between the catalog and the senders: a signed request, a read answer, and
what a vendor protocol does with them. Pure data and parsing, no I/O: the catalog builds and
parses these, :mod:`airflow_provider_mediajobs.transport` only sends and reads them, so the
transport depends on the catalog and never the reverse.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from airflow_provider_mediajobs.catalog.model import Operation


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

    def key_id(self) -> str:
        """The key id the vendor counts requests against (AccessKeyId, SecretId): never a secret."""
        ...


#: A ``Retry-After`` beyond a day is read as a day. The retry policy caps it far lower; this only
#: keeps the number finite wherever it is carried.
RETRY_AFTER_CEILING = 86400.0
# RFC 9110 delta-seconds are ASCII digits; a decimal point is taken too, as some gateways send one.
_DELAY_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def parse_retry_after(response: HttpResponse, now: datetime | None = None) -> float | None:
    """Seconds ``response`` asks the client to wait before another attempt, or None.

    Reads ``Retry-After`` (RFC 9110: delta-seconds or an HTTP-date) and Alibaba's
    ``x-acs-retry-after`` (milliseconds); with both, the longer wait wins. A date in the past
    means 0. Malformed values (negative, NaN, garbage, an impossible date) are ignored, and a huge
    one becomes :data:`RETRY_AFTER_CEILING`; :class:`RetryPolicy` caps the wait it imposes.
    Shared by both vendors' protocols.

    :param response: the answer.
    :param now: the current time, for an HTTP-date (default: the clock).
    """
    waits = [
        wait
        for wait in (
            _retry_after_value(response.header("retry-after"), now),
            _delay_number(response.header("x-acs-retry-after"), 1000.0),
        )
        if wait is not None
    ]
    return max(waits) if waits else None


def _delay_number(text: str | None, per_second: float) -> float | None:
    if text is None or not _DELAY_NUMBER.fullmatch(text.strip()):
        return None
    # float() reads any length of digits (a long one becomes inf, then the ceiling); int() would refuse.
    return min(float(text.strip()) / per_second, RETRY_AFTER_CEILING)


def _retry_after_value(text: str | None, now: datetime | None) -> float | None:
    if text is None:
        return None
    seconds = _delay_number(text, 1.0)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # asctime dates carry no zone; HTTP dates are always GMT
        when = when.replace(tzinfo=UTC)
    delay = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(delay, 0.0), RETRY_AFTER_CEILING)
