"""Admin ``POST /_emulator/jobs``: a job made with the body docs/emulator.md documents is one the
vendor APIs serve, read back over real HTTP through the provider's hooks; bodies the emulator
could not serve are refused with 400 and a message that names the accepted values."""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_mediajobs.emulator import TENCENT_BUCKET, EmulatorAdmin, connections_for
from airflow_provider_mediajobs.emulator.backend import DEFAULT_BUCKETS, DEFAULT_IMM_PROJECT, JOB_ATTRIBUTES
from airflow_provider_mediajobs.exceptions import NotFoundError
from airflow_provider_mediajobs.testing import EmulatorHandle

# The documented body: only the fields docs/emulator.md lists for every kind.
FINISHED = {"queue_s": 0, "run_s": 0, "succeed": True}
SUCCESS = {"mts": "Success", "ice_smart": "Finished", "imm": "Succeeded", "tencent": "Success",
           "ice_transcode": "Success", "ice_snapshot": "Success", "ice_media_convert": "Complete"}


def _refused(emulator: EmulatorHandle, body: Any) -> str:
    """POST ``body`` (a dict, or raw bytes) to ``jobs``; assert a 400 and no new job; its text."""
    before = len(emulator.backend.jobs)
    with pytest.raises(urllib.error.HTTPError) as err:
        EmulatorAdmin(emulator.url).call("POST", "jobs", body)
    assert err.value.code == 400
    assert len(emulator.backend.jobs) == before
    return err.value.read().decode()


def _get_mts(job_id: str) -> dict[str, Any]:
    from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook

    return AlibabaCloudMediaHook().query_iproduction_job(job_id)


def _get_ice(job_id: str) -> dict[str, Any]:
    from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook

    return AlibabaCloudMediaHook().get_smart_handle_job(job_id)


def _get_imm(job_id: str) -> dict[str, Any]:
    from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook

    # The project and task type docs/emulator.md names as the defaults.
    return AlibabaCloudMediaHook().get_task(project_name="media-archive", task_id=job_id,
                                            task_type="VideoLabelClassification")


def _get_tencent(job_id: str) -> dict[str, Any]:
    from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook

    return TencentCloudCIHook().get_ci_job(job_id)


def _ice_media(method: str, job_id: str, under: str) -> dict[str, Any]:
    from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook

    job: dict[str, Any] = getattr(AlibabaCloudMediaHook(), method)(job_id)[under]
    return job


GETTERS: dict[str, tuple[Callable[[str], dict[str, Any]], str, str]] = {
    # kind: (the hook's get method, the id field, the state field)
    "mts": (_get_mts, "JobId", "State"),
    "ice_smart": (_get_ice, "JobId", "State"),
    "imm": (_get_imm, "TaskId", "Status"),
    "tencent": (_get_tencent, "JobId", "State"),
    # ICE transcoding, snapshots and media conversion (issue 18, part 2)
    "ice_transcode": (lambda j: _ice_media("get_transcode_job", j, "TranscodeParentJob"), "ParentJobId", "Status"),
    "ice_snapshot": (lambda j: _ice_media("get_snapshot_job", j, "SnapshotJob"), "JobId", "Status"),
    "ice_media_convert": (lambda j: _ice_media("get_media_convert_job", j, "Job"), "JobId", "State"),
}


@pytest.mark.parametrize("kind", list(GETTERS))
def test_a_job_made_with_the_documented_body_is_served_by_the_hook(
    mediajobs_connections: EmulatorHandle, kind: str
) -> None:
    created = mediajobs_connections.admin("POST", "jobs", {"kind": kind, **FINISHED})
    get, id_field, state_field = GETTERS[kind]
    job = get(created["job_id"])
    assert job[id_field] == created["job_id"]
    assert job[state_field] == SUCCESS[kind]
    # The answer names every attribute the job got, defaults included.
    assert set(created["attributes"]) == set(JOB_ATTRIBUTES[kind])


@pytest.mark.parametrize("kind", list(GETTERS))
def test_the_kind_alone_is_a_valid_body(mediajobs_connections: EmulatorHandle, kind: str) -> None:
    created = mediajobs_connections.admin("POST", "jobs", {"kind": kind})
    get, id_field, _ = GETTERS[kind]
    assert get(created["job_id"])[id_field] == created["job_id"]


def test_a_tencent_job_defaults_to_the_default_connections_bucket(mediajobs_connections: EmulatorHandle) -> None:
    from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook

    extra: Any = connections_for(mediajobs_connections.url)["tencent_cloud_ci_default"]["extra"]
    default_bucket = extra["bucket"]
    assert default_bucket == TENCENT_BUCKET[0]
    created = mediajobs_connections.admin("POST", "jobs", {"kind": "tencent", **FINISHED})
    assert created["attributes"]["bucket"] == default_bucket
    assert created["attributes"]["tag"] == "Translation"
    # Listed as well as read: the list filters by bucket and tag.
    listed = TencentCloudCIHook().list_jobs(tag="Translation", max_items=20)
    assert created["job_id"] in [job["JobId"] for job in listed]
    many = mediajobs_connections.admin("POST", "jobs", {"kind": "tencent", "count": 3, **FINISHED})
    found = TencentCloudCIHook().get_jobs(many["job_ids"])
    assert sorted(j["JobId"] for j in found["JobsDetail"]) == sorted(many["job_ids"])
    assert found["NonExistJobIds"] == []


