"""A sentinel AccessKeySecret and STS token never leak: logs, XCom, exceptions, templates, reprs."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from typing import Any
from unittest import mock
from urllib.parse import quote, urlsplit

import pytest
import requests
import requests_mock

from airflow_provider_mediajobs.catalog.alibaba import MTS_IPRODUCTION_JOB
from airflow_provider_mediajobs.exceptions import MediaJobsError
from airflow_provider_mediajobs.hooks import base as hooks_base
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.operators.alibaba import (
    IceListSmartJobsOperator,
    ImmGetTaskOperator,
    MtsQueryIProductionJobOperator,
    MtsSubmitIProductionJobOperator,
)
from airflow_provider_mediajobs.testing import find_secrets
from airflow_provider_mediajobs.transport import RetryPolicy
from airflow_provider_mediajobs.waiting import error_event

KEY_ID = "LTAIsentinelKEYID"
SECRET = "SentinelSecret-9f8e7d6c5b4a"
TOKEN = "SentinelToken-1a2b3c4d5e6f"
CONN = "ali_secret"


def leaks(text: str) -> list[str]:
    """Every form a secret could take in text: as is, percent-encoded, repr-escaped, base64."""
    return find_secrets([text], (SECRET, TOKEN))


@pytest.fixture(params=["v3", "v1"])
def version(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    conn = {"conn_type": "alibaba_cloud_media", "login": KEY_ID, "password": SECRET,
            "extra": {"security_token": TOKEN, "signature_version": request.param}}
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN.upper()}", json.dumps(conn))
    return str(request.param)


@pytest.fixture
def http() -> Iterator[requests_mock.Mocker]:
    with requests_mock.Mocker() as mocker:
        yield mocker


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    import tenacity.nap

    monkeypatch.setattr(tenacity.nap.time, "sleep", lambda seconds: None)


class Captured:
    """Everything printed or logged during a test."""

    def __init__(self, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:
        self.caplog = caplog
        self.capfd = capfd
        self.seen = ""

    def text(self) -> str:
        out, err = self.capfd.readouterr()
        self.seen += out + err
        # requests-mock's own DEBUG line is test machinery (it stands in for urllib3, whose
        # request line is checked against a real server in test_urllib3_request_line_is_redacted).
        records = "\n".join(
            f"{r.getMessage()} {r.args!r} {r.exc_text or ''} {getattr(r, 'event', '')}"
            for r in self.caplog.records
            if not r.name.startswith("requests_mock")
        )
        return self.seen + records


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> Captured:
    caplog.set_level(logging.DEBUG)
    return Captured(caplog, capfd)


def _url_in_message(request: Any, context: Any) -> str:
    # What urllib3 puts in a connect-timeout message: the path and the whole (V1-signed) query.
    parts = urlsplit(request.url)
    raise requests.exceptions.ConnectTimeout(
        f"HTTPSConnectionPool(host='{parts.hostname}', port=443): Max retries exceeded with url: "
        f"{parts.path}?{parts.query} (Caused by ConnectTimeoutError(<HTTPSConnection>, "
        "'Connection to host timed out. (connect timeout=5.0)'))"
    )


def _reset_with_url(request: Any, context: Any) -> str:
    parts = urlsplit(request.url)
    raise requests.exceptions.ConnectionError(
        f"HTTPSConnectionPool(host='{parts.hostname}', port=443): Max retries exceeded with url: "
        f"{parts.path}?{parts.query} (Caused by ProtocolError('Connection aborted.', "
        "ConnectionResetError(104, 'Connection reset by peer')))"
    )


def test_a_successful_run_leaks_nothing(version: str, http: requests_mock.Mocker, captured: Captured) -> None:
    http.register_uri(requests_mock.ANY, requests_mock.ANY, [
        {"json": {"RequestId": "r1", "SmartJobList": [{"JobId": "a"}], "NextToken": "n"}},
        {"json": {"RequestId": "r2", "SmartJobList": [{"JobId": "b"}], "NextToken": ""}},
    ])
    op = IceListSmartJobsOperator(task_id="list", alibaba_cloud_media_conn_id=CONN, job_state="Finished")
    op.render_template_fields({"params": {}})  # type: ignore[arg-type]
    result = op.execute(context={})
    assert result == [{"JobId": "a"}, {"JobId": "b"}]
    assert leaks(json.dumps(result)) == []
    assert leaks(captured.text()) == []
    assert leaks(repr({f: getattr(op, f) for f in op.template_fields})) == []
    # The token did travel, where it belongs.
    sent = http.request_history[0]
    if version == "v3":
        assert sent.headers["x-acs-security-token"] == TOKEN
    else:
        assert f"SecurityToken={TOKEN}" in sent.url


def test_submit_xcom_value_is_only_the_job_id(version: str, http: requests_mock.Mocker, captured: Captured) -> None:
    http.register_uri(requests_mock.ANY, requests_mock.ANY, json={"RequestId": "r", "JobId": "job-9"})
    op = MtsSubmitIProductionJobOperator(task_id="submit", alibaba_cloud_media_conn_id=CONN, function_name="F")
    assert op.execute(context={}) == "job-9"
    assert leaks(captured.text()) == []


FAILURES = [
    pytest.param({"status_code": 403, "json": {"Code": "Forbidden.RAM", "Message": "denied", "RequestId": "r"}},
                 id="forbidden"),
    pytest.param({"status_code": 400, "json": {"Code": "SignatureDoesNotMatch",
                                               "Message": "Specified signature is not matched", "RequestId": "r"}},
                 id="signature"),
    pytest.param({"status_code": 503, "json": {"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "r"}},
                 id="retried-503"),
    pytest.param({"status_code": 200, "text": "<html>proxy login</html>"}, id="html"),
    pytest.param({"text": _url_in_message}, id="connect-timeout-with-url"),
    pytest.param({"text": _reset_with_url}, id="connection-reset-with-url"),
    pytest.param({"exc": requests.exceptions.ReadTimeout("read timed out")}, id="read-timeout"),
]


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failing_run_leaks_nothing(version: str, http: requests_mock.Mocker, captured: Captured,
                                     no_sleep: None, failure: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    # Two attempts, so the retry warning is logged too.
    monkeypatch.setattr(hooks_base, "RetryPolicy", lambda: RetryPolicy(attempts=2, initial=0, max_wait=0))
    http.register_uri(requests_mock.ANY, requests_mock.ANY, **failure)
    op = MtsQueryIProductionJobOperator(task_id="query", alibaba_cloud_media_conn_id=CONN, job_id="j-1")
    with pytest.raises(MediaJobsError) as info:
        op.execute(context={})
    err = info.value
    # The traceback as Airflow logs it (chained causes included, suppressed contexts not).
    traceback_text = "".join(traceback.format_exception(err))
    event = json.dumps(error_event(MTS_IPRODUCTION_JOB, "j", err))  # what a trigger would store
    texts = [str(err), repr(err), event, traceback_text, captured.text()]
    assert [leaks(t) for t in texts] == [[]] * len(texts)
    assert leaks(repr({f: getattr(op, f) for f in op.template_fields})) == []


@pytest.mark.parametrize("failure", FAILURES)
def test_test_connection_message_leaks_nothing(version: str, http: requests_mock.Mocker, captured: Captured,
                                               no_sleep: None, failure: dict[str, Any]) -> None:
    http.register_uri(requests_mock.ANY, requests_mock.ANY, **failure)
    ok, message = AlibabaCloudMediaHook(CONN, retry_policy=RetryPolicy(attempts=1)).test_connection()
    assert ok is False
    assert leaks(message) == []
    assert leaks(captured.text()) == []


def test_templated_fields_never_receive_the_secret(version: str, http: requests_mock.Mocker) -> None:
    http.register_uri(requests_mock.ANY, requests_mock.ANY, json={"TaskId": "t", "Status": "Running"})
    op = ImmGetTaskOperator(task_id="get", alibaba_cloud_media_conn_id=CONN, project_name="{{ params.p }}",
                            imm_task_id="{{ params.t }}", imm_task_type="FaceClustering")
    op.render_template_fields({"params": {"p": "proj", "t": "task-1"}})  # type: ignore[arg-type]
    result = op.execute(context={})
    rendered = {f: getattr(op, f) for f in op.template_fields}
    assert rendered["project_name"] == "proj"
    assert leaks(repr(rendered)) == []
    assert leaks(json.dumps(result)) == []


def test_reprs_hide_the_secrets(version: str) -> None:
    hook = AlibabaCloudMediaHook(CONN)
    protocol = hook.protocol
    for text in (repr(protocol), str(protocol), repr(protocol.credentials), str(protocol.credentials),  # type: ignore[attr-defined]
                 repr(hook), repr(hook.client), repr(vars(hook.client))):
        assert leaks(text) == [], text


def test_secret_and_token_go_through_mask_secret(version: str) -> None:
    with mock.patch("airflow.sdk.log.mask_secret") as masked:
        AlibabaCloudMediaHook(CONN).protocol  # noqa: B018 - reading the connection is the point
    values = [c.args[0] for c in masked.call_args_list]
    assert SECRET in values
    assert TOKEN in values
    assert KEY_ID not in values


def test_secret_from_official_extras_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    conn = {"conn_type": "alibaba_cloud", "extra": {"access_key_id": KEY_ID, "access_key_secret": SECRET}}
    monkeypatch.setenv("AIRFLOW_CONN_ALI_OFFICIAL", json.dumps(conn))
    with mock.patch("airflow.sdk.log.mask_secret") as masked:
        AlibabaCloudMediaHook("ali_official").protocol  # noqa: B018
    assert SECRET in [c.args[0] for c in masked.call_args_list]


def test_urllib3_request_line_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib3 logs each request line (query included) at DEBUG; V1 puts the token there, encoded.

    Airflow's masker knows the raw token, not its percent-encoded form, so the line must be
    redacted at the source. A real server on 127.0.0.1, a token with characters that encode.
    """
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = b'{"RequestId": "r", "JobId": "j", "State": "Queuing"}'
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    token = "Sentinel/Token+With=Specials"
    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("urllib3.connectionpool")
    keep = Keep(level=logging.DEBUG)
    old_level, old_disabled = logger.level, logger.disabled
    logger.addHandler(keep)
    logger.setLevel(logging.DEBUG)
    logger.disabled = False
    try:
        conn = {"conn_type": "alibaba_cloud_media", "login": KEY_ID, "password": SECRET,
                "extra": {"security_token": token, "signature_version": "v1",
                          "endpoint_url": f"http://127.0.0.1:{server.server_port}"}}
        monkeypatch.setenv("AIRFLOW_CONN_ALI_REAL", json.dumps(conn))
        assert AlibabaCloudMediaHook("ali_real").query_iproduction_job("j")["JobId"] == "j"
    finally:
        logger.removeHandler(keep)
        logger.setLevel(old_level)
        logger.disabled = old_disabled
        server.shutdown()
        server.server_close()
    lines = [r.getMessage() for r in records]
    assert any("POST /?" in line for line in lines), lines
    text = "\n".join(lines)
    for form in (token, quote(token, safe=""), SECRET):
        assert form not in text
    assert "SecurityToken=" in text  # redacted, not dropped: the line still says what was sent


