"""The IMM Create*Task family against the emulator over real HTTP: ``ImmCreateTaskOperator`` and the
hook methods create each task type, ``ImmTaskSensor`` / ``ImmTaskTrigger`` wait for it, checks
refuse bad input before any request (and at DAG parse), lineage reads the request's objects, the
console link is stored."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests_mock

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.compat import TaskDeferred
from airflow_provider_mediajobs.exceptions import BadResponseError, JobFailedError, MediaJobsValidationError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.links import PARTS_KEY
from airflow_provider_mediajobs.operators.alibaba import ImmCreateTaskOperator
from airflow_provider_mediajobs.sensors.alibaba import ImmTaskSensor
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.triggers.alibaba import ImmTaskTrigger
from tests.helpers import FakeStateStore, FakeTI
from tests.unit.lineage.test_facets import _facets, _resumed
from tests.unit.operators.test_console_links import IMM_PAGE, FakeComms, comms, stored_link  # noqa: F401

PROJECT = "media-archive"
IN, SUB, OUT = "oss://media-in/clips/a.mp4", "oss://media-in/clips/a.srt", "oss://media-out/hd/a"
# One request per declared type: what a DAG author passes (the operator's arguments).
REQUESTS: dict[str, dict[str, Any]] = {
    "MediaConvert": {"sources": [{"URI": IN, "Subtitles": [{"URI": SUB, "Language": "eng"}]}],
                     "targets": [{"URI": OUT, "Container": "mp4",
                                  "Video": {"TranscodeVideo": {"Codec": "h264", "CRF": 23}}},
                                 {"URI": "oss://media-out/hls/a", "Container": "ts", "Segment": {"Format": "hls"}}],
                     "tags": {"team": "media"}, "user_data": "run-1"},
    "VideoLabelClassification": {"source_uri": IN, "notification": {"MNS": {"TopicName": "imm-tasks"}}},
    "FaceClustering": {"dataset_name": "faces"},
    "OfficeConversion": {"source_uri": "oss://docs-in/a.docx", "target_type": "pdf",
                         "target_uri": "oss://docs-out/a.pdf", "password": "doc-pass-5d1f0c9a", "image_dpi": 150,
                         "trim_policy": {"DisableDeleteEmptyCell": True}},
    "FileCompression": {"target_uri": "oss://docs-out/all.zip",
                        "sources": [{"URI": "oss://docs-in/a.docx", "Mode": "fullname"},
                                    {"URI": "oss://docs-in/more/", "Mode": "prefix"}]},
}
METHODS = {"MediaConvert": "create_media_convert_task",
           "VideoLabelClassification": "create_video_label_classification_task",
           "FaceClustering": "create_figure_clustering_task", "OfficeConversion": "create_office_conversion_task",
           "FileCompression": "create_file_compression_task"}


OFFLINE = {"conn_type": "alibaba_cloud_media", "login": "LTAIk", "password": "ops-secret-value",
           "extra": {"region": "cn-beijing"}}


def _op(task_type: str, **kwargs: Any) -> ImmCreateTaskOperator:
    args = {"imm_task_type": task_type, "project_name": PROJECT, **REQUESTS[task_type], **kwargs}
    return ImmCreateTaskOperator(task_id="create", poll_interval=0.2, **args)


def _context() -> dict[str, Any]:
    return {"ti": FakeTI(), "task_state_store": FakeStateStore()}


def test_every_parameter_of_every_type_is_an_argument_and_a_template_field() -> None:
    every = {arg for spec in cat.IMM_TASK_TYPES.values() for arg in spec.create.args}
    assert set(ImmCreateTaskOperator.template_fields) == every | {"imm_task_type", "alibaba_cloud_media_conn_id"}


def test_the_type_table_names_each_create_action_and_its_get_task_type() -> None:
    # The "Task types" page: CreateFigureClusteringTask makes FaceClustering tasks.
    assert {name: spec.create.name for name, spec in cat.IMM_TASK_TYPES.items()} == {
        "MediaConvert": "CreateMediaConvertTask", "VideoLabelClassification": "CreateVideoLabelClassificationTask",
        "FaceClustering": "CreateFigureClusteringTask", "OfficeConversion": "CreateOfficeConversionTask",
        "FileCompression": "CreateFileCompressionTask"}
    for spec in cat.IMM_TASK_TYPES.values():  # POST to IMM 2020-09-30, never retried ambiguously
        assert (spec.create.method, spec.create.service, spec.create.idempotent) == ("POST", cat.IMM, False)
    assert set(cat.IMM_TASK_OPERATIONS) <= set(cat.OPERATIONS.values())


@pytest.mark.parametrize("task_type", list(REQUESTS))
def test_the_hook_creates_each_type_and_get_task_reads_it_back(mediajobs_connections: EmulatorHandle,
                                                               task_type: str) -> None:
    hook = AlibabaCloudMediaHook()
    created = getattr(hook, METHODS[task_type])(project_name=PROJECT, **REQUESTS[task_type])
    assert created["TaskId"]
    assert created["EventId"]
    assert created["RequestId"]
    task = hook.get_task(project_name=PROJECT, task_id=created["TaskId"], task_type=task_type)
    assert (task["TaskType"], task["EventId"]) == (task_type, created["EventId"])
    assert task["UserData"] == REQUESTS[task_type].get("user_data", "")
    generic = hook.create_task(task_type, project_name=PROJECT, **REQUESTS[task_type])
    assert generic["TaskId"] != created["TaskId"]
    assert mediajobs_connections.counters()[f"op:{cat.IMM_TASK_TYPES[task_type].create.name}"] == 2


def test_json_parameters_go_as_compact_json_and_the_rest_as_plain_values() -> None:
    with requests_mock.Mocker() as http:
        http.post(requests_mock.ANY, json={"RequestId": "r", "TaskId": "t1", "EventId": "e1"})
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("AIRFLOW_CONN_ALIBABA_CLOUD_MEDIA_DEFAULT", json.dumps(OFFLINE))
            AlibabaCloudMediaHook().create_task("OfficeConversion", project_name="p", **REQUESTS["OfficeConversion"])
        sent = http.request_history[0]
    query = dict(parse_qsl(urlsplit(sent.url).query))
    assert sent.headers["x-acs-action"] == "CreateOfficeConversionTask"
    assert query["TrimPolicy"] == '{"DisableDeleteEmptyCell":true}'
    assert (query["ImageDPI"], query["TargetType"], query["SourceURI"]) == ("150", "pdf", "oss://docs-in/a.docx")


def test_the_submit_operator_returns_the_task_id_and_links_the_task(mediajobs_connections: EmulatorHandle,
                                                                    comms: FakeComms) -> None:  # noqa: F811
    from tests.unit.operators.test_console_links import FakeTI as LinkTI

    op, ti = _op("VideoLabelClassification"), LinkTI()
    task_id = op.execute({"ti": ti})
    task = AlibabaCloudMediaHook().get_task(project_name=PROJECT, task_id=task_id, task_type="VideoLabelClassification")
    assert task["TaskId"] == task_id
    assert stored_link(comms, ti, op) == IMM_PAGE.format(region="cn-shanghai")
    parts = comms.stored[(ti.dag_id, ti.task_id, ti.run_id, ti.map_index, PARTS_KEY)]
    assert parts | {"kind": "imm_task"} == {"kind": "imm_task", "region": "cn-shanghai", "job_id": task_id,
                                            "project_name": PROJECT, "task_type": "VideoLabelClassification"}


def test_submit_and_wait_in_the_worker_to_success(mediajobs_connections: EmulatorHandle) -> None:
    op, context = _op("MediaConvert", wait_for_completion=True, deferrable=False), _context()
    task_id = op.execute(context)
    pushed = context["ti"].pushed
    assert pushed["job_id"] == task_id
    assert (pushed["job"]["Status"], pushed["job"]["TaskType"]) == ("Succeeded", "MediaConvert")
    # Lineage: the request's sources (and subtitles) read, its targets written once it succeeded.
    assert _facets(op) == ([("oss://media-in", "clips/a.mp4"), ("oss://media-in", "clips/a.srt")],
                           [("oss://media-out", "hd/a.mp4"), ("oss://media-out", "hls/a.m3u8")])


def test_a_failed_task_fails_the_wait_with_its_code_and_reports_no_output(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mediajobs_connections.backend, "failure_ratio", 1.0)  # every new task fails
    op = _op("FileCompression", wait_for_completion=True, deferrable=False)
    with pytest.raises(JobFailedError) as failed:
        op.execute(_context())
    assert "InvalidFile" in str(failed.value)
    assert _facets(op) == ([("oss://docs-in", "a.docx")], [])


def test_submit_deferred_waits_through_the_imm_task_trigger(mediajobs_connections: EmulatorHandle) -> None:
    op = _op("OfficeConversion", wait_for_completion=True, deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(_context())
    trigger = deferred.value.trigger
    assert isinstance(trigger, ImmTaskTrigger)
    task_id = trigger.job_ids["task_id"]
    assert trigger.job_ids == {"project_name": PROJECT, "task_id": task_id, "task_type": "OfficeConversion"}
    resumed, context = _op("OfficeConversion", wait_for_completion=True, deferrable=True), _context()
    assert resumed.execute_complete(context, _resumed(resumed, deferred.value)) == task_id
    assert context["ti"].pushed["job"]["Status"] == "Succeeded"
    assert _facets(resumed) == ([("oss://docs-in", "a.docx")], [("oss://docs-out", "a.pdf")])


def test_a_submit_that_does_not_wait_reports_what_it_reads_only(mediajobs_connections: EmulatorHandle) -> None:
    op = _op("FileCompression")
    op.execute(_context())
    # A "prefix" rule packs a whole prefix, which names no one object: only the fullname rule.
    assert _facets(op) == ([("oss://docs-in", "a.docx")], [])


@pytest.mark.parametrize("deferrable", [False, True])
def test_the_sensor_waits_for_a_created_task(mediajobs_connections: EmulatorHandle, deferrable: bool) -> None:
    task_id = _op("FaceClustering").execute(_context())
    sensor = ImmTaskSensor(task_id="wait", project_name=PROJECT, imm_task_id=task_id, imm_task_type="FaceClustering",
                           deferrable=deferrable, poke_interval=0.2, timeout=60)
    if not deferrable:
        assert sensor.execute(_context())["Status"] == "Succeeded"
        return
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute(_context())
    assert sensor.execute_complete(_context(), _resumed(sensor, deferred.value))["TaskId"] == task_id


# -- refused before any request, and at DAG parse ----------------------------------------------------
def _refused_at_parse(**kwargs: Any) -> str:
    with pytest.raises(MediaJobsValidationError) as info:
        ImmCreateTaskOperator(task_id="create", **kwargs)
    return str(info.value)


def test_an_unknown_type_is_refused_at_parse_listing_the_supported_ones() -> None:
    message = _refused_at_parse(imm_task_type="FigureClustering", project_name=PROJECT)
    assert message.startswith("imm_task_type must be one of the task types")
    assert all(name in message for name in cat.IMM_TASK_TYPES)
    assert "call_action('imm'" in message


def test_a_parameter_of_another_type_is_refused_naming_it_and_listing_the_types() -> None:
    message = _refused_at_parse(imm_task_type="FaceClustering", project_name=PROJECT, dataset_name="d",
                                source_uri=IN)
    assert message.startswith("source_uri must be one of the parameters of task type FaceClustering "
                              "(CreateFigureClusteringTask): project_name, notification, tags, user_data, dataset_name")
    assert _refused_at_parse(imm_task_type="FaceClustering", project_name=PROJECT, dataset_nmae="d").startswith(
        "dataset_nmae must be one of the parameters of task type FaceClustering")


def test_values_known_at_parse_are_checked_there_and_templates_when_rendered(
    mediajobs_connections: EmulatorHandle,
) -> None:
    assert _refused_at_parse(imm_task_type="OfficeConversion", project_name=PROJECT, source_uri=IN,
                             target_type="docx", target_uri="oss://o/a.pdf").startswith("target_type must be one of")
    assert _refused_at_parse(imm_task_type="OfficeConversion", project_name=PROJECT, source_uri=IN,
                             target_type="pdf").startswith("target_uri/target_uri_prefix must be exactly one")
    assert _refused_at_parse(imm_task_type="MediaConvert", project_name=PROJECT).startswith("sources must be given")
    # A templated type is known once rendered: a parameter it does not take is refused then.
    op = ImmCreateTaskOperator(task_id="create", imm_task_type="{{ params.kind }}", project_name=PROJECT,
                               source_uri="{{ params.src }}", targets=[{"URI": OUT}])
    op.imm_task_type, op.source_uri = "VideoLabelClassification", IN  # as Airflow renders them
    before = mediajobs_connections.counters().get("requests", 0)
    with pytest.raises(MediaJobsValidationError, match=r"^targets must be one of the parameters of task type "
                       r"VideoLabelClassification"):
        op.execute(_context())
    assert mediajobs_connections.counters().get("requests", 0) == before


def test_a_document_password_is_masked_and_never_quoted(monkeypatch: pytest.MonkeyPatch,
                                                        mediajobs_connections: EmulatorHandle) -> None:
    from airflow_provider_mediajobs.hooks import base

    masked: list[str] = []
    monkeypatch.setattr(base, "mask", masked.append)
    _op("OfficeConversion").execute(_context())
    assert REQUESTS["OfficeConversion"]["password"] in masked
    message = _refused_at_parse(imm_task_type="OfficeConversion", project_name=PROJECT, source_uri=IN,
                                target_type="pdf", target_uri="oss://o/a.pdf", password="secret-pass\n")
    assert message.startswith("password must be")
    assert "secret-pass" not in message


def test_an_answer_without_a_task_id_is_no_success() -> None:
    with requests_mock.Mocker() as http:
        http.post(requests_mock.ANY, json={"RequestId": "r", "EventId": "e1"})
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("AIRFLOW_CONN_ALIBABA_CLOUD_MEDIA_DEFAULT", json.dumps(OFFLINE))
            with pytest.raises(BadResponseError, match="without TaskId"):
                AlibabaCloudMediaHook().create_task("FaceClustering", project_name="p", dataset_name="d")
        assert len(http.request_history) == 1  # a creation is not retried when its outcome is unknown


def test_the_how_to_page_holds_each_types_argument_table_as_the_catalog_makes_it() -> None:
    from scripts.imm_task_tables import tables
    from tests.helpers import ROOT

    page = (ROOT / "docs" / "howto" / "alibaba-imm.md").read_text()
    for name, table in tables().items():
        assert f"### {name}\n" in page
        assert table in page, f"the {name} table differs: run python -m scripts.imm_task_tables"
    for snippet in ("howto_imm_media_convert", "howto_imm_video_labels", "howto_imm_wait_created",
                    "howto_imm_office_conversion", "howto_imm_file_compression"):
        assert f'--8<-- "dags_examples/example_imm_tasks.py:{snippet}"' in page
