"""``VendorErrorRetryPolicy``: what it decides for each of the provider's errors (checked against
the table of ``docs/operating.md``), along a wrapped error's chain, with which delays, for errors
the hooks really raise against the emulator; its arguments, its reasons, how Airflow carries it;
and what Airflow 3.1 and 3.2, which have no retry policies, get."""

from __future__ import annotations

import inspect
import json
import math
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from airflow_provider_mediajobs import exceptions, retries
from airflow_provider_mediajobs.compat import HAS_RETRY_POLICIES, airflow_version
from airflow_provider_mediajobs.exceptions import (
    AuthError,
    BadResponseError,
    ExpiredCredentialsError,
    JobFailedError,
    MediaJobsError,
    MediaJobsValidationError,
    NotFoundError,
    ServerError,
    ThrottledError,
    TransportError,
)
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.retries import MAX_DELAY, VendorErrorRetryPolicy, chain
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.transport import ResponseTooLargeError
from airflow_provider_mediajobs.transport import RetryPolicy as ClientRetryPolicy
from benchmarks.import_cost import LAZY
from tests.helpers import ROOT, new_job

needs_policies = pytest.mark.skipif(
    not HAS_RETRY_POLICIES, reason=f"Airflow {airflow_version()} has no task retry policies (AIP-105, Airflow 3.3)")

#: Every error class of the provider: a new one fails the documented-decision test until the table
#: of docs/operating.md (and, where it needs one, RULES) says what happens to it.
ERRORS = sorted({value for value in vars(exceptions).values()
                 if isinstance(value, type) and issubclass(value, MediaJobsError)} | {ResponseTooLargeError},
                key=lambda cls: cls.__name__)
DELAY_ARGS = [name for name in inspect.signature(VendorErrorRetryPolicy.__init__).parameters if name != "self"]
DEFAULTS = {name: inspect.signature(VendorErrorRetryPolicy.__init__).parameters[name].default for name in DELAY_ARGS}


def documented() -> dict[str, tuple[str, str | None, str]]:
    """The table of ``docs/operating.md`` under "Retry rules": each error class it names, with the
    decision, the delay argument (None where the row names none) and the row's last cell."""
    page = (ROOT / "docs" / "operating.md").read_text()
    section = page.split("## Retry rules", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]  # past the header and its rule
    assert rows, "the Retry rules section has no table"
    table: dict[str, tuple[str, str | None, str]] = {}
    for row in rows:
        errors, decision, after = (cell.strip() for cell in row.strip("|").split("|"))
        args = [name for name in re.findall(r"`(\w+)`", after) if name in DELAY_ARGS]
        for name in re.findall(r"`(\w+)`", errors):
            if name in {cls.__name__ for cls in ERRORS}:
                table[name] = (decision, args[0] if args else None, after)
    return table


def decide(error: BaseException, policy: Any = None) -> Any:
    return (policy or VendorErrorRetryPolicy()).evaluate(error, try_number=1, max_tries=4)


def raised(make: Callable[[], None]) -> BaseException:
    """What ``make()`` raises, with the chain Python gave it."""
    try:
        make()
    except BaseException as error:  # whatever it is, the test looks at it
        return error
    raise AssertionError("nothing was raised")


# -- every error, as the docs say ----------------------------------------------------------------
@needs_policies
@pytest.mark.parametrize("error_class", ERRORS, ids=lambda cls: cls.__name__)
def test_every_provider_error_gets_the_decision_the_docs_give_it(error_class: type[MediaJobsError]) -> None:
    table = documented()
    assert error_class.__name__ in table, f"docs/operating.md's Retry rules table does not name {error_class.__name__}"
    decision_text, arg, after = table[error_class.__name__]
    decision = decide(error_class("it went wrong"))
    assert decision.action.value == decision_text
    if decision_text == "retry":
        assert arg is not None, "a retried row names the argument that sets its pause"
        assert decision.retry_delay == timedelta(seconds=DEFAULTS[arg])
        assert f"default {DEFAULTS[arg]:g} s" in after
    else:
        assert decision.retry_delay is None
    assert error_class.__name__ in decision.reason


@needs_policies
@pytest.mark.parametrize("error", [ValueError("no"), KeyboardInterrupt(), exceptions.AirflowException("no")],
                         ids=lambda e: type(e).__name__)
def test_an_error_that_is_not_the_providers_is_left_to_the_task(error: BaseException) -> None:
    decision = decide(error)
    assert decision.action.value == "default"
    assert decision.retry_delay is None
    assert type(error).__name__ in decision.reason


