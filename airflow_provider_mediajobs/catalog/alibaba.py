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
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, NamedTuple
from urllib.parse import urlsplit

from airflow_provider_mediajobs.assets import checked_uri, object_uri, oss_uri
from airflow_provider_mediajobs.catalog.errors import vendor_error
from airflow_provider_mediajobs.catalog.model import (
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
    Int,
    Json,
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
ICE_MEDIA_OPERATIONS: tuple[Operation, ...] = ()
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
# SubmitIProductionJobRequestInput/Output.type docstrings.
ICE_MEDIA_TYPES = ("OSS", "Media")


def _client_token() -> Str:
    # SubmitMediaProducingJobRequest.client_token docstring: ASCII, at most 64 characters. The other
    # calls' ClientToken docstrings state no bound: the same rule is our guard there.
    return Str("client_token", "ClientToken", max_len=64, pattern=r"[\x21-\x7e]+",
               hint="printable ASCII without spaces, at most 64 characters")


def _decoded(value: Any) -> Any:
    # A Json parameter's normalized value is its compact JSON text; a rule reads the object.
    return json.loads(value) if isinstance(value, str) else value


def _utf8_at_most(arg: str, most: int) -> Check:
    """A rule: ``arg``'s wire text is at most ``most`` bytes of UTF-8 (Json counts characters)."""

    def check(args: Mapping[str, Any]) -> None:
        value = args.get(arg)
        if isinstance(value, str) and len(value.encode("utf-8")) > most:
            raise invalid(arg, f"at most {most} bytes of JSON (UTF-8)", f"{len(value.encode('utf-8'))} bytes")

    return check


def _object_keys(arg: str, keys: tuple[str, ...], required: tuple[str, ...] = (),
                 enums: Mapping[str, tuple[str, ...]] | None = None,
                 ints: Mapping[str, tuple[int, int]] | None = None) -> Check:
    """A rule: the JSON object ``arg`` has only ``keys``, all of ``required`` (non-empty), each of
    ``enums`` one of its values and each of ``ints`` an integer in its bounds.

    The nested objects whose keys the SDK model lists (SubmitIProductionJob's Input, Output and
    ScheduleConfig); a shared allowed-keys check on ``Json`` may replace this one.
    """

    def check(args: Mapping[str, Any]) -> None:
        value = args.get(arg)
        if value is None:
            return
        given = _decoded(value)
        unknown = sorted(set(given) - set(keys))
        if unknown:
            raise invalid(arg, f"a JSON object with the keys {', '.join(keys)} (not {', '.join(unknown)})", given)
        missing = [key for key in required if given.get(key) in (None, "")]
        if missing:
            raise invalid(arg, f"a JSON object with {' and '.join(required)} (missing: {', '.join(missing)})", given)
        # The error names the argument itself (an operator may show it under another name) and the key.
        for key, values in (enums or {}).items():
            if key in given and given[key] not in values:
                raise invalid(arg, f"a JSON object whose {key} is one of {', '.join(values)}", given)
        for key, (low, high) in (ints or {}).items():
            number = given.get(key)
            if key in given and (not isinstance(number, int) or isinstance(number, bool) or not low <= number <= high):
                raise invalid(arg, f"a JSON object whose {key} is an integer from {low} to {high}", given)

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
        Json("input", "Input", required=True),  # {Type, Media}, both required
        Json("output", "Output", required=True),  # {Type, Media, OutputUrl, Biz}; Type and Media required
        Json("job_params", "JobParams"),  # "a JSON object", per function
        job_id("model_id", "ModelId", required=False),  # e.g. algo-video-detext-new
        Str("name", "Name", max_len=100),  # "up to 100 characters"
        Json("schedule_config", "ScheduleConfig"),  # {PipelineId, Priority}
        job_id("template_id", "TemplateId", required=False),
        Str("user_data", "UserData", max_len=256),  # "up to 256 characters"
    ),
    checks=(
        _object_keys("input", ("Type", "Media"), required=("Type", "Media"), enums={"Type": ICE_MEDIA_TYPES}),
        _object_keys("output", ("Type", "Media", "OutputUrl", "Biz"), required=("Type", "Media"),
                     enums={"Type": ICE_MEDIA_TYPES}),
        # Priority 1-10 (its docstring: "a smaller value indicates a higher priority"; the answer's
        # says a larger one does, default 6: the bounds agree, the order does not).
        _object_keys("schedule_config", ("PipelineId", "Priority"), ints={"Priority": (1, 10)}),
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
IMM_TASK_OPERATIONS: tuple[Operation, ...] = ()
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

