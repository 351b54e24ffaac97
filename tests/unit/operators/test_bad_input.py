"""One table of invalid arguments for every operator, sensor and public hook method.

Each row must raise :class:`MediaJobsValidationError` whose message starts with the argument's
name, says what is allowed (listing the values for an enum), and is raised before any request:
the emulator's request counter must not move. A last test makes sure every operator, sensor and
public hook method has rows, so a new one cannot slip in unchecked.

Then the classes of bad input the table does not reach that operators meet: submit timing
arguments checked before a job is submitted, Tencent option values, digits of other scripts,
unrendered templates. Each is refused with a :class:`MediaJobsValidationError` naming the
argument, before any request, never as a raw ``KeyError``/``ValueError``/``UnicodeEncodeError``.
The hooks', sensors', triggers' and catalog's own are in their layers' ``test_bad_input.py``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import pytest

from airflow_provider_mediajobs.catalog import alibaba as ali
from airflow_provider_mediajobs.catalog import tencent as ci
from airflow_provider_mediajobs.exceptions import MediaJobsValidationError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.base import MediaJobsBaseHook
from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook
from airflow_provider_mediajobs.operators import alibaba as ali_ops
from airflow_provider_mediajobs.operators import tencent as ci_ops
from airflow_provider_mediajobs.operators.base import CatalogOperator
from airflow_provider_mediajobs.sensors import alibaba as ali_sensors
from airflow_provider_mediajobs.sensors import tencent as ci_sensors
from airflow_provider_mediajobs.sensors.base import MediaJobSensor
from airflow_provider_mediajobs.testing import EmulatorHandle
from tests.helpers import ARABIC_TEN, TEMPLATE, WG, refused

NOW = datetime(2026, 6, 1, tzinfo=UTC)


class Case(NamedTuple):
    surface: str  # the class, or ``Hook.method``, the row exercises
    call: Callable[[], Any]
    arg: str  # the argument the error must name
    allowed: str = ""  # for enums: one allowed value the error must list
    kind: str = ""  # the category of bad input, for the test id


def op(cls: type, kind: str, arg: str, allowed: str = "", **kwargs: Any) -> Case:
    return Case(cls.__name__, lambda: cls(task_id="t", **kwargs).execute({}), arg, allowed, kind)


def sensor(cls: type, kind: str, arg: str, **kwargs: Any) -> Case:
    # Poke mode: the check must run before the first look at the vendor.
    return Case(cls.__name__, lambda: cls(task_id="w", deferrable=False, timeout=5, poke_interval=0.1,
                                          **kwargs).execute({}), arg, "", kind)


def sensor_deferred(cls: type, kind: str, arg: str, **kwargs: Any) -> Case:
    # Deferrable: refused before a trigger (and its polling) is ever created.
    return Case(cls.__name__, lambda: cls(task_id="w", deferrable=True, **kwargs).execute({}), arg, "", kind)


def hook(cls: type[MediaJobsBaseHook], method: str, kind: str, arg: str, *args: Any, allowed: str = "",
         **kwargs: Any) -> Case:
    def call() -> Any:
        result = getattr(cls(), method)(*args, **kwargs)
        return list(result) if inspect.isgenerator(result) or hasattr(result, "__next__") else result

    return Case(f"{cls.__name__}.{method}", call, arg, allowed, kind)


A, T = AlibabaCloudMediaHook, TencentCloudCIHook
IMM = {"project_name": "media-archive"}
MTS_IN = {"Bucket": "mts-in", "Location": "oss-cn-shanghai", "Object": "in/a.mp4"}
MTS_OUT = {"OutputObject": "out/a.mp4", "TemplateId": "S00000001-200010"}
MTS_JOBS = {"input": MTS_IN, "output_bucket": "mts-out", "outputs": [MTS_OUT], "pipeline_id": "p1"}
# ICE timeline editing and IProduction (issue 18, part 2)
TIMELINE = {"VideoTracks": [{"VideoTrackClips": [{"MediaURL": "https://in-b.oss-cn-shanghai.aliyuncs.com/a.mp4"}]}]}
OSS_OUT = {"MediaURL": "https://out-b.oss-cn-shanghai.aliyuncs.com/a.mp4"}
ICE_IN, ICE_OUT = {"Type": "OSS", "Media": "oss://in-b/a.mp4"}, {"Type": "OSS", "Media": "oss://out-b/a.jpg"}

CASES: list[Case] = [
    # -- ICE operators ---------------------------------------------------------------------------
    op(ali_ops.IceListSmartJobsOperator, "wrong type", "page_size", page_size="ten"),
    op(ali_ops.IceListSmartJobsOperator, "out of range", "page_size", page_size=101),
    op(ali_ops.IceListSmartJobsOperator, "bool for int", "page_size", page_size=True),
    op(ali_ops.IceListSmartJobsOperator, "unknown enum", "job_state", "Finished", job_state="finished"),
    op(ali_ops.IceListSmartJobsOperator, "unknown enum", "sort_by", "CreationTime:Desc", sort_by="CreationTime"),
    op(ali_ops.IceGetSmartHandleJobOperator, "empty id", "job_id", job_id=""),
    op(ali_ops.IceGetSmartHandleJobOperator, "whitespace id", "job_id", job_id="   "),
    op(ali_ops.IceGetSmartHandleJobOperator, "path traversal", "job_id", job_id="../etc/passwd"),
    op(ali_ops.IceListLiveSnapshotJobsOperator, "window too wide", "start_time/end_time",
       start_time=NOW, end_time=NOW + timedelta(days=30, seconds=1)),
    op(ali_ops.IceListLiveSnapshotJobsOperator, "malformed time", "start_time", start_time="yesterday"),
    op(ali_ops.IceListLiveSnapshotJobsOperator, "naive time", "end_time", end_time=datetime(2026, 1, 1)),
    op(ali_ops.IceListLiveSnapshotJobsOperator, "oversized string", "search_key_word", search_key_word="x" * 129),
    op(ali_ops.IceListLiveSnapshotJobsOperator, "unknown enum", "status", "started", status="stopped"),
    # -- MTS operators ---------------------------------------------------------------------------
    op(ali_ops.MtsQueryIProductionJobOperator, "ampersand in id", "job_id", job_id="j1&Action=Delete"),
    op(ali_ops.MtsQueryIProductionJobOperator, "hash in id", "job_id", job_id="j1#frag"),
    op(ali_ops.MtsQueryIProductionJobOperator, "newline in id", "job_id", job_id="j1\nX-Injected: 1"),
    op(ali_ops.MtsQueryIProductionJobOperator, "wrong type", "job_id", job_id=12345),
    op(ali_ops.MtsSubmitIProductionJobOperator, "empty string", "function_name", function_name=""),
    op(ali_ops.MtsSubmitIProductionJobOperator, "malformed JSON", "job_params", function_name="F",
       job_params="{'single': 'quotes'}"),
    op(ali_ops.MtsSubmitIProductionJobOperator, "oversized string", "user_data", function_name="F",
       user_data="x" * 1025),
    op(ali_ops.MtsSubmitIProductionJobOperator, "wrong type", "schedule_params", function_name="F",
       schedule_params=["not", "an", "object"]),
    # -- IMM operators ---------------------------------------------------------------------------
    op(ali_ops.ImmListTasksOperator, "empty string", "project_name", project_name=""),
    op(ali_ops.ImmListTasksOperator, "out of range", "page_size", page_size=0, **IMM),
    op(ali_ops.ImmListTasksOperator, "unknown enum", "order", "desc", order="DES", **IMM),
    op(ali_ops.ImmListTasksOperator, "reversed window", "start_time_range", start_time_range={
        "Start": "2026-01-02T00:00:00Z", "End": "2026-01-01T00:00:00Z"}, **IMM),
    op(ali_ops.ImmListTasksOperator, "malformed window", "end_time_range", end_time_range='{"Start": "x"', **IMM),
    op(ali_ops.ImmGetTaskOperator, "path traversal", "imm_task_id", imm_task_id="t/../x",
       imm_task_type="FaceClustering", **IMM),
    op(ali_ops.ImmGetTaskOperator, "empty string", "imm_task_type", imm_task_id="t", imm_task_type="", **IMM),
    op(ali_ops.ImmGetTaskOperator, "newline", "project_name", project_name="p\n", imm_task_id="t",
       imm_task_type="FaceClustering"),
    # -- Tencent operators -----------------------------------------------------------------------
    op(ci_ops.TencentCIListJobsOperator, "unknown enum", "tag", "Translation", tag="transcode"),
    op(ci_ops.TencentCIListJobsOperator, "out of range", "size", tag="Translation", size=0),
    op(ci_ops.TencentCIListJobsOperator, "unknown enum", "states", "Success", tag="Translation", states="Done"),
    op(ci_ops.TencentCIListJobsOperator, "reversed window", "start_creation_time", tag="Translation",
       start_creation_time="2026-01-02T00:00:00+0800", end_creation_time="2026-01-01T00:00:00+0800"),
    op(ci_ops.TencentCIListJobsOperator, "malformed time", "start_creation_time", tag="Translation",
       start_creation_time="2026-01-02 00:00"),
    op(ci_ops.TencentCIListJobsOperator, "ampersand in id", "queue_id", tag="Translation", queue_id="q&size=100"),
    op(ci_ops.TencentCIGetJobsOperator, "empty list", "job_ids", job_ids=[]),
    op(ci_ops.TencentCIGetJobsOperator, "whitespace id", "job_ids", job_ids=["j1", " "]),
    op(ci_ops.TencentCIGetJobsOperator, "bad id past the first call's ten", "job_ids",
       job_ids=[f"j{i}" for i in range(30)] + ["j/x"]),
    op(ci_ops.TencentCIGetJobsOperator, "hash in id", "job_ids", job_ids="j1,j2#x"),
    op(ci_ops.TencentCISubmitJobOperator, "unknown enum", "tag", "WordsGeneralize", tag="transcode",
       input_object="a.txt", queue_id="q"),
    op(ci_ops.TencentCISubmitJobOperator, "empty string", "input_object", tag="WordsGeneralize", input_object="",
       queue_id="q"),
    op(ci_ops.TencentCISubmitJobOperator, "non-ASCII user data", "user_data", tag="WordsGeneralize",
       input_object="a.txt", queue_id="q", user_data="caf\u00e9"),
    op(ci_ops.TencentCISubmitJobOperator, "wrong type", "job_level", tag="WordsGeneralize", input_object="a.txt",
       queue_id="q", job_level="3"),
    op(ci_ops.TencentCISubmitJobOperator, "XML markup in an option key", "translation", tag="Translation",
       input_object="a.txt", queue_id="q", output_bucket="b", output_object="o",
       translation={"Lang></Lang></Translation><Evil>x</Evil><Translation><Lang": "en"}),
    op(ci_ops.TencentCISubmitJobOperator, "NUL in an option value", "words_generalize", tag="WordsGeneralize",
       input_object="a.txt", queue_id="q", words_generalize={"NerMethod": "DL\x00"}),
    op(ci_ops.TencentCISubmitJobOperator, "list as an option value", "words_generalize", tag="WordsGeneralize",
       input_object="a.txt", queue_id="q", words_generalize={"NerMethod": ["DL"]}),
    op(ci_ops.TencentCISubmitJobOperator, "wrong type for wait_for_completion", "wait_for_completion",
       tag="WordsGeneralize", input_object="a.txt", queue_id="q", wait_for_completion="yes"),
    op(ali_ops.MtsSubmitIProductionJobOperator, "wrong type for poll_interval", "poll_interval", function_name="F",
       wait_for_completion=True, poll_interval="60s"),
    op(ali_ops.IceListSmartJobsOperator, "non-ASCII digits", "page_size", page_size="\u0661\u0660"),
    op(ali_ops.MtsQueryIProductionJobOperator, "unrendered template", "job_id", job_id="{{ ti.xcom_pull('s') }}"),
    # -- sensors ---------------------------------------------------------------------------------
    sensor(ali_sensors.MtsIProductionJobSensor, "empty id", "job_id", job_id=""),
    sensor_deferred(ali_sensors.MtsIProductionJobSensor, "path traversal", "job_id", job_id="../x"),
    sensor(ali_sensors.IceSmartJobSensor, "space in id", "job_id", job_id="a b"),
    sensor_deferred(ali_sensors.IceSmartJobSensor, "oversized id", "job_id", job_id="x" * 200),
    sensor(ali_sensors.ImmTaskSensor, "hash in id", "imm_task_id", imm_task_id="a#b",
           imm_task_type="FaceClustering", **IMM),
    sensor_deferred(ali_sensors.ImmTaskSensor, "empty string", "project_name", project_name="", imm_task_id="t",
                    imm_task_type="FaceClustering"),
    sensor(ci_sensors.TencentCIJobSensor, "comma (a batch) in one id", "job_id", job_id="j1,j2"),
    sensor_deferred(ci_sensors.TencentCIJobSensor, "newline in id", "job_id", job_id="j1\r\n"),
    sensor(ci_sensors.TencentCIJobSensor, "wrong type", "job_id", job_id=["j1"]),
    sensor_deferred(ci_sensors.TencentCIJobSensor, "unrendered template", "job_id", job_id="{{ params.id }}"),
    # -- Alibaba hook methods --------------------------------------------------------------------
    hook(A, "list_smart_jobs", "out of range", "page_size", page_size=0),
    hook(A, "list_smart_jobs", "out of range", "max_items", max_items=0),
    hook(A, "iter_smart_jobs", "unknown enum", "job_type", job_type="OCR", allowed="ASR"),
    hook(A, "get_smart_handle_job", "empty id", "job_id", ""),
    hook(A, "list_live_snapshot_jobs", "unknown enum", "sort_by", sort_by="DESC", allowed="desc"),
    hook(A, "iter_live_snapshot_jobs", "zero-width window", "start_time/end_time", start_time=NOW, end_time=NOW),
    hook(A, "query_iproduction_job", "slash in id", "job_id", "a/b"),
    hook(A, "submit_iproduction_job", "malformed JSON", "schedule_params", function_name="F",
         schedule_params="nope"),
    hook(A, "submit_iproduction_job", "whitespace", "function_name", function_name="  "),
    hook(A, "list_tasks", "unknown enum", "status", status="Done", allowed="Succeeded", **IMM),
    hook(A, "iter_tasks", "wrong type", "request_definition", request_definition="maybe", **IMM),
    hook(A, "get_task", "ampersand in id", "task_id", task_id="t&x=1", task_type="FaceClustering", **IMM),
    hook(A, "get_task", "empty string", "task_type", task_id="t", task_type="", **IMM),
    # -- Tencent hook methods --------------------------------------------------------------------
    hook(T, "list_jobs", "unknown enum", "order_by_time", tag="Translation", order_by_time="desc", allowed="Desc"),
    hook(T, "iter_jobs", "out of range", "size", tag="Translation", size=101),
    hook(T, "iter_jobs", "wrong type", "tag", tag=None),
    hook(T, "get_jobs", "empty list", "job_ids", []),
    hook(T, "get_jobs", "newline in id", "job_ids", "j1\nj2"),
    hook(T, "get_ci_job", "path traversal", "job_id", "../jobs"),
    hook(T, "get_ci_job", "comma (a batch) in one id", "job_id", "j1,j2"),
    hook(T, "submit_job", "missing", "queue_id", tag="Translation", input_object="a.txt"),
    hook(T, "submit_job", "XML markup in a nested option key", "words_generalize", tag="WordsGeneralize",
         input_object="a.txt", queue_id="q", words_generalize='{"NerMethod": {"a b": "DL"}}'),
    hook(T, "cancel_job", "empty id", "job_id", ""),
    hook(T, "cancel_job", "hash in id", "job_id", "j1#x"),
    # -- the generic hook methods ----------------------------------------------------------------
    hook(A, "call", "out of range", "max_results", ali.LIST_SMART_JOBS, max_results=-1),
    hook(A, "paginate", "empty string", "project_name", ali.LIST_TASKS, project_name=""),
    hook(T, "iter_pages", "unknown enum", "tag", ci.LIST_JOBS, tag="x", allowed="Translation"),
    hook(A, "get_job", "space in id", "job_id", ali.MTS_IPRODUCTION_JOB, job_id="a b"),
    hook(T, "get_job", "comma in one id", "job_ids", ci.TENCENT_CI_JOB, job_ids="j1,j2"),
    hook(T, "cancel_job_of", "comma in one id", "job_ids", ci.TENCENT_CI_JOB, job_ids="j1,j2"),
    # -- the escape hatches: an action or path the catalog does not have ----------------------------
    hook(A, "call_action", "unknown product", "product", "oss", "GetObject", allowed="mts"),
    hook(A, "call_action", "action with a dash", "action", "mts", "submit-job"),
    hook(A, "call_action", "reserved parameter", "params", "mts", "SubmitJobs", {"SignatureNonce": "1"}),
    hook(T, "call_path", "unknown method", "method", "DELETE", "/jobs", allowed="PUT"),
    hook(T, "call_path", "dot-dot in path", "path", "GET", "/jobs/../x"),
    hook(T, "call_path", "body not XML", "body", "POST", "/jobs", body="{}"),
    hook(A, "cancel_job_of", "space in id", "job_id", ali.MTS_IPRODUCTION_JOB, job_id="a b"),
    # -- MTS transcoding, snapshots and media info (issue 18, part 1) ------------------------------
    op(ali_ops.MtsSubmitJobsOperator, "missing key", "input",
       **{**MTS_JOBS, "input": {"Bucket": "in", "Location": "oss-cn-shanghai"}}),
    op(ali_ops.MtsSubmitJobsOperator, "malformed JSON", "outputs",
       **{**MTS_JOBS, "outputs": "[{'OutputObject': 'a.mp4'}]"}),
    op(ali_ops.MtsSubmitJobsOperator, "missing key in an array item", "outputs",
       **{**MTS_JOBS, "outputs": [MTS_OUT, {"OutputObject": "b.mp4"}]}),
    op(ali_ops.MtsSubmitJobsOperator, "oversized array", "outputs", **{**MTS_JOBS, "outputs": [MTS_OUT] * 31}),
    op(ali_ops.MtsSubmitJobsOperator, "empty array", "outputs", **{**MTS_JOBS, "outputs": []}),
    op(ali_ops.MtsSubmitJobsOperator, "several outputs to wait for", "outputs", wait_for_completion=True,
       **{**MTS_JOBS, "outputs": [MTS_OUT, MTS_OUT]}),
    op(ali_ops.MtsSubmitJobsOperator, "ampersand in id", "pipeline_id", **{**MTS_JOBS, "pipeline_id": "p&x=1"}),
    op(ali_ops.MtsQueryJobListOperator, "bad id past the first call's ten", "job_ids",
       job_ids=[f"j{i}" for i in range(12)] + ["j x"]),
    op(ali_ops.MtsQueryJobListOperator, "empty list", "job_ids", job_ids=[]),
    op(ali_ops.MtsListJobOperator, "unknown enum", "state", "TranscodeSuccess", state="Success"),
    op(ali_ops.MtsListJobOperator, "out of range", "page_size", page_size=101),
    op(ali_ops.MtsListJobOperator, "reversed window", "start_of_job_created_time_range/end_of_job_created_time_range",
       start_of_job_created_time_range=NOW, end_of_job_created_time_range=NOW - timedelta(days=1)),
    op(ali_ops.MtsCancelJobOperator, "hash in id", "job_id", job_id="j1#x"),
    op(ali_ops.MtsSubmitSnapshotJobOperator, "missing nested key", "snapshot_config", input=MTS_IN,
       snapshot_config={"OutputFile": {"Bucket": "out", "Location": "oss-cn-shanghai"}, "Time": "5"}),
    op(ali_ops.MtsSubmitSnapshotJobOperator, "oversized string", "user_data", input=MTS_IN,
       snapshot_config={"OutputFile": MTS_IN}, user_data="u" * 1025),
    op(ali_ops.MtsQuerySnapshotJobListOperator, "ids with filters", "snapshot_job_ids/state",
       snapshot_job_ids=["s1"], state="Success"),
    op(ali_ops.MtsQuerySnapshotJobListOperator, "out of range", "page_size", page_size=301),
    op(ali_ops.MtsQuerySnapshotJobListOperator, "unknown enum", "state", "Snapshoting", state="Running"),
    op(ali_ops.MtsSubmitMediaInfoJobOperator, "wrong type", "async_", input=MTS_IN, async_="yes"),
    op(ali_ops.MtsSubmitMediaInfoJobOperator, "wrong type", "input", input=["in", "a.mp4"]),
    op(ali_ops.MtsQueryMediaInfoJobListOperator, "comma in an id of a list", "media_info_job_ids",
       media_info_job_ids=["m1", "m2,m3"]),
    sensor(ali_sensors.MtsTranscodeJobSensor, "comma (a batch) in one id", "job_id", job_id="j1,j2"),
    sensor_deferred(ali_sensors.MtsTranscodeJobSensor, "newline in id", "job_id", job_id="j1\n"),
    sensor(ali_sensors.MtsSnapshotJobSensor, "empty id", "snapshot_job_id", snapshot_job_id=""),
    sensor_deferred(ali_sensors.MtsSnapshotJobSensor, "path traversal", "snapshot_job_id", snapshot_job_id="../s"),
    sensor(ali_sensors.MtsMediaInfoJobSensor, "wrong type", "media_info_job_id", media_info_job_id=["m1"]),
    sensor_deferred(ali_sensors.MtsMediaInfoJobSensor, "unrendered template", "media_info_job_id",
                    media_info_job_id="{{ params.id }}"),
    hook(A, "submit_jobs", "missing", "pipeline_id", input=MTS_IN, output_bucket="out", outputs=[MTS_OUT],
         pipeline_id=None),
    hook(A, "submit_jobs", "wrong type", "outputs", input=MTS_IN, output_bucket="out", outputs={"a": 1},
         pipeline_id="p1"),
    hook(A, "query_job_list", "newline in id", "job_ids", "j1\nj2"),
    hook(A, "list_job", "unknown enum", "state", state="done", allowed="TranscodeFail"),
    hook(A, "list_job", "malformed time", "start_of_job_created_time_range", start_of_job_created_time_range="now"),
    hook(A, "cancel_job", "slash in id", "job_id", "a/b"),
    hook(A, "submit_snapshot_job", "wrong type", "snapshot_config", input=MTS_IN, snapshot_config=[1]),
    hook(A, "query_snapshot_job_list", "empty list", "snapshot_job_ids", []),
    hook(A, "list_snapshot_jobs", "out of range", "page_size", page_size=0),
    hook(A, "submit_media_info_job", "oversized string", "config", input=MTS_IN, config="c" * 4097),
    hook(A, "query_media_info_job_list", "hash in id", "media_info_job_ids", ["m1#x"]),
    hook(A, "get_many", "bad id past the first call's ten", "job_ids", ali.QUERY_JOB_LIST, "job_ids",
         [f"j{i}" for i in range(11)] + ["j/x"], ali.TRANSCODE_ANSWER),
    hook(T, "get_many", "empty list", "job_ids", ci.GET_JOBS, "job_ids", [], ci.GET_JOBS_ANSWER),
    hook(A, "cancel_job_of", "comma in one id", "job_ids", ali.MTS_TRANSCODE_JOB, job_ids="j1,j2"),
    # (end of MTS_MEDIA)

    # -- ICE transcoding, snapshots and media conversion (issue 18, part 2) ------------------------
    op(ali_ops.IceSubmitTranscodeJobOperator, "unknown enum in a nested object", "input_group", "Media",
       input_group=[{"Type": "oss", "Media": "oss://media-in/a.mp4"}],
       output_group=[{"Output": {"Type": "OSS", "Media": "oss://media-out/a.mp4"},
                      "ProcessConfig": {"Transcode": {"TemplateId": "t"}}}]),
    op(ali_ops.IceSubmitTranscodeJobOperator, "misspelt nested key", "output_group", "TemplateId",
       input_group=[{"Type": "OSS", "Media": "oss://media-in/a.mp4"}],
       output_group=[{"Output": {"Type": "OSS", "Media": "oss://media-out/a.mp4"},
                      "ProcessConfig": {"Transcode": {"TemplateID": "t"}}}]),
    op(ali_ops.IceSubmitTranscodeJobOperator, "out of range nested value", "schedule_config",
       input_group=[{"Type": "OSS", "Media": "oss://media-in/a.mp4"}],
       output_group=[{"Output": {"Type": "OSS", "Media": "oss://media-out/a.mp4"},
                      "ProcessConfig": {"Transcode": {"TemplateId": "t"}}}], schedule_config={"Priority": 11}),
    op(ali_ops.IceSubmitTranscodeJobOperator, "empty list", "input_group", input_group=[],
       output_group=[{"Output": {"Type": "OSS", "Media": "oss://media-out/a.mp4"},
                      "ProcessConfig": {"Transcode": {"TemplateId": "t"}}}]),
    op(ali_ops.IceGetTranscodeJobOperator, "path traversal", "parent_job_id", parent_job_id="../x"),
    op(ali_ops.IceListTranscodeJobsOperator, "unknown enum", "status", "Init", status="Processing"),
    op(ali_ops.IceListTranscodeJobsOperator, "reversed window", "start_of_create_time/end_of_create_time",
       start_of_create_time=NOW, end_of_create_time=NOW - timedelta(days=1)),
    op(ali_ops.IceSubmitSnapshotJobOperator, "missing nested key", "template_config", "TemplateId",
       input_file={"Type": "OSS", "Media": "oss://media-in/a.mp4"},
       output_file={"Type": "OSS", "Media": "oss://media-out/a.jpg"}, template_config={"OverwriteParams": {}}),
    op(ali_ops.IceSubmitSnapshotJobOperator, "malformed JSON", "input_file", input_file="oss://media-in/a.mp4",
       output_file={"Type": "OSS", "Media": "oss://media-out/a.jpg"}, template_config={"TemplateId": "t"}),
    op(ali_ops.IceGetSnapshotJobOperator, "empty id", "job_id", job_id=""),
    op(ali_ops.IceListSnapshotJobsOperator, "out of range", "page_size", page_size=101),
    op(ali_ops.IceSubmitMediaConvertJobOperator, "unknown enum in a nested object", "config", "Hls",
       config={"Inputs": [{"InputFile": {"Type": "OSS", "Media": "oss://media-in/a.mp4"}}],
               "OutputGroups": [{"GroupConfig": {"Type": "HLS"}}]}),
    op(ali_ops.IceSubmitMediaConvertJobOperator, "malformed JSON", "config", config="{'Inputs': []}"),
    op(ali_ops.IceGetMediaConvertJobOperator, "hash in id", "job_id", job_id="j#1"),
    op(ali_ops.IceListMediaConvertJobsOperator, "malformed time", "start_of_create_time",
       start_of_create_time="yesterday"),
    op(ali_ops.IceListMediaConvertJobsOperator, "unknown enum", "order_by", "CreateTimeDesc", order_by="desc"),
    sensor(ali_sensors.IceTranscodeJobSensor, "space in id", "parent_job_id", parent_job_id="a b"),
    sensor_deferred(ali_sensors.IceTranscodeJobSensor, "empty id", "parent_job_id", parent_job_id=""),
    sensor(ali_sensors.IceSnapshotJobSensor, "ampersand in id", "job_id", job_id="j&x=1"),
    sensor_deferred(ali_sensors.IceSnapshotJobSensor, "unrendered template", "job_id", job_id="{{ params.id }}"),
    sensor(ali_sensors.IceMediaConvertJobSensor, "wrong type", "job_id", job_id=["j1"]),
    sensor_deferred(ali_sensors.IceMediaConvertJobSensor, "newline in id", "job_id", job_id="j1\n"),
    hook(A, "submit_transcode_job", "missing", "output_group", input_group=[{"Type": "OSS", "Media": "m"}],
         output_group=None),
    hook(A, "get_transcode_job", "slash in id", "parent_job_id", "a/b"),
    hook(A, "list_transcode_jobs", "naive time", "end_of_create_time", end_of_create_time=datetime(2026, 1, 1)),
    hook(A, "iter_transcode_jobs", "out of range", "page_size", page_size=0),
    hook(A, "submit_ice_snapshot_job", "unknown nested key", "output", input={"Type": "OSS", "Media": "m"},
         output={"Type": "OSS", "Media": "oss://media-out/a.jpg", "Bucket": "media-out"},
         template_config={"TemplateId": "t"}, allowed="Media"),
    hook(A, "get_snapshot_job", "whitespace", "job_id", "  "),
    hook(A, "list_ice_snapshot_jobs", "unknown enum", "status", status="Failed", allowed="Fail"),
    hook(A, "iter_ice_snapshot_jobs", "wrong type", "job_id", job_id=5),
    hook(A, "submit_media_convert_job", "out of range nested value", "config", config={
        "Inputs": [{"InputFile": {"Type": "Media", "Media": "m"}}],
        "Outputs": [{"OutputFile": {"Type": "OSS", "Media": "oss://media-out/a.mp4"}, "Priority": 0}]}),
    hook(A, "get_media_convert_job", "oversized id", "job_id", "x" * 200),
    hook(A, "list_media_convert_jobs", "unknown enum", "status", status="Success", allowed="Complete"),
    hook(A, "iter_media_convert_jobs", "reversed window", "start_of_create_time/end_of_create_time",
         start_of_create_time=NOW, end_of_create_time=NOW),
    # (end of ICE_MEDIA)

    # -- ICE timeline editing and IProduction (issue 18, part 2) -----------------------------------
    op(ali_ops.IceSubmitMediaProducingJobOperator, "missing", "output_media_config", timeline=TIMELINE),
    op(ali_ops.IceSubmitMediaProducingJobOperator, "two sources", "project_id/timeline/template_id",
       timeline=TIMELINE, template_id="tpl-1", clips_param={"Video1": "m"}, output_media_config=OSS_OUT),
    op(ali_ops.IceSubmitMediaProducingJobOperator, "template without its clips", "clips_param", template_id="tpl-1",
       output_media_config=OSS_OUT),
    op(ali_ops.IceSubmitMediaProducingJobOperator, "VOD target without its fields", "output_media_config",
       timeline=TIMELINE, output_media_config=OSS_OUT, output_media_target="vod-media"),
    op(ali_ops.IceSubmitMediaProducingJobOperator, "unknown enum", "output_media_target", "oss-object",
       timeline=TIMELINE, output_media_config=OSS_OUT, output_media_target="oss"),
    op(ali_ops.IceSubmitMediaProducingJobOperator, "malformed JSON", "timeline", timeline="{VideoTracks: []}",
       output_media_config=OSS_OUT),
    op(ali_ops.IceSubmitMediaProducingJobOperator, "oversized user data", "user_data", timeline=TIMELINE,
       output_media_config=OSS_OUT, user_data={"NotifyAddress": "x" * 600}),
    op(ali_ops.IceSubmitMediaProducingJobOperator, "whitespace in client token", "client_token", timeline=TIMELINE,
       output_media_config=OSS_OUT, client_token="a b"),
    op(ali_ops.IceGetMediaProducingJobOperator, "path traversal", "job_id", job_id="../x"),
    op(ali_ops.IceGetMediaProducingJobOperator, "empty id", "job_id", job_id=""),
    op(ali_ops.IceListMediaProducingJobsOperator, "window too wide", "start_time/end_time", start_time=NOW,
       end_time=NOW + timedelta(days=31)),
    op(ali_ops.IceListMediaProducingJobsOperator, "unknown enum", "status", "Processing", status="Queuing"),
    op(ali_ops.IceListMediaProducingJobsOperator, "out of range", "page_size", page_size=101),
    op(ali_ops.IceListMediaProducingJobsOperator, "unknown enum", "job_type", "EditingJob", job_type="Editing"),
    op(ali_ops.IceSubmitIProductionJobOperator, "unknown enum", "function_name", "Cover",
       function_name="VideoQualityEnhancement", input_media=ICE_IN, output_media=ICE_OUT),
    op(ali_ops.IceSubmitIProductionJobOperator, "missing", "input_media", function_name="Cover",
       output_media=ICE_OUT),
    op(ali_ops.IceSubmitIProductionJobOperator, "unknown key", "output_media", function_name="Cover",
       input_media=ICE_IN, output_media={**ICE_OUT, "Bucket": "b"}),
    op(ali_ops.IceSubmitIProductionJobOperator, "out of range priority", "schedule_config", function_name="Cover",
       input_media=ICE_IN, output_media=ICE_OUT, schedule_config={"Priority": 0}),
    op(ali_ops.IceSubmitIProductionJobOperator, "oversized name", "name", function_name="Cover",
       input_media=ICE_IN, output_media=ICE_OUT, name="n" * 101),
    op(ali_ops.IceQueryIProductionJobOperator, "hash in id", "job_id", job_id="j#1"),
    sensor(ali_sensors.IceMediaProducingJobSensor, "newline in id", "job_id", job_id="j\n"),
    sensor_deferred(ali_sensors.IceMediaProducingJobSensor, "comma (a batch) in one id", "job_id", job_id="j1,j2"),
    sensor(ali_sensors.IceIProductionJobSensor, "wrong type", "job_id", job_id=7),
    sensor_deferred(ali_sensors.IceIProductionJobSensor, "ampersand in id", "job_id", job_id="j&Action=x"),
    hook(A, "submit_media_producing_job", "wrong type", "output_media_config", timeline=TIMELINE,
         output_media_config=["MediaURL"]),
    hook(A, "submit_media_producing_job", "unknown enum", "source", timeline=TIMELINE, output_media_config=OSS_OUT,
         source="SDK", allowed="WebSDK"),
    hook(A, "get_media_producing_job", "whitespace id", "job_id", " "),
    hook(A, "iter_media_producing_jobs", "malformed time", "start_time", start_time="yesterday"),
    hook(A, "list_media_producing_jobs", "out of range", "max_items", max_items=0),
    hook(A, "submit_ice_iproduction_job", "unknown enum in a nested key", "input", function_name="Cover",
         input={"Type": "URL", "Media": "m"}, output=ICE_OUT, allowed="OSS"),
    hook(A, "query_ice_iproduction_job", "slash in id", "job_id", "a/b"),
    hook(A, "cancel_ice_iproduction_job", "empty id", "job_id", ""),
    hook(A, "cancel_ice_iproduction_job", "non-ASCII client token", "client_token", "j1", client_token="jeton-\u00e9"),
    # (end of ICE_EDITING)

    # -- IMM Create*Task (issue 18, part 3) --------------------------------------------------------
    op(ali_ops.ImmCreateTaskOperator, "unknown enum", "imm_task_type", "FaceClustering",
       imm_task_type="FigureClustering", **IMM),
    op(ali_ops.ImmCreateTaskOperator, "a parameter of another type", "source_uri", "dataset_name",
       imm_task_type="FaceClustering", dataset_name="d", source_uri="oss://in/a.mp4", **IMM),
    op(ali_ops.ImmCreateTaskOperator, "unknown nested key", "targets[0]['Vidoe']", "Video",
       imm_task_type="MediaConvert", sources=[{"URI": "oss://in/a.mp4"}], targets=[{"Vidoe": {}}], **IMM),
    op(ali_ops.ImmCreateTaskOperator, "out of range nested", "targets[0]['Speed']", imm_task_type="MediaConvert",
       sources=[{"URI": "oss://in/a.mp4"}], targets=[{"Speed": 2}], **IMM),
    op(ali_ops.ImmCreateTaskOperator, "malformed JSON", "sources", imm_task_type="MediaConvert", sources="[{", **IMM),
    op(ali_ops.ImmCreateTaskOperator, "oversized bytes", "user_data", imm_task_type="FaceClustering",
       dataset_name="d", user_data="\u00e9" * 1025, **IMM),
    op(ali_ops.ImmCreateTaskOperator, "out of range", "image_dpi", imm_task_type="OfficeConversion",
       source_uri="oss://in/a.docx", target_type="pdf", target_uri="oss://out/a.pdf", image_dpi=601, **IMM),
    hook(A, "create_task", "unknown enum", "task_type", "Transcode", allowed="MediaConvert", **IMM),
    hook(A, "create_media_convert_task", "too many sources", "sources", sources=[{"URI": "oss://in/a.mp4"}] * 12,
         **IMM),
    hook(A, "create_video_label_classification_task", "malformed URI", "source_uri", source_uri="http://in/a.mp4",
         **IMM),
    hook(A, "create_figure_clustering_task", "empty string", "dataset_name", dataset_name="", **IMM),
    hook(A, "create_office_conversion_task", "unknown enum", "target_type", target_type="docx", allowed="pdf",
         source_uri="oss://in/a.docx", target_uri="oss://out/a.pdf", **IMM),
    hook(A, "create_file_compression_task", "whitespace", "target_uri", target_uri=" oss://out/a.zip",
         sources=[{"URI": "oss://in/a"}], **IMM),
    # (end of IMM_TASKS)

    # -- Tencent CI media processing (issue 18, part 4) --------------------------------------------
    op(ci_ops.TencentCISubmitJobOperator, "unknown enum (a media tag in lower case)", "tag", "Transcode",
       tag="transcode", input_object="a.mp4"),
    op(ci_ops.TencentCISubmitJobOperator, "unknown option key", "transcode", "TransConfig", tag="Transcode",
       input_object="a.mp4", transcode={"Containr": {"Format": "mp4"}}, output_object="o.mp4",
       output_region="ap-beijing", output_bucket="b-1250000000"),
    op(ci_ops.TencentCISubmitJobOperator, "empty (neither options nor template)", "snapshot", tag="Snapshot",
       input_object="a.mp4", output_object="s.jpg", output_region="ap-beijing", output_bucket="b-1250000000"),
    op(ci_ops.TencentCISubmitJobOperator, "missing required option key", "concat_template", tag="Concat",
       concat_template={"ConcatFragment": [{"Url": "u"}]}, output_object="c.mp4", output_region="ap-beijing",
       output_bucket="b-1250000000"),
    op(ci_ops.TencentCISubmitJobOperator, "wrong type (a list where the vendor repeats nothing)", "smart_cover",
       tag="SmartCover", input_object="a.mp4", smart_cover={"Format": ["jpg"]}, output_object="c.jpg",
       output_region="ap-beijing", output_bucket="b-1250000000"),
    op(ci_ops.TencentCISubmitJobOperator, "another tag's argument", "watermark_template_ids", tag="Animation",
       input_object="a.mp4", template_id="t1", watermark_template_ids=["w1"], output_object="a.gif",
       output_region="ap-beijing", output_bucket="b-1250000000"),
    op(ci_ops.TencentCISubmitJobOperator, "out of range (four watermarks)", "watermark", tag="Transcode",
       input_object="a.mp4", template_id="t1", watermark=[{"Type": "Text"}] * 4, output_object="o.mp4",
       output_region="ap-beijing", output_bucket="b-1250000000"),
    op(ci_ops.TencentCISubmitJobOperator, "missing output region", "output_region/output_bucket/output_object",
       tag="VideoMontage", input_object="a.mp4", template_id="t1", output_bucket="b", output_object="m.mp4"),
    op(ci_ops.TencentCISubmitJobOperator, "neither output object", "output_object/output_au_object",
       tag="VoiceSeparate", input_object="a.mp4", template_id="t1", output_region="ap-beijing",
       output_bucket="b-1250000000"),
    op(ci_ops.TencentCIListJobsOperator, "unknown enum (a tag this catalog does not submit)", "tag", "SmartCover",
       tag="SDRtoHDR"),
    hook(T, "submit_job", "empty (no input for VideoMontage)", "input_object/input_url", tag="VideoMontage",
         template_id="t1", output_object="m.mp4", output_region="ap-beijing", output_bucket="b-1250000000"),
    hook(T, "submit_job", "malformed option JSON", "remove_watermark", tag="Transcode", input_object="a.mp4",
         template_id="t1", remove_watermark='{"Dx": 1', output_object="o.mp4", output_region="ap-beijing",
         output_bucket="b-1250000000"),
    # (end of TENCENT_MEDIA)
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.surface}-{c.arg}-{c.kind}" for c in CASES])
def test_refused_before_any_request_naming_the_argument(mediajobs_connections: EmulatorHandle, case: Case) -> None:
    before = mediajobs_connections.counters().get("requests", 0)
    with pytest.raises(MediaJobsValidationError) as info:
        case.call()
    message = str(info.value)
    assert message.startswith(case.arg), message
    assert " must be " in message or " is " in message, message
    if case.allowed:
        assert case.allowed in message, message
    assert mediajobs_connections.counters().get("requests", 0) == before


def _public_hook_methods() -> set[str]:
    names = set()
    for cls in (AlibabaCloudMediaHook, TencentCloudCIHook):
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            defined_here = any(name in vars(k) for k in (cls, MediaJobsBaseHook))
            takes_args = len(inspect.signature(member).parameters) > 1
            if not name.startswith("_") and defined_here and takes_args and name != "test_connection":
                names.add(f"{cls.__name__}.{name}")
    return names


def _declaring(base: type, attr: str) -> set[str]:
    """The package's subclasses of ``base``, at any depth, that set ``attr`` themselves."""
    found: set[str] = set()
    todo: list[type] = [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if attr in vars(sub) and sub.__module__.startswith("airflow_provider_mediajobs."):
                found.add(sub.__name__)
    return found


def test_the_matrix_covers_every_surface_with_enough_cases() -> None:
    surfaces = {c.surface for c in CASES}
    # The concrete operators (the vendors' own base classes have no API of their own).
    operators = {cls.__name__ for module in (ali_ops, ci_ops) for cls in vars(module).values()
                 if inspect.isclass(cls) and cls.__name__.endswith("Operator") and cls.__module__ == module.__name__
                 and getattr(cls, "operation", None) is not None}
    # A family operator (ImmCreateTaskOperator) chooses its operation per task, in operation_of().
    families = {cls.__name__ for module in (ali_ops, ci_ops) for cls in vars(module).values()
                if inspect.isclass(cls) and issubclass(cls, CatalogOperator) and cls.__module__ == module.__name__
                and not cls.__name__.startswith("_") and cls.operation_of is not CatalogOperator.operation_of}
    sensors = {cls.__name__ for module in (ali_sensors, ci_sensors) for cls in vars(module).values()
               if inspect.isclass(cls) and cls.__name__.endswith("Sensor") and not cls.__name__.startswith("_")
               and cls.__module__ == module.__name__}
    # As many as their base classes know: a catalog operator declares its operation, a sensor its job kind.
    assert len(operators) == len(_declaring(CatalogOperator, "operation"))
    assert len(families) == len(_declaring(CatalogOperator, "operation_of"))
    operators |= families
    assert len(sensors) == len(_declaring(MediaJobSensor, "kind"))
    missing = (operators | sensors | _public_hook_methods()) - surfaces
    # The base methods are covered through one vendor's hook each.
    missing -= {f"{T.__name__}.{m}" for m in ("call", "paginate", "get_job")}
    missing -= {f"{A.__name__}.{m}" for m in ("iter_pages",)}
    assert not missing, f"no bad-input rows for {sorted(missing)}"
    assert len(CASES) >= 60
    # Every category the reliability promise names is represented.
    kinds = " ".join(c.kind for c in CASES)
    for category in ("wrong type", "out of range", "unknown enum", "window", "malformed", "empty", "whitespace",
                     "oversized", "path traversal", "ampersand", "hash", "newline"):
        assert category in kinds, category


def test_the_xml_writer_refuses_markup_in_element_names_too() -> None:
    # The catalog refuses such keys before any request; the writer refuses them again.
    from airflow_provider_mediajobs.catalog import xml

    with pytest.raises(ValueError, match="refusing to write an XML element"):
        xml.build("Request", {"Operation/Translation": {"Lang></Translation><Evil": "en"}})
    assert b"<Lang>en</Lang>" in xml.build("Request", {"Operation/Translation": {"Lang": "en"}})


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
    message = refused(lambda: operator(task_id="s", **args, **{arg: value}).execute({}), arg, mediajobs_connections)
    assert message.startswith(arg)


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
    refused(lambda: TencentCloudCIHook().submit_job(**WG, words_generalize=options), "words_generalize",
            mediajobs_connections)
    refused(lambda: ci_ops.TencentCISubmitJobOperator(task_id="s", **WG, words_generalize=options).execute({}),
            "words_generalize", mediajobs_connections)


# -- digits of other scripts ------------------------------------------------------------------------
def test_non_ascii_digits_are_not_numbers(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    refused(lambda: AlibabaCloudMediaHook().list_smart_jobs(page_size=ARABIC_TEN), "page_size", emu)
    refused(lambda: ci_ops.TencentCIListJobsOperator(task_id="l", tag="Translation", size=ARABIC_TEN).execute({}),
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
    message = refused(call, arg, mediajobs_connections)
    assert "template" in message
