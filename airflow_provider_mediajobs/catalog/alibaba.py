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

from airflow_provider_mediajobs.assets import checked_uri, object_uri
from airflow_provider_mediajobs.catalog.errors import vendor_error
from airflow_provider_mediajobs.catalog.model import (
    BucketOf,
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
    Int,
    Json,
    Shape,
    Str,
    StrList,
    Time,
    TimeRange,
    invalid,
    job_id,
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
# QueryJobListRequest.job_ids docstring); no Alibaba API in the catalog batches yet.
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
MTS_MEDIA_OPERATIONS: tuple[Operation, ...] = ()
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


def _media_object(*extra: str, many: bool = False) -> Shape:
    # {Type, Media} and the keys a model adds (InputUrl, OutputUrl): both required wherever the
    # SDK marks them ("This parameter is required"); the value of Media is for the vendor to judge.
    return Shape({"Type": ICE_MEDIA_TYPES, "Media": None, **dict.fromkeys(extra)}, required=("Type", "Media"),
                 many=many, min_items=int(many))


def _template_use(overwrite: Shape) -> Shape:
    # A template by id, some of its parameters overwritten (each ProcessConfig entry's model).
    return Shape({"TemplateId": None, "OverwriteParams": overwrite}, required=("TemplateId",), many=True)


def _keys(*names: str) -> Shape:
    # An object whose keys the model lists and whose values it leaves to the vendor.
    return Shape(dict.fromkeys(names))


_FILE = Shape({"Type": ICE_MEDIA_TYPES, "Media": None})  # ...OverwriteParamsFile: nothing marked required
# SubmitTranscodeJobRequestOutputGroupProcessConfig and its nested models. IsInheritTags is not in
# the request model but in every answer's ProcessConfig (GetTranscodeJob, ListTranscodeJobs), as a
# boolean the vendor documents ("whether to inherit tags from the input stream", default false).
_TRANSCODE_PROCESS_CONFIG = Shape({
    "Transcode": Shape({"TemplateId": None, "OverwriteParams": Shape({
        "Video": _keys("AbrMax", "Bitrate", "Bufsize", "Codec", "Crf", "Crop", "Fps", "Gop", "Height",
                       "LongShortMode", "Maxrate", "Pad", "PixFmt", "Preset", "Profile", "Remove", "ScanMode",
                       "Width"),
        "Audio": Shape({**dict.fromkeys(("Bitrate", "Channels", "Codec", "Profile", "Remove", "Samplerate")),
                        "Volume": _keys("IntegratedLoudnessTarget", "LoudnessRangeTarget", "Method", "TruePeak")}),
        "Container": _keys("Format"),
        "MuxConfig": Shape({"Segment": _keys("Duration", "ForceSegTime")}),
        "TransConfig": _keys("AdjDarMethod", "IsCheckAudioBitrate", "IsCheckAudioBitrateFail", "IsCheckReso",
                             "IsCheckResoFail", "IsCheckVideoBitrate", "IsCheckVideoBitrateFail", "TransMode"),
    })}, required=("TemplateId",)),
    "ImageWatermarks": _template_use(Shape({
        **dict.fromkeys(("Dx", "Dy", "Height", "ReferPos", "Width")), "File": _FILE,
        "Timeline": _keys("Duration", "Start")})),
    "TextWatermarks": _template_use(_keys("Adaptive", "BorderColor", "BorderWidth", "Content", "FontAlpha",
                                          "FontColor", "FontName", "FontSize", "Left", "Top")),
    "Subtitles": _template_use(Shape({"CharEnc": None, "File": _FILE, "Format": None})),
    "Encryption": _keys("CipherText", "DecryptKeyUri", "EncryptType", "KeyServiceType"),
    "CombineConfigs": Shape(dict.fromkeys(("AudioIndex", "Duration", "Start", "VideoIndex")),
                            required=("AudioIndex", "VideoIndex"), many=True),
    "IsInheritTags": Bool("IsInheritTags", "IsInheritTags"),
}, required=("Transcode",))
# ScheduleConfig.Priority: "Valid values: 1 to 10" (SubmitTranscodeJobRequestScheduleConfig.priority).
_TRANSCODE_SCHEDULE = Shape({"PipelineId": None, "Priority": Int("Priority", "Priority", low=1, high=10)})

SUBMIT_TRANSCODE_JOB = Operation(
    "SubmitTranscodeJob",
    ICE,
    "POST",
    params=(
        # One input transcodes it; several merge their streams (SubmitTranscodeJobRequest.input_group).
        Json("input_group", "InputGroup", required=True, kind=list, shape=_media_object("InputUrl", many=True)),
        Json("output_group", "OutputGroup", required=True, kind=list, shape=Shape(
            {"Output": _media_object("OutputUrl"), "ProcessConfig": _TRANSCODE_PROCESS_CONFIG},
            required=("Output", "ProcessConfig"), many=True, min_items=1)),
        Str("name", "Name", max_len=128),  # length undocumented: our guard
        Json("schedule_config", "ScheduleConfig", shape=_TRANSCODE_SCHEDULE),
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

SUBMIT_SNAPSHOT_JOB = Operation(
    "SubmitSnapshotJob",
    ICE,
    "POST",
    params=(
        Json("input", "Input", required=True, shape=_media_object()),
        # Media must name {Count} for several snapshots, {TileCount} for a sprite, end in .vtt for
        # WebVTT (SubmitSnapshotJobRequestOutput.media): the vendor judges that.
        Json("output", "Output", required=True, shape=_media_object()),
        Json("template_config", "TemplateConfig", required=True, shape=Shape({
            "TemplateId": None,
            "OverwriteParams": Shape({
                **dict.fromkeys(("BlackLevel", "Count", "FrameType", "Height", "Interval", "IsSptFrag",
                                 "PixelBlackThreshold", "Time", "Type", "Width")),
                "SpriteSnapshotConfig": _keys("CellHeight", "CellWidth", "Color", "Columns", "Lines", "Margin",
                                              "Padding"),
            }),
        }, required=("TemplateId",))),
        Str("name", "Name", max_len=128),  # length undocumented: our guard
        Json("schedule_config", "ScheduleConfig", shape=_keys("PipelineId")),
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
_MC_PRIORITY = Int("Priority", "Priority", low=1, high=10)  # "from 1 to 10", default 6
_MEDIA_CONVERT_CONFIG = Shape({
    # Not marked required in the model; a job with no input converts nothing: our guard.
    "Inputs": Shape({"Name": None, "InputFile": _MC_FILE}, required=("InputFile",), many=True, min_items=1),
    # Counted in characters here; the vendor counts bytes, so a longer name in multi-byte text is its to refuse.
    "JobName": Str("JobName", "JobName", max_len=64),
    "OutputGroups": Shape({
        "Name": None,
        "GroupConfig": Shape({
            # File and Hls (MediaConvertJobConfigOutputGroupsGroupConfig.type); Dash too
            # (MediaConvertOutputGroupConfig.type, and ManifestName "when Type is Hls or Dash").
            "Type": ("File", "Hls", "Dash"),
            "ManifestName": None,
            "OutputFileBase": _MC_FILE,
            "ManifestExtend": Shape({"InputRef": None, "Excludes": Shape(
                {"Type": ("Audio", "Subtitle"), "Name": None, "Language": None}, many=True)}),
        }),
        "Outputs": Shape({
            **dict.fromkeys(("Name", "OutputFileName", "TemplateId", "OverrideParams", "Features")),
            "Priority": _MC_PRIORITY,
            "HlsGroupConfig": Shape({
                **dict.fromkeys(("AudioGroup", "AutoSelect", "Forced", "Group", "IsDefault", "Language", "Name",
                                 "SubtitleGroup")),
                "Type": ("video", "audio", "subtitle", "hybrid"),
            }),
        }, many=True),
    }, many=True),
    "Outputs": Shape({
        **dict.fromkeys(("Name", "TemplateId", "OverrideParams", "Features")),
        "OutputFile": _MC_FILE,
        "Priority": _MC_PRIORITY,
    }, many=True),
}, required=("Inputs",))

SUBMIT_MEDIA_CONVERT_JOB = Operation(
    "SubmitMediaConvertJob",
    ICE,
    "POST",
    params=(
        Json("config", "Config", required=True, shape=_MEDIA_CONVERT_CONFIG),
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
    SUBMIT_SNAPSHOT_JOB, GET_SNAPSHOT_JOB, LIST_SNAPSHOT_JOBS,
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
ICE_EDITING_OPERATIONS: tuple[Operation, ...] = ()
# (end of ICE editing)


# -- IMM Create*Task (issue 18, part 3) ----------------------------------------------------------------
IMM_TASK_OPERATIONS: tuple[Operation, ...] = ()
# (end of IMM tasks)


OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
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
}


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
        if self.signature_version == "v1":
            query = v1_sign_params(
                method=operation.method, action=operation.name, version=service.version, params=wire,
                access_key_id=creds.access_key_id, access_key_secret=creds.access_key_secret,
                security_token=creds.security_token, timestamp=timestamp, nonce=nonce,
            )
            headers = {"host": host}
        else:
            query = dict(wire)
            headers = acs3_sign_headers(
                method=operation.method, host=host, action=operation.name, version=service.version,
                query=query, access_key_id=creds.access_key_id, access_key_secret=creds.access_key_secret,
                security_token=creds.security_token, timestamp=timestamp, nonce=nonce,
            )
        headers["accept"] = "application/json"
        qs = canonical_query(query)
        signature = query.get("Signature") or headers.get("Authorization", "").rpartition("Signature=")[2]
        return HttpRequest(operation.method, f"{base}/?{qs}" if qs else f"{base}/", headers,
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
            if not missing:
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

