"""The seven Alibaba operators: template fields from the catalog, checks before requests, XCom values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests_mock

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.exceptions import MediaJobsValidationError
from airflow_provider_mediajobs.operators.alibaba import (
    IceGetSmartHandleJobOperator,
    IceListLiveSnapshotJobsOperator,
    IceListSmartJobsOperator,
    ImmGetTaskOperator,
    ImmListTasksOperator,
    MtsQueryIProductionJobOperator,
    MtsSubmitIProductionJobOperator,
)
from airflow_provider_mediajobs.tasks import reserved_names

CONN = "ali_ops"
# The documented filters of each API (its vendor page; see docs/vendor-behaviour.md), minus the
# paging cursors the operator drives itself (NextToken, PageNo).
DOCUMENTED = {
    IceListSmartJobsOperator: (cat.LIST_SMART_JOBS, {"job_state", "job_type", "page_size", "sort_by"}),
    IceGetSmartHandleJobOperator: (cat.GET_SMART_HANDLE_JOB, {"job_id"}),
    IceListLiveSnapshotJobsOperator: (
        cat.LIST_LIVE_SNAPSHOT_JOBS,
        {"start_time", "end_time", "search_key_word", "status", "page_size", "sort_by"},
    ),
    MtsQueryIProductionJobOperator: (cat.QUERY_IPRODUCTION_JOB, {"job_id"}),
    MtsSubmitIProductionJobOperator: (
        cat.SUBMIT_IPRODUCTION_JOB,
        {"function_name", "input_uri", "output_uri", "job_params", "model_id", "notify_url", "pipeline_id",
         "schedule_params", "user_data"},
    ),
    ImmListTasksOperator: (
        cat.LIST_TASKS,
        {"project_name", "task_types", "start_time_range", "end_time_range", "page_size", "sort", "order",
         "status", "tag_selector", "request_definition"},
    ),
    ImmGetTaskOperator: (cat.GET_TASK, {"project_name", "imm_task_id", "imm_task_type", "request_definition"}),
}


@pytest.fixture(autouse=True)
def alibaba_conn(monkeypatch: pytest.MonkeyPatch) -> None:
    conn = {"conn_type": "alibaba_cloud_media", "login": "LTAIopsKEY", "password": "ops-secret-value"}
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN.upper()}", json.dumps(conn))


@pytest.fixture
def http() -> Iterator[requests_mock.Mocker]:
    with requests_mock.Mocker() as mocker:
        yield mocker


def queries(http: requests_mock.Mocker) -> list[dict[str, str]]:
    return [dict(parse_qsl(urlsplit(r.url).query)) for r in http.request_history]


@pytest.mark.parametrize("operator_class", list(DOCUMENTED), ids=lambda c: c.__name__)
def test_every_documented_filter_is_a_template_field(operator_class: Any) -> None:
    operation, documented = DOCUMENTED[operator_class]
    assert operator_class.operation is operation
    # Every filter, plus the connection id (templated as on the sensors).
    assert set(operator_class.template_fields) == documented | {"alibaba_cloud_media_conn_id"}
    catalog_args = set(operation.args) - {"next_token", "page_no"}
    renamed = dict(operator_class.renamed)
    assert set(operator_class.template_fields) == {renamed.get(a, a) for a in catalog_args} | {
        "alibaba_cloud_media_conn_id"}
    # Renamed only where BaseOperator already owns the name (task_id, task_type, output), plus
    # input for symmetry with output; no template field shadows a BaseOperator name.
    assert set(renamed) <= reserved_names() | {"input"}
    assert not set(operator_class.template_fields) & reserved_names()
    # snake_case names only
    assert all(f == f.lower() and " " not in f for f in operator_class.template_fields)
    assert operator_class.__name__.endswith("Operator")


def test_operator_names_follow_service_verb() -> None:
    assert sorted(c.__name__ for c in DOCUMENTED) == sorted([
        "IceListSmartJobsOperator", "IceGetSmartHandleJobOperator", "IceListLiveSnapshotJobsOperator",
        "MtsQueryIProductionJobOperator", "MtsSubmitIProductionJobOperator", "ImmListTasksOperator",
        "ImmGetTaskOperator",
    ])


RUNS: list[tuple[Any, dict[str, Any], dict[str, Any], str, dict[str, str]]] = [
    (IceListSmartJobsOperator, {"job_state": "Finished", "page_size": 2},
     {"SmartJobList": [{"JobId": "a", "UserId": 1}], "NextToken": ""}, "ListSmartJobs",
     {"JobState": "Finished", "MaxResults": "2"}),
    (IceGetSmartHandleJobOperator, {"job_id": "sj-1"}, {"JobId": "sj-1", "State": "Finished"}, "GetSmartHandleJob",
     {"JobId": "sj-1"}),
    (IceListLiveSnapshotJobsOperator,
     {"start_time": "2024-01-01T00:00:00Z", "end_time": datetime(2024, 1, 31, tzinfo=UTC), "page_size": 5},
     {"JobList": [{"JobId": "l1", "TimeInterval": 5}], "TotalCount": 1}, "ListLiveSnapshotJobs",
     {"StartTime": "2024-01-01T00:00:00Z", "EndTime": "2024-01-31T00:00:00Z", "PageSize": "5"}),
    (MtsQueryIProductionJobOperator, {"job_id": "m-1"}, {"JobId": "m-1", "State": "Queuing"}, "QueryIProductionJob",
     {"JobId": "m-1"}),
    (ImmListTasksOperator, {"project_name": "p", "task_types": "FaceClustering,VideoLabelClassification"},
     {"Tasks": [{"TaskId": "t", "Tags": {"a": "b"}, "Progress": 50}], "NextToken": ""}, "ListTasks",
     {"ProjectName": "p", "TaskTypes": '["FaceClustering","VideoLabelClassification"]'}),
    (ImmGetTaskOperator, {"project_name": "p", "imm_task_id": "t", "imm_task_type": "FaceClustering"},
     {"TaskId": "t", "Status": "Running"}, "GetTask",
     {"ProjectName": "p", "TaskId": "t", "TaskType": "FaceClustering"}),
]


@pytest.mark.parametrize(("operator_class", "kwargs", "answer", "action", "wire"), RUNS,
                         ids=[r[3] for r in RUNS])
def test_operator_runs_and_returns_a_json_value(http: requests_mock.Mocker, operator_class: Any,
                                                kwargs: dict[str, Any], answer: dict[str, Any], action: str,
                                                wire: dict[str, str]) -> None:
    http.register_uri(requests_mock.ANY, requests_mock.ANY, json={"RequestId": "rid", **answer})
    op = operator_class(task_id="t", alibaba_cloud_media_conn_id=CONN, **kwargs)
    result = op.execute(context={})
    json.dumps(result)
    assert [r.headers["x-acs-action"] for r in http.request_history] == [action]
    assert queries(http) == [wire]
    if operator_class.operation.paging is not None:
        assert isinstance(result, list)
        assert result == answer[operator_class.operation.paging.items]
    else:
        assert result["RequestId"] == "rid"


def test_submit_returns_the_job_id(http: requests_mock.Mocker) -> None:
    http.register_uri(requests_mock.ANY, requests_mock.ANY,
                      json={"RequestId": "rid", "JobId": "new-job-1", "Result": {"Code": "0"}})
    op = MtsSubmitIProductionJobOperator(
        task_id="submit", alibaba_cloud_media_conn_id=CONN, function_name="VideoQualityEnhancement",
        input_uri="oss://b/in.mp4", output_uri="oss://b/out.mp4", job_params='{"Level": 1}',
    )
    assert op.execute(context={}) == "new-job-1"
    (req,) = http.request_history
    assert req.method == "POST"
    query = dict(parse_qsl(urlsplit(req.url).query))
    assert query == {"FunctionName": "VideoQualityEnhancement", "Input": "oss://b/in.mp4",
                     "Output": "oss://b/out.mp4", "JobParams": '{"Level":1}'}


def test_list_operator_honours_max_items(http: requests_mock.Mocker) -> None:
    http.register_uri(requests_mock.ANY, requests_mock.ANY, [
        {"json": {"SmartJobList": [{"JobId": "a"}, {"JobId": "b"}], "NextToken": "n"}},
        {"json": {"SmartJobList": [{"JobId": "c"}], "NextToken": ""}},
    ])
    op = IceListSmartJobsOperator(task_id="t", alibaba_cloud_media_conn_id=CONN, max_items=2)
    assert op.execute(context={}) == [{"JobId": "a"}, {"JobId": "b"}]
    assert http.call_count == 1


def test_max_items_is_refused_on_an_operator_that_does_not_list() -> None:
    with pytest.raises(MediaJobsValidationError, match="max_items"):
        MtsQueryIProductionJobOperator(task_id="t", job_id="x", max_items=3)


NOW = datetime(2024, 6, 1, tzinfo=UTC)
BAD: list[tuple[Any, dict[str, Any], str]] = [
    (IceListSmartJobsOperator, {"page_size": 0}, "page_size"),
    (IceListSmartJobsOperator, {"page_size": 101}, "page_size"),
    (IceListSmartJobsOperator, {"page_size": 500}, "page_size"),
    (IceListSmartJobsOperator, {"page_size": True}, "page_size"),
    (IceListSmartJobsOperator, {"job_state": "finished"}, "job_state"),
    (IceListSmartJobsOperator, {"job_type": "OCR"}, "job_type"),
    (IceListSmartJobsOperator, {"sort_by": "CreationTime"}, "sort_by"),
    (IceGetSmartHandleJobOperator, {}, "job_id"),
    (IceGetSmartHandleJobOperator, {"job_id": "../x"}, "job_id"),
    (IceListLiveSnapshotJobsOperator, {"start_time": NOW, "end_time": NOW + timedelta(days=30, seconds=1)},
     "start_time/end_time"),
    (IceListLiveSnapshotJobsOperator, {"start_time": NOW, "end_time": NOW}, "start_time/end_time"),
    (IceListLiveSnapshotJobsOperator, {"start_time": NOW, "end_time": NOW - timedelta(hours=1)},
     "start_time/end_time"),
    (IceListLiveSnapshotJobsOperator, {"start_time": datetime(2024, 1, 1)}, "start_time"),
    (IceListLiveSnapshotJobsOperator, {"start_time": "2024-01-01 00:00:00"}, "start_time"),
    (IceListLiveSnapshotJobsOperator, {"status": "stopped"}, "status"),
    (IceListLiveSnapshotJobsOperator, {"sort_by": "DESC"}, "sort_by"),
    (IceListLiveSnapshotJobsOperator, {"page_size": 101}, "page_size"),
    (IceListLiveSnapshotJobsOperator, {"search_key_word": "x" * 129}, "search_key_word"),
    (MtsQueryIProductionJobOperator, {"job_id": None}, "job_id"),
    (MtsSubmitIProductionJobOperator, {}, "function_name"),
    (MtsSubmitIProductionJobOperator, {"function_name": "F", "job_params": "{'single': 'quotes'}"}, "job_params"),
    (MtsSubmitIProductionJobOperator, {"function_name": "F", "job_params": "[1, 2]"}, "job_params"),
    (MtsSubmitIProductionJobOperator, {"function_name": "F", "schedule_params": "nope"}, "schedule_params"),
    (MtsSubmitIProductionJobOperator, {"function_name": "F", "user_data": "x" * 1025}, "user_data"),
    (ImmListTasksOperator, {}, "project_name"),
    (ImmListTasksOperator, {"project_name": "p", "page_size": 101}, "page_size"),
    (ImmListTasksOperator, {"project_name": "p", "order": "DES"}, "order"),
    (ImmListTasksOperator, {"project_name": "p", "sort": "Name"}, "sort"),
    (ImmListTasksOperator, {"project_name": "p", "status": "Done"}, "status"),
    (ImmListTasksOperator, {"project_name": "p", "start_time_range": '{"Start": "x"'}, "start_time_range"),
    (ImmListTasksOperator, {"project_name": "p", "start_time_range": {"Start": "2024-01-02T00:00:00Z",
                                                                      "End": "2024-01-01T00:00:00Z"}},
     "start_time_range"),
    (ImmListTasksOperator, {"project_name": "p", "request_definition": "maybe"}, "request_definition"),
    (ImmGetTaskOperator, {"project_name": "p", "imm_task_type": "T"}, "imm_task_id"),
    (ImmGetTaskOperator, {"project_name": "p", "imm_task_id": "t/../x", "imm_task_type": "T"}, "imm_task_id"),
    (ImmGetTaskOperator, {"project_name": "p", "imm_task_id": "t"}, "imm_task_type"),
]


@pytest.mark.parametrize(("operator_class", "kwargs", "named"), BAD,
                         ids=[f"{b[0].__name__}-{b[2]}-{i}" for i, b in enumerate(BAD)])
def test_bad_values_are_refused_before_any_request(http: requests_mock.Mocker, operator_class: Any,
                                                   kwargs: dict[str, Any], named: str) -> None:
    op = operator_class(task_id="t", alibaba_cloud_media_conn_id="no_such_connection", **kwargs)
    with pytest.raises(MediaJobsValidationError) as info:
        op.execute(context={})
    assert str(info.value).startswith(named)
    assert " must be " in str(info.value)
    assert http.call_count == 0


def test_errors_list_the_allowed_values() -> None:
    op = IceListLiveSnapshotJobsOperator(task_id="t", status="stopped")
    with pytest.raises(MediaJobsValidationError, match="init, paused, started"):
        op.execute(context={})


def test_template_fields_render_before_the_check(http: requests_mock.Mocker) -> None:
    http.register_uri(requests_mock.ANY, requests_mock.ANY, json={"JobList": [], "TotalCount": 0})
    op = IceListLiveSnapshotJobsOperator(
        task_id="t", alibaba_cloud_media_conn_id=CONN,
        start_time="{{ params.day }}T00:00:00Z", end_time="{{ params.day }}T12:00:00Z",
        page_size="{{ params.size }}", status="{{ params.status }}", search_key_word="cam-{{ params.n }}",
    )
    context: dict[str, Any] = {"params": {"day": "2024-03-01", "size": 25, "status": "paused", "n": 7}}
    op.render_template_fields(context)  # type: ignore[arg-type]
    assert (op.start_time, op.end_time, op.page_size, op.status, op.search_key_word) == (
        "2024-03-01T00:00:00Z", "2024-03-01T12:00:00Z", "25", "paused", "cam-7")
    assert op.execute(context={}) == []
    assert queries(http) == [{"StartTime": "2024-03-01T00:00:00Z", "EndTime": "2024-03-01T12:00:00Z",
                              "PageSize": "25", "Status": "paused", "SearchKeyWord": "cam-7"}]


def test_a_rendered_bad_value_is_refused_before_any_request(http: requests_mock.Mocker) -> None:
    op = ImmListTasksOperator(task_id="t", alibaba_cloud_media_conn_id=CONN, project_name="p",
                              page_size="{{ params.size }}", start_time_range="{{ params.range }}")
    op.render_template_fields({"params": {"size": 500, "range": '{"Start": "2024-01-01T00:00:00Z"}'}})  # type: ignore[arg-type]
    with pytest.raises(MediaJobsValidationError, match="page_size"):
        op.execute(context={})
    assert http.call_count == 0


def test_json_parameters_render_from_templates(http: requests_mock.Mocker) -> None:
    http.register_uri(requests_mock.ANY, requests_mock.ANY, json={"JobId": "j"})
    op = MtsSubmitIProductionJobOperator(
        task_id="t", alibaba_cloud_media_conn_id=CONN, function_name="F",
        job_params='{"Input": "{{ params.src }}"}', user_data="{{ params.src }}",
    )
    op.render_template_fields({"params": {"src": "oss://b/o.mp4"}})  # type: ignore[arg-type]
    assert op.execute(context={}) == "j"
    assert queries(http)[0]["JobParams"] == '{"Input":"oss://b/o.mp4"}'
