"""No error carries a secret in any encoding: whatever fails (a library error quoting the signed
URL, a header that cannot be encoded, a refused connection, a vendor echoing its string to sign),
what leaves the provider is one of its typed errors whose text, repr and whole exception chain
hold no key secret, signature or token, raw, percent-encoded or base64. Sync and async alike."""

from __future__ import annotations

import base64
import json
import os
import socket
import traceback
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import requests

from airflow_provider_mediajobs.exceptions import MediaJobsError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.base import AsyncJobClient
from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook
from airflow_provider_mediajobs.transport import AsyncSender, HttpRequest, RetryPolicy, SyncSender

SECRET = "SentinelSecret/9f8e+7d6c=5b4a"
TOKEN = "SentinelToken/1a2b+3c4d=5e6f~*"


def forms(value: str) -> set[str]:
    """Written out here, apart from the provider's own list, so the test does not trust it."""
    raw = value.encode()
    out = {value, quote(value, safe=""), quote(value, safe="-_.~"), quote(quote(value, safe=""), safe=""),
           quote_plus(value), quote(value, safe="").lower(), base64.b64encode(raw).decode(),
           base64.urlsafe_b64encode(raw).decode().rstrip("="), repr(value)[1:-1]}
    return {f for f in out if len(f) >= 5}


def chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack += [e for e in (current.__cause__, current.__context__) if e is not None]


def assert_clean(error: BaseException, signatures: list[str]) -> None:
    assert isinstance(error, MediaJobsError), type(error)
    texts = []
    for link in chain(error):
        texts += [str(link), repr(link), json.dumps(getattr(link, "__dict__", {}), default=str)]
    texts.append("".join(traceback.format_exception(error)))
    blob = "\n".join(texts)
    for secret in (SECRET, TOKEN, *signatures):
        for form in forms(secret):
            assert form not in blob, f"{form!r} leaked"


@pytest.fixture(params=["alibaba-v1", "alibaba-v3", "tencent"])
def vendor(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    name = str(request.param)
    if name.startswith("alibaba"):
        conn = {"conn_type": "alibaba_cloud_media", "login": "LTAIsentinelKEY", "password": SECRET,
                "extra": {"security_token": TOKEN, "signature_version": name[-2:], "endpoint_url": "http://127.0.0.1:9"}}
    else:
        conn = {"conn_type": "tencent_cloud_ci", "login": "AKIDsentinelKEY", "password": SECRET,
                "extra": {"security_token": TOKEN, "bucket": "examplebucket-1250000000",
                          "endpoint_url": "http://127.0.0.1:9"}}
    monkeypatch.setenv("AIRFLOW_CONN_LEAKY", json.dumps(conn))
    return name


def _hook(vendor: str) -> Any:
    policy = RetryPolicy(attempts=2, initial=0.01, max_wait=0.01)
    if vendor.startswith("alibaba"):
        return AlibabaCloudMediaHook("leaky", retry_policy=policy)
    return TencentCloudCIHook("leaky", retry_policy=policy)


def _call(hook: Any) -> Any:
    return hook.query_iproduction_job("j1") if isinstance(hook, AlibabaCloudMediaHook) else hook.get_ci_job("j1")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _async_failure(vendor: str, attempts: int) -> MediaJobsError:
    """What the triggers' client raises for one job read on the ``leaky`` connection."""
    hook_class = type(_hook(vendor))
    policy = RetryPolicy(attempts=attempts, initial=0.01)
    client = await AsyncJobClient.create(hook_class.api, "leaky", retry_policy=policy)
    try:
        pending = (client.call("QueryIProductionJob", job_id="j1") if hook_class is AlibabaCloudMediaHook
                   else client.call("GetJobs", job_ids="j1"))
        with pytest.raises(MediaJobsError) as info:
            await pending
    finally:
        await client.close()
    return info.value


LIBRARY_ERRORS = {
    # What requests raises for a URL it cannot use: its text quotes the URL, query (V1 token and
    # signature) included.
    "InvalidURL": lambda url: requests.exceptions.InvalidURL(f"Invalid URL {url!r}: bad port"),
    "UnicodeEncodeError": lambda url: UnicodeEncodeError("latin-1", url, 0, 1, "ordinal not in range"),
    "ValueError": lambda url: ValueError(f"Failed to parse: {url}"),
    "ConnectionError": lambda url: requests.exceptions.ConnectionError(f"Max retries exceeded with url: {url}"),
}


@pytest.mark.parametrize("failure", sorted(LIBRARY_ERRORS))
def test_sync_library_errors_quoting_the_url_are_redacted(vendor: str, failure: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    signatures: list[str] = []

    def send(self: SyncSender, request: HttpRequest) -> Any:
        signatures.extend(request.secrets)
        raise LIBRARY_ERRORS[failure](request.url + " " + json.dumps(dict(request.headers)))

    monkeypatch.setattr(SyncSender, "send", send)
    hook = _hook(vendor)
    with pytest.raises(MediaJobsError) as info:
        _call(hook)
    assert signatures
    assert_clean(info.value, signatures)
    ok, message = hook.test_connection()
    assert not ok
    for secret in (SECRET, TOKEN, *signatures):
        for form in forms(secret):
            assert form not in message


@pytest.mark.parametrize("failure", sorted(LIBRARY_ERRORS))
async def test_async_library_errors_quoting_the_url_are_redacted(vendor: str, failure: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    signatures: list[str] = []

    async def send(self: AsyncSender, request: HttpRequest) -> Any:
        signatures.extend(request.secrets)
        raise LIBRARY_ERRORS[failure](request.url + " " + json.dumps(dict(request.headers)))

    monkeypatch.setattr(AsyncSender, "send", send)
    error = await _async_failure(vendor, attempts=2)
    assert signatures
    assert_clean(error, signatures)


def test_a_refused_connection_leaks_nothing(vendor: str, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = json.loads(os.environ["AIRFLOW_CONN_LEAKY"])
    conn["extra"]["endpoint_url"] = f"http://127.0.0.1:{_free_port()}"
    monkeypatch.setenv("AIRFLOW_CONN_LEAKY", json.dumps(conn))
    seen: list[str] = []
    real = SyncSender.send

    def spy(self: SyncSender, request: HttpRequest) -> Any:
        seen.extend(request.secrets)
        return real(self, request)

    monkeypatch.setattr(SyncSender, "send", spy)
    with pytest.raises(MediaJobsError) as info:
        _call(_hook(vendor))
    assert_clean(info.value, seen)


async def test_async_refused_connection_leaks_nothing(vendor: str, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = json.loads(os.environ["AIRFLOW_CONN_LEAKY"])
    conn["extra"]["endpoint_url"] = f"http://127.0.0.1:{_free_port()}"
    monkeypatch.setenv("AIRFLOW_CONN_LEAKY", json.dumps(conn))
    assert_clean(await _async_failure(vendor, attempts=1), [])
