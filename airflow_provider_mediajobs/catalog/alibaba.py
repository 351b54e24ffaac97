"""Alibaba Cloud ICE, MTS and IMM: the catalog entries and the RPC wire protocol (no I/O).

Facts from ``docs/vendor-behaviour.md`` (transport, parameter encoding, Alibaba V3 / V1): every
parameter goes in the query string (also for POST, whose body stays empty), objects and arrays
as compact JSON under their plain name, booleans as ``True``/``False``; V3 signing by default,
V1 on request.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, NamedTuple
from urllib.parse import unquote, urlsplit

from airflow_provider_mediajobs.assets import checked_uri, object_uri, oss_uri
from airflow_provider_mediajobs.catalog.errors import vendor_error
from airflow_provider_mediajobs.catalog.model import (
    BatchAnswer,
    BucketOf,
    Cancel,
    Check,
    Console,
    JobKind,
    Operation,
    Paging,
    Service,
    Sweep,
    cannot_cancel,
    dig,
    window,
)
from airflow_provider_mediajobs.catalog.params import (
    Bool,
    Enum,
    IdList,
    Int,
    Json,
    Param,
    Str,
    StrList,
    Time,
    TimeRange,
    invalid,
    job_id,
)
from airflow_provider_mediajobs.catalog.shapes import (
    ANY,
    Flag,
    FreeMap,
    ListOf,
    Number,
    Obj,
    SecretStr,
    Shape,
    Shaped,
    Text,
    Utf8Str,
    keys,
    obj,
)
from airflow_provider_mediajobs.exceptions import (
    AuthError,
    BadResponseError,
    ClockSkewError,
    ExpiredCredentialsError,
    InvalidParameterError,
    NotFoundError,
    ServerError,
    ThrottledError,
    VendorError,
)

if TYPE_CHECKING:
    from airflow_provider_mediajobs.catalog.wire import HttpRequest, HttpResponse

# Signing and the transport types are imported where a request is built or parsed: operator
# modules import this catalog at DAG-parse time, and they need none of that to declare a task.

ICE = Service("alibaba", "ice", "2020-11-09")
MTS = Service("alibaba", "mts", "2014-06-18")
IMM = Service("alibaba", "imm", "2020-09-30")
SERVICES = {s.product: s for s in (ICE, MTS, IMM)}

SMART_JOB_STATES = ("Created", "Executing", "Finished", "Failed")
SMART_JOB_TYPES = ("ASR", "DynamicChart", "VideoTranslation", "TextToSpeech")
IMM_TASK_STATES = ("Running", "Succeeded", "Failed")
LIVE_SNAPSHOT_WINDOW = timedelta(days=30)  # "at most 30 days" between StartTime and EndTime (seed 004)
# Public region ids (Alibaba Cloud "Regions and zones" and "Region ID" pages, read 2026-12): a
# region outside them is most likely a typo, which would surface only as a DNS error after every
# retry. A region newer than this list is let through with the extra allow_unknown_region.
REGIONS = frozenset({
    "cn-qingdao", "cn-beijing", "cn-zhangjiakou", "cn-huhehaote", "cn-wulanchabu", "cn-hangzhou",
    "cn-shanghai", "cn-nanjing", "cn-fuzhou", "cn-shenzhen", "cn-heyuan", "cn-guangzhou", "cn-chengdu",
    "cn-hongkong", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-3", "ap-southeast-5",
    "ap-southeast-6", "ap-southeast-7", "us-east-1", "us-west-1", "us-southeast-1", "eu-central-1", "eu-west-1",
    "me-east-1", "me-central-1", "na-south-1", "cn-shanghai-finance-1", "cn-shenzhen-finance-1",
    "cn-beijing-finance-1",
})

# MTS QueryJobList (transcode jobs) takes at most 10 job ids per call (alibabacloud-mts20140618
# QueryJobListRequest.job_ids docstring); so do QuerySnapshotJobList and QueryMediaInfoJobList.
MAX_IDS_PER_CALL = 10


LIST_SMART_JOBS = Operation(
    "ListSmartJobs",
    ICE,
    "GET",
    params=(
        Enum("job_state", "JobState", values=SMART_JOB_STATES),
        Enum("job_type", "JobType", values=SMART_JOB_TYPES),
        # MaxResults: 1-100, default 10 (seed 000). It sizes each page of NextToken paging, so it
        # is ``page_size`` here as in every listing: one name, one wire parameter. The page also
        # documents PageNo (>= 1) and PageSize (1-100), the page-number style this listing does
        # not use; they are left out so ``page_size`` cannot mean two parameters.
        Int("page_size", "MaxResults", low=1, high=100),
        # Cursor lengths are not documented by any vendor here: 1024 is this provider's guard.
        Str("next_token", "NextToken", max_len=1024),
        Enum("sort_by", "SortBy", values=("CreationTime:Asc", "CreationTime:Desc")),
    ),
    paging=Paging("token", items="SmartJobList", size_param="MaxResults"),
    answer_keys=("SmartJobList",),
)

GET_SMART_HANDLE_JOB = Operation(
    "GetSmartHandleJob", ICE, "POST", params=(job_id("job_id", "JobId"),), answer_keys=("JobId", "State")
)

LIST_LIVE_SNAPSHOT_JOBS = Operation(
    "ListLiveSnapshotJobs",
    ICE,
    "GET",
    params=(
        Time("start_time", "StartTime"),
        Time("end_time", "EndTime"),
        Str("search_key_word", "SearchKeyWord", max_len=128),  # at most 128 characters (seed 004)
        Enum("status", "Status", values=("init", "paused", "started")),
        Int("page_no", "PageNo", low=1),  # >= 1 (seed 004)
        Int("page_size", "PageSize", low=1, high=100),  # 1-100, default 10 (seed 004)
        Enum("sort_by", "SortBy", values=("asc", "desc")),
    ),
    paging=Paging("page", items="JobList"),
    checks=(window("start_time", "end_time", LIVE_SNAPSHOT_WINDOW),),
    answer_keys=("JobList",),
)

QUERY_IPRODUCTION_JOB = Operation(
    "QueryIProductionJob", MTS, "POST", params=(job_id("job_id", "JobId"),), answer_keys=("JobId", "State")
)

SUBMIT_IPRODUCTION_JOB = Operation(
    "SubmitIProductionJob",
    MTS,
    "POST",
    # Lengths here are undocumented for SubmitIProductionJob (seed 002, SDK model): 2048 for URLs
    # and the 64 KiB JSON cap are this provider's guards; UserData's 1024 follows MTS's SubmitJobs
    # page, the one MTS API that states it.
    params=(
        job_id("function_name", "FunctionName", what="a name"),
        Str("input", "Input", max_len=2048),
        Str("output", "Output", max_len=2048),
        Json("job_params", "JobParams"),
        job_id("model_id", "ModelId", required=False),
        Str("notify_url", "NotifyUrl", max_len=2048),
        job_id("pipeline_id", "PipelineId", required=False),
        Json("schedule_params", "ScheduleParams"),
        Str("user_data", "UserData", max_len=1024),
    ),
    idempotent=False,
    answer_keys=("JobId",),
)

LIST_TASKS = Operation(
    "ListTasks",
    IMM,
    "POST",
    params=(
        job_id("project_name", "ProjectName", what="a name"),
        # How many task types one call takes is undocumented (seed 003): 100 is this provider's guard.
        StrList("task_types", "TaskTypes", names=True),
        TimeRange("start_time_range", "StartTimeRange"),
        TimeRange("end_time_range", "EndTimeRange"),
        # MaxResults: 1-100, default 100 (seed 003); the page size of NextToken paging.
        Int("page_size", "MaxResults", low=1, high=100),
        Str("next_token", "NextToken", max_len=1024),  # cursor length undocumented: our guard
        Enum("sort", "Sort", values=("TaskId", "StartTime", "EndTime")),
        Enum("order", "Order", values=("asc", "desc")),
        Enum("status", "Status", values=IMM_TASK_STATES),
        Str("tag_selector", "TagSelector", max_len=1024),  # length undocumented (seed 003): our guard
        Bool("request_definition", "RequestDefinition"),
    ),
    paging=Paging("token", items="Tasks", size_param="MaxResults"),
    answer_keys=("Tasks",),
)

GET_TASK = Operation(
    "GetTask",
    IMM,
    "POST",
    params=(
        job_id("project_name", "ProjectName", what="a name"),
        job_id("task_id", "TaskId"),
        job_id("task_type", "TaskType", what="a name"),
        Bool("request_definition", "RequestDefinition"),
    ),
    # A task's own failure is reported in top-level Code/Message too: TaskId and Status tell
    # this answer from an error body, which never carries them.
    answer_keys=("TaskId", "Status"),
)

def _mts_output(job: Mapping[str, Any]) -> str | None:
    # Output may be a template (oss://bucket/path/{Count}.jpg): that names no one object.
    out = job.get("Output")
    return None if isinstance(out, str) and "{" in out else checked_uri(out, "oss")


def _mts_inputs(job: Mapping[str, Any], bucket: BucketOf) -> tuple[str, ...]:
    # QueryIProductionJob answers the Input it was submitted with (SDK model: a string), which
    # SubmitIProductionJob takes as oss://bucket/object.
    uri = checked_uri(job.get("Input"), "oss")
    return (uri,) if uri else ()


def _smart_job_inputs(job: Mapping[str, Any], bucket: BucketOf) -> tuple[str, ...]:
    # SmartJobInfo.InputConfig.InputFile is an oss:// URL or a media asset id, which names no object.
    uri = checked_uri(dig(job, ("SmartJobInfo", "InputConfig", "InputFile")), "oss")
    return (uri,) if uri else ()


# The consoles' pages (docs/operating.md, "Console links"). None of the three consoles documents
# the address of one job, so each link opens the most specific page that is documented. Alibaba
# Cloud consoles pick the region in their top bar; several read it from a regionId query parameter
# (the PAI SDK builds pai.console.aliyun.com/?regionId=...), which MPS and IMS may ignore.
MTS_CONSOLE = Console(
    "MTS console",
    "https://mps.console.aliyun.com/overview?regionId={region}",
    "The MPS console is documented as https://mps.console.aliyun.com/overview, whose Tasks page (left-side "
    "navigation) lists jobs by type (alibabacloud-mts20140618 SDK docstrings, e.g. QueryFpShotJobListRequest."
    "JobIds). Not documented: the address of the Tasks page, of one job or of a region (regionId is read by "
    "other Alibaba Cloud consoles), nor whether IProduction jobs are listed there.",
)
ICE_CONSOLE = Console(
    "ICE console",
    "https://ims.console.aliyun.com/summary?regionId={region}",
    "The IMS (ICE) console is documented as https://ims.console.aliyun.com/summary (alibabacloud-ice20201109 "
    "SDK docstrings, e.g. UpdateLiveTranscodeTemplateRequest.TemplateId). Not documented: a page of smart jobs, "
    "of one job, or the address of a region (regionId is read by other Alibaba Cloud consoles).",
)
IMM_CONSOLE = Console(
    "IMM console",
    "https://imm.console.aliyun.com/v2/{region}/projects",
    "The IMM console's project list of a region: https://imm.console.aliyun.com/v2/cn-beijing/projects is the "
    "link Alibaba Cloud's technical solution Multimedia data storage and distribution gives for deleting a "
    "project. Not documented: the address of one project, of its tasks or of one task.",
)

MTS_IPRODUCTION_JOB = JobKind(
    name="mts_iproduction",
    get=QUERY_IPRODUCTION_JOB,
    id_args=("job_id",),
    state=("State",),
    success=frozenset({"Success"}),
    failure=frozenset({"Fail"}),
    pending=frozenset({"Queuing", "Analysing"}),
    # MTS 2014-06-18 has SubmitIProductionJob and QueryIProductionJob and no cancel for these jobs
    # (its API list; CancelJob cancels transcoding jobs only). ICE's CancelIProductionJob is for
    # ICE's own IProduction jobs, not MTS's.
    cancel=cannot_cancel("MTS's API list has no cancel for IProduction jobs"),
    error_code=("Result", "Code"),
    error_message=("Result", "Message"),
    output=_mts_output,
    inputs=_mts_inputs,
    console=MTS_CONSOLE,
)

ICE_SMART_JOB = JobKind(
    name="ice_smart_job",
    get=GET_SMART_HANDLE_JOB,
    id_args=("job_id",),
    state=("State",),
    success=frozenset({"Finished"}),
    failure=frozenset({"Failed"}),
    pending=frozenset({"Created", "Executing"}),
    # ICE 2020-11-09 lists SubmitSmartJob, GetSmartHandleJob and ListSmartJobs, and no cancel for
    # smart jobs (its API list; seed 000 is ListSmartJobs).
    cancel=cannot_cancel("ICE's API list has no cancel for smart jobs"),
    error_code=("ErrorCode",),
    error_message=("ErrorMessage",),
    output=lambda job: object_uri(
        "oss", dig(job, ("SmartJobInfo", "OutputConfig", "Bucket")),
        dig(job, ("SmartJobInfo", "OutputConfig", "Object")),
    ),
    # ListSmartJobs lists the account's smart jobs, 100 a page at most, newest first (seed 000:
    # MaxResults 1-100, SortBy CreationTime:Desc is the default). It has no time filter, so a sweep
    # stops at jobs older than the oldest waited for. Its items carry JobState and CreateTime but
    # neither JobResult nor ErrorCode/ErrorMessage (seed 000 item fields; GetSmartHandleJob in
    # docs/vendor-behaviour.md): a job found ended is concluded by one GetSmartHandleJob.
    sweep=Sweep(
        LIST_SMART_JOBS,
        item_id=("JobId",),
        item_state=("JobState",),
        item_created=("CreateTime",),
        job_created=("SmartJobInfo", "CreateTime"),
        arguments={"sort_by": "CreationTime:Desc", "page_size": 100},
    ),
    inputs=_smart_job_inputs,
    console=ICE_CONSOLE,
)

IMM_TASK = JobKind(
    name="imm_task",
    get=GET_TASK,
    id_args=("project_name", "task_id", "task_type"),
    state=("Status",),
    success=frozenset({"Succeeded"}),
    failure=frozenset({"Failed"}),
    pending=frozenset({"Running"}),
    # IMM 2020-09-30's task management is GetTask and ListTasks (its API catalog, "Task
    # Management"); no Create*Task has a cancel counterpart.
    cancel=cannot_cancel("IMM's task management API has GetTask and ListTasks, no cancel"),
    error_code=("Code",),
    error_message=("Message",),
    job_id_arg="task_id",
    id_key=("TaskId",),
    # ListTasks lists one project's tasks, 100 a page at most, sorted by StartTime, filtered by
    # StartTimeRange (seed 003). Its items are GetTask's task fields (TaskId, TaskType, Status,
    # Code, Message, StartTime, EndTime, Progress, Tags, UserData); GetTask adds ProjectName,
    # which the wait knows, and the per-call RequestId and EventId (docs/vendor-behaviour.md).
    sweep=Sweep(
        LIST_TASKS,
        item_id=("TaskId",),
        item_state=("Status",),
        item_created=("StartTime",),
        job_created=("StartTime",),
        arguments={"sort": "StartTime", "order": "desc", "page_size": 100},
        scope_ids=("project_name",),
        since=lambda when: {"start_time_range": {"Start": when}},
        as_detail=lambda item, ids: (
            {**item, "ProjectName": ids["project_name"]} if item.get("TaskType") == ids["task_type"] else None
        ),
    ),
    # No inputs and no output: a task's GetTask detail names neither its source nor its target
    # objects (its fields are TaskId, TaskType, Status, Code, Message, times, Progress, Tags,
    # UserData; the SDK's GetTaskResponseBody). Only TaskRequestDefinition, sent back with
    # RequestDefinition=true, holds the request that created the task, whose shape is each
    # Create*Task's own and not read here.
    console=IMM_CONSOLE,
)

# The job kinds of issue 18, one section per part: each section defines its operations and kinds,
# and names its operations in the tuple OPERATIONS gathers below.

# -- MTS transcoding, snapshots and media info (issue 18, part 1) ------------------------------------
# Sources: the alibabacloud-mts20140618 SDK 6.0.3 (client.py: every call below is an RPC POST whose
# parameters go in the query string; models/: the request and answer fields) and MPS's API pages
# (alibabacloud.com/help/en/mps/api-<name>, help.aliyun.com/zh/mps/...), as cited per entry and in
# docs/vendor-behaviour.md ("MTS transcoding, snapshots and media info"). The SDK's owner parameters
# (OwnerId, OwnerAccount, ResourceOwnerId, ResourceOwnerAccount) carry no documentation in the SDK or
# on the pages and are left out, as for the other MTS entries.

# A transcoding job's states: ListJobRequest.state's docstring lists them (with All, a filter only).
MTS_TRANSCODE_STATES = ("Submitted", "Transcoding", "TranscodeSuccess", "TranscodeFail", "TranscodeCancelled")
# QuerySnapshotJobList page (help.aliyun.com/zh/mps/api-query-a-snapshot-job; in English
# alibabacloud.com/help/en/mps/developer-reference/api-mts-2014-06-18-querysnapshotjoblist): State.
MTS_SNAPSHOT_STATES = ("Submitted", "Snapshoting", "Success", "Fail")
# QueryMediaInfoJobList page (help.aliyun.com/en/mps/api-querymediainfojoblist): State.
MTS_MEDIA_INFO_STATES = ("Analyzing", "Success", "Fail")
# SubmitJobs takes "up to 30 Output objects" (SubmitJobsRequest.outputs docstring).
MTS_MAX_OUTPUTS = 30
# Snapshot ids per QuerySnapshotJobList call: "up to 10" (its page); its page size: 1-300, default
# 30 (MaximumPageSize on the Chinese page; the SDK's QuerySnapshotJobListRequest docstrings are
# shifted by one field and say nothing usable).
MTS_MAX_SNAPSHOT_PAGE = 300
# Media info ids per QueryMediaInfoJobList call: "up to 10" (QueryMediaInfoJobListRequest
# .media_info_job_ids docstring, and its page).
MTS_MEDIA_INFO_IDS_PER_CALL = 10
# An OSS location as MPS takes it, {"Bucket", "Location", "Object"}, all three required, Referer
# optional ("Parameter details", Input: help.aliyun.com/en/mps/developer-reference/parameter-details).
OSS_LOCATION_KEYS = ("Bucket", "Location", "Object")


# Open: Referer and the keys other pages document are let through for MPS to judge.
OSS_LOCATION = keys(OSS_LOCATION_KEYS, OSS_LOCATION_KEYS, open=True)


def _oss_location(arg: str, wire: str, required: bool = True) -> Shaped:
    return Shaped(arg, wire, OSS_LOCATION, required)


# MPS asks for UserData of "letters, digits and hyphens, up to 1,024 bytes, not starting with a
# special character" (SubmitSnapshotJobRequest/SubmitMediaInfoJobRequest.user_data docstrings); the
# pages' own examples hold JSON, so only the length is checked (in characters: our guard).
def _mts_user_data(arg: str = "user_data") -> Str:
    return Str(arg, "UserData", max_len=1024)


SUBMIT_JOBS = Operation(
    "SubmitJobs",
    MTS,
    "POST",
    params=(
        _oss_location("input", "Input"),  # required (SubmitJobsRequest.input)
        job_id("output_bucket", "OutputBucket", what="a bucket name"),  # required
        # An OSS region id, oss-cn-shanghai (SubmitJobsRequest.output_location): the id rule is our guard.
        job_id("output_location", "OutputLocation", required=False, what="an OSS region such as oss-cn-shanghai"),
        # A JSON array of at most 30 Output objects, each with OutputObject and TemplateId ("Parameter
        # details", Output); their other keys (watermarks, clips, encryption...) are the vendor's to check.
        Shaped("outputs", "Outputs", ListOf(keys(("OutputObject", "TemplateId"), ("OutputObject", "TemplateId"),
                                                 open=True), min_items=1, max_items=MTS_MAX_OUTPUTS), True),
        job_id("pipeline_id", "PipelineId"),  # required (SubmitJobsRequest.pipeline_id)
    ),
    idempotent=False,
    # The per-output results: without them there is no job to wait for (SubmitJobsResponseBody).
    answer_keys=("JobResultList",),
)

QUERY_JOB_LIST = Operation(
    "QueryJobList",
    MTS,
    "POST",
    # JobIds: comma-separated, at most 10, required (QueryJobListRequest.job_ids; QueryJobList page).
    params=(IdList("job_ids", "JobIds", required=True, max_items=MAX_IDS_PER_CALL),),
    # The page leaves NonExistJobIds out when every id exists; JobList is in every sample answer, and
    # whether it is left out when no id exists is not documented (unknown). It is required, so that
    # an error body that came with HTTP 200 is that error, not "no such job".
    answer_keys=("JobList",),
)

LIST_JOB = Operation(
    "ListJob",
    MTS,
    "POST",
    params=(
        Str("next_token", "NextPageToken", max_len=1024),  # cursor length undocumented: our guard
        Int("page_size", "MaximumPageSize", low=1, high=100),  # 1-100, default 10 (ListJobRequest)
        job_id("pipeline_id", "PipelineId", required=False),
        # UTC yyyy-MM-ddTHH:mm:ssZ (ListJobRequest). The page answers jobs of the last 90 days only.
        Time("start_of_job_created_time_range", "StartOfJobCreatedTimeRange"),
        Time("end_of_job_created_time_range", "EndOfJobCreatedTimeRange"),
        Enum("state", "State", values=("All", *MTS_TRANSCODE_STATES)),  # default All (ListJobRequest.state)
    ),
    paging=Paging("token", items="JobList/Job", token_param="NextPageToken", token_key="NextPageToken",
                  size_param="MaximumPageSize"),
    checks=(window("start_of_job_created_time_range", "end_of_job_created_time_range"),),
    answer_keys=("JobList",),  # as QueryJobList's
)

CANCEL_JOB = Operation(
    # Repeating a cancel is harmless: the job is cancelled once, or refused as no longer Submitted.
    "CancelJob", MTS, "POST", params=(job_id("job_id", "JobId"),),  # required (CancelJobRequest.job_id)
    answer_keys=("JobId",),  # CancelJobResponseBody: JobId, RequestId
)

SUBMIT_SNAPSHOT_JOB = Operation(
    "SubmitSnapshotJob",
    MTS,
    "POST",
    params=(
        _oss_location("input", "Input"),  # required (SubmitSnapshotJobRequest.input)
        # Required; where the images go is its OutputFile (AliyunSnapshotConfig, "Parameter details").
        # Its other keys (Time, Interval, Num, Width, Height, FrameType, TileOut...) are the vendor's to check.
        Shaped("snapshot_config", "SnapshotConfig", Obj({"OutputFile": OSS_LOCATION}, ("OutputFile",), open=True),
               True),
        # Optional in the SDK; the page requires it for notifications only.
        job_id("pipeline_id", "PipelineId", required=False),
        _mts_user_data(),
    ),
    idempotent=False,
    answer_keys=("SnapshotJob",),  # the new job (SubmitSnapshotJobResponseBody.SnapshotJob)
)

QUERY_SNAPSHOT_JOB_LIST = Operation(
    "QuerySnapshotJobList",
    MTS,
    "POST",
    # With SnapshotJobIds (at most 10), the named jobs; without, the jobs the filters select, newest
    # first, a page at a time (the page's usage notes).
    params=(
        IdList("snapshot_job_ids", "SnapshotJobIds", max_items=MAX_IDS_PER_CALL),
        Str("next_token", "NextPageToken", max_len=1024),  # a 32-character UUID (the page): our guard
        Int("page_size", "MaximumPageSize", low=1, high=MTS_MAX_SNAPSHOT_PAGE),
        Enum("state", "State", values=MTS_SNAPSHOT_STATES),
        Time("start_of_job_created_time_range", "StartOfJobCreatedTimeRange"),  # UTC (the page)
        Time("end_of_job_created_time_range", "EndOfJobCreatedTimeRange"),
        job_id("pipeline_id", "PipelineId", required=False),
    ),
    paging=Paging("token", items="SnapshotJobList/SnapshotJob", token_param="NextPageToken",
                  token_key="NextPageToken", size_param="MaximumPageSize"),
    checks=(
        window("start_of_job_created_time_range", "end_of_job_created_time_range"),
        # The page does not say what the filters do to a query by ids: our guard refuses both at once.
        lambda args: _ids_or_filters(args, "snapshot_job_ids"),
    ),
    answer_keys=("SnapshotJobList",),  # as QueryJobList's JobList
)

SUBMIT_MEDIA_INFO_JOB = Operation(
    "SubmitMediaInfoJob",
    MTS,
    "POST",
    params=(
        _oss_location("input", "Input"),  # required (SubmitMediaInfoJobRequest.input)
        # true: queued and analysed later (the page recommends it); false: analysed before the answer.
        Bool("async_", "Async"),
        # Config: in the SDK model and the page's parameter list, with no description: what it holds
        # is unknown, so it is sent as given; 4096 characters is our guard.
        Str("config", "Config", max_len=4096),
        job_id("pipeline_id", "PipelineId", required=False),
        _mts_user_data(),
    ),
    idempotent=False,
    answer_keys=("MediaInfoJob",),  # SubmitMediaInfoJobResponseBody.MediaInfoJob
)

QUERY_MEDIA_INFO_JOB_LIST = Operation(
    "QueryMediaInfoJobList",
    MTS,
    "POST",
    params=(IdList("media_info_job_ids", "MediaInfoJobIds", required=True, max_items=MTS_MEDIA_INFO_IDS_PER_CALL),),
    answer_keys=("MediaInfoJobList",),  # as QueryJobList's JobList
)


def _ids_or_filters(args: Mapping[str, Any], ids_arg: str) -> None:
    if args.get(ids_arg) is None:
        return
    given = sorted(arg for arg, value in args.items() if arg != ids_arg and arg != "next_token" and value is not None)
    if given:
        raise invalid(f"{ids_arg}/{given[0]}", f"either {ids_arg} or the listing's filters, not both", given[0])


# Where each batched get answers its jobs and the ids it does not know (the SDK answer models:
# QueryJobListResponseBody JobList.Job[] and NonExistJobIds.String[], and their snapshot and media
# info twins).
TRANSCODE_ANSWER = BatchAnswer(QUERY_JOB_LIST.name, items=("JobList", "Job"), missing=("NonExistJobIds", "String"))
SNAPSHOT_ANSWER = BatchAnswer(QUERY_SNAPSHOT_JOB_LIST.name, items=("SnapshotJobList", "SnapshotJob"),
                              missing=("NonExistSnapshotJobIds", "String"), id_key=("Id",))
MEDIA_INFO_ANSWER = BatchAnswer(QUERY_MEDIA_INFO_JOB_LIST.name, items=("MediaInfoJobList", "MediaInfoJob"),
                                missing=("NonExistMediaInfoJobIds", "String"))


def _oss_file(job: Mapping[str, Any], *path: str) -> str | None:
    """The object an MTS location names ({Bucket, Location, Object} at ``path``, in a job's detail
    or as JSON text in a submit request: :func:`dig` reads both); None for a template
    (oss://b/{Count}.jpg names no one object). MPS takes Object URL-encoded in UTF-8 ("Parameter
    details", Input), so its URI names it decoded."""
    key = dig(job, (*path, "Object"))
    if not isinstance(key, str) or "{" in key:
        return None
    return object_uri("oss", dig(job, (*path, "Bucket")), unquote(key))


def _oss_inputs(job: Mapping[str, Any], bucket: BucketOf) -> tuple[str, ...]:
    uri = _oss_file(job, "Input")
    return (uri,) if uri else ()


def submitted_jobs(response: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The jobs a SubmitJobs answer created, one per output, in the order of ``Outputs``.

    :raises VendorError: an output was refused (its ``JobResult`` says ``Success`` false): the
        typed error of its ``Code``, naming the jobs the other outputs created (they run; cancel
        them while they are ``Submitted`` if they are not wanted).
    :raises BadResponseError: the answer holds no job, or a created job without its id.
    """
    results = dig(response, ("JobResultList", "JobResult"))
    if not isinstance(results, list) or not results:
        raise BadResponseError("SubmitJobs answered no JobResultList/JobResult: no job to wait for")
    jobs: list[dict[str, Any]] = []
    refused: list[tuple[int, Mapping[str, Any]]] = []
    for index, result in enumerate(results):
        if not isinstance(result, Mapping):
            raise BadResponseError(f"SubmitJobs answered JobResult {index} as a {type(result).__name__}")
        success = result.get("Success")
        if success is False or (isinstance(success, str) and success.lower() == "false"):
            refused.append((index, result))
            continue
        job = result.get("Job")
        job_id = dig(job, ("JobId",))
        if success not in (True, "true", "True") or not isinstance(job_id, str) or not job_id:
            raise BadResponseError(f"SubmitJobs answered JobResult {index} without Success true and a Job/JobId")
        jobs.append(dict(job))  # type: ignore[arg-type]
    if refused:
        index, result = refused[0]
        code, message = result.get("Code"), result.get("Message")
        kind = type(vendor_error(vendor="Alibaba Cloud", status=400, code=str(code) if code else None,
                                 message=None, request_id=None, table=ERROR_TABLE, prefixes=ERROR_PREFIXES))
        created = ", ".join(job["JobId"] for job in jobs) or "none"
        raise kind(
            f"SubmitJobs refused {len(refused)} of {len(results)} outputs; output {index}: {code or 'no Code'}"
            f"{': ' + str(message) if message else ''}. Jobs created for the other outputs: {created}",
            code=str(code) if code else None, vendor_message=str(message) if message else None,
            request_id=str(response.get("RequestId")) if response.get("RequestId") else None,
        )
    return jobs


MTS_TRANSCODE_JOB = JobKind(
    name="mts_transcode",
    get=QUERY_JOB_LIST,
    id_args=("job_ids",),
    state=("State",),
    success=frozenset({"TranscodeSuccess"}),
    # A cancelled job wrote nothing: it ends the wait as a failure, as Tencent's Cancel does.
    failure=frozenset({"TranscodeFail", "TranscodeCancelled"}),
    pending=frozenset({"Submitted", "Transcoding"}),
    # "You can cancel a transcoding job only if the job is in the Submitted state" (the CancelJob
    # page, alibabacloud.com/help/en/mps/api-canceljob). What it answers in another state is not
    # documented: unknown.
    cancel=Cancel(CANCEL_JOB, "the CancelJob page", id_args={"job_ids": "job_id"},
                  only_in=frozenset({"Submitted"})),
    # QueryJobListResponseBody Job: Code and Message are returned when the job failed.
    error_code=("Code",),
    error_message=("Message",),
    output=lambda job: _oss_file(job, "Output", "OutputFile"),
    job_id_arg="job_ids",
    extract=TRANSCODE_ANSWER.find,
    # ListJob lists the region's transcoding jobs of the last 90 days, newest first (CreationTime
    # descending by default), 100 a page at most, filtered by StartOfJobCreatedTimeRange (the ListJob
    # page). Its items lack QueryJobList's SubmitTime (ListJobResponseBodyJobListJob), so a job a sweep
    # finds ended is concluded by a direct (batched) QueryJobList.
    sweep=Sweep(
        LIST_JOB,
        item_id=("JobId",),
        item_state=("State",),
        item_created=("CreationTime",),
        job_created=("CreationTime",),
        arguments={"page_size": 100},
        since=lambda when: {"start_of_job_created_time_range": when},
    ),
    inputs=_oss_inputs,
    console=MTS_CONSOLE,
)

MTS_SNAPSHOT_JOB = JobKind(
    name="mts_snapshot",
    get=QUERY_SNAPSHOT_JOB_LIST,
    id_args=("snapshot_job_ids",),
    state=("State",),
    success=frozenset({"Success"}),
    failure=frozenset({"Fail"}),
    pending=frozenset({"Submitted", "Snapshoting"}),
    # MTS 2014-06-18's API list has no cancel for snapshot jobs (CancelJob cancels transcoding jobs).
    cancel=cannot_cancel("MTS's API list has no cancel for snapshot jobs (CancelJob is for transcoding jobs)"),
    error_code=("Code",),
    error_message=("Message",),
    # Several snapshots go to a template (oss://b/shot-{Count}.jpg): that names no one object.
    output=lambda job: _oss_file(job, "SnapshotConfig", "OutputFile"),
    job_id_arg="snapshot_job_ids",
    extract=SNAPSHOT_ANSWER.find,
    id_key=("Id",),
    # Without ids, QuerySnapshotJobList lists the snapshot jobs newest first, 300 a page at most,
    # filtered by StartOfJobCreatedTimeRange (its page); its items are the jobs' own detail.
    sweep=Sweep(
        QUERY_SNAPSHOT_JOB_LIST,
        item_id=("Id",),
        item_state=("State",),
        item_created=("CreationTime",),
        job_created=("CreationTime",),
        arguments={"page_size": MTS_MAX_SNAPSHOT_PAGE},
        since=lambda when: {"start_of_job_created_time_range": when},
        as_detail=lambda item, ids: item,
    ),
    inputs=_oss_inputs,
    console=MTS_CONSOLE,
)

MTS_MEDIA_INFO_JOB = JobKind(
    name="mts_media_info",
    get=QUERY_MEDIA_INFO_JOB_LIST,
    id_args=("media_info_job_ids",),
    state=("State",),
    success=frozenset({"Success"}),
    failure=frozenset({"Fail"}),
    pending=frozenset({"Analyzing"}),
    cancel=cannot_cancel("MTS's API list has no cancel for media info jobs (CancelJob is for transcoding jobs)"),
    error_code=("Code",),
    error_message=("Message",),
    # The analysis lands in the job's Properties, not in an object: no output.
    job_id_arg="media_info_job_ids",
    extract=MEDIA_INFO_ANSWER.find,
    # No sweep: MTS 2014-06-18 has no listing of media info jobs (QueryMediaInfoJobList takes ids only).
    inputs=_oss_inputs,
    console=MTS_CONSOLE,
)

MTS_MEDIA_OPERATIONS: tuple[Operation, ...] = (
    SUBMIT_JOBS, QUERY_JOB_LIST, LIST_JOB, CANCEL_JOB, SUBMIT_SNAPSHOT_JOB, QUERY_SNAPSHOT_JOB_LIST,
    SUBMIT_MEDIA_INFO_JOB, QUERY_MEDIA_INFO_JOB_LIST,
)
# (end of MTS media)


# -- ICE transcoding, snapshots and media conversion (issue 18, part 2) -------------------------------
# Every parameter, key, state and limit below is read from the alibabacloud-ice20201109 6.20.2 SDK
# (client.py: each call is an RPC POST with every parameter in the query string, objects as JSON;
# models/: the request and answer fields and their docstrings), unless a comment names another
# source. "Our guard" marks a bound the SDK does not state. docs/vendor-behaviour.md has the facts.

#: A media object's Type: an OSS object (Media is its URL) or a media asset (Media is its id)
#: (SubmitSnapshotJobRequestInput.type; GetTranscodeJob's InputGroup.Type: "OSS", "Media").
ICE_MEDIA_TYPES = ("OSS", "Media")
ICE_TRANSCODE_LIST_STATES = ("Init", "Success", "Fail")  # ListTranscodeJobsRequest.status
ICE_SNAPSHOT_STATES = ("Init", "Success", "Fail")  # ListSnapshotJobsRequest.status, GetSnapshotJob Status
ICE_MEDIA_CONVERT_LIST_STATES = ("Inited", "Running", "Complete", "Error")  # ListMediaConvertJobsRequest.status
ICE_LIST_ORDERS = ("CreateTimeDesc", "CreateTimeAsc")  # the three List*Request.order_by docstrings


_MEDIA_TYPE = Text(values=ICE_MEDIA_TYPES)


def _media_object(*extra: str, many: bool = False) -> Shape:
    # {Type, Media} and the keys a model adds (InputUrl, OutputUrl): both required wherever the
    # SDK marks them ("This parameter is required"); the value of Media is for the vendor to judge.
    one = Obj({"Type": _MEDIA_TYPE, "Media": ANY, **dict.fromkeys(extra, ANY)}, ("Type", "Media"))
    return ListOf(one, min_items=1) if many else one


def _template_use(overwrite: Shape) -> Shape:
    # A template by id, some of its parameters overwritten (each ProcessConfig entry's model).
    return ListOf(Obj({"TemplateId": ANY, "OverwriteParams": overwrite}, ("TemplateId",)))


def _keys(*names: str) -> Shape:
    # An object whose keys the model lists and whose values it leaves to the vendor.
    return keys(names)


_FILE = Obj({"Type": _MEDIA_TYPE, "Media": ANY})  # ...OverwriteParamsFile: nothing marked required
# SubmitTranscodeJobRequestOutputGroupProcessConfig and its nested models. IsInheritTags is not in
# the request model but in every answer's ProcessConfig (GetTranscodeJob, ListTranscodeJobs), as a
# boolean the vendor documents ("whether to inherit tags from the input stream", default false).
_TRANSCODE_PROCESS_CONFIG = Obj({
    "Transcode": Obj({"TemplateId": ANY, "OverwriteParams": Obj({
        "Video": _keys("AbrMax", "Bitrate", "Bufsize", "Codec", "Crf", "Crop", "Fps", "Gop", "Height",
                       "LongShortMode", "Maxrate", "Pad", "PixFmt", "Preset", "Profile", "Remove", "ScanMode",
                       "Width"),
        "Audio": Obj({**dict.fromkeys(("Bitrate", "Channels", "Codec", "Profile", "Remove", "Samplerate"), ANY),
                        "Volume": _keys("IntegratedLoudnessTarget", "LoudnessRangeTarget", "Method", "TruePeak")}),
        "Container": _keys("Format"),
        "MuxConfig": Obj({"Segment": _keys("Duration", "ForceSegTime")}),
        "TransConfig": _keys("AdjDarMethod", "IsCheckAudioBitrate", "IsCheckAudioBitrateFail", "IsCheckReso",
                             "IsCheckResoFail", "IsCheckVideoBitrate", "IsCheckVideoBitrateFail", "TransMode"),
    })}, ("TemplateId",)),
    "ImageWatermarks": _template_use(Obj({
        **dict.fromkeys(("Dx", "Dy", "Height", "ReferPos", "Width"), ANY), "File": _FILE,
        "Timeline": _keys("Duration", "Start")})),
    "TextWatermarks": _template_use(_keys("Adaptive", "BorderColor", "BorderWidth", "Content", "FontAlpha",
                                          "FontColor", "FontName", "FontSize", "Left", "Top")),
    "Subtitles": _template_use(Obj({"CharEnc": ANY, "File": _FILE, "Format": ANY})),
    "Encryption": _keys("CipherText", "DecryptKeyUri", "EncryptType", "KeyServiceType"),
    "CombineConfigs": ListOf(keys(("AudioIndex", "Duration", "Start", "VideoIndex"), ("AudioIndex", "VideoIndex"))),
    "IsInheritTags": Flag(),
}, ("Transcode",))
# ScheduleConfig.Priority: "Valid values: 1 to 10" (SubmitTranscodeJobRequestScheduleConfig.priority).
_ICE_SCHEDULE = Obj({"PipelineId": ANY, "Priority": Number(whole=True, low=1, high=10)})

SUBMIT_TRANSCODE_JOB = Operation(
    "SubmitTranscodeJob",
    ICE,
    "POST",
    params=(
        # One input transcodes it; several merge their streams (SubmitTranscodeJobRequest.input_group).
        Shaped("input_group", "InputGroup", _media_object("InputUrl", many=True), True),
        Shaped("output_group", "OutputGroup", ListOf(Obj(
            {"Output": _media_object("OutputUrl"), "ProcessConfig": _TRANSCODE_PROCESS_CONFIG},
            ("Output", "ProcessConfig")), min_items=1), True),
        Str("name", "Name", max_len=128),  # length undocumented: our guard
        Shaped("schedule_config", "ScheduleConfig", _ICE_SCHEDULE),
        Str("user_data", "UserData", max_len=512),  # "up to 512 bytes" (SubmitTranscodeJobRequest.user_data)
        Str("client_token", "ClientToken", max_len=64),  # the idempotency key; length undocumented: our guard
    ),
    idempotent=False,
    answer_keys=("TranscodeParentJob",),
)

GET_TRANSCODE_JOB = Operation(
    "GetTranscodeJob", ICE, "POST", params=(job_id("parent_job_id", "ParentJobId"),),
    answer_keys=("TranscodeParentJob",),
)


def _ice_listing(name: str, id_arg: str, id_wire: str, states: tuple[str, ...]) -> Operation:
    # The three ICE media listings take the same filters and page alike (their List*Request models):
    # a creation-time window (UTC yyyy-MM-ddTHH:mm:ssZ), a status, one job id, CreateTimeDesc or
    # CreateTimeAsc, PageSize 1-100 (default 20), and NextPageToken both ways; items under Jobs.
    return Operation(
        name,
        ICE,
        "POST",
        params=(
            Time("start_of_create_time", "StartOfCreateTime"),
            Time("end_of_create_time", "EndOfCreateTime"),
            Enum("status", "Status", values=states),
            job_id(id_arg, id_wire, required=False),
            Enum("order_by", "OrderBy", values=ICE_LIST_ORDERS),
            Int("page_size", "PageSize", low=1, high=100),
            # "next_token" whatever the wire name: the pager drives it, the operators never show it.
            Str("next_token", "NextPageToken", max_len=1024),  # cursor length undocumented: our guard
        ),
        paging=Paging("token", items="Jobs", token_param="NextPageToken", token_key="NextPageToken"),
        # No longest window is documented: only its order is checked (our guard).
        checks=(window("start_of_create_time", "end_of_create_time"),),
        answer_keys=("Jobs",),
    )


LIST_TRANSCODE_JOBS = _ice_listing("ListTranscodeJobs", "parent_job_id", "ParentJobId", ICE_TRANSCODE_LIST_STATES)

ICE_SUBMIT_SNAPSHOT_JOB = Operation(
    "SubmitSnapshotJob",
    ICE,
    "POST",
    params=(
        Shaped("input", "Input", _media_object(), True),
        # Media must name {Count} for several snapshots, {TileCount} for a sprite, end in .vtt for
        # WebVTT (SubmitSnapshotJobRequestOutput.media): the vendor judges that.
        Shaped("output", "Output", _media_object(), True),
        Shaped("template_config", "TemplateConfig", Obj({
            "TemplateId": ANY,
            "OverwriteParams": Obj({
                **dict.fromkeys(("BlackLevel", "Count", "FrameType", "Height", "Interval", "IsSptFrag",
                                 "PixelBlackThreshold", "Time", "Type", "Width"), ANY),
                "SpriteSnapshotConfig": _keys("CellHeight", "CellWidth", "Color", "Columns", "Lines", "Margin",
                                              "Padding"),
            }),
        }, ("TemplateId",)), True),
        Str("name", "Name", max_len=128),  # length undocumented: our guard
        Shaped("schedule_config", "ScheduleConfig", _keys("PipelineId")),
        Str("user_data", "UserData", max_len=1024),  # "a JSON-formatted string"; length undocumented: our guard
    ),
    idempotent=False,
    answer_keys=("JobId",),
)

GET_SNAPSHOT_JOB = Operation(
    "GetSnapshotJob", ICE, "POST", params=(job_id("job_id", "JobId"),), answer_keys=("SnapshotJob",)
)

LIST_SNAPSHOT_JOBS = _ice_listing("ListSnapshotJobs", "job_id", "JobId", ICE_SNAPSHOT_STATES)

# SubmitMediaConvertJobRequest.config is a JSON string whose model is MediaConvertJobConfig:
# Inputs, JobName (at most 64 bytes), OutputGroups. Outputs, the outputs outside any group, is not
# in that model but in every answer's Config (MediaConvertJob, GetMediaConvertJob, the listing's
# MediaConvertJobWithoutDetail), with the keys of MediaConvertOutput.
_MC_FILE = _media_object()  # ...InputsInputFile, ...GroupConfigOutputFileBase: MediaObject {Type, Media}
_MC_PRIORITY = Number(whole=True, low=1, high=10)  # "from 1 to 10", default 6
_MEDIA_CONVERT_CONFIG = Obj({
    # Not marked required in the model; a job with no input converts nothing: our guard.
    "Inputs": ListOf(Obj({"Name": ANY, "InputFile": _MC_FILE}, ("InputFile",)), min_items=1),
    # Counted in characters here; the vendor counts bytes, so a longer name in multi-byte text is its to refuse.
    "JobName": Text(max_len=64),
    "OutputGroups": ListOf(Obj({
        "Name": ANY,
        "GroupConfig": Obj({
            # File and Hls (MediaConvertJobConfigOutputGroupsGroupConfig.type); Dash too
            # (MediaConvertOutputGroupConfig.type, and ManifestName "when Type is Hls or Dash").
            "Type": Text(values=("File", "Hls", "Dash")),
            "ManifestName": ANY,
            "OutputFileBase": _MC_FILE,
            "ManifestExtend": Obj({"InputRef": ANY, "Excludes": ListOf(
                Obj({"Type": Text(values=("Audio", "Subtitle")), "Name": ANY, "Language": ANY}))}),
        }),
        "Outputs": ListOf(Obj({
            **dict.fromkeys(("Name", "OutputFileName", "TemplateId", "OverrideParams", "Features"), ANY),
            "Priority": _MC_PRIORITY,
            "HlsGroupConfig": Obj({
                **dict.fromkeys(("AudioGroup", "AutoSelect", "Forced", "Group", "IsDefault", "Language", "Name",
                                 "SubtitleGroup"), ANY),
                "Type": Text(values=("video", "audio", "subtitle", "hybrid")),
            }),
        })),
    })),
    "Outputs": ListOf(Obj({
        **dict.fromkeys(("Name", "TemplateId", "OverrideParams", "Features"), ANY),
        "OutputFile": _MC_FILE,
        "Priority": _MC_PRIORITY,
    })),
}, ("Inputs",))

SUBMIT_MEDIA_CONVERT_JOB = Operation(
    "SubmitMediaConvertJob",
    ICE,
    "POST",
    params=(
        Shaped("config", "Config", _MEDIA_CONVERT_CONFIG, True),
        job_id("pipeline_id", "PipelineId", required=False),
        Str("user_data", "UserData", max_len=1024),  # length undocumented: our guard
        Str("client_token", "ClientToken", max_len=64),  # the idempotency key; length undocumented: our guard
    ),
    idempotent=False,
    answer_keys=("Job",),
)

GET_MEDIA_CONVERT_JOB = Operation(
    "GetMediaConvertJob", ICE, "POST", params=(job_id("job_id", "JobId"),), answer_keys=("Job",)
)

LIST_MEDIA_CONVERT_JOBS = _ice_listing("ListMediaConvertJobs", "job_id", "JobId", ICE_MEDIA_CONVERT_LIST_STATES)

ICE_MEDIA_OPERATIONS: tuple[Operation, ...] = (
    SUBMIT_TRANSCODE_JOB, GET_TRANSCODE_JOB, LIST_TRANSCODE_JOBS,
    ICE_SUBMIT_SNAPSHOT_JOB, GET_SNAPSHOT_JOB, LIST_SNAPSHOT_JOBS,
    SUBMIT_MEDIA_CONVERT_JOB, GET_MEDIA_CONVERT_JOB, LIST_MEDIA_CONVERT_JOBS,
)


def answer_under(key: str) -> Callable[[Mapping[str, Any], str], Any]:
    """A job kind's ``extract`` for answers that nest the job under ``key`` (ICE GetTranscodeJob:
    ``TranscodeParentJob``); what is there is checked as a job (:meth:`JobKind.check`)."""

    def extract(response: Mapping[str, Any], job_id: str) -> Any:
        return response.get(key)

    return extract


# An OSS object's HTTP(S) address: bucket.oss-[RegionId].aliyuncs.com/object (SubmitSnapshotJobRequest
# Input.media), the -internal host of the same region included.
_OSS_HOST = re.compile(r"([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.oss-[a-z0-9-]+\.aliyuncs\.com", re.ASCII)


def _decoded(value: Any) -> Any:
    # A submit request's wire parameters hold these objects as JSON text (lineage reads a submit
    # request as the job's detail); the job's detail holds them as objects.
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        from airflow_provider_mediajobs.catalog.nesting import loads  # see AlibabaProtocol.build()

        try:
            return loads(value, "an ICE media parameter")
        except ValueError:
            return None
    return value


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    value = _decoded(value)
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def ice_media_uri(media: Any) -> str | None:
    """The ``oss://`` URI of an ICE media object (``{"Type": "OSS", "Media": ...}``); None for a
    media asset id, a template (``{Count}``, ``{MediaId}``) or anything that names no one object.

    Media is an ``oss://bucket/object`` URL or ``http(s)://bucket.oss-[RegionId].aliyuncs.com/object``
    (SubmitSnapshotJobRequest Input.media and Output.media); GetSnapshotJob also names the object
    by its parts (``OssFile``: Bucket, Object).
    """
    media = _decoded(media)
    if not isinstance(media, Mapping) or media.get("Type") != "OSS":
        return None
    text = media.get("Media")
    if isinstance(text, str) and "{" not in text:
        uri = checked_uri(text, "oss")
        if uri:
            return uri
        parts = urlsplit(text.strip())
        host = _OSS_HOST.fullmatch(parts.hostname or "") if parts.scheme.lower() in ("http", "https") else None
        if host and parts.username is None and parts.port is None:
            return object_uri("oss", host.group(1), unquote(parts.path))
    oss = media.get("OssFile")
    if isinstance(oss, Mapping) and isinstance(oss.get("Object"), str) and "{" not in oss["Object"]:
        return object_uri("oss", oss.get("Bucket"), oss["Object"])
    return None


def _uris(media_objects: list[Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(uri for media in media_objects if (uri := ice_media_uri(media))))


def _the_one(media_objects: list[Any]) -> str | None:
    # A kind reports one output object: a job that writes several reports none, rather than one of them.
    uris = _uris(media_objects)
    return uris[0] if len(uris) == 1 else None


def _transcode_inputs(job: Mapping[str, Any], bucket: BucketOf) -> tuple[str, ...]:
    return _uris(_mappings(job.get("InputGroup")))


def _transcode_output(job: Mapping[str, Any]) -> str | None:
    return _the_one([group.get("Output") for group in _mappings(job.get("OutputGroup"))])


def _media_convert_config(job: Mapping[str, Any]) -> Mapping[str, Any]:
    config = _decoded(job.get("Config"))
    return config if isinstance(config, Mapping) else {}


def _media_convert_inputs(job: Mapping[str, Any], bucket: BucketOf) -> tuple[str, ...]:
    return _uris([item.get("InputFile") for item in _mappings(_media_convert_config(job).get("Inputs"))])


def _media_convert_output(job: Mapping[str, Any]) -> str | None:
    # What the job wrote: each output's Result.OutputFile (MediaConvertOutputDetail), on its own or
    # in a group (MediaConvertOutputGroupDetail.Outputs).
    details = _mappings(job.get("OutputDetails"))
    for group in _mappings(job.get("OutputGroupDetails")):
        details += _mappings(group.get("Outputs"))
    return _the_one([dig(detail, ("Result", "OutputFile")) for detail in details])


def _ice_sweep(listing: Operation, id_key: str, state_key: str) -> Sweep:
    # The three listings list the account's jobs newest first (OrderBy CreateTimeDesc), 100 a page
    # at most, from a creation time (StartOfCreateTime); each item carries its CreateTime. No item
    # is its job's whole detail (no sub-jobs, no error code, no output details): a job a sweep
    # finds ended is concluded by one direct get.
    return Sweep(
        listing,
        item_id=(id_key,),
        item_state=(state_key,),
        item_created=("CreateTime",),
        job_created=("CreateTime",),
        arguments={"order_by": "CreateTimeDesc", "page_size": 100},
        since=lambda when: {"start_of_create_time": when},
    )


# None of the three kinds can be cancelled: the SDK client's Cancel* and Stop* methods are
# CancelDNAJob, CancelFavoritePublicMedia, CancelIProductionJob and Stop* of channels, AI agents
# and workflows, live and RTC robots; nothing for transcoding, snapshot or media convert jobs.
_NO_CANCEL = "the ICE 2020-11-09 SDK client has no Cancel* or Stop* method for {} jobs"

ICE_TRANSCODE_JOB = JobKind(
    name="ice_transcode_job",
    get=GET_TRANSCODE_JOB,
    id_args=("parent_job_id",),
    state=("Status",),
    # The parent job's Status is Success "after all sub-jobs are completed ... if at least one
    # sub-job succeeds" and Fail when all failed (SubmitTranscodeJobResponseBodyTranscodeParentJob.status;
    # ListTranscodeJobsResponseBodyJobs.status says the same). So a parent some of whose sub-jobs
    # failed is, by the vendor's own word, a success: PartSuccess, not in the 6.20 models, is
    # taken as one should the service answer it. Which sub-jobs failed is in the detail the wait
    # returns (TranscodeJobList[].Status).
    success=frozenset({"Success", "PartSuccess"}),
    failure=frozenset({"Fail"}),
    # Init (submitted) is the listing's third state; Processing is a sub-job's (GetTranscodeJob
    # TranscodeJobList[].Status: Init, Processing, Success, Fail, Deleted).
    pending=frozenset({"Init", "Processing"}),
    cancel=cannot_cancel(_NO_CANCEL.format("transcoding")),
    # A parent job names no error code or message (its model has none): a failure is reported as
    # its state; the sub-jobs' SubmitResultJson is in the detail.
    error_code=("ErrorCode",),
    error_message=("ErrorMessage",),
    output=_transcode_output,
    job_id_arg="parent_job_id",
    extract=answer_under("TranscodeParentJob"),
    id_key=("ParentJobId",),
    sweep=_ice_sweep(LIST_TRANSCODE_JOBS, "ParentJobId", "Status"),
    inputs=_transcode_inputs,
    console=ICE_CONSOLE,
)

ICE_SNAPSHOT_JOB = JobKind(
    name="ice_snapshot_job",
    get=GET_SNAPSHOT_JOB,
    id_args=("job_id",),
    state=("Status",),
    success=frozenset({"Success"}),
    failure=frozenset({"Fail"}),
    pending=frozenset({"Init"}),
    cancel=cannot_cancel(_NO_CANCEL.format("snapshot")),
    error_code=("Code",),
    error_message=("Message",),
    output=lambda job: ice_media_uri(job.get("Output")),
    extract=answer_under("SnapshotJob"),
    sweep=_ice_sweep(LIST_SNAPSHOT_JOBS, "JobId", "Status"),
    inputs=lambda job, bucket: tuple(uri for uri in (ice_media_uri(job.get("Input")),) if uri),
    console=ICE_CONSOLE,
)

ICE_MEDIA_CONVERT_JOB = JobKind(
    name="ice_media_convert_job",
    get=GET_MEDIA_CONVERT_JOB,
    id_args=("job_id",),
    state=("State",),
    # GetMediaConvertJobResponseBodyJob.state, MediaConvertJob.state and the listing's model name
    # Inited, Running, Complete, Error, Cancelled; SubmitMediaConvertJobResponseBodyJob.state names
    # the ends Success, Failed, Cancelled. Both spellings are read. A cancelled job wrote nothing
    # it was asked for: a failure (it was cancelled outside this task: there is no cancel call).
    success=frozenset({"Complete", "Success"}),
    failure=frozenset({"Error", "Failed", "Cancelled"}),
    pending=frozenset({"Inited", "Running"}),
    cancel=cannot_cancel(_NO_CANCEL.format("media convert")),
    error_code=("Code",),
    error_message=("Message",),
    output=_media_convert_output,
    extract=answer_under("Job"),
    sweep=_ice_sweep(LIST_MEDIA_CONVERT_JOBS, "JobId", "State"),
    inputs=_media_convert_inputs,
    console=ICE_CONSOLE,
)
# (end of ICE media)


# -- ICE timeline editing and IProduction (issue 18, part 2) ------------------------------------------
# Sources: the alibabacloud-ice20201109 6.20.2 SDK (client.py for each call's method and where its
# parameters go; models/ for fields, docstrings for limits and states) and the ICE API pages named
# in docs/vendor-behaviour.md ("ICE timeline editing and IProduction").

# GetMediaProducingJobResponseBodyMediaProducingJob.status docstring.
MEDIA_PRODUCING_STATES = ("Init", "Queuing", "Processing", "Success", "Failed")
# ListMediaProducingJobsRequest.status docstring: the filter documents four of them (no Queuing).
MEDIA_PRODUCING_LIST_STATES = ("Init", "Failed", "Success", "Processing")
# ListMediaProducingJobsRequest.end_time docstring: "cannot exceed 30 days" between the two.
MEDIA_PRODUCING_WINDOW = timedelta(days=30)
# Our guard: no page states a size for Timeline (its page limits tracks: 100 video, 100 image, 100
# subtitle ones, and materials to 1 TB in all). It travels in a form body (Operation.form), as the
# SDK sends it, so no URL limit applies; 1 MiB of JSON is far beyond any timeline of 300 tracks.
TIMELINE_MAX_BYTES = 1 << 20
# SubmitMediaProducingJobRequest.user_data docstring: JSON, at most 512 bytes.
PRODUCING_USER_DATA_BYTES = 512
# SubmitIProductionJobRequest.function_name docstring (the QueryIProductionJob answer's lists the same).
ICE_IPRODUCTION_FUNCTIONS = (
    "Cover", "VideoClip", "VideoDelogo", "VideoDetext", "CaptionExtraction", "VideoGreenScreenMatting",
    "FaceBeauty", "VideoH2V", "MusicSegmentDetect", "AudioBeatDetection", "AudioQualityAssessment",
    "SpeechDenoise", "AudioMixing", "MusicDemix",
)
# QueryIProductionJobResponseBody.status docstring. ICE spells it "Analyzing"; MTS "Analysing".
ICE_IPRODUCTION_STATES = ("Queuing", "Analyzing", "Fail", "Success")
# ICE_MEDIA_TYPES, above: SubmitIProductionJobRequestInput/Output.type docstrings say the same.


def _client_token() -> Str:
    # SubmitMediaProducingJobRequest.client_token docstring: ASCII, at most 64 characters. The other
    # calls' ClientToken docstrings state no bound: the same rule is our guard there.
    return Str("client_token", "ClientToken", max_len=64, pattern=r"[\x21-\x7e]+",
               hint="printable ASCII without spaces, at most 64 characters")


def _utf8_at_most(arg: str, most: int) -> Check:
    """A rule: ``arg``'s wire text is at most ``most`` bytes of UTF-8 (Json counts characters)."""

    def check(args: Mapping[str, Any]) -> None:
        value = args.get(arg)
        if isinstance(value, str) and len(value.encode("utf-8")) > most:
            raise invalid(arg, f"at most {most} bytes of JSON (UTF-8)", f"{len(value.encode('utf-8'))} bytes")

    return check


def _one_source(args: Mapping[str, Any]) -> None:
    # "You must specify one of the following three parameters: ProjectId, Timeline, or TemplateId.
    # Leave the other two parameters empty." (SubmitMediaProducingJobRequest docstrings)
    given = [arg for arg in ("project_id", "timeline", "template_id") if args.get(arg) is not None]
    if len(given) != 1:
        raise invalid("project_id/timeline/template_id", "exactly one of them given", tuple(given))


def _clips_with_template(args: Mapping[str, Any]) -> None:
    # "When TemplateId is not empty, ClipsParam cannot be empty." (clips_param docstring)
    if args.get("template_id") is not None and args.get("clips_param") is None:
        raise invalid("clips_param", "given with template_id (the template's materials)", None)


def _output_media_config(args: Mapping[str, Any]) -> None:
    # OutputMediaConfig docstring and the "Video editing parameters" page: an OSS output needs
    # MediaURL, a VOD one StorageLocation and FileName. Which target applies when OutputMediaTarget
    # is left out is not documented, so then one of the two forms must be there. S3's fields are
    # not documented: not checked.
    config = _decoded(args.get("output_media_config"))
    if not isinstance(config, Mapping):
        return
    target = args.get("output_media_target")
    oss, vod = bool(config.get("MediaURL")), bool(config.get("StorageLocation") and config.get("FileName"))
    if target == "oss-object" and not oss:
        raise invalid("output_media_config", "a JSON object with MediaURL (the OSS object) for oss-object", config)
    if target == "vod-media" and not vod:
        raise invalid("output_media_config", "a JSON object with StorageLocation and FileName for vod-media", config)
    if target is None and not (oss or vod):
        raise invalid("output_media_config", "a JSON object with MediaURL (OSS), or StorageLocation and FileName "
                      "(VOD)", config)


SUBMIT_MEDIA_PRODUCING_JOB = Operation(
    "SubmitMediaProducingJob",
    ICE,
    "POST",
    # SubmitMediaProducingJobRequest; every field a string, the objects as JSON text. JSON objects
    # whose size no page states take Json's 64 KiB guard.
    params=(
        _client_token(),
        Json("clips_param", "ClipsParam"),
        Json("editing_produce_config", "EditingProduceConfig"),
        Json("media_metadata", "MediaMetadata"),
        Json("output_media_config", "OutputMediaConfig", required=True),  # "This parameter is required."
        Enum("output_media_target", "OutputMediaTarget", values=("oss-object", "vod-media", "S3")),
        job_id("project_id", "ProjectId", required=False),
        Json("project_metadata", "ProjectMetadata"),
        Enum("source", "Source", values=("OpenAPI", "AliyunConsole", "WebSDK")),
        job_id("template_id", "TemplateId", required=False),
        Json("timeline", "Timeline", max_len=TIMELINE_MAX_BYTES),
        Json("user_data", "UserData", max_len=PRODUCING_USER_DATA_BYTES),
    ),
    checks=(_one_source, _clips_with_template, _output_media_config,
            _utf8_at_most("timeline", TIMELINE_MAX_BYTES), _utf8_at_most("user_data", PRODUCING_USER_DATA_BYTES)),
    # ClientToken makes a repeat harmless only when given; a submission is never repeated blindly.
    idempotent=False,
    answer_keys=("JobId",),
    # client.py: Timeline goes in the form body, every other parameter in the query string.
    form=("Timeline",),
)

GET_MEDIA_PRODUCING_JOB = Operation(
    "GetMediaProducingJob", ICE, "POST", params=(job_id("job_id", "JobId"),), answer_keys=("MediaProducingJob",)
)

LIST_MEDIA_PRODUCING_JOBS = Operation(
    "ListMediaProducingJobs",
    ICE,
    "POST",  # client.py: POST, like every ICE call but the two GET listings above
    params=(
        Time("start_time", "StartTime"),
        Time("end_time", "EndTime"),
        Enum("job_type", "JobType", values=("LiveEditingJob", "EditingJob", "VETemplateJob")),
        Str("keyword", "Keyword", max_len=256),  # a job id, for example; length undocumented: our guard
        job_id("master_job_id", "MasterJobId", required=False),
        Int("page_size", "MaxResults", low=1, high=100),  # 1-100, default 10 (max_results docstring)
        Str("next_token", "NextToken", max_len=1024),  # cursor length undocumented: our guard
        job_id("project_id", "ProjectId", required=False),
        # Creation time descending by default (sort_by docstring).
        Enum("sort_by", "SortBy", values=("CreationTime:Asc", "CreationTime:Desc")),
        Enum("status", "Status", values=MEDIA_PRODUCING_LIST_STATES),
    ),
    paging=Paging("token", items="MediaProducingJobList", size_param="MaxResults"),
    checks=(window("start_time", "end_time", MEDIA_PRODUCING_WINDOW),),
    answer_keys=("MediaProducingJobList",),
)


def _producing_output(job: Mapping[str, Any]) -> str | None:
    # MediaURL is "the resource file URL of the output media asset" (its docstring); the detail has
    # no OutputMediaConfig, so this is where the output is read. That for an OSS output it is the
    # OutputMediaConfig.MediaURL submitted (http(s)://bucket.oss-region.aliyuncs.com/object, the
    # "Video editing parameters" page) is inferred, not documented; a VOD output names no object.
    return oss_uri(job.get("MediaURL"))


#: Where a timeline's clips are: each track list, and the clip list of its tracks (Timeline
#: configuration page; ImageTracks is kept for old timelines).
TIMELINE_CLIPS = (("VideoTracks", "VideoTrackClips"), ("AudioTracks", "AudioTrackClips"),
                  ("ImageTracks", "ImageTrackClips"))


def _timeline_inputs(job: Mapping[str, Any], bucket: BucketOf) -> tuple[str, ...]:
    # A clip names its material by MediaId (a media asset: no object) or MediaURL (an OSS object's
    # URL: SubmitMediaProducingJob page). The job's detail and its submit request both hold the
    # Timeline as JSON text. Subtitle and effect tracks, and a template's ClipsParam, are not read.
    timeline = job.get("Timeline")
    if isinstance(timeline, str):
        # Imported here, as dig() does: DAG parsing never reads an answer. Nesting past its bound
        # raises, so a hostile detail fails as its fetch's error.
        from airflow_provider_mediajobs.catalog.nesting import loads

        try:
            timeline = loads(timeline, "the job's Timeline")
        except ValueError:
            return ()
    if not isinstance(timeline, Mapping):
        return ()
    found: list[str] = []
    for tracks_key, clips_key in TIMELINE_CLIPS:
        tracks = timeline.get(tracks_key)
        for track in tracks if isinstance(tracks, list) else ():
            clips = track.get(clips_key) if isinstance(track, Mapping) else None
            for clip in clips if isinstance(clips, list) else ():
                uri = oss_uri(clip.get("MediaURL")) if isinstance(clip, Mapping) else None
                if uri is not None:
                    found.append(uri)
    return tuple(dict.fromkeys(found))


def _producing_since(when: datetime) -> Mapping[str, Any]:
    # The window's widest documented span, from just before the oldest job waited for. Without
    # StartTime and EndTime the listing's own default window is not documented; a wait whose job is
    # older than a window can reach is swept without a time filter (a sweep stops past it anyway).
    end = when + MEDIA_PRODUCING_WINDOW
    if end <= datetime.now(UTC):
        return {}
    return {"start_time": when, "end_time": end}


ICE_MEDIA_PRODUCING_JOB = JobKind(
    name="ice_media_producing",
    get=GET_MEDIA_PRODUCING_JOB,
    id_args=("job_id",),
    state=("Status",),
    success=frozenset({"Success"}),
    failure=frozenset({"Failed"}),
    pending=frozenset({"Init", "Queuing", "Processing"}),
    # The SDK client's cancels are CancelDNAJob, CancelFavoritePublicMedia and CancelIProductionJob:
    # none for media producing jobs.
    cancel=cannot_cancel("the ICE 2020-11-09 SDK client has no cancel for media producing jobs"),
    # "Check this field when the job fails" (the Code and Message docstrings).
    error_code=("Code",),
    error_message=("Message",),
    output=_producing_output,
    extract=lambda response, job_id: response.get("MediaProducingJob"),
    inputs=_timeline_inputs,
    # ListMediaProducingJobs lists the account's jobs, 100 a page at most, newest first by default,
    # with a StartTime/EndTime window of at most 30 days (its request docstrings). Its items carry
    # JobId, Status, CreateTime, Code and Message but no Timeline (ListMediaProducingJobsResponseBody
    # item fields), so a job found ended is concluded by one GetMediaProducingJob, whose Timeline
    # the lineage reads.
    sweep=Sweep(
        LIST_MEDIA_PRODUCING_JOBS,
        item_id=("JobId",),
        item_state=("Status",),
        item_created=("CreateTime",),
        job_created=("CreateTime",),
        arguments={"sort_by": "CreationTime:Desc", "page_size": 100},
        since=_producing_since,
    ),
    console=ICE_CONSOLE,
)


ICE_SUBMIT_IPRODUCTION_JOB = Operation(
    "SubmitIProductionJob",
    ICE,
    "POST",
    # SubmitIProductionJobRequest; the SDK sends Input, Output and ScheduleConfig as JSON text.
    params=(
        Enum("function_name", "FunctionName", required=True, values=ICE_IPRODUCTION_FUNCTIONS),
        Shaped("input", "Input", _media_object(), True),  # {Type, Media}, both required
        # {Type, Media, OutputUrl, Biz}; Type and Media required
        Shaped("output", "Output", Obj({"Type": _MEDIA_TYPE, "Media": ANY, "OutputUrl": ANY, "Biz": ANY},
                                       ("Type", "Media")), True),
        Json("job_params", "JobParams"),  # "a JSON object", per function
        job_id("model_id", "ModelId", required=False),  # e.g. algo-video-detext-new
        Str("name", "Name", max_len=100),  # "up to 100 characters"
        # {PipelineId, Priority}; Priority 1-10 (its docstring: "a smaller value indicates a higher
        # priority"; the answer's says a larger one does, default 6: the bounds agree, the order does not).
        Shaped("schedule_config", "ScheduleConfig", _ICE_SCHEDULE),
        job_id("template_id", "TemplateId", required=False),
        Str("user_data", "UserData", max_len=256),  # "up to 256 characters"
    ),
    idempotent=False,
    answer_keys=("JobId",),
)

ICE_QUERY_IPRODUCTION_JOB = Operation(
    "QueryIProductionJob", ICE, "POST", params=(job_id("job_id", "JobId"), _client_token()),
    answer_keys=("JobId", "Status"),
)

ICE_CANCEL_IPRODUCTION_JOB = Operation(
    "CancelIProductionJob", ICE, "POST", params=(job_id("job_id", "JobId"), _client_token()),
    # The answer documents RequestId and Message ("Success") only; an error body carries both too,
    # and is told apart by its Code and HostId (AlibabaProtocol.parse).
    answer_keys=("Message", "RequestId"),
)


def _ice_iproduction_inputs(job: Mapping[str, Any], bucket: BucketOf) -> tuple[str, ...]:
    # Input is {Type, Media}: Media an OSS object (oss://bucket/object or its URL) when Type is OSS,
    # else a media asset id. The detail holds an object, the submit request its JSON text: dig reads both.
    uri = oss_uri(dig(job, ("Input", "Media")))
    return (uri,) if uri else ()


def _ice_iproduction_output(job: Mapping[str, Any]) -> str | None:
    # Output.Media is the OSS object for Type OSS (a media asset id for Media, whose file is then
    # Output.OutputUrl). A name with a {placeholder} is a pattern of several files: no one object.
    media = dig(job, ("Output", "Media"))
    if dig(job, ("Output", "Type")) == "Media":
        media = dig(job, ("Output", "OutputUrl"))
    return None if isinstance(media, str) and "{" in media else oss_uri(media)


ICE_IPRODUCTION_JOB = JobKind(
    name="ice_iproduction",
    get=ICE_QUERY_IPRODUCTION_JOB,
    id_args=("job_id",),
    state=("Status",),
    success=frozenset({"Success"}),
    failure=frozenset({"Fail"}),
    pending=frozenset({"Queuing", "Analyzing"}),
    # The CancelIProductionJob page documents the call (JobId, ClientToken; answers Message) and no
    # states it applies in, nor what a cancelled job reports (docs/vendor-behaviour.md).
    cancel=Cancel(ICE_CANCEL_IPRODUCTION_JOB, "the ICE CancelIProductionJob page"),
    # Unknown: ICE documents no failure code or message. Result is the function's output as JSON
    # text; MTS's QueryIProductionJob puts Code and Message there (seed 002), so they are read from
    # it when present, else the failure names the state.
    error_code=("Result", "Code"),
    error_message=("Result", "Message"),
    output=_ice_iproduction_output,
    inputs=_ice_iproduction_inputs,
    # No sweep: the SDK client has SubmitIProductionJob, QueryIProductionJob and
    # CancelIProductionJob, and no listing of IProduction jobs.
    console=ICE_CONSOLE,
)

ICE_EDITING_OPERATIONS: tuple[Operation, ...] = (
    SUBMIT_MEDIA_PRODUCING_JOB, GET_MEDIA_PRODUCING_JOB, LIST_MEDIA_PRODUCING_JOBS,
    ICE_SUBMIT_IPRODUCTION_JOB, ICE_QUERY_IPRODUCTION_JOB, ICE_CANCEL_IPRODUCTION_JOB,
)
# (end of ICE editing)


# -- IMM Create*Task (issue 18, part 3) ----------------------------------------------------------------
# The Create*Task family of IMM 2020-09-30: each action creates one asynchronous task of its own
# TaskType, which GetTask and ListTasks then show (the IMM_TASK kind above waits for it). Every
# parameter, type and bound below is read from the SDK request model (alibabacloud-imm20200930
# 5.0.3, ``models/_create_*_task_request.py`` and the shared ``CredentialConfig``, ``Notification``,
# ``TrimPolicy``, ``TargetVideo``, ``TargetAudio``, ``TargetSubtitle``, ``TargetImage`` models): the
# SDK's ``*ShrinkRequest`` variants send CredentialConfig, Notification, Tags, Sources, Targets,
# TargetGroups and TrimPolicy as JSON strings, the rest as plain query values, all in the query
# string of a POST (``client.py``, ``create_*_task_with_options``). Bounds the SDK does not state
# are this provider's guards and say so.

OSS_URI = Text(prefix="oss://")  # "oss://${Bucket}/${Object}" (every URI docstring); length: our guard
_SIDES = ("topleft", "topright", "bottomright", "bottomleft")  # ReferPos (TargetVideo docstrings)
_RATE_OPTION = ("fixed", "adaptive", "fall")  # Bitrate/FrameRate/Resolution/SampleRateOption
_NUMBER, _WHOLE, _FLAG = Number(), Number(whole=True), Flag()
_STREAMS = ListOf(_WHOLE)  # stream index lists: [0, 1], [101] (all), [-1] (all attached pictures)
_UNIT = Number(low=0, high=1)
_OFFSET = Number(low=0, high=4096)  # Dx/Dy/Width/Height: pixels [1,4096] or a ratio (0,1); 0 default

# CredentialConfig: chained authorization (its roles and policy are the user's, so errors never quote
# them); RoleType is "user" or "service" (CredentialConfigChain docstring).
CREDENTIAL_CONFIG = obj(
    Chain=ListOf(obj(AssumeRoleFor=Text(), Role=Text(), RoleType=Text(values=("user", "service")))),
    Policy=Text(max_len=65536), ServiceRole=Text(),
)
# Notification: an OSS file, MNS or RocketMQ (Notification, MNS, RocketMQ models).
NOTIFICATION = obj(
    ExtendedMessageURI=OSS_URI, MNS=obj(TopicName=Text()), RocketMQ=obj(InstanceId=Text(), TopicName=Text()),
)
_TRANSCODE_AUDIO = obj(  # TargetAudioTranscodeAudio
    Bitrate=Number(whole=True, low=1000, high=10_000_000), BitrateOption=Text(values=_RATE_OPTION),
    BitsPerSample=Number(whole=True, values=(16, 24)), Channel=Number(whole=True, low=1, high=8),
    Codec=Text(values=("copy", "mp3", "vorbis", "aac", "flac", "ac3", "opus", "amr")),
    Quality=Number(whole=True, low=0, high=100),
    SampleRate=Number(whole=True, values=(8000, 12025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000,
                                          88200, 96000)),
    SampleRateOption=Text(values=_RATE_OPTION),
)
TARGET_AUDIO = obj(DisableAudio=_FLAG, FilterAudio=obj(Mixing=_FLAG), Stream=_STREAMS,
                   TranscodeAudio=_TRANSCODE_AUDIO)
# ExtractSubtitle.Format: the TargetSubtitle docstring says ass, srt or webvtt, and
# CreateMediaConvertTask's TargetGroups docstring says it must be vtt there: left unchecked.
TARGET_SUBTITLE = obj(DisableSubtitle=_FLAG, ExtractSubtitle=obj(Format=Text(), URI=OSS_URI), Stream=_STREAMS)
_BLUR = obj(  # TargetVideoFilterVideoDesensitizationFace / ...LicensePlate
    BlurRadius=Number(whole=True, low=1, high=100), Confidence=_UNIT, MinSize=Number(whole=True, low=0),
    ScaleRatio=Number(low=0.1, high=5.0), Transparency=_UNIT,
)
_AREA: dict[str, Shape] = {"Duration": Number(low=0), "Dx": _OFFSET, "Dy": _OFFSET, "Height": _OFFSET,
         "ReferPos": Text(values=_SIDES), "StartTime": Number(low=0), "Width": _OFFSET}
_WATERMARK = Obj({  # TargetVideoFilterVideoWatermarks
    **_AREA, "BorderColor": Text(max_len=32), "BorderWidth": Number(whole=True, low=0, high=4096),
    "Content": Text(),
    "FontApha": Number(low=0, high=1),  # "(0,1]": 0 is refused by the vendor, not here
    "FontColor": Text(max_len=32),
    "FontName": Text(values=("SourceHanSans-Regular", "SourceHanSans-Bold", "SourceHanSerif-Regular",
                             "SourceHanSerif-Bold")),
    "FontSize": Number(whole=True, low=5, high=119),  # "(4,120)", exclusive
    "Type": Text(values=("text", "file")), "URI": OSS_URI,
})
_TRANSCODE_VIDEO = obj(  # TargetVideoTranscodeVideo
    AdaptiveResolutionDirection=_FLAG, BFrames=Number(whole=True, low=0), Bitrate=Number(whole=True, low=1),
    BitrateOption=Text(values=_RATE_OPTION), BufferSize=Number(whole=True, low=1), CRF=Number(low=0, high=51),
    Codec=Text(values=("copy", "h264", "h265", "vp9")), FrameRate=Number(low=0),
    FrameRateOption=Text(values=_RATE_OPTION), GOPSize=Number(whole=True, low=0), MaxBitrate=Number(whole=True, low=1),
    PixelFormat=Text(values=("yuv420p", "yuv422p", "yuv444p", "yuv420p10le", "yuv422p10le", "yuv444p10le",
                             "yuva420p")),
    Refs=Number(whole=True, low=0), Resolution=Text(max_len=32), ResolutionOption=Text(values=_RATE_OPTION),
    Rotation=Number(whole=True, values=(0, 90, 180, 270)), ScaleType=Text(values=("stretch", "crop", "fill", "fit")),
    VideoSlim=Number(whole=True, values=(0, 1)),
)
TARGET_VIDEO = obj(
    DisableVideo=_FLAG,
    FilterVideo=obj(Delogos=ListOf(Obj(_AREA)),
                    Desensitization=obj(Face=_BLUR, LicensePlate=_BLUR),
                    Speed=Number(low=0.5, high=1.0), Watermarks=ListOf(_WATERMARK)),
    Stream=_STREAMS, TranscodeVideo=_TRANSCODE_VIDEO,
)
# TargetImage: the SDK documents only that each item's Format and URI are required.
_PICTURES = {"Format": Text(), "Height": _NUMBER, "Interval": _NUMBER, "Number": _WHOLE, "ScaleType": Text(),
             "StartTime": _NUMBER, "URI": OSS_URI}
TARGET_IMAGE = obj(
    Animations=ListOf(obj(required=("Format", "URI"), **_PICTURES, FrameRate=_NUMBER, Width=_NUMBER)),
    Snapshots=ListOf(obj(required=("Format", "URI"), **_PICTURES, Mode=Text(), Threshold=_WHOLE, Width=_NUMBER)),
    Sprites=ListOf(obj(required=("Format", "URI"), **{k: v for k, v in _PICTURES.items() if k != "Height"},
                       Margin=_WHOLE, Mode=Text(), Pad=_WHOLE, ScaleHeight=_NUMBER, ScaleWidth=_NUMBER,
                       Threshold=_WHOLE, TileHeight=_WHOLE, TileWidth=_WHOLE)),
)
_SPEED = Number(low=0.5, high=1.0)  # Targets[].Speed: "between 0.5 and 1.0, inclusive"
# Sources: up to 11 media files are concatenated (the CreateMediaConvertTask API page).
MEDIA_CONVERT_SOURCES = ListOf(obj(
    AlignMode=Text(values=("false", "loop", "pad")), Attached=_FLAG, DisableAudio=_FLAG, DisableVideo=_FLAG,
    Duration=Number(low=0), StartTime=Number(low=0),
    Subtitles=ListOf(obj(Language=Text(max_len=16), TimeOffset=_NUMBER, URI=OSS_URI)), URI=OSS_URI,
), max_items=11)
MEDIA_CONVERT_TARGETS = ListOf(obj(
    AttachedPicture=obj(Stream=_STREAMS), Audio=TARGET_AUDIO,
    Container=Text(values=("mp4", "mkv", "mov", "asf", "avi", "mxf", "ts", "flv",
                           "mp3", "aac", "flac", "oga", "ac3", "opus")),
    Data=obj(Stream=_STREAMS), Image=TARGET_IMAGE,
    Segment=obj(Duration=Number(low=0), Format=Text(values=("hls", "dash")), StartNumber=Number(whole=True, low=0)),
    Speed=_SPEED, StripMetadata=_FLAG, Subtitle=TARGET_SUBTITLE, URI=OSS_URI, Video=TARGET_VIDEO,
))
MEDIA_CONVERT_TARGET_GROUPS = ListOf(obj(
    Targets=ListOf(obj(
        Audio=TARGET_AUDIO, Container=Text(values=("mp4", "ts")),
        Segment=obj(Duration=Number(low=0), Format=Text(values=("hls",)), StartNumber=Number(whole=True, low=0)),
        Speed=_SPEED, StripMetadata=_FLAG, Subtitle=TARGET_SUBTITLE, URI=OSS_URI, Video=TARGET_VIDEO,
    )),
    URI=OSS_URI,
))
TRIM_POLICY = obj(DisableDeleteEmptyCell=_FLAG, DisableDeleteRepeatedStyle=_FLAG, DisableDeleteUnusedPicture=_FLAG,
                  DisableDeleteUnusedShape=_FLAG)


def _common(*, credentials: bool = True, tags: bool = True) -> tuple[Param, ...]:
    # What every Create*Task here takes: its project, notification and user data; all but
    # CreateFigureClusteringTask a chained authorization, all but CreateFileCompressionTask tags.
    return (
        job_id("project_name", "ProjectName", what="a name"),
        *((Shaped("credential_config", "CredentialConfig", CREDENTIAL_CONFIG, hide=True),) if credentials else ()),
        Shaped("notification", "Notification", NOTIFICATION),
        *((Shaped("tags", "Tags", FreeMap()),) if tags else ()),
        Utf8Str("user_data", "UserData", max_bytes=2048),  # "at most 2,048 bytes" (every UserData docstring)
    )


def _oss(arg: str, wire: str, required: bool = False) -> Str:
    # An OSS URI argument; 2048 characters is our guard (a bucket is at most 63, a key 1023 bytes).
    return Str(arg, wire, required, max_len=2048, pattern=r"oss://[^/\s]+/\S*", hint="an OSS URI, oss://bucket/object")


def exactly_one(first: str, second: str, *, either: bool = True) -> Check:
    """A rule: at most one of ``first`` and ``second``, and (``either``) at least one."""

    def check(args: Mapping[str, Any]) -> None:
        given = [arg for arg in (first, second) if args.get(arg) is not None]
        if len(given) == 2 or (either and not given):
            raise invalid(f"{first}/{second}", f"exactly one of {first} and {second} given"
                          if either else f"at most one of {first} and {second} given", tuple(given))

    return check


def _alignment_in_sources(args: Mapping[str, Any]) -> None:
    # AlignmentIndex is "the index of the primary file in the Sources list".
    index, sources = args.get("alignment_index"), args.get("sources")
    if index is not None and isinstance(sources, str) and index >= len(json.loads(sources)):
        raise invalid("alignment_index", "an index into sources", index)


CREATE_MEDIA_CONVERT_TASK = Operation(
    "CreateMediaConvertTask", IMM, "POST",
    params=(
        *_common(),
        Shaped("sources", "Sources", MEDIA_CONVERT_SOURCES, required=True),
        Shaped("targets", "Targets", MEDIA_CONVERT_TARGETS),
        Shaped("target_groups", "TargetGroups", MEDIA_CONVERT_TARGET_GROUPS),
        Int("alignment_index", "AlignmentIndex", low=0),
    ),
    checks=(_alignment_in_sources,),
    idempotent=False,
    answer_keys=("TaskId",),
)
CREATE_VIDEO_LABEL_CLASSIFICATION_TASK = Operation(
    "CreateVideoLabelClassificationTask", IMM, "POST",
    params=(*_common(), _oss("source_uri", "SourceURI", required=True)),
    idempotent=False,
    answer_keys=("TaskId",),
)
CREATE_FIGURE_CLUSTERING_TASK = Operation(
    "CreateFigureClusteringTask", IMM, "POST",
    params=(*_common(credentials=False), job_id("dataset_name", "DatasetName", what="a name")),
    idempotent=False,
    answer_keys=("TaskId",),
)
# SourceType (CreateOfficeConversionTaskRequest docstring): the extensions it converts.
OFFICE_SOURCE_TYPES = (
    "doc", "docx", "wps", "wpss", "docm", "dotm", "dot", "dotx",
    "pptx", "ppt", "pot", "potx", "pps", "ppsx", "dps", "dpt", "pptm", "potm", "ppsm", "dpss",
    "xls", "xlt", "et", "ett", "xlsx", "xltx", "csv", "xlsb", "xlsm", "xltm", "ets", "pdf",
)
CREATE_OFFICE_CONVERSION_TASK = Operation(
    "CreateOfficeConversionTask", IMM, "POST",
    params=(
        *_common(),
        _oss("source_uri", "SourceURI"),
        Enum("source_type", "SourceType", values=OFFICE_SOURCE_TYPES),
        # Sources: "not yet published, do not use it" (its docstring); images with a Rotate of 0/90/180/270.
        Shaped("sources", "Sources", ListOf(obj(Rotate=Number(whole=True, values=(0, 90, 180, 270)), URI=OSS_URI))),
        Enum("target_type", "TargetType", required=True, values=("png", "jpg", "pdf", "txt")),
        _oss("target_uri", "TargetURI"),  # a template: oss://{bucket}/{tags.custom}/{dirname}/{barename}.{autoext}
        _oss("target_uri_prefix", "TargetURIPrefix"),
        SecretStr("password", "Password", max_len=1024),  # the document's password; length: our guard
        Int("start_page", "StartPage", low=1),  # default 1
        Int("end_page", "EndPage", low=-1),  # default -1: to the last page
        Str("pages", "Pages", max_len=1024, pattern=r"[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*",
            hint="page numbers and ranges such as 1,2-4,7"),
        Int("sheet_index", "SheetIndex", low=1),  # 1 to the last sheet, default 1
        Int("sheet_count", "SheetCount", low=1),
        Int("max_sheet_row", "MaxSheetRow", low=1),
        Int("max_sheet_column", "MaxSheetColumn", low=1),
        Int("image_dpi", "ImageDPI", low=96, high=600),  # 96-600, default 96
        Int("quality", "Quality", low=0, high=100),  # 0-100
        Int("scale_percentage", "ScalePercentage", low=20, high=199),  # 20-199, default 100
        Enum("paper_size", "PaperSize", values=("A0", "A2", "A4")),
        Bool("paper_horizontal", "PaperHorizontal"),
        Bool("fit_to_height", "FitToHeight"),
        Bool("fit_to_width", "FitToWidth"),
        Bool("first_page", "FirstPage"),
        Bool("long_picture", "LongPicture"),
        Bool("long_text", "LongText"),
        Bool("hold_line_feed", "HoldLineFeed"),
        Bool("show_comments", "ShowComments"),
        Shaped("trim_policy", "TrimPolicy", TRIM_POLICY),
    ),
    # "Specify either TargetURI or TargetURIPrefix" (both docstrings); the source is SourceURI (or
    # the unpublished Sources).
    checks=(exactly_one("target_uri", "target_uri_prefix"), exactly_one("source_uri", "sources")),
    idempotent=False,
    answer_keys=("TaskId",),
)
CREATE_FILE_COMPRESSION_TASK = Operation(
    "CreateFileCompressionTask", IMM, "POST",
    params=(
        *_common(tags=False),
        _oss("target_uri", "TargetURI", required=True),
        # Sources: at most 100 packaging rules; more go in a manifest (SourceManifestURI, up to 80,000).
        Shaped("sources", "Sources", ListOf(obj(
            Alias=Text(max_len=1024), Mode=Text(values=("prefix", "fullname")), URI=OSS_URI,
        ), max_items=100)),
        _oss("source_manifest_uri", "SourceManifestURI"),
        Enum("compressed_format", "CompressedFormat", values=("zip",)),  # "only the zip format"
    ),
    checks=(exactly_one("sources", "source_manifest_uri"),),  # "Specify either this parameter or Sources"
    idempotent=False,
    answer_keys=("TaskId",),
)


def _loaded(wire: Mapping[str, Any], name: str) -> Any:
    # A JSON parameter of a submit request, as the vendor reads it (its wire value is the JSON text).
    value = wire.get(name)
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _each(items: Any, key: str = "URI") -> list[Any]:
    return [item.get(key) for item in items if isinstance(item, Mapping)] if isinstance(items, list) else []


def _objects(*uris: Any) -> tuple[str, ...]:
    # Only what names one object: no template ({barename}, ${index}) and no prefix (a trailing /).
    found = [checked_uri(given, "oss") for given in uris
             if isinstance(given, str) and "{" not in given and "$" not in given and not given.endswith("/")]
    return tuple(dict.fromkeys(uri for uri in found if uri))


def _media_convert_reads(wire: Mapping[str, Any]) -> tuple[str, ...]:
    sources = _loaded(wire, "Sources")
    subtitles = [s for source in (sources if isinstance(sources, list) else []) if isinstance(source, Mapping)
                 for s in (source.get("Subtitles") or []) if isinstance(s, Mapping)]
    return _objects(*_each(sources), *_each(subtitles))


def _media_convert_writes(wire: Mapping[str, Any]) -> tuple[str, ...]:
    # A target URI with an extension is the object written; without one, the vendor appends the
    # container's (no Segment) or .m3u8 (HLS) extension (the Targets[].URI docstring). DASH's
    # extension and the segment files' names are not documented: not reported.
    written: list[Any] = []
    for target in _loaded(wire, "Targets") or []:
        if not isinstance(target, Mapping) or not isinstance(target.get("URI"), str):
            continue
        uri, segment = target["URI"], target.get("Segment")
        if "." in uri.rsplit("/", 1)[-1]:
            written.append(uri)
        elif not segment and isinstance(target.get("Container"), str):
            written.append(f"{uri}.{target['Container']}")
        elif isinstance(segment, Mapping) and segment.get("Format") == "hls":
            written.append(f"{uri}.m3u8")
    groups = _loaded(wire, "TargetGroups")
    return _objects(*written, *_each(groups))  # a group's URI is its HLS master playlist


class ImmTaskType(NamedTuple):
    """One IMM task type: the Create*Task action that creates it, and the objects its request
    names (GetTask names none, so lineage reads the request; see ``lineage.py``).

    :param name: the TaskType GetTask and ListTasks take and show.
    :param create: its Create*Task operation.
    :param reads: the oss:// objects a request of it reads (its wire parameters -> URIs).
    :param writes: the oss:// objects it writes once the task succeeds.
    """

    name: str
    create: Operation
    reads: Callable[[Mapping[str, Any]], tuple[str, ...]] = lambda wire: ()
    writes: Callable[[Mapping[str, Any]], tuple[str, ...]] = lambda wire: ()


# TaskType -> its Create*Task: the "Task types" page (help.aliyun.com/document_detail/2743993,
# https://www.alibabacloud.com/help/en/imm/developer-reference/task-type-list), which GetTask's
# TaskType docstring points to. CreateFigureClusteringTask creates a FaceClustering task (not
# "FigureClustering"); GetTask's RequestDefinition docstring names the same type.
IMM_TASK_TYPES: dict[str, ImmTaskType] = {spec.name: spec for spec in (
    ImmTaskType("MediaConvert", CREATE_MEDIA_CONVERT_TASK, _media_convert_reads, _media_convert_writes),
    ImmTaskType("VideoLabelClassification", CREATE_VIDEO_LABEL_CLASSIFICATION_TASK,
                lambda wire: _objects(wire.get("SourceURI"))),
    # Clusters the faces of a dataset's indexed files: the request names no object.
    ImmTaskType("FaceClustering", CREATE_FIGURE_CLUSTERING_TASK),
    # TargetURI is a template ({barename}, {autoext}...) and TargetURIPrefix a prefix: only a
    # TargetURI without placeholders names the object written.
    ImmTaskType("OfficeConversion", CREATE_OFFICE_CONVERSION_TASK,
                lambda wire: _objects(wire.get("SourceURI"), *_each(_loaded(wire, "Sources"))),
                lambda wire: _objects(wire.get("TargetURI"))),
    # A "prefix" rule (the default Mode) packs every object under its URI: only "fullname" rules
    # and the manifest name one object each.
    ImmTaskType("FileCompression", CREATE_FILE_COMPRESSION_TASK,
                lambda wire: _objects(wire.get("SourceManifestURI"), *(
                    s.get("URI") for s in _loaded(wire, "Sources") or [] if isinstance(s, Mapping)
                    and s.get("Mode") == "fullname")),
                lambda wire: _objects(wire.get("TargetURI"))),
)}
IMM_TASK_OPERATIONS: tuple[Operation, ...] = tuple(spec.create for spec in IMM_TASK_TYPES.values())


def imm_task_type(task_type: Any, arg: str = "task_type") -> ImmTaskType:
    """The declared IMM task type named ``task_type``.

    :raises MediaJobsValidationError: naming ``arg`` and listing the supported types (any other
        Create*Task goes through ``AlibabaCloudMediaHook.call_action("imm", ...)``).
    """
    spec = IMM_TASK_TYPES.get(task_type) if isinstance(task_type, str) else None
    if spec is None:
        raise invalid(arg, f"one of the task types with a Create*Task here: {', '.join(IMM_TASK_TYPES)} (any "
                      "other goes through AlibabaCloudMediaHook.call_action('imm', 'Create...Task', {...}))", task_type)
    return spec
# (end of IMM tasks)


def _by_name(operations: tuple[Operation, ...]) -> dict[str, Operation]:
    """The catalog by the name ``hook.call`` takes: the action's name, or ``product.action`` where a
    product earlier in ``operations`` has an action of that name (ICE's SubmitIProductionJob and
    QueryIProductionJob are ``ice.SubmitIProductionJob``..., MTS's keep their plain names)."""
    named: dict[str, Operation] = {}
    for op in operations:
        key = op.name if op.name not in named else f"{op.service.product}.{op.name}"
        if key in named:
            raise TypeError(f"two catalog operations are named {key}")
        named[key] = op
    return named


OPERATIONS: dict[str, Operation] = _by_name(
    (
        LIST_SMART_JOBS,
        GET_SMART_HANDLE_JOB,
        LIST_LIVE_SNAPSHOT_JOBS,
        QUERY_IPRODUCTION_JOB,
        SUBMIT_IPRODUCTION_JOB,
        LIST_TASKS,
        GET_TASK,
        *MTS_MEDIA_OPERATIONS,
        *ICE_MEDIA_OPERATIONS,
        *ICE_EDITING_OPERATIONS,
        *IMM_TASK_OPERATIONS,
    )
)


ERROR_TABLE: dict[str, type[VendorError]] = {
    "Throttling": ThrottledError,
    "Rejected.Throttling": ThrottledError,
    "ServiceUnavailable": ServerError,
    "InternalError": ServerError,
    "UnknownError": ServerError,
    "MissingParameter": InvalidParameterError,
    "InvalidParameter": InvalidParameterError,
    "MalformedStartTime": InvalidParameterError,
    "MalformedEndTime": InvalidParameterError,
    "EndTimeMismatch": InvalidParameterError,
    "InvalidAction.NotFound": InvalidParameterError,
    "InvalidVersion": InvalidParameterError,
    "InvalidAccessKeyId.NotFound": AuthError,
    "InvalidAccessKeyId.Inactive": AuthError,
    "SignatureDoesNotMatch": AuthError,
    "IncompleteSignature": AuthError,
    "SignatureNonceUsed": AuthError,
    "MissingSecurityToken": AuthError,
    "InvalidSecurityToken.Expired": ExpiredCredentialsError,
    "InvalidSecurityToken.Malformed": AuthError,
    "InvalidSecurityToken.MismatchWithAccessKey": AuthError,
    "InvalidTimeStamp.Expired": ClockSkewError,
    "InvalidTimeStamp.Format": InvalidParameterError,
    "Forbidden": AuthError,
    "Forbidden.RAM": AuthError,
    "UserDisable": AuthError,
    "OperationDenied": AuthError,
}
ERROR_PREFIXES: dict[str, type[VendorError]] = {
    "Throttling.": ThrottledError,
    "InvalidAccessKeyId.": AuthError,
    "Forbidden.": AuthError,
    "InvalidParameter.": InvalidParameterError,
}
ERROR_TABLE_NOT_FOUND_CODES = ("InvalidJobId.NotFound", "JobNotFound", "TaskNotFound")
for _code in ERROR_TABLE_NOT_FOUND_CODES:
    ERROR_TABLE[_code] = NotFoundError


class AlibabaCredentials(NamedTuple):
    """A key pair and an optional STS token. ``repr`` never shows the secrets."""

    access_key_id: str
    access_key_secret: str
    security_token: str | None = None

    def secrets(self) -> tuple[str, ...]:
        """The values no error or log may show."""
        return tuple(s for s in (self.access_key_secret, self.security_token) if s)

    def __repr__(self) -> str:
        return f"AlibabaCredentials(access_key_id={self.access_key_id!r}, access_key_secret='***')"


def regional_host(product: str, region: str) -> str:
    """``{product}.{region}.aliyuncs.com``: always the regional host (``docs/vendor-behaviour.md``)."""
    return f"{product}.{region}.aliyuncs.com"


#: The most parameter bytes an uncatalogued call sends (our guard: they go in the query string, and
#: the vendors document no limit; the catalog's own calls send well under 8 KiB).
MAX_UNCATALOGUED_PARAMS = 32 * 1024
_ACTION = re.compile(r"[A-Z][A-Za-z0-9]{1,63}")
_PARAM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.]{0,127}")