# STS tokens are printable ASCII (they travel in a header); "*" and "~" encode differently per scheme.
@pytest.mark.parametrize("token", [TOKEN, "Sentinel/STS+Token==", "Sentinel%Token*~"])
def test_a_vendor_message_echoing_the_string_to_sign_is_scrubbed(
    monkeypatch: pytest.MonkeyPatch, http: requests_mock.Mocker, captured: Captured, token: str
) -> None:
    # SignatureDoesNotMatch quotes the server's string to sign: the query percent-encoded twice.
    conn = {"conn_type": "alibaba_cloud_media", "login": KEY_ID, "password": SECRET,
            "extra": {"security_token": token, "signature_version": "v1"}}
    monkeypatch.setenv("AIRFLOW_CONN_ALI_ECHO", json.dumps(conn))
    once = quote(token, safe="-_.~")
    string_to_sign = f"GET&%2F&AccessKeyId%3D{KEY_ID}%26SecurityToken%3D{quote(once, safe='-_.~')}%26Version%3Dx"
    message = f"Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"
    message += f" raw={token} once={once} secret={SECRET}"
    http.register_uri(requests_mock.ANY, requests_mock.ANY, status_code=400,
                      json={"Code": "SignatureDoesNotMatch", "Message": message, "RequestId": "rid-s"})
    with pytest.raises(MediaJobsError) as info:
        AlibabaCloudMediaHook("ali_echo", retry_policy=RetryPolicy(attempts=1)).query_iproduction_job("j")
    err = info.value
    event = json.dumps(error_event(MTS_IPRODUCTION_JOB, "j", err))
    text = str(err) + event + "".join(traceback.format_exception(err)) + captured.text()
    for form in (token, once, quote(once, safe="-_.~"), SECRET):
        assert form not in text
    assert "SignatureDoesNotMatch" in text
    assert "server string to sign is" in text
    assert err.request_id == "rid-s"
