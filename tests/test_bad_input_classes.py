"""The classes of bad input the matrix does not reach: timing arguments checked before a job is
submitted, Tencent option values, digits of other scripts, unrendered templates, endpoint URLs,
hook constructor arguments and connection extras. Each is refused with a
:class:`MediaJobsValidationError` naming the argument or connection field, before any request,
and never as a raw ``KeyError``/``ValueError``/``InvalidURL``/``UnicodeEncodeError``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_mediajobs.exceptions import MediaJobsValidationError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook
from airflow_provider_mediajobs.operators import alibaba as ali_ops
from airflow_provider_mediajobs.operators import tencent as ci_ops
from airflow_provider_mediajobs.sensors import alibaba as ali_sensors
from airflow_provider_mediajobs.sensors import tencent as ci_sensors
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.transport import Timeouts
from airflow_provider_mediajobs.triggers.alibaba import MtsIProductionJobTrigger
from airflow_provider_mediajobs.triggers.tencent import TencentCIJobTrigger

ARABIC_TEN = "\u0661\u0660"  # "10" in Arabic-Indic digits: int() and float() accept it, \d matches it
TEMPLATE = "{{ ti.xcom_pull(task_ids='submit') }}"
WG = {"tag": "WordsGeneralize", "input_object": "a.txt", "queue_id": "q"}


def _refused(call: Callable[[], Any], arg: str, emu: EmulatorHandle | None = None) -> str:
    before = emu.counters().get("requests", 0) if emu else 0
    with pytest.raises(MediaJobsValidationError) as info:
        call()
    message = str(info.value)
    assert arg in message, message
    if emu is not None:
        assert emu.counters().get("requests", 0) == before, "a request was sent"
    return message


# -- timing arguments: refused when the task or trigger is built, before any submission -------------
SUBMIT_TIMING = [
    ("wait_for_completion", "yes"),
    ("wait_for_completion", 1),
    ("poll_interval", "60s"),
    ("poll_interval", 0),
    ("poll_interval", -5),
    ("poll_interval", float("nan")),
    ("wait_timeout", "1h"),
    ("wait_timeout", 0),
    ("wait_timeout", float("inf")),
    ("not_found_grace", "60"),
    ("not_found_grace", -1),
    ("deferrable", "true"),
]


@pytest.mark.parametrize(("arg", "value"), SUBMIT_TIMING)
@pytest.mark.parametrize("operator", [ali_ops.MtsSubmitIProductionJobOperator, ci_ops.TencentCISubmitJobOperator])
def test_submit_timing_arguments_are_checked_before_submitting(
    mediajobs_connections: EmulatorHandle, operator: type, arg: str, value: Any
) -> None:
    args = {"function_name": "F"} if operator is ali_ops.MtsSubmitIProductionJobOperator else WG
    message = _refused(lambda: operator(task_id="s", **args, **{arg: value}).execute({}), arg, mediajobs_connections)
    assert message.startswith(arg)


@pytest.mark.parametrize(("arg", "value"), [
    ("not_found_grace", "60s"), ("not_found_grace", -1), ("coalesce", "no"), ("deferrable", "yes"),
])
def test_sensor_timing_arguments(arg: str, value: Any) -> None:
    _refused(lambda: ali_sensors.MtsIProductionJobSensor(task_id="w", job_id="j", **{arg: value}), arg)
    _refused(lambda: ci_sensors.TencentCIJobSensor(task_id="w", job_id="j", **{arg: value}), arg)


@pytest.mark.parametrize(("arg", "value"), [
    ("poll_interval", "60s"), ("poll_interval", 0), ("not_found_grace", "x"), ("max_transient_errors", 2.5),
    ("max_transient_errors", -1), ("coalesce", "yes"), ("credentials_grace", None), ("conn_id", TEMPLATE),
    ("conn_id", ""), ("job_ids", "j1"),
])
def test_trigger_arguments(arg: str, value: Any) -> None:
    kwargs: dict[str, Any] = {"conn_id": "c", "job_ids": {"job_id": "j1"}, arg: value}
    _refused(lambda: MtsIProductionJobTrigger(**kwargs), arg)


@pytest.mark.parametrize("job_ids", [{"job_ids": "j1,j2"}, {"job_ids": TEMPLATE}, {"job_ids": "j 1"}, {}])
def test_trigger_job_ids_follow_the_catalog(job_ids: dict[str, Any]) -> None:
    _refused(lambda: TencentCIJobTrigger(conn_id="c", job_ids=job_ids), "job_ids")


# -- Tencent option values ------------------------------------------------------------------------
@pytest.mark.parametrize("options", [
    {"NerMethod": "DL\x00"},
    {"NerMethod": ["DL", "NerBasic"]},
    {"NerMethod": None},
    {"NerMethod": float("nan")},
    {"NerMethod": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": "deep"}}}}}}}}}},
    {"NerMethod": "DL\r\nInjected"},
])
def test_tencent_option_values_are_checked(mediajobs_connections: EmulatorHandle, options: dict[str, Any]) -> None:
    _refused(lambda: TencentCloudCIHook().submit_job(**WG, words_generalize=options), "words_generalize",
             mediajobs_connections)
    _refused(lambda: ci_ops.TencentCISubmitJobOperator(task_id="s", **WG, words_generalize=options).execute({}),
             "words_generalize", mediajobs_connections)


def test_plain_option_values_still_go_through(mediajobs_connections: EmulatorHandle) -> None:
    job = TencentCloudCIHook().submit_job(**WG, words_generalize={"NerMethod": "DL", "SegMethod": "MIX"})
    assert job["State"] == "Submitted"


# -- digits of other scripts ------------------------------------------------------------------------
def test_non_ascii_digits_are_not_numbers(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    _refused(lambda: AlibabaCloudMediaHook().list_smart_jobs(page_size=ARABIC_TEN), "page_size", emu)
    _refused(lambda: ci_ops.TencentCIListJobsOperator(task_id="l", tag="Translation", size=ARABIC_TEN).execute({}),
             "size", emu)


# -- unrendered templates -------------------------------------------------------------------------
@pytest.mark.parametrize(("call", "arg"), [
    (lambda: ali_ops.MtsQueryIProductionJobOperator(task_id="q", job_id=TEMPLATE).execute({}), "job_id"),
    (lambda: ali_ops.MtsSubmitIProductionJobOperator(task_id="s", function_name="F",
                                                     job_params={"k": TEMPLATE}).execute({}), "job_params"),
    (lambda: ci_ops.TencentCIListJobsOperator(task_id="l", tag="Translation", input_object=TEMPLATE).execute({}),
     "input_object"),
    (lambda: ci_ops.TencentCIGetJobsOperator(task_id="g", job_ids=["j1", TEMPLATE]).execute({}), "job_ids"),
    (lambda: ci_sensors.TencentCIJobSensor(task_id="w", job_id=TEMPLATE, deferrable=True).execute({}), "job_id"),
    (lambda: ali_ops.MtsQueryIProductionJobOperator(task_id="q", job_id="j",
                                                    alibaba_cloud_media_conn_id=TEMPLATE).execute({}),
     "alibaba_cloud_media_conn_id"),
    (lambda: AlibabaCloudMediaHook().get_task(project_name="p", task_id="{% raw %}t", task_type="X"), "task_id"),
])
def test_unrendered_templates_are_never_sent(mediajobs_connections: EmulatorHandle, call: Callable[[], Any],
                                             arg: str) -> None:
    message = _refused(call, arg, mediajobs_connections)
    assert "template" in message


# -- connection fields ------------------------------------------------------------------------------
def _with_extra(emu: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, vendor: str, conn_id: str,
                **changes: Any) -> None:
    name = {"alibaba": "alibaba_cloud_media_default", "tencent": "tencent_cloud_ci_default"}[vendor]
    conn = emu.connections()[name]
    extra = dict(conn["extra"])  # type: ignore[call-overload]
    for key, value in changes.items():
        if key in ("login", "password"):
            conn[key] = value
        else:
            extra[key] = value
    conn["extra"] = extra
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))


def _hook_and_call(vendor: str, conn_id: str) -> tuple[Any, Callable[[], Any]]:
    """A hook of ``vendor`` on ``conn_id`` and its one-job read, the first call that reads the connection."""
    if vendor == "alibaba":
        ali = AlibabaCloudMediaHook(conn_id)
        return ali, lambda: ali.query_iproduction_job("j")
    ci = TencentCloudCIHook(conn_id)
    return ci, lambda: ci.get_ci_job("j")


ENDPOINTS = [
    ("http://127.0.0.1:99999", "valid URL"),
    ("http://127.0.0.1:port", "valid URL"),
    ("http://{product}.{zone}.example.com", "unknown placeholders"),
    ("http://{product.example.com", "unmatched"),
    ("http://product}.example.com", "unmatched"),
    ("http://[::1", "valid URL"),
    ("http://[zz::1]:80", "IPv6"),
    ("http://exa_mple.com", "host name"),
    ("http://ex\u00e4mple.com", "host name"),
    ("ftp://example.com", "http"),
    ("http://user:pw@example.com", "user info"),
    ("http://example.com/prefix", "path"),
    ("http://example.com:0", "port 0"),
]


@pytest.mark.parametrize(("url", "problem"), ENDPOINTS)
@pytest.mark.parametrize("vendor", ["alibaba", "tencent"])
def test_endpoint_url_problems_name_the_field(mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch,
                                              vendor: str, url: str, problem: str) -> None:
    if vendor == "tencent" and "{product}" in url:
        url = url.replace("{product}", "{bucket}")
    _with_extra(mediajobs_connections, monkeypatch, vendor, "bad_endpoint", endpoint_url=url)
    hook, call = _hook_and_call(vendor, "bad_endpoint")
    message = _refused(call, "endpoint_url", mediajobs_connections)
    assert problem in message
    ok, text = hook.test_connection()
    assert not ok
    assert "endpoint_url" in text


def test_endpoint_placeholders_are_filled(mediajobs_connections: EmulatorHandle,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    url = mediajobs_connections.url.replace("127.0.0.1", "{region}.localhost")
    _with_extra(mediajobs_connections, monkeypatch, "tencent", "placeholder_endpoint", endpoint_url=url)
    hook = TencentCloudCIHook("placeholder_endpoint")
    assert hook.protocol.build(hook.operation("ListJobs"), {"tag": "Translation"}).url.startswith(
        url.replace("{region}", "ap-beijing"))


EXTRAS = [
    ("connect_timeout", "nan"),
    ("read_timeout", ARABIC_TEN),
    ("total_timeout", 0),
    ("total_timeout", "1e400"),
    ("max_response_bytes", "big"),
    ("max_response_bytes", 10),
    ("qps_budget", -1),
    ("batch_window", 99),
    ("security_token", "caf\u00e9"),
    ("region", "cn_shanghai"),
    ("signature_version", "v2"),
    ("login", "key\u00e9"),
]


@pytest.mark.parametrize(("field", "value"), EXTRAS)
@pytest.mark.parametrize("vendor", ["alibaba", "tencent"])
def test_connection_extras_are_checked(mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch,
                                       vendor: str, field: str, value: Any) -> None:
    if vendor == "tencent" and field == "signature_version":
        field, value = "bucket", "examplebucket-\u0661\u0662\u0665\u0660\u0660\u0660\u0660\u0660\u0660\u0660"
    _with_extra(mediajobs_connections, monkeypatch, vendor, "bad_extra", **{field: value})
    _, call = _hook_and_call(vendor, "bad_extra")
    message = _refused(call, field.replace("login", "(login)"), mediajobs_connections)
    assert "connection 'bad_extra'" in message


def test_an_unknown_extra_is_logged(mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch,
                                    caplog: pytest.LogCaptureFixture) -> None:
    _with_extra(mediajobs_connections, monkeypatch, "tencent", "typo_extra", batchsize=5)
    TencentCloudCIHook("typo_extra").list_jobs(tag="Translation", max_items=1)
    assert any("batchsize" in r.getMessage() for r in caplog.records)


# -- hook constructor arguments ---------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "arg"), [
    ({"max_response_bytes": 0}, "max_response_bytes"),
    ({"max_response_bytes": "16MB"}, "max_response_bytes"),
    ({"max_response_bytes": True}, "max_response_bytes"),
    ({"timeouts": 5}, "timeouts"),
    ({"timeouts": Timeouts(total=-1)}, "timeouts"),
    ({"retry_policy": 3}, "retry_policy"),
    ({"conn_id": 5}, "conn_id"),
    ({"conn_id": "a b"}, "conn_id"),
    ({"tencent_cloud_ci_conn_id": TEMPLATE}, "tencent_cloud_ci_conn_id"),
])
def test_hook_constructor_arguments(kwargs: dict[str, Any], arg: str) -> None:
    message = _refused(lambda: TencentCloudCIHook(**kwargs), arg)
    assert message.startswith(arg)