@needs_policies
def test_each_retry_waits_what_its_own_argument_says() -> None:
    policy = VendorErrorRetryPolicy(throttled_delay=7, server_error_delay=timedelta(seconds=3),
                                    expired_credentials_delay=5.5)
    expected = {ThrottledError: 7, ServerError: 3, TransportError: 3, BadResponseError: 3, ExpiredCredentialsError: 5.5}
    for error_class, seconds in expected.items():
        decision = decide(error_class("busy"), policy)
        assert (decision.action.value, decision.retry_delay) == ("retry", timedelta(seconds=seconds)), error_class
        assert f"after {seconds:g} s" in decision.reason
    # A request that never left this machine is retried as one that may have reached the vendor.
    assert decide(TransportError("refused", sent=False), policy).retry_delay == timedelta(seconds=3)


@needs_policies
def test_the_defaults_pause_longer_after_throttling_than_after_a_server_error() -> None:
    assert DEFAULTS["throttled_delay"] > DEFAULTS["server_error_delay"] > 0


@needs_policies
def test_expired_credentials_fail_at_once_when_nothing_renews_them() -> None:
    decision = decide(ExpiredCredentialsError("expired", code="ExpiredToken"),
                      VendorErrorRetryPolicy(expired_credentials_delay=None))
    assert (decision.action.value, decision.retry_delay) == ("fail", None)
    assert "expired_credentials_delay=None" in decision.reason
    # Other AuthErrors fail whatever the argument says.
    assert decide(AuthError("bad key"), VendorErrorRetryPolicy(expired_credentials_delay=1)).action.value == "fail"


# -- the errors the hooks really raise -------------------------------------------------------------
@pytest.fixture
def hook(mediajobs_connections: EmulatorHandle) -> AlibabaCloudMediaHook:
    # One attempt per call: these tests want the error the client gives up with, soon.
    return AlibabaCloudMediaHook(retry_policy=ClientRetryPolicy(attempts=1))


@needs_policies
@pytest.mark.parametrize(("fault", "expected"), [
    ("503", ServerError), ("html", ServerError), ("throttling", ThrottledError), ("reset", TransportError),
    ("truncated", TransportError),  # the body breaks off: the request did not complete
])
def test_a_vendor_fault_through_the_hook_is_retried_after_its_pause(
    hook: AlibabaCloudMediaHook, mediajobs_connections: EmulatorHandle, fault: str, expected: type[Exception]
) -> None:
    job_id = new_job(mediajobs_connections, "mts")
    mediajobs_connections.admin("POST", "faults", {"kind": fault, "rate": 1.0})
    error = raised(lambda: hook.query_iproduction_job(job_id))
    assert isinstance(error, expected), error
    policy = VendorErrorRetryPolicy(throttled_delay=11, server_error_delay=2)
    decision = decide(error, policy)
    assert decision.action.value == "retry"
    assert decision.retry_delay == timedelta(seconds=11 if expected is ThrottledError else 2)


