"""The catalog never lets through what the vendor refuses: every value the catalog accepts at the
edge of each parameter's bounds (the longest string, the largest page, the widest window, every
enum value, the most ids) is sent to the emulator, which plays the vendor, and must not be
refused as a bad parameter. The emulator's own limits cite their sources
(``docs/vendor-behaviour.md``), so a catalog bound looser than the vendor's fails here."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airflow_provider_mediajobs.catalog import alibaba as ali
from airflow_provider_mediajobs.catalog import tencent as ci
from airflow_provider_mediajobs.catalog.model import Operation
from airflow_provider_mediajobs.catalog.params import (
    Bool,
    Enum,
    EnumList,
    IdList,
    Int,
    Json,
    Param,
    Str,
    StrList,
    Time,
    TimeRange,
)
from airflow_provider_mediajobs.catalog.shapes import Shaped
from airflow_provider_mediajobs.exceptions import InvalidParameterError, MediaJobsValidationError, NotFoundError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook
from airflow_provider_mediajobs.testing import EmulatorHandle

NOW = datetime.now(UTC).replace(microsecond=0)
# Opaque cursors only the vendor issues: a made-up one is refused by the real service too.
CURSORS = {"next_token"}

MTS_IN = {"Bucket": "in", "Location": "oss-cn-shanghai", "Object": "a.mp4"}
# A valid call of each operation, which the sweep varies one parameter at a time.
BASE: dict[str, dict[str, Any]] = {
    "ListSmartJobs": {},
    "GetSmartHandleJob": {"job_id": "j1"},
    "ListLiveSnapshotJobs": {},
    "QueryIProductionJob": {"job_id": "j1"},
    "SubmitIProductionJob": {"function_name": "VideoQualityEnhancement"},
    "ListTasks": {"project_name": "media-archive"},
    "GetTask": {"project_name": "media-archive", "task_id": "t1", "task_type": "VideoLabelClassification"},
    "ListJobs": {"tag": "Translation"},
    "GetJobs": {"job_ids": ["j1"]},
    "CancelJob": {"job_id": "j1"},
    "SubmitJob": {"tag": "WordsGeneralize", "input_object": "in/a.txt", "queue_id": "q1"},
    # IMM Create*Task (issue 18, part 3)
    "CreateMediaConvertTask": {"project_name": "p", "sources": [{"URI": "oss://media-in/a.mp4"}]},
    "CreateVideoLabelClassificationTask": {"project_name": "p", "source_uri": "oss://media-in/a.mp4"},
    "CreateFigureClusteringTask": {"project_name": "p", "dataset_name": "faces"},
    "CreateOfficeConversionTask": {"project_name": "p", "source_uri": "oss://docs-in/a.docx", "target_type": "pdf",
                                   "target_uri": "oss://docs-out/a.pdf"},
    "CreateFileCompressionTask": {"project_name": "p", "target_uri": "oss://docs-out/a.zip",
                                  "source_manifest_uri": "oss://docs-in/rules.json"},
    # MTS transcoding, snapshots and media info (issue 18, part 1); CancelJob's call above fits MTS's too.
    "SubmitJobs": {"input": MTS_IN, "output_bucket": "out", "pipeline_id": "p1",
                   "outputs": [{"OutputObject": "a.mp4", "TemplateId": "t1"}] * ali.MTS_MAX_OUTPUTS},
    "QueryJobList": {"job_ids": ["j1"]},
    "ListJob": {},
    "SubmitSnapshotJob": {"input": MTS_IN, "snapshot_config": {"OutputFile": MTS_IN, "Num": 3}},
    "QuerySnapshotJobList": {},
    "SubmitMediaInfoJob": {"input": MTS_IN},
    "QueryMediaInfoJobList": {"media_info_job_ids": ["j1"]},
    # ICE transcoding, snapshots and media conversion (issue 18, part 2)
    "SubmitTranscodeJob": {"input_group": [{"Type": "OSS", "Media": "oss://media-in/a.mp4"}], "output_group": [
        {"Output": {"Type": "OSS", "Media": "oss://media-out/a.mp4"},
         "ProcessConfig": {"Transcode": {"TemplateId": "t"}}}]},
    "GetTranscodeJob": {"parent_job_id": "j1"},
    "ListTranscodeJobs": {},
    "ice.SubmitSnapshotJob": {"input": {"Type": "OSS", "Media": "oss://media-in/a.mp4"},
                          "output": {"Type": "OSS", "Media": "oss://media-out/a.jpg"},
                          "template_config": {"TemplateId": "t"}},
    "GetSnapshotJob": {"job_id": "j1"},
    "ListSnapshotJobs": {},
    "SubmitMediaConvertJob": {"config": {"Inputs": [{"InputFile": {"Type": "OSS", "Media": "oss://media-in/a.mp4"}}],
                                         "Outputs": [{"OutputFile": {"Type": "OSS", "Media": "oss://media-out/a.mp4"}}]}},
    "GetMediaConvertJob": {"job_id": "j1"},
    "ListMediaConvertJobs": {},
    # ICE timeline editing and IProduction (issue 18, part 2)
    "SubmitMediaProducingJob": {"timeline": {"VideoTracks": []},
                                "output_media_config": {"MediaURL": "https://b-1.oss-cn-shanghai.aliyuncs.com/o.mp4"}},
    "GetMediaProducingJob": {"job_id": "j1"},
    "ListMediaProducingJobs": {},
    "ice.SubmitIProductionJob": {"function_name": "Cover", "input": {"Type": "OSS", "Media": "oss://b-1/a.mp4"},
                                 "output": {"Type": "OSS", "Media": "oss://b-1/a.jpg"}},
    "ice.QueryIProductionJob": {"job_id": "j1"},
    "CancelIProductionJob": {"job_id": "j1"},
}
# The catalog name of each operation (two products may share an action's name: the catalog keys the
# later one product.action).
CATALOG_NAME = {id(op): name for catalog in (ali.OPERATIONS, ci.OPERATIONS) for name, op in catalog.items()}


def edge_values(param: Param) -> list[Any]:
    """Values at the edges of what ``param`` accepts."""
    if isinstance(param, Int):
        return [param.low, param.high if param.high is not None else param.low + 10_000]
    if isinstance(param, Bool):
        return [True, False]
    if isinstance(param, Enum):
        return list(param.values)
    if isinstance(param, EnumList):
        return [list(param.values), [param.values[-1]]]
    if isinstance(param, IdList):
        return [[f"j{i}" for i in range(param.max_items or 10)]]
    if isinstance(param, StrList):
        return [["a" * 256 if not param.names else "VideoLabelClassification"] * param.max_items]
    if isinstance(param, TimeRange):
        return [{"Start": NOW - timedelta(days=400), "End": NOW}, {"End": NOW}]
    if isinstance(param, Time):
        return [NOW - timedelta(days=29), NOW]
    if isinstance(param, Shaped):
        # A nested object's keys and values are the SDK model's: pinned by each part's SDK-model tests
        # and sent whole by the operation's base call; no generic edge value fits every shape.
        return []
    if isinstance(param, Json):
        return [{"k": "v" * 100}, {}]
    if isinstance(param, Str):
        longest = "a" * param.max_len
        return [longest, "a"] if param.pattern is None or _fits(param, longest) else ["a"]
    raise AssertionError(f"no edge values for {type(param).__name__}")


def _fits(param: Str, value: str) -> bool:
    try:
        param.serialize(value)
    except MediaJobsValidationError:
        return False
    return True


def _cases() -> list[tuple[str, Operation, str, Any]]:
    cases = []
    for vendor, catalog in (("alibaba", ali.OPERATIONS), ("tencent", ci.OPERATIONS)):
        for op in catalog.values():
            for param in op.params:
                if param.arg in CURSORS:
                    continue
                for value in edge_values(param):
                    cases.append((vendor, op, param.arg, value))
    return cases


CASES = _cases()


def test_the_sweep_covers_every_operation() -> None:
    assert {CATALOG_NAME[id(op)] for _, op, _, _ in CASES} == set(ali.OPERATIONS) | set(ci.OPERATIONS) == set(BASE)


@pytest.mark.parametrize(("vendor", "op", "arg", "value"), CASES,
                         ids=[f"{op.name}-{arg}-{i}" for i, (_, op, arg, _) in enumerate(CASES)])
def test_what_the_catalog_accepts_the_vendor_accepts(mediajobs_connections: EmulatorHandle, vendor: str,
                                                     op: Operation, arg: str, value: Any) -> None:
    args = {**BASE[CATALOG_NAME[id(op)]], arg: value}
    try:
        op.bind(args)
    except MediaJobsValidationError:
        pytest.skip("a cross-parameter rule refuses this combination before any request")
    hook = AlibabaCloudMediaHook() if vendor == "alibaba" else TencentCloudCIHook()
    try:
        hook.call(op, **args)
    except NotFoundError:
        pass  # a made-up id: the call was understood
    except InvalidParameterError as err:
        pytest.fail(f"the catalog let through {op.name}({arg}={value!r:.60}) and the vendor refused it: {err}")


# Past each limit the vendors document (sources in docs/vendor-behaviour.md), sent around the
# catalog's checks: the emulator must refuse them as the vendor does.
_DAY = timedelta(days=1)
PAST_LIMITS: list[tuple[str, Operation, dict[str, str]]] = [
    ("alibaba", ali.LIST_SMART_JOBS, {"MaxResults": "101"}),
    ("alibaba", ali.LIST_SMART_JOBS, {"MaxResults": "0"}),
    ("alibaba", ali.LIST_LIVE_SNAPSHOT_JOBS, {"PageSize": "101"}),
    ("alibaba", ali.LIST_LIVE_SNAPSHOT_JOBS, {"SearchKeyWord": "k" * 129}),
    ("alibaba", ali.LIST_LIVE_SNAPSHOT_JOBS, {
        "StartTime": (NOW - 31 * _DAY).strftime("%Y-%m-%dT%H:%M:%SZ"), "EndTime": NOW.strftime("%Y-%m-%dT%H:%M:%SZ")}),
    ("alibaba", ali.LIST_TASKS, {"ProjectName": "media-archive", "MaxResults": "101"}),
    ("alibaba", ali.QUERY_JOB_LIST, {"JobIds": ",".join(f"j{i}" for i in range(ali.MAX_IDS_PER_CALL + 1))}),
    ("alibaba", ali.LIST_JOB, {"MaximumPageSize": "101"}),
    ("alibaba", ali.QUERY_SNAPSHOT_JOB_LIST, {"MaximumPageSize": "301"}),
    ("alibaba", ali.QUERY_SNAPSHOT_JOB_LIST, {"SnapshotJobIds": ",".join(f"j{i}" for i in range(11))}),
    ("alibaba", ali.QUERY_MEDIA_INFO_JOB_LIST, {"MediaInfoJobIds": ",".join(f"j{i}" for i in range(11))}),
    ("alibaba", ali.SUBMIT_JOBS, {"Input": '{"Bucket":"b","Location":"l","Object":"o"}', "OutputBucket": "b",
                                  "PipelineId": "p",
                                  "Outputs": "[" + ",".join(['{"OutputObject":"o","TemplateId":"t"}'] * 31) + "]"}),
    ("tencent", ci.LIST_JOBS, {"tag": "Translation", "size": "101"}),
    ("tencent", ci.GET_JOBS, {"jobIds": ",".join(f"j{i}" for i in range(ci.MAX_IDS_PER_CALL + 1))}),
    ("tencent", ci.SUBMIT_JOB, {"Tag": "WordsGeneralize", "Input/Object": "a", "QueueId": "q",
                                "Operation/UserData": "u" * 1025}),
    ("tencent", ci.SUBMIT_JOB, {"Tag": "WordsGeneralize", "Input/Object": "a", "QueueId": "q",
                                "Operation/JobLevel": "3"}),
    # ICE timeline editing and IProduction (issue 18, part 2)
    ("alibaba", ali.LIST_MEDIA_PRODUCING_JOBS, {"MaxResults": "101"}),
    ("alibaba", ali.LIST_MEDIA_PRODUCING_JOBS, {
        "StartTime": (NOW - 31 * _DAY).strftime("%Y-%m-%dT%H:%M:%SZ"), "EndTime": NOW.strftime("%Y-%m-%dT%H:%M:%SZ")}),
    ("alibaba", ali.SUBMIT_MEDIA_PRODUCING_JOB, {"Timeline": "{}", "OutputMediaConfig": '{"MediaURL": "u"}',
                                                 "UserData": json.dumps({"k": "u" * 510})}),
    ("alibaba", ali.SUBMIT_MEDIA_PRODUCING_JOB, {"Timeline": "{}", "TemplateId": "t",
                                                 "OutputMediaConfig": '{"MediaURL": "u"}'}),
    ("alibaba", ali.ICE_SUBMIT_IPRODUCTION_JOB, {"FunctionName": "Cover", "Input": '{"Type":"OSS","Media":"m"}',
                                                 "Output": '{"Type":"OSS","Media":"m"}', "Name": "n" * 101}),
    ("alibaba", ali.ICE_SUBMIT_IPRODUCTION_JOB, {"FunctionName": "Cover", "Input": '{"Type":"OSS","Media":"m"}',
                                                 "Output": '{"Type":"OSS","Media":"m"}',
                                                 "ScheduleConfig": '{"Priority":11}'}),
]


@pytest.mark.parametrize(("vendor", "op", "wire"), PAST_LIMITS,
                         ids=[f"{op.name}-{next(iter(w))}" for _, op, w in PAST_LIMITS])
def test_the_emulator_enforces_the_documented_limits(mediajobs_connections: EmulatorHandle, vendor: str,
                                                     op: Operation, wire: dict[str, str]) -> None:
    import requests

    from airflow_provider_mediajobs.transport import SyncSender

    hook = AlibabaCloudMediaHook() if vendor == "alibaba" else TencentCloudCIHook()
    response = SyncSender(requests.Session()).send(hook.protocol.build(op, wire))
    with pytest.raises(InvalidParameterError):
        hook.protocol.parse(op, response)