def uncatalogued(product: Any, action: Any, params: Any = None, *,
                 idempotent: Any = False) -> tuple[Operation, dict[str, str]]:
    """An RPC action the catalog does not declare yet, checked before any request: the operation
    to sign and send, and its wire parameters (see ``AlibabaCloudMediaHook.call_action``).

    :param product: ``ice``, ``mts`` or ``imm`` (the API version is the catalog's for it).
    :param action: the action name, e.g. ``SubmitTranscodeJob``.
    :param params: the action's parameters under the vendor's names; a mapping or list value is
        sent as JSON (as the SDKs send ``Input``, ``Outputs``...), True and False as ``true`` and
        ``false``, None left out.
    :param idempotent: whether repeating the call is harmless (only then is an ambiguous failure
        retried: a Submit* repeated could create a second job).
    :raises MediaJobsValidationError: naming the argument and what is allowed.
    """
    from airflow_provider_mediajobs.signing.alibaba import RESERVED_PARAMS

    service = SERVICES.get(product) if isinstance(product, str) else None
    if service is None:
        raise invalid("product", f"one of {', '.join(sorted(SERVICES))}", product)
    if not isinstance(action, str) or not _ACTION.fullmatch(action):
        raise invalid("action", "an action name such as SubmitTranscodeJob (a capital letter, then letters "
                      "and digits, at most 64)", action)
    wire: dict[str, str] = {}
    for name, value in dict(params or {}).items():
        if not isinstance(name, str) or not _PARAM_NAME.fullmatch(name) or name in RESERVED_PARAMS:
            raise invalid("params", "parameter names of letters, digits, _ and . (at most 128), none of "
                          f"the signature's own ({', '.join(sorted(RESERVED_PARAMS))})", name)
        if value is None:
            continue
        if isinstance(value, bool):
            wire[name] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            wire[name] = str(value)
        elif isinstance(value, Mapping | list | tuple):
            wire[name] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        else:
            raise invalid(f"params[{name!r}]", "a string, number, boolean, mapping or list", type(value).__name__)
    if sum(len(k) + len(v.encode("utf-8")) for k, v in wire.items()) > MAX_UNCATALOGUED_PARAMS:
        raise invalid("params", f"at most {MAX_UNCATALOGUED_PARAMS} bytes of names and values", "larger")
    if not isinstance(idempotent, bool):
        raise invalid("idempotent", "True or False", idempotent)
    return Operation(action, service, "POST", idempotent=idempotent), wire