@needs_policies
def test_a_wrong_secret_through_the_hook_fails_at_once(mediajobs_connections: EmulatorHandle,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    conn = mediajobs_connections.connections()["alibaba_cloud_media_default"]
    monkeypatch.setenv("AIRFLOW_CONN_ALI_WRONG_SECRET", json.dumps({**conn, "password": "not-the-secret-at-all"}))
    hook = AlibabaCloudMediaHook("ali_wrong_secret", retry_policy=ClientRetryPolicy(attempts=1))
    error = raised(lambda: hook.query_iproduction_job(new_job(mediajobs_connections, "mts")))
    assert isinstance(error, AuthError), error
    decision = decide(error)
    assert (decision.action.value, decision.retry_delay) == ("fail", None)
    assert f"Code={error.code}" in decision.reason
    assert f"HTTP={error.status}" in decision.reason
    assert "not-the-secret-at-all" not in decision.reason


@needs_policies
def test_an_unknown_job_through_the_hook_fails_at_once(hook: AlibabaCloudMediaHook,
                                                       mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "mts")
    missing = job_id[:-4] + ("0000" if not job_id.endswith("0000") else "1111")
    error = raised(lambda: hook.query_iproduction_job(missing))
    assert isinstance(error, NotFoundError), error
    assert decide(error).action.value == "fail"


@needs_policies
def test_a_refused_argument_fails_before_any_request(hook: AlibabaCloudMediaHook,
                                                     mediajobs_connections: EmulatorHandle) -> None:
    error = raised(lambda: hook.query_iproduction_job("no spaces allowed"))
    assert isinstance(error, MediaJobsValidationError), error
    assert decide(error).action.value == "fail"
    assert mediajobs_connections.counters().get("requests", 0) == 0


# -- wrapped errors: along the chain -----------------------------------------------------------------
def _from(outer: BaseException, inner: BaseException) -> Callable[[], None]:
    def make() -> None:
        raise outer from inner
    return make


def _while_handling(outer: BaseException, inner: BaseException) -> Callable[[], None]:
    def make() -> None:
        try:
            raise inner
        except type(inner):
            raise outer  # noqa: B904 - the implicit context is what this case is about
    return make


@needs_policies
def test_an_error_raised_from_the_providers_is_judged_by_the_providers() -> None:
    error = raised(_from(RuntimeError("submit step failed"), AuthError("bad key", code="InvalidAccessKeyId")))
    decision = decide(error)
    assert decision.action.value == "fail"
    assert decision.reason.startswith("AuthError (Code=InvalidAccessKeyId), raised under RuntimeError:")


@needs_policies
def test_an_error_raised_while_handling_the_providers_is_judged_by_the_providers() -> None:
    decision = decide(raised(_while_handling(KeyError("k"), ThrottledError("slow down"))))
    assert decision.action.value == "retry"
    assert decision.retry_delay == timedelta(seconds=DEFAULTS["throttled_delay"])


@needs_policies
def test_raise_from_none_hides_the_providers_error_as_the_traceback_does() -> None:
    def make() -> None:
        try:
            raise AuthError("bad key")
        except AuthError:
            raise RuntimeError("tidied up") from None
    assert decide(raised(make)).action.value == "default"


@needs_policies
@pytest.mark.parametrize(("outer", "inner", "action"), [
    (AuthError("outer"), ServerError("inner"), "fail"),
    (ServerError("outer"), AuthError("inner"), "retry"),
    # A provider error no row covers does not stop the search...
    (MediaJobsError("outer"), ThrottledError("inner"), "retry"),
    (ResponseTooLargeError("outer"), NotFoundError("inner"), "fail"),
    # ...a row that leaves it to the task does.
    (JobFailedError("outer"), AuthError("inner"), "default"),
], ids=["fail-over-retry", "retry-over-fail", "unruled-then-throttled", "too-large-then-not-found",
        "job-failed-then-auth"])
def test_the_first_error_of_the_chain_that_a_rule_covers_decides(outer: BaseException, inner: BaseException,
                                                                 action: str) -> None:
    assert decide(raised(_from(outer, inner))).action.value == action
    assert decide(raised(_while_handling(outer, inner))).action.value == action


@needs_policies
def test_a_chain_that_loops_or_runs_deep_ends() -> None:
    first, second = ValueError("a"), ValueError("b")
    first.__cause__, second.__cause__ = second, first
    assert [id(e) for e in chain(first)] == [id(first), id(second)]
    assert decide(first).action.value == "default"
    # Ten thousand wrappers deep (past the recursion limit): still found, without recursion.
    error: BaseException = AuthError("at the bottom")
    for depth in range(sys.getrecursionlimit() * 10):
        wrapper = RuntimeError(depth)
        wrapper.__cause__ = error
        error = wrapper
    assert decide(error).action.value == "fail"


# -- reasons ---------------------------------------------------------------------------------------------
@needs_policies
def test_a_reason_names_the_error_class_code_and_status_and_never_its_text() -> None:
    secret = "SentinelSecret-9f8e7d6c5b4a"
    error = AuthError(f"refused, signed {secret}", status=403, code="SignatureDoesNotMatch",
                      vendor_message=f"string to sign: {secret}", request_id="req-1")
    reason = decide(error).reason
    assert reason.startswith("AuthError (Code=SignatureDoesNotMatch, HTTP=403):")
    assert secret not in reason
    assert "string to sign" not in reason


@needs_policies
def test_a_hostile_vendor_code_cannot_swell_the_reason() -> None:
    reason = decide(ServerError("x", code="C" * 100_000, status=503)).reason
    # Airflow keeps 500 characters of a retry reason: the rule's own words must fit after the code.
    assert len(reason) < 400
    assert reason.endswith(f"after {DEFAULTS['server_error_delay']:g} s")


# -- arguments -------------------------------------------------------------------------------------------
@needs_policies
@pytest.mark.parametrize("arg", DELAY_ARGS)
@pytest.mark.parametrize("value", ["60", "5m", -1, -0.5, math.nan, math.inf, MAX_DELAY + 1, True, [60],
                                   timedelta(days=2), timedelta(seconds=-1)], ids=repr)
def test_a_bad_delay_is_refused_naming_its_argument(arg: str, value: Any) -> None:
    with pytest.raises(MediaJobsValidationError) as info:
        VendorErrorRetryPolicy(**{arg: value})
    assert info.value.arg == arg
    assert str(info.value).startswith(f"{arg} must be a number of seconds from 0 to {MAX_DELAY:g}")


@needs_policies
@pytest.mark.parametrize("arg", [a for a in DELAY_ARGS if a != "expired_credentials_delay"])
def test_none_is_no_delay_for_throttling_or_server_errors(arg: str) -> None:
    with pytest.raises(MediaJobsValidationError) as info:
        VendorErrorRetryPolicy(**{arg: None})
    assert info.value.arg == arg


@needs_policies
def test_delays_take_seconds_or_a_timedelta_from_zero_to_a_day() -> None:
    policy = VendorErrorRetryPolicy(throttled_delay=timedelta(minutes=5), server_error_delay=0,
                                    expired_credentials_delay=MAX_DELAY)
    assert policy.delays == {"throttled_delay": 300.0, "server_error_delay": 0.0,
                             "expired_credentials_delay": MAX_DELAY}
    assert decide(ServerError("x"), policy).retry_delay == timedelta(0)
    with pytest.raises(TypeError):
        VendorErrorRetryPolicy(300)  # type: ignore[misc]


# -- how Airflow carries it --------------------------------------------------------------------------------
@needs_policies
def test_it_is_an_airflow_retry_policy_that_serializes_to_json_and_back() -> None:
    from airflow.sdk import RetryPolicy

    policy = VendorErrorRetryPolicy(throttled_delay=timedelta(seconds=90), expired_credentials_delay=None)
    assert isinstance(policy, RetryPolicy)
    again = VendorErrorRetryPolicy.deserialize(json.loads(json.dumps(policy.serialize())))
    assert again.delays == policy.delays
    assert repr(again) == repr(policy)
    for error_class in ERRORS:
        assert decide(error_class("x"), again) == decide(error_class("x"), policy)


@needs_policies
def test_the_dag_serializes_only_that_the_task_has_a_policy() -> None:
    # A provider class is fine as a policy: Airflow keeps a flag, and the worker parses the DAG file.
    from airflow.sdk import DAG
    from airflow.serialization.serialized_objects import DagSerialization

    from airflow_provider_mediajobs.operators.alibaba import MtsQueryIProductionJobOperator

    with DAG("retry_rules", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
        MtsQueryIProductionJobOperator(task_id="fetch", job_id="j", retries=3, retry_policy=VendorErrorRetryPolicy())
    serialized = DagSerialization.serialize_dag(dag)
    assert serialized["tasks"][0]["__var"]["has_retry_policy"] is True
    assert "VendorErrorRetryPolicy" not in json.dumps(serialized)


@needs_policies
def test_it_goes_first_in_a_chain_of_policies() -> None:
    compat_sdk = pytest.importorskip("airflow.providers.common.compat.sdk")
    from airflow.sdk import ExceptionRetryPolicy, RetryAction, RetryRule

    chained = compat_sdk.ChainRetryPolicy([
        VendorErrorRetryPolicy(),
        ExceptionRetryPolicy(rules=[RetryRule(exception=ValueError, action=RetryAction.FAIL, reason="mine")]),
    ])
    assert chained.evaluate(AuthError("bad key"), 1, 4, None).reason.startswith("VendorErrorRetryPolicy: AuthError")
    # What this policy leaves to the task goes on to the next policy.
    decision = chained.evaluate(ValueError("bad row"), 1, 4, None)
    assert (decision.action.value, decision.reason.split(" (after")[0]) == ("fail", "ExceptionRetryPolicy: mine")


# -- Airflow 3.1 and 3.2 -------------------------------------------------------------------------------------
def test_the_probe_says_what_the_running_airflow_has() -> None:
    from packaging.version import Version

    newest = Version(airflow_version()).release[:2] >= (3, 3)
    assert newest is HAS_RETRY_POLICIES


def test_without_retry_policies_building_one_says_which_airflow_it_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    # On 3.1 and 3.2 this is the module as it is; on 3.3 the probe is switched off to see the same.
    monkeypatch.setattr(retries, "HAS_RETRY_POLICIES", False)
    with pytest.raises(MediaJobsError) as info:
        VendorErrorRetryPolicy()
    assert "needs Airflow 3.3 or later" in str(info.value)
    assert f"this is Airflow {airflow_version()}" in str(info.value)
    assert "HAS_RETRY_POLICIES" in str(info.value)


def test_importing_it_pulls_in_no_http_library_hook_or_transport() -> None:
    code = "import json, sys; import airflow_provider_mediajobs.retries; print(json.dumps(sorted(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    loaded = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    # The DAG-parse benchmark's list of what waits for a task to run, and the layers that import it.
    layers = [f"airflow_provider_mediajobs.{layer}" for layer in ("transport", "hooks", "operators", "triggers")]
    held_back = [*LAZY, *layers]
    assert sorted(m for m in loaded if any(m == p or m.startswith(p + ".") for p in held_back)) == []
