"""The alibaba_cloud_media connection: fields, errors naming them, test_connection, hook methods."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import requests_mock

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.exceptions import MediaJobsValidationError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.transport import RetryPolicy

KEY_ID = "LTAIhookKEYID"
SECRET = "Hook-Secret-Sentinel-0042"
TOKEN = "Hook-STS-Token-Sentinel-0043"

SetConn = Callable[..., AlibabaCloudMediaHook]


@pytest.fixture
def set_conn(monkeypatch: pytest.MonkeyPatch) -> SetConn:
    def make(*, conn_type: str = "alibaba_cloud_media", login: str | None = KEY_ID,
             password: str | None = SECRET, extra: Any = None, attempts: int = 1) -> AlibabaCloudMediaHook:
        conn: dict[str, Any] = {"conn_type": conn_type, "login": login, "password": password}
        if extra is not None:
            conn["extra"] = extra
        monkeypatch.setenv("AIRFLOW_CONN_ALI_HOOK", json.dumps(conn))
        return AlibabaCloudMediaHook("ali_hook", retry_policy=RetryPolicy(attempts=attempts, initial=0, max_wait=0))

    return make


@pytest.fixture
def http() -> Iterator[requests_mock.Mocker]:
    with requests_mock.Mocker() as mocker:
        yield mocker


def test_login_and_password_with_defaults(set_conn: SetConn) -> None:
    protocol = set_conn().protocol
    assert isinstance(protocol, cat.AlibabaProtocol)
    assert protocol.credentials == cat.AlibabaCredentials(KEY_ID, SECRET, None)
    assert (protocol.region, protocol.endpoint_url, protocol.signature_version) == ("cn-shanghai", None, "v3")


def test_every_extra_is_read(set_conn: SetConn) -> None:
    protocol = set_conn(extra={"region": "ap-southeast-1", "security_token": TOKEN,
                               "endpoint_url": "https://{product}-vpc.{region}.aliyuncs.com/",
                               "signature_version": "v1"}).protocol
    assert isinstance(protocol, cat.AlibabaProtocol)
    assert protocol.credentials.security_token == TOKEN
    assert protocol.region == "ap-southeast-1"
    assert protocol.endpoint_url == "https://{product}-vpc.{region}.aliyuncs.com"
    assert protocol.signature_version == "v1"
    assert protocol.base_url("imm") == "https://imm-vpc.ap-southeast-1.aliyuncs.com"


@pytest.mark.parametrize("conn_type", ["alibaba_cloud_media", "alibaba_cloud"])
def test_official_connection_extras_give_the_key_pair(set_conn: SetConn, conn_type: str) -> None:
    hook = set_conn(conn_type=conn_type, login=None, password=None,
                    extra={"access_key_id": KEY_ID, "access_key_secret": SECRET, "region": "cn-beijing"})
    protocol = hook.protocol
    assert isinstance(protocol, cat.AlibabaProtocol)
    assert (protocol.credentials.access_key_id, protocol.credentials.access_key_secret) == (KEY_ID, SECRET)
    assert protocol.region == "cn-beijing"


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"login": None}, "AccessKeyId"),
        ({"password": None}, "AccessKeySecret"),
        ({"password": "  "}, "AccessKeySecret"),
        ({"password": SECRET + " x"}, "AccessKeySecret (password)"),
        ({"login": "LTAI bad"}, "AccessKeyId (login)"),
        ({"extra": {"region": "Shanghai"}}, "region"),
        ({"extra": {"region": 7}}, "region"),
        ({"extra": {"signature_version": "v2"}}, "signature_version"),
        ({"extra": {"endpoint_url": "ftp://host"}}, "endpoint_url"),
        ({"extra": {"endpoint_url": "http://user:pw@host"}}, "endpoint_url"),
        ({"extra": {"endpoint_url": "http://host/?a=1"}}, "endpoint_url"),
        ({"extra": {"endpoint_url": "localhost:8080"}}, "endpoint_url"),
        ({"extra": {"security_token": "tok en" + TOKEN}}, "security_token"),
        ({"extra": {"security_token": 12345}}, "security_token"),
        ({"login": None, "password": None, "extra": {"access_key_id": KEY_ID}}, "AccessKeySecret"),
        ({"extra": [1, 2]}, "extra"),
    ],
)
def test_a_bad_field_gives_an_error_naming_it_without_the_secret(
    set_conn: SetConn, http: requests_mock.Mocker, kwargs: dict[str, Any], named: str
) -> None:
    from airflow.exceptions import AirflowNotFoundException

    hook = set_conn(**kwargs)
    # Airflow 3.1 itself refuses an environment connection whose extra is not an object, before
    # the provider sees it; later minors hand it over and the provider names the field.
    with pytest.raises((MediaJobsValidationError, AirflowNotFoundException)) as info:
        hook.query_iproduction_job("j-1")
    text = str(info.value)
    if isinstance(info.value, AirflowNotFoundException):
        assert kwargs.get("extra") == [1, 2]
        named = "ali_hook"
    assert named in text
    assert "ali_hook" in text
    assert SECRET not in text
    assert TOKEN not in text
    assert http.call_count == 0
    ok, message = hook.test_connection()
    assert ok is False
    assert named in message
    assert SECRET not in message
    assert TOKEN not in message


def test_test_connection_succeeds_with_one_cheap_signed_call(set_conn: SetConn, http: requests_mock.Mocker) -> None:
    http.register_uri(requests_mock.ANY, requests_mock.ANY, json={"RequestId": "r", "SmartJobList": []})
    ok, message = set_conn().test_connection()
    assert ok is True
    assert "ListSmartJobs" in message
    (req,) = http.request_history
    assert req.method == "GET"
    assert req.headers["x-acs-action"] == "ListSmartJobs"
    assert dict(parse_qsl(urlsplit(req.url).query)) == {"MaxResults": "1"}
    assert "Authorization" in req.headers


@pytest.mark.parametrize(
    "answer",
    [
        {"status_code": 400, "json": {"Code": "SignatureDoesNotMatch", "Message": "bad signature", "RequestId": "r"}},
        {"status_code": 403, "json": {"Code": "Forbidden.RAM", "Message": "denied", "RequestId": "r"}},
        {"status_code": 200, "text": "<html>captive portal</html>"},
        {"exc": requests.exceptions.ConnectionError("Max retries exceeded with url: /?x=1")},
        {"exc": requests.exceptions.ConnectTimeout("timed out")},
    ],
)
@pytest.mark.parametrize("version", ["v3", "v1"])
def test_test_connection_fails_without_secrets(set_conn: SetConn, http: requests_mock.Mocker,
                                               answer: dict[str, Any], version: str) -> None:
    http.register_uri(requests_mock.ANY, requests_mock.ANY, **answer)
    hook = set_conn(extra={"security_token": TOKEN, "signature_version": version})
    ok, message = hook.test_connection()
    assert ok is False
    assert message
    assert SECRET not in message
    assert TOKEN not in message


def test_test_connection_reports_the_vendor_code(set_conn: SetConn, http: requests_mock.Mocker) -> None:
    http.register_uri(requests_mock.ANY, requests_mock.ANY, status_code=400,
                      json={"Code": "InvalidAccessKeyId.NotFound", "Message": "no such key", "RequestId": "rid"})
    ok, message = set_conn().test_connection()
    assert ok is False
    assert "InvalidAccessKeyId.NotFound" in message
    assert "rid" in message


def test_protocol_and_client_are_built_once_per_hook(set_conn: SetConn, http: requests_mock.Mocker,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    http.register_uri(requests_mock.ANY, requests_mock.ANY, json={"RequestId": "r", "JobId": "a", "State": "Queuing"})
    hook = set_conn()
    reads: list[str] = []
    real = AlibabaCloudMediaHook.get_connection

    def counting(conn_id: str) -> Any:
        reads.append(conn_id)
        return real(conn_id)

    monkeypatch.setattr(AlibabaCloudMediaHook, "get_connection", staticmethod(counting))
    hook.query_iproduction_job("a")
    hook.query_iproduction_job("b")
    assert reads == ["ali_hook"]
    assert hook.get_conn() is hook.client


def test_hook_identity() -> None:
    assert AlibabaCloudMediaHook.conn_type == "alibaba_cloud_media"
    assert AlibabaCloudMediaHook.conn_name_attr == "alibaba_cloud_media_conn_id"
    assert AlibabaCloudMediaHook.default_conn_name == "alibaba_cloud_media_default"
    hook = AlibabaCloudMediaHook(alibaba_cloud_media_conn_id="x")
    assert hook.alibaba_cloud_media_conn_id == hook.conn_id == "x"


def test_get_job_reads_one_job_of_each_kind(set_conn: SetConn, http: requests_mock.Mocker) -> None:
    answers = {"QueryIProductionJob": {"RequestId": "r", "State": "Success", "JobId": "j"},
               "GetTask": {"RequestId": "r", "Status": "Running", "TaskId": "t"}}
    http.register_uri(requests_mock.ANY, requests_mock.ANY,
                      json=lambda request, context: answers[request.headers["x-acs-action"]])
    hook = set_conn()
    job = hook.get_job(cat.MTS_IPRODUCTION_JOB, job_id="j")
    assert cat.MTS_IPRODUCTION_JOB.classify(job) == "success"
    hook.get_job(cat.IMM_TASK, project_name="p", task_id="t", task_type="FaceClustering")
    assert [r.headers["x-acs-action"] for r in http.request_history] == ["QueryIProductionJob", "GetTask"]


@pytest.mark.parametrize(
    ("method", "kwargs", "named"),
    [
        ("query_iproduction_job", {"job_id": "a/b"}, "job_id"),
        ("query_iproduction_job", {"job_id": ""}, "job_id"),
        ("get_smart_handle_job", {"job_id": "x\ny"}, "job_id"),
        ("submit_iproduction_job", {"function_name": None}, "function_name"),
        ("submit_iproduction_job", {"function_name": "F", "job_params": "{not json"}, "job_params"),
        ("submit_iproduction_job", {"function_name": "F", "schedule_params": "[1]"}, "schedule_params"),
        ("list_smart_jobs", {"page_size": 101}, "page_size"),  # the name the caller used
        ("list_smart_jobs", {"job_state": "Done"}, "job_state"),
        ("list_live_snapshot_jobs", {"page_size": 0}, "page_size"),
        ("list_live_snapshot_jobs", {"start_time": "2024-01-01T00:00:00Z", "end_time": "2024-02-01T00:00:01Z"},
         "start_time/end_time"),
        ("list_tasks", {"project_name": "p", "order": "ASC"}, "order"),
        ("get_task", {"project_name": "p", "task_id": "t", "task_type": "x", "request_definition": "yes"},
         "request_definition"),
    ],
)
def test_hook_methods_check_arguments_before_any_request(
    set_conn: SetConn, http: requests_mock.Mocker, method: str, kwargs: dict[str, Any], named: str
) -> None:
    with pytest.raises(MediaJobsValidationError, match="^" + named.replace("/", ".")):
        getattr(set_conn(), method)(**kwargs)
    assert http.call_count == 0


# -- against the emulator (real HTTP through the pytest plugin's fixtures) ----------------------
def test_submit_then_query_iproduction(mediajobs_connections: EmulatorHandle) -> None:
    from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook

    hook = AlibabaCloudMediaHook()
    job_id = hook.submit_iproduction_job(function_name="VideoQualityEnhancement",
                                         input="oss://b/in.mp4", output="oss://b/out.mp4")["JobId"]
    job = hook.query_iproduction_job(job_id)
    assert job["JobId"] == job_id
    assert job["State"] in {"Queuing", "Analysing", "Success", "Fail"}


def test_smart_jobs_paging_and_state_filter(mediajobs_connections: EmulatorHandle) -> None:
    from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook

    pages = list(AlibabaCloudMediaHook().iter_smart_jobs(job_state="Finished", page_size=10, max_items=25))
    jobs = [job for page in pages for job in page]
    assert len(jobs) == 25
    assert {job["JobState"] for job in jobs} == {"Finished"}
    assert len({job["JobId"] for job in jobs}) == 25


def test_unknown_job_is_typed_not_found(mediajobs_connections: EmulatorHandle) -> None:
    from airflow_provider_mediajobs.exceptions import MediaJobsError
    from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook

    with pytest.raises(MediaJobsError) as err:
        AlibabaCloudMediaHook().query_iproduction_job("0" * 32)
    assert err.value.status == 404
    assert (err.value.code or "").endswith("NotFound")