class AlibabaProtocol(NamedTuple):
    """Build signed RPC requests and parse answers for ICE, MTS and IMM.

    :param credentials: the key pair (and STS token).
    :param region: region id, e.g. ``cn-shanghai``.
    :param endpoint_url: optional base URL overriding the regional host (VPC host, proxy,
        emulator); may contain ``{product}`` and ``{region}`` placeholders.
    :param signature_version: ``v3`` (ACS3-HMAC-SHA256, default) or ``v1`` (HMAC-SHA1).
    """

    credentials: AlibabaCredentials
    region: str = "cn-shanghai"
    endpoint_url: str | None = None
    signature_version: Literal["v3", "v1"] = "v3"

    def base_url(self, product: str) -> str:
        """The scheme and host requests for ``product`` go to."""
        if self.endpoint_url:
            return self.endpoint_url.format(product=product, region=self.region).rstrip("/")
        return f"https://{regional_host(product, self.region)}"

    def build(self, operation: Operation, wire: Mapping[str, str]) -> HttpRequest:
        """Sign one attempt afresh: a new nonce and time every call."""
        # Imported where requests are built and parsed: DAG parsing reads this catalog for its
        # parameters and does not pay for the wire types (dataclasses, email.utils) or signers.
        from airflow_provider_mediajobs.catalog.wire import HttpRequest
        from airflow_provider_mediajobs.signing import acs3_sign_headers, acs_timestamp, canonical_query, v1_sign_params
        service = operation.service
        base = self.base_url(service.product)
        host = urlsplit(base).netloc
        timestamp = acs_timestamp(datetime.now(UTC))
        nonce = uuid.uuid4().hex
        creds = self.credentials
        # The parameters the SDK sends in a form body (Operation.form) go there; V1 signs them with
        # the query's, V3 through the body's hash and its signed content-type.
        form = {name: value for name, value in wire.items() if name in operation.form}
        body = canonical_query(form).encode("utf-8") if form else b""
        content_type = "application/x-www-form-urlencoded" if form else None
        if self.signature_version == "v1":
            signed = v1_sign_params(
                method=operation.method, action=operation.name, version=service.version, params=wire,
                access_key_id=creds.access_key_id, access_key_secret=creds.access_key_secret,
                security_token=creds.security_token, timestamp=timestamp, nonce=nonce,
            )
            query = {name: value for name, value in signed.items() if name not in form}
            headers = {"host": host, **({"content-type": content_type} if content_type else {})}
        else:
            query = {name: value for name, value in wire.items() if name not in form}
            headers = acs3_sign_headers(
                method=operation.method, host=host, action=operation.name, version=service.version,
                query=query, access_key_id=creds.access_key_id, access_key_secret=creds.access_key_secret,
                security_token=creds.security_token, body=body, content_type=content_type,
                timestamp=timestamp, nonce=nonce,
            )
        headers["accept"] = "application/json"
        qs = canonical_query(query)
        signature = query.get("Signature") or headers.get("Authorization", "").rpartition("Signature=")[2]
        return HttpRequest(operation.method, f"{base}/?{qs}" if qs else f"{base}/", headers, body,
                           secrets=(signature,) if signature else ())

    def secrets(self) -> tuple[str, ...]:
        """The key secret and STS token."""
        return self.credentials.secrets()

    def key_id(self) -> str:
        """The AccessKeyId (Alibaba counts QPS per account and AccessKey)."""
        return self.credentials.access_key_id

    def parse(self, operation: Operation, response: HttpResponse) -> dict[str, Any]:
        """Return the JSON object of a successful answer; raise the typed error of any other.

        A 2xx answer is a success only if it carries the operation's ``answer_keys``: an error
        body (``{"RequestId", "Code", "Message"}``) may arrive with HTTP 200 (a proxy, a gateway),
        and read as a success it would be an empty listing, a job without a state, a submission
        without a job. It raises the typed error of its ``Code`` instead.
        """
        body = _load_json(operation, response)
        request_id = _request_id(body, response)
        code = body.get("Code") if body else None
        message = body.get("Message") if body else None
        if 200 <= response.status < 300:
            if body is None:
                raise BadResponseError(
                    f"{operation.name} answered HTTP {response.status} with a body that is not JSON "
                    f"({_describe(response)})", status=response.status, request_id=request_id,
                )
            missing = operation.missing_answer_keys(body)
            # A Code beside HostId is the error body's own shape (no SDK answer model has HostId):
            # the one way to tell it from an answer whose keys an error body carries too
            # (CancelIProductionJob answers RequestId and Message only).
            if not missing and (code in (None, "") or "HostId" not in body):
                return dict(body)
            if code in (None, ""):
                raise BadResponseError(
                    f"{operation.name} answered HTTP {response.status} without {', '.join(missing)}, which "
                    "every successful answer carries, and without an error Code: not an answer to this call",
                    status=response.status, request_id=request_id,
                )
            # Otherwise the vendor error it carries, typed and raised as any other below.
        from airflow_provider_mediajobs.catalog.wire import parse_retry_after  # see build()

        retry_after = parse_retry_after(response)  # x-acs-retry-after (ms) or Retry-After
        if body is None and response.status < 500 and response.status != 429:
            raise BadResponseError(
                f"{operation.name} answered HTTP {response.status} with a body that is not JSON "
                f"({_describe(response)})", status=response.status, request_id=request_id,
            )
        raise vendor_error(
            vendor="Alibaba Cloud", status=response.status, code=str(code) if code else None,
            # A SignatureDoesNotMatch message echoes the string to sign, token included: the client
            # redacts every error it lets out (transport.Client), this one with the rest.
            message=str(message) if message else None, request_id=request_id,
            table=ERROR_TABLE, prefixes=ERROR_PREFIXES, retry_after=retry_after,
        )


