"""Tencent operators: every filter a template field, checks before any request, JSON XCom, and
no secret anywhere a user could see it."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from airflow_provider_mediajobs.catalog import tencent as cat
from airflow_provider_mediajobs.exceptions import MediaJobsError, MediaJobsValidationError
from airflow_provider_mediajobs.operators.tencent import (
    TencentCIGetJobsOperator,
    TencentCIListJobsOperator,
    TencentCISubmitJobOperator,
)
from airflow_provider_mediajobs.testing import EmulatorHandle


def test_template_fields_are_the_catalog_arguments() -> None:
    conn = {"tencent_cloud_ci_conn_id"}
    assert set(TencentCIListJobsOperator.template_fields) == set(cat.LIST_JOBS.args) - {"next_token"} | conn
    assert set(TencentCIGetJobsOperator.template_fields) == {"job_ids"} | conn
    assert set(TencentCISubmitJobOperator.template_fields) == set(cat.SUBMIT_JOB.args) | conn


BAD: list[tuple[type, dict[str, Any], str]] = [
    (TencentCIListJobsOperator, {"tag": "transcode"}, "tag"),
    (TencentCIListJobsOperator, {"tag": "Translation", "states": "Success,Done"}, "states"),
    (TencentCIListJobsOperator, {"tag": "Translation", "size": 101}, "size"),
    (TencentCIListJobsOperator, {"tag": "Translation", "size": 0}, "size"),
    (
        TencentCIListJobsOperator,
        {
            "tag": "Translation",
            "start_creation_time": "2024-01-02T00:00:00+0800",
            "end_creation_time": "2024-01-01T00:00:00+0800",
        },
        "start_creation_time",
    ),
    (TencentCIListJobsOperator, {"tag": "Translation", "start_creation_time": "yesterday"}, "start_creation_time"),
    (TencentCIListJobsOperator, {"tag": "Translation", "order_by_time": "desc"}, "order_by_time"),
    (TencentCIGetJobsOperator, {"job_ids": "../etc"}, "job_ids"),
    (TencentCIGetJobsOperator, {"job_ids": ["ok", "bad id"]}, "job_ids"),
    # A bad id in the third call's share of 10 is refused before the first call goes out.
    (TencentCIGetJobsOperator, {"job_ids": [f"j{i}" for i in range(25)] + ["bad id"]}, "job_ids"),
    (TencentCISubmitJobOperator, {"tag": "Translation", "input_object": "a.txt"}, "queue_id"),
    (
        TencentCISubmitJobOperator,
        {"tag": "WordsGeneralize", "input_object": "a.txt", "queue_id": "q", "translation": {"Lang": "en"}},
        "translation",
    ),
    (
        TencentCISubmitJobOperator,
        {"tag": "Translation", "input_object": "a.txt", "queue_id": "q", "translation": {"Lang": "en"}},
        "output_bucket",
    ),
    (
        TencentCISubmitJobOperator,
        {"tag": "WordsGeneralize", "input_object": "a.txt", "queue_id": "q", "user_data": "caf\u00e9"},
        "user_data",
    ),
    (
        TencentCISubmitJobOperator,
        {"tag": "WordsGeneralize", "input_object": "a.txt", "queue_id": "q", "job_level": "3"},
        "job_level",
    ),
]


@pytest.mark.parametrize(("operator", "kwargs", "arg"), BAD, ids=[f"{o.__name__}-{a}" for o, _, a in BAD])
def test_bad_arguments_fail_before_any_request(
    mediajobs_connections: EmulatorHandle, operator: type, kwargs: dict[str, Any], arg: str
) -> None:
    before = mediajobs_connections.counters().get("requests", 0)
    with pytest.raises(MediaJobsValidationError) as info:
        operator(task_id="t", **kwargs).execute({})
    assert arg in str(info.value)
    assert mediajobs_connections.counters().get("requests", 0) == before


def test_list_pages_to_max_items_and_is_json(mediajobs_connections: EmulatorHandle) -> None:
    jobs = TencentCIListJobsOperator(task_id="t", tag="SpeechRecognition", size=7, max_items=20).execute({})
    assert len(jobs) == 20
    assert len({j["JobId"] for j in jobs}) == 20
    json.dumps(jobs)
    assert mediajobs_connections.counters()["op:ListJobs"] == 3  # 7 + 7 + 6: no page fetched past the cap


def test_submit_returns_the_job_id(mediajobs_connections: EmulatorHandle) -> None:
    job_id = TencentCISubmitJobOperator(
        task_id="t",
        tag="WordsGeneralize",
        input_object="a.txt",
        queue_id="q1",
        words_generalize={"NerMethod": "DL", "SegMethod": "MIX"},
    ).execute({})
    found = TencentCIGetJobsOperator(task_id="g", job_ids=[job_id]).execute({})
    assert [j["JobId"] for j in found["JobsDetail"]] == [job_id]


def test_sentinel_secrets_never_surface(
    mediajobs_connections: EmulatorHandle,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu = mediajobs_connections
    token = emu.admin("POST", "sts", {"vendor": "tencent", "ttl": 600})["token"]
    good = emu.connections()["tencent_cloud_ci_default"]
    good["extra"]["security_token"] = token
    bad = json.loads(json.dumps(good))
    bad["password"] = "SENTINEL-SecretKey-93f1"
    monkeypatch.setenv("AIRFLOW_CONN_TOKENED", json.dumps(good))
    monkeypatch.setenv("AIRFLOW_CONN_WRONG", json.dumps(bad))
    seen: list[str] = []
    with caplog.at_level(logging.DEBUG):
        op = TencentCIListJobsOperator(task_id="t", tag="Translation", max_items=3, tencent_cloud_ci_conn_id="tokened")
        seen.append(json.dumps(op.execute({})))
        op.render_template_fields({})
        seen += [str(getattr(op, f)) for f in op.template_fields]
        with pytest.raises(MediaJobsError) as info:
            TencentCIListJobsOperator(task_id="w", tag="Translation", tencent_cloud_ci_conn_id="wrong").execute({})
        seen.append(str(info.value))
        assert "SignatureDoesNotMatch" in str(info.value)
    out = capsys.readouterr()
    seen += [r.getMessage() for r in caplog.records] + [out.out, out.err]
    for secret in ("SENTINEL-SecretKey-93f1", token, "emulator-secret"):
        assert not any(secret in text for text in seen), secret


def test_get_jobs_always_returns_both_lists(mediajobs_connections: EmulatorHandle) -> None:
    known = mediajobs_connections.admin("POST", "jobs", {"kind": "tencent", "bucket": "examplebucket-1250000000",
                                                          "tag": "Translation"})["job_id"]
    found = TencentCIGetJobsOperator(task_id="g", job_ids=[known]).execute({})
    assert found["NonExistJobIds"] == []  # present even when every id is known
    assert [j["JobId"] for j in found["JobsDetail"]] == [known]
    mixed = TencentCIGetJobsOperator(task_id="m", job_ids=[known, "jmissing1"]).execute({})
    assert mixed["NonExistJobIds"] == ["jmissing1"]
