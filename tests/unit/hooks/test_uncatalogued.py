"""The escape hatch: an action or path the catalog does not have, over real HTTP to the emulator,
signed, typed and scrubbed like a catalogued call; bad arguments refused before any request."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_mediajobs.catalog import alibaba as ali
from airflow_provider_mediajobs.catalog import tencent as ci
from airflow_provider_mediajobs.exceptions import AuthError, InvalidParameterError, MediaJobsValidationError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook
from airflow_provider_mediajobs.testing import EmulatorHandle, find_secrets
from tests.helpers import new_job


def test_an_alibaba_action_by_name_answers_as_the_catalogued_call(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "mts")
    hook = AlibabaCloudMediaHook()
    raw = hook.call_action("mts", "QueryIProductionJob", {"JobId": job_id})
    assert raw["JobId"] == job_id
    assert raw.keys() == hook.call(ali.QUERY_IPRODUCTION_JOB, job_id=job_id).keys()


def test_a_tencent_path_answers_as_the_catalogued_call(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "tencent")
    hook = TencentCloudCIHook()
    raw = hook.call_path("GET", f"/jobs/{job_id}")
    # As every CI answer is read: JobsDetail always a list (it repeats in the XML).
    assert [job["JobId"] for job in raw["JobsDetail"]] == [job_id]
    listed = hook.call_path("GET", "/jobs", query={"tag": "Translation", "size": 5})
    assert "JobsDetail" in listed


def test_a_tencent_submit_with_a_raw_xml_body(mediajobs_connections: EmulatorHandle) -> None:
    body = ("<Request><Tag>WordsGeneralize</Tag><Input><Object>a.txt</Object></Input><Operation>"
            "<WordsGeneralize><NerMethod>DL</NerMethod><SegMethod>MIX</SegMethod></WordsGeneralize>"
            "</Operation><QueueId>q1</QueueId></Request>")
    answer = TencentCloudCIHook().call_path("POST", "/jobs", body=body)
    assert [job["State"] for job in answer["JobsDetail"]] == ["Submitted"]


def test_a_tencent_flag_and_an_empty_answer(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "tencent", queue_s=3600, run_s=3600)
    # CancelMediaJob answers an empty 200, which an uncatalogued call accepts (read as no jobs).
    assert TencentCloudCIHook().call_path("PUT", f"/jobs/{job_id}", query={"cancel": ""}) == {"JobsDetail": []}
    assert TencentCloudCIHook().get_ci_job(job_id)["State"] == "Cancel"


def test_vendor_errors_are_typed_and_carry_no_secret(mediajobs_connections: EmulatorHandle) -> None:
    with pytest.raises(InvalidParameterError) as unknown:
        AlibabaCloudMediaHook().call_action("mts", "NoSuchAction")
    assert unknown.value.request_id
    conns = mediajobs_connections.connections()
    secrets = [str(c["password"]) for c in conns.values()]
    with pytest.MonkeyPatch.context() as mp:
        import json

        wrong = {**conns["tencent_cloud_ci_default"], "password": "wrong-secret-key-123"}
        mp.setenv("AIRFLOW_CONN_TENCENT_CLOUD_CI_DEFAULT", json.dumps(wrong))
        with pytest.raises(AuthError) as refused:
            TencentCloudCIHook().call_path("GET", "/jobs", query={"tag": "Translation"})
    text = f"{unknown.value!r} {unknown.value} {refused.value!r} {refused.value} {refused.value.__cause__!r}"
    assert not find_secrets([text], [*secrets, "wrong-secret-key-123"])


BAD: list[tuple[str, Any, str]] = [
    ("product", lambda: ali.uncatalogued("oss", "GetObject"), "one of ice, imm, mts"),
    ("action", lambda: ali.uncatalogued("mts", "submit-job"), "an action name"),
    ("params", lambda: ali.uncatalogued("mts", "SubmitJobs", {"Signature": "x"}), "signature's own"),
    ("params", lambda: ali.uncatalogued("mts", "SubmitJobs", {"a b": "x"}), "parameter names"),
    ("params['Input']", lambda: ali.uncatalogued("mts", "SubmitJobs", {"Input": object()}), "a string, number"),
    ("params", lambda: ali.uncatalogued("mts", "SubmitJobs", {"Big": "x" * (ali.MAX_UNCATALOGUED_PARAMS + 1)}),
     "at most"),
    ("idempotent", lambda: ali.uncatalogued("mts", "SubmitJobs", idempotent="yes"), "True or False"),
    ("method", lambda: ci.uncatalogued("DELETE", "/jobs"), "one of GET, POST, PUT"),
    ("path", lambda: ci.uncatalogued("GET", "jobs"), "a path such as"),
    ("path", lambda: ci.uncatalogued("GET", "/jobs/../buckets"), "a path such as"),
    ("path", lambda: ci.uncatalogued("GET", "/jobs?x=1"), "a path such as"),
    ("query", lambda: ci.uncatalogued("GET", "/jobs", {"a b": "1"}), "names of letters"),
    ("body", lambda: ci.uncatalogued("GET", "/jobs", body="<Request/>"), "left unset for GET"),
    ("body", lambda: ci.uncatalogued("POST", "/jobs", body="<Request><Tag>"), "well-formed"),
    ("body", lambda: ci.uncatalogued("POST", "/jobs", body='<!DOCTYPE x [<!ENTITY a "b">]><Request>&a;</Request>'),
     "well-formed"),
    ("body", lambda: ci.uncatalogued("POST", "/jobs", body="<Error/>"), "a <Request> document"),
    ("body", lambda: ci.uncatalogued("POST", "/jobs", body="<Request>" + "x" * ci.MAX_UNCATALOGUED_BODY + "</Request>"),
     "at most"),
]


@pytest.mark.parametrize(("arg", "call", "allowed"), BAD, ids=[f"{a}-{i}" for i, (a, _, _) in enumerate(BAD)])
def test_bad_arguments_are_refused_before_any_request(arg: str, call: Any, allowed: str) -> None:
    with pytest.raises(MediaJobsValidationError) as refused:
        call()
    assert str(refused.value).startswith(arg), str(refused.value)
    assert allowed in str(refused.value)


def test_the_hooks_check_before_any_request(mediajobs_connections: EmulatorHandle) -> None:
    before = mediajobs_connections.counters().get("requests", 0)
    with pytest.raises(MediaJobsValidationError):
        AlibabaCloudMediaHook().call_action("mts", "bad action")
    with pytest.raises(MediaJobsValidationError):
        TencentCloudCIHook().call_path("POST", "/jobs", body="not xml")
    assert mediajobs_connections.counters().get("requests", 0) == before


def test_a_submission_is_not_retried_ambiguously_unless_said_idempotent() -> None:
    operation, _ = ali.uncatalogued("mts", "SubmitJobs")
    assert operation.idempotent is False
    assert ali.uncatalogued("mts", "QueryJobList", idempotent=True)[0].idempotent is True
    assert ci.uncatalogued("POST", "/jobs")[0].idempotent is False