def test_a_tencent_job_in_another_served_bucket_is_served_there_only(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook

    other = next(b for b in DEFAULT_BUCKETS if b != TENCENT_BUCKET[0])
    conn: dict[str, Any] = dict(connections_for(mediajobs_connections.url)["tencent_cloud_ci_default"])
    conn["extra"] = {**conn["extra"], "bucket": other, "region": DEFAULT_BUCKETS[other]}
    monkeypatch.setenv("AIRFLOW_CONN_CI_OTHER_BUCKET", json.dumps(conn))
    job_id = mediajobs_connections.admin("POST", "jobs", {"kind": "tencent", "bucket": other, **FINISHED})["job_id"]
    assert TencentCloudCIHook("ci_other_bucket").get_ci_job(job_id)["JobId"] == job_id
    with pytest.raises(NotFoundError):
        TencentCloudCIHook().get_ci_job(job_id)


def test_an_imm_task_defaults_to_the_documented_project(mediajobs_connections: EmulatorHandle) -> None:
    from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook

    created = mediajobs_connections.admin("POST", "jobs", {"kind": "imm", **FINISHED})
    assert created["attributes"]["project_name"] == DEFAULT_IMM_PROJECT == "media-archive"
    listed = AlibabaCloudMediaHook().list_tasks(project_name="media-archive", max_items=20)
    assert created["job_id"] in [task["TaskId"] for task in listed]
    # GetTask finds it under its own project only.
    with pytest.raises(NotFoundError):
        AlibabaCloudMediaHook().get_task(project_name="another-project", task_id=created["job_id"],
                                         task_type="VideoLabelClassification")


def test_explicit_attributes_are_kept(mediajobs_connections: EmulatorHandle) -> None:
    body = {"kind": "tencent", "tag": "WordsGeneralize", "queue_id": "pq1", "input_object": "in/a.txt",
            "user_data": "mine", "job_level": "2", **FINISHED}
    job = _get_tencent(mediajobs_connections.admin("POST", "jobs", body)["job_id"])
    assert (job["Tag"], job["QueueId"], job["Input"]["Object"]) == ("WordsGeneralize", "pq1", "in/a.txt")
    assert (job["Operation"]["UserData"], job["Operation"]["JobLevel"]) == ("mine", "2")
    smart = _get_ice(mediajobs_connections.admin("POST", "jobs", {"kind": "ice_smart", "job_type": "TextToSpeech",
                                                                  "title": "t1"})["job_id"])
    assert (smart["SmartJobInfo"]["JobType"], smart["SmartJobInfo"]["Title"]) == ("TextToSpeech", "t1")


@pytest.mark.parametrize(
    ("body", "named"),
    [
        pytest.param({"kind": "tencent", "bucket": "nosuchbucket-1250000000"}, list(DEFAULT_BUCKETS),
                     id="unknown bucket"),
        pytest.param({"kind": "tencent", "tag": "transcode"}, ["Translation", "SpeechRecognition", "WordsGeneralize"],
                     id="unknown tag"),
        pytest.param({"kind": "tencent", "job_level": "7"}, ["0", "1", "2"], id="unknown job level"),
        pytest.param({"kind": "tencent", "bucket": ""}, list(DEFAULT_BUCKETS), id="empty bucket"),
        pytest.param({"kind": "ice_smart", "job_type": "Transcode"}, ["ASR", "DynamicChart", "VideoTranslation",
                                                                      "TextToSpeech"], id="unknown smart job type"),
        pytest.param({"kind": "imm", "project_name": ""}, ["media-archive"], id="empty imm project"),
        pytest.param({"kind": "imm", "task_type": ""}, ["VideoLabelClassification"], id="empty imm task type"),
        pytest.param({"kind": "mts", "bucket": "b"}, ["function_name", "queue_s"], id="another kind's field"),
        pytest.param({"kind": "tencent", "project_name": "p"}, ["bucket", "tag"], id="imm field on tencent"),
        pytest.param({"kind": "mts", "job_id": "mine"}, ["function_name"], id="job id is not settable"),
        pytest.param({"kind": "mts", "queue_s": "soon"}, ["queue_s"], id="queue_s not a number"),
        pytest.param({"kind": "mts", "run_s": -1}, ["run_s"], id="negative run_s"),
        pytest.param({"kind": "mts", "succeed": "yes"}, ["succeed"], id="succeed not a boolean"),
        pytest.param({"kind": "tencent", "tag": 3}, ["tag"], id="tag not a string"),
        pytest.param({"kind": "transcode"}, ["mts", "ice_smart", "imm", "tencent"], id="unknown kind"),
        pytest.param({}, ["mts", "ice_smart", "imm", "tencent"], id="no kind"),
        pytest.param({"kind": "tencent", "count": 3, "tag": "Nope"}, ["Translation"], id="count with a bad field"),
        pytest.param({"kind": "mts", "count": True}, ["count"], id="count not an integer"),
    ],
)
def test_bodies_the_emulator_could_not_serve_are_refused(
    mediajobs_connections: EmulatorHandle, body: dict[str, Any], named: list[str]
) -> None:
    text = _refused(mediajobs_connections, body)
    for value in named:
        assert value in text, (value, text)


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"mts"'], ids=["not JSON", "a list", "a string"])
def test_a_body_that_is_not_a_json_object_is_refused(mediajobs_connections: EmulatorHandle, raw: bytes) -> None:
    assert "JSON object" in _refused(mediajobs_connections, raw)
