"""Typed errors shared by both vendors, the sync and the async paths.

Every error raised for a vendor answer carries the HTTP status, the vendor's ``Code``, ``Message``
and ``RequestId`` so that a failed task log has what a support ticket needs. None of them ever
carries a credential: messages are built from the response, never from the request.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

from airflow_provider_mediajobs.compat import AirflowException, AirflowFailException


class MediaJobsError(AirflowException):
    """Base class of every error this provider raises.

    :param message: human readable summary.
    :param status: HTTP status of the response, if there was one.
    :param code: the vendor's error ``Code``.
    :param vendor_message: the vendor's ``Message``.
    :param request_id: the vendor's request id (body or response header).
    :param retry_after: seconds the vendor asked us to wait before retrying.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        vendor_message: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.summary = message
        self.status = status
        self.code = code
        self.vendor_message = vendor_message
        self.request_id = request_id
        self.retry_after = retry_after
        details = [
            f"{label}={value}"
            for label, value in (("HTTP", status), ("Code", code), ("RequestId", request_id))
            if value not in (None, "")
        ]
        text = message if not details else f"{message} ({', '.join(details)})"
        super().__init__(text)


class MediaJobsValidationError(MediaJobsError, ValueError):
    """An argument was refused before any request was sent.

    Built by :func:`airflow_provider_mediajobs.catalog.params.invalid`, it keeps its parts as data,
    so a layer that shows an argument under another name (``imm_task_id`` for the catalog's
    ``task_id``) renames the error with :meth:`renamed` instead of rewriting its text.

    :param message: the whole text (for errors about a connection field, the only part).
    :param arg: the refused argument's name (``start_time/end_time`` for a rule over two).
    :param allowed: what the argument may be.
    :param shown: the refused value, as quoted in the text.
    """

    def __init__(self, message: str, *, arg: str | None = None, allowed: str | None = None,
                 shown: str | None = None) -> None:
        super().__init__(message)
        self.arg = arg
        self.allowed = allowed
        self.shown = shown

    def renamed(self, names: Mapping[str, str]) -> MediaJobsValidationError:
        """The same error about the argument as ``names`` calls it (itself when none applies).

        :param names: catalog argument name to the name users see.
        """
        if self.arg is None or self.allowed is None or self.shown is None:
            return self
        # A part may be a path inside a JSON argument (``sources[0]['URI']``): its head is the argument.
        heads = [part.partition("[") for part in self.arg.split("/")]
        arg = "/".join(names.get(head, head) + bracket + rest for head, bracket, rest in heads)
        if arg == self.arg:
            return self
        return type(self).about(arg, self.allowed, self.shown)

    @classmethod
    def about(cls, arg: str, allowed: str, shown: str) -> MediaJobsValidationError:
        """The one text every argument error has: ``<arg> must be <allowed>, got <shown>``."""
        return cls(f"{arg} must be {allowed}, got {shown}", arg=arg, allowed=allowed, shown=shown)


class VendorError(MediaJobsError):
    """The vendor answered with an error body."""


class ThrottledError(VendorError):
    """The vendor throttled the call (``Throttling*``, ``SlowDown``, HTTP 429). Transient."""


class ServerError(VendorError):
    """A 5xx answer or a vendor internal error. Transient."""


class NotFoundError(VendorError):
    """The job, task or resource does not exist."""


class InvalidParameterError(VendorError):
    """The vendor refused a parameter. Permanent."""


class AuthError(VendorError):
    """Signature, key or permission refused. Permanent."""


class ExpiredCredentialsError(AuthError):
    """The STS / temporary credentials expired: renew ``security_token`` in the connection."""


class ClockSkewError(AuthError):
    """The request time is too far from the vendor's clock: check the machine's clock (NTP)."""


class BadResponseError(MediaJobsError):
    """The response could not be understood (HTML page, truncated or hostile body, wrong types)."""


class TransportError(MediaJobsError):
    """The request did not complete: connection refused or reset, DNS, timeout.

    :param sent: whether the request may have reached the vendor. A submission is only retried
        when it certainly did not, so a retry never creates a second job.
    """

    def __init__(self, message: str, *, sent: bool = True, **details: Any) -> None:
        self.sent = sent
        super().__init__(message, **details)


class CancelNotSupportedError(MediaJobsError):
    """The vendor offers no way to cancel this kind of job (the catalog says where that is read)."""


class JobFailedError(MediaJobsError):
    """A job reached one of its kind's failure states."""


class WaitTimeoutError(MediaJobsError, AirflowFailException):
    """A wait's own timeout passed before the job ended; the job may still be running.

    An :class:`AirflowFailException`: retrying the task would not make the job end sooner.
    """


class JobNotFoundError(MediaJobsError):
    """The vendor kept saying the waited-for job does not exist."""


# -- keeping secrets out of errors ---------------------------------------------------------------
# A library error can quote the URL (a V1 query holds SecurityToken and Signature), a vendor can
# echo the string it signed: every error that leaves the provider passes through redacted(), which
# removes each secret in each form it can take on the way out.
_SHORTEST_SECRET = 5  # as Airflow's masker: a tiny value would shred every text it appears in


def secret_forms(secret: str) -> set[str]:
    """The forms ``secret`` can take in a URL, a signed string, a log line or a header: as is,
    percent-encoded (both vendors' safe sets, upper and lower case hex, once and twice, ``+`` for
    a space), ``repr``-escaped and base64 (standard and URL-safe, with and without padding).

    :param secret: a key secret, token or signature.
    """
    if len(secret) < _SHORTEST_SECRET:
        return set()
    forms = {secret, repr(secret)[1:-1], secret.encode("unicode_escape").decode("ascii")}
    for safe in ("", "-_.~", "/"):
        once = quote(secret, safe=safe)
        forms |= {once, once.lower(), quote(once, safe=safe), quote_plus(secret, safe=safe)}
    raw = secret.encode("utf-8")
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = encoded.decode("ascii")
        forms |= {text, text.rstrip("=")}
    return {f for f in forms if len(f) >= _SHORTEST_SECRET}


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every form of every secret replaced by ``***`` (longest forms first)."""
    forms = sorted({f for s in secrets if s for f in secret_forms(s)}, key=len, reverse=True)
    for form in forms:
        text = text.replace(form, "***")
    return text


def redacted(error: BaseException, secrets: Iterable[str]) -> MediaJobsError:
    """The error to let out in place of ``error``: one of this provider's typed errors whose text,
    vendor message and attributes hold no secret, and whose chain (``__cause__``, ``__context__``)
    is cut, since a library exception it came from may quote a signed URL.

    A foreign exception (``InvalidURL``, ``UnicodeEncodeError``...) becomes a
    :class:`MediaJobsError` naming its type, with its text redacted.

    :param error: what was raised.
    :param secrets: the credentials and signatures in play.
    """
    secrets = [s for s in secrets if s]
    if isinstance(error, MediaJobsError):
        safe = error
        safe.args = tuple(redact(a, secrets) if isinstance(a, str) else a for a in error.args)
        for attr in ("summary", "vendor_message", "code", "request_id"):
            value = getattr(safe, attr, None)
            if isinstance(value, str):
                setattr(safe, attr, redact(value, secrets))
    else:
        safe = MediaJobsError(f"the request failed before an answer: {type(error).__name__}: "
                              f"{redact(str(error), secrets)[:300]}")
    safe.__cause__ = None
    safe.__context__ = None
    safe.__suppress_context__ = True
    return safe