def _describe(response: HttpResponse) -> str:
    ctype = response.header("content-type") or "no content type"
    snippet = response.body[:60].decode("utf-8", "replace").replace("\n", " ")
    return f"{ctype}, {len(response.body)} bytes, starting {snippet!r}"


def _load_json(operation: Operation, response: HttpResponse) -> dict[str, Any] | None:
    """The body as a JSON object, None when it is not one (HTML page, truncated, invalid).

    :raises BadResponseError: the body nests deeper than :data:`~.nesting.MAX_DEPTH`, whether
        ``json`` gave up on it or parsed it (later code would recurse on it).
    """
    from airflow_provider_mediajobs.catalog.nesting import loads  # see AlibabaProtocol.build()

    if not response.body:
        return None
    try:
        value = loads(response.body, f"{operation.name}'s JSON answer")
    except ValueError:
        # Invalid JSON and invalid UTF-8 alike.
        return None
    except BadResponseError as err:
        raise BadResponseError(str(err), status=response.status,
                               request_id=response.header("x-acs-request-id")) from None
    return value if isinstance(value, dict) else None


def _request_id(body: Mapping[str, Any] | None, response: HttpResponse) -> str | None:
    rid = body.get("RequestId") if body else None
    return str(rid) if rid else response.header("x-acs-request-id")

