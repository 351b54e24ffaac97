"""A retry rule for tasks, from what the vendor answered: an Airflow 3.3 retry policy (AIP-105).

Give it to any task that talks to a vendor through this provider::

    MtsQueryIProductionJobOperator(
        task_id="fetch_result", job_id=submit.output, retries=3,
        retry_policy=VendorErrorRetryPolicy(),
    )

When the task fails, Airflow's task runner hands the exception to :meth:`VendorErrorRetryPolicy.evaluate`
in the worker: an error that a retry would meet again (a refused key, a refused argument, a job
that does not exist) fails the task at once, whatever ``retries`` says; throttling and the
vendor's own failures are retried after a pause of their own; anything else is left to the task's
``retries`` and ``retry_delay``. The policy never adds tries: ``retries`` stays the most there are.

Airflow does not serialize the policy with the DAG (it stores only that the task has one); the
worker gets it by parsing the DAG file, so it is any class the DAG file can import.

On Airflow 3.1 and 3.2, which have no retry policies, this module still imports (a DAG file that
imports it parses), but building the policy raises an error that says which Airflow it needs;
guard it with :data:`airflow_provider_mediajobs.compat.HAS_RETRY_POLICIES`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from airflow_provider_mediajobs.catalog.params import check_seconds
from airflow_provider_mediajobs.compat import HAS_RETRY_POLICIES, airflow_version
from airflow_provider_mediajobs.exceptions import (
    AuthError,
    BadResponseError,
    CancelNotSupportedError,
    ExpiredCredentialsError,
    InvalidParameterError,
    JobFailedError,
    JobNotFoundError,
    MediaJobsError,
    MediaJobsValidationError,
    NotFoundError,
    ServerError,
    ThrottledError,
    TransportError,
    WaitTimeoutError,
)

if HAS_RETRY_POLICIES:
    from airflow.sdk import RetryAction, RetryDecision, RetryPolicy, RetryRule
else:  # pragma: no cover - Airflow 3.1 / 3.2: the class below still exists, building one says why not
    RetryPolicy = object  # type: ignore[assignment,misc]

if TYPE_CHECKING:
    from airflow.sdk import Context

__all__ = ["VendorErrorRetryPolicy"]

#: The longest pause a delay argument takes, in seconds: a longer one is a schedule, not a retry.
MAX_DELAY = 86400.0


class _Rule(NamedTuple):
    """One row of what the policy decides (:data:`RULES`).

    :param errors: the errors it covers (their subclasses too, unless ``exact``).
    :param action: ``fail``, ``retry`` or ``default`` (a :class:`RetryAction` value).
    :param delay: for ``retry``, the constructor argument that gives the pause.
    :param why: the reason the decision carries.
    :param exact: only these classes, not their subclasses.
    """

    errors: tuple[type[MediaJobsError], ...]
    action: str
    delay: str | None
    why: str
    exact: bool = False


#: What the policy decides, first match wins (a subclass before its base). ``docs/operating.md``
#: shows this table; a test checks the two agree.
RULES: tuple[_Rule, ...] = (
    # Temporary (STS) credentials run out by design, and a rotation job renews security_token in
    # the connection: the next try reads the connection again, so it may well get through.
    _Rule((ExpiredCredentialsError,), "retry", "expired_credentials_delay",
          "the temporary credentials expired: renew security_token in the connection"),
    # A wrong key, signature or permission, or this machine's clock: refused on every try until
    # someone fixes the connection or the clock.
    _Rule((AuthError,), "fail", None,
          "the credentials, the permission or this machine's clock were refused, and would be on "
          "every try"),
    _Rule((InvalidParameterError, MediaJobsValidationError), "fail", None,
          "an argument was refused, and the same arguments would be refused again"),
    _Rule((NotFoundError, JobNotFoundError), "fail", None, "the job or resource does not exist"),
    # The catalog says the vendor has no cancel for the kind: no try will find one.
    _Rule((CancelNotSupportedError,), "fail", None, "the vendor has no cancel for this kind of job"),
    _Rule((ThrottledError,), "retry", "throttled_delay",
          "the account's request rate was exceeded even after the client's own retries"),
    _Rule((ServerError, TransportError), "retry", "server_error_delay",
          "the vendor failed or could not be reached"),
    # Exactly BadResponseError (an error page, a cut body). Its subclass ResponseTooLargeError, an
    # answer over the connection's max_response_bytes, would come back the same after a pause, and
    # it is the provider's own limit rather than the vendor's refusal: no row, the task decides.
    _Rule((BadResponseError,), "retry", "server_error_delay",
          "the answer could not be read (an error page or a cut body)", exact=True),
    # The job ran and failed, or outlived the wait: whether a new try helps is the task's call.
    # (An unwrapped WaitTimeoutError is an AirflowFailException: Airflow fails the task before
    # asking any policy.)
    _Rule((JobFailedError, WaitTimeoutError), "default", None,
          "the job failed or the wait timed out; the task's own retries apply"),
)


def chain(error: BaseException) -> Iterator[BaseException]:
    """``error``, then the exception it was raised from or while handling, and so on: the chain
    Python prints (``raise ... from None`` ends it). Each exception once, should the chain loop.

    :param error: what the task raised.
    """
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        # As traceback does: the explicit cause; else the implicit context, unless suppressed.
        implicit = None if link.__suppress_context__ else link.__context__
        link = link.__cause__ if link.__cause__ is not None else implicit


def _described(error: BaseException) -> str:
    """The error's class with its vendor code and HTTP status: what names it in a support ticket,
    and nothing of its text (the request's parameters stay out of the decision)."""
    parts = [f"{label}={value}" for label, value in (("Code", getattr(error, "code", None)),
                                                      ("HTTP", getattr(error, "status", None)))
             if value not in (None, "")]
    # A vendor code is the vendor's text: a hostile answer could make it any length.
    details = f" ({', '.join(parts)[:120]})" if parts else ""
    return f"{type(error).__name__}{details}"


class VendorErrorRetryPolicy(RetryPolicy):  # type: ignore[misc,valid-type]
    """Fail fast on vendor errors a retry would meet again; retry throttling and the vendor's own
    failures after a pause; leave everything else to the task's ``retries``.

    It looks at the exception the task raised and then along its chain (``__cause__``, then
    ``__context__`` as Python prints it), so a task that wraps the provider's error in its own
    is judged by the provider's: the first error of the chain that a row of :data:`RULES` covers
    decides. Needs Airflow 3.3 or later.

    :param throttled_delay: seconds (or a ``timedelta``) before the next try after throttling
        (:class:`~airflow_provider_mediajobs.exceptions.ThrottledError`), 0 to 86400.
    :param server_error_delay: seconds before the next try after a vendor failure (``ServerError``),
        a request that did not complete (``TransportError``) or an unreadable answer
        (``BadResponseError``), 0 to 86400.
    :param expired_credentials_delay: seconds before the next try after temporary credentials
        expired (``ExpiredCredentialsError``), 0 to 86400; None fails the task at once instead,
        as for every other ``AuthError`` (for connections nothing renews).
    :raises MediaJobsError: on Airflow older than 3.3.
    :raises MediaJobsValidationError: a delay is not a number of seconds in range.
    """

    def __init__(
        self,
        *,
        throttled_delay: float | timedelta = 300.0,
        server_error_delay: float | timedelta = 60.0,
        expired_credentials_delay: float | timedelta | None = 300.0,
    ) -> None:
        if not HAS_RETRY_POLICIES:
            raise MediaJobsError(
                f"VendorErrorRetryPolicy needs Airflow 3.3 or later (task retry policies, AIP-105); "
                f"this is Airflow {airflow_version()}. Leave retry_policy out on this Airflow, or set it "
                "only when airflow_provider_mediajobs.compat.HAS_RETRY_POLICIES is true."
            )
        #: Each delay argument in seconds, as given (None: not retried).
        self.delays: dict[str, float | None] = {
            "throttled_delay": check_seconds("throttled_delay", throttled_delay, high=MAX_DELAY),
            "server_error_delay": check_seconds("server_error_delay", server_error_delay, high=MAX_DELAY),
            "expired_credentials_delay": None if expired_credentials_delay is None else check_seconds(
                "expired_credentials_delay", expired_credentials_delay, high=MAX_DELAY, or_none=True),
        }
        #: The rows of :data:`RULES` as Airflow's own ``RetryRule`` objects, in order, delays filled in.
        self.rules: list[RetryRule] = [self._retry_rule(row) for row in RULES]

    def _retry_rule(self, row: _Rule) -> RetryRule:
        action, reason, delay = RetryAction(row.action), row.why, None
        if row.delay is not None:
            seconds = self.delays[row.delay]
            if seconds is None:
                action, reason = RetryAction.FAIL, f"{row.why} ({row.delay}=None: not retried)"
            else:
                delay = timedelta(seconds=seconds)
                reason = f"{row.why}; worth another try after {seconds:g} s"
        return RetryRule(exception=list(row.errors), action=action, retry_delay=delay, reason=reason,
                         match_subclasses=not row.exact)

    def evaluate(
        self,
        exception: BaseException,
        try_number: int,
        max_tries: int,
        context: Context | None = None,
    ) -> RetryDecision:
        """Decide from the first error of ``exception``'s chain that a rule covers.

        :param exception: what the task raised.
        :param try_number: the try that failed (1-based); the decision does not depend on it.
        :param max_tries: the task's tries at most; Airflow keeps a retry within them.
        :param context: the task's context (unused).
        """
        unruled: BaseException | None = None
        for depth, link in enumerate(chain(exception)):
            rule = next((r for r in self.rules if r.matches(link)), None)
            if rule is None:
                if unruled is None and isinstance(link, MediaJobsError):
                    unruled = link
                continue
            under = f", raised under {type(exception).__name__}" if depth else ""
            return RetryDecision(action=rule.action, retry_delay=rule.retry_delay,
                                 reason=f"{_described(link)}{under}: {rule.reason}")
        if unruled is not None:
            why = f"{_described(unruled)}: not an error this policy decides"
        else:
            why = f"no error of this provider in {type(exception).__name__}'s chain"
        return RetryDecision(action=RetryAction.DEFAULT, reason=f"{why}; the task's own retries apply")

    def serialize(self) -> dict[str, Any]:
        """The policy as JSON: its delay arguments (Airflow 3.3 does not serialize policies with the
        DAG, only that a task has one; this is for any Airflow that does)."""
        return {"__type": f"{type(self).__module__}.{type(self).__qualname__}", **self.delays}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> VendorErrorRetryPolicy:
        """The policy :meth:`serialize` gave ``data`` for.

        :param data: the serialized policy.
        """
        return cls(**{arg: value for arg, value in data.items() if arg != "__type"})

    def __repr__(self) -> str:
        args = ", ".join(f"{arg}={value!r}" for arg, value in self.delays.items())
        return f"{type(self).__name__}({args})"
