"""Alibaba Cloud RPC wire format for the emulator: verify V3 / V1 signatures exactly as the
service does, answer ICE, MTS and IMM actions in JSON, errors as ``{RequestId, HostId, Code,
Message, Recommend}``."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from airflow_provider_mediajobs.emulator.backend import (
    ISO_FORMAT,
    JOB_KINDS,
    LIVE_SNAPSHOT_STATES,
    Backend,
    Job,
    VendorError,
    iso,
    parse_required,
    window_ok,
)
from airflow_provider_mediajobs.signing import acs3_signature, parse_acs3_authorization, v1_signature

VENDOR = "alibaba"
MTS, SMART, IMM = JOB_KINDS["mts"], JOB_KINDS["ice_smart"], JOB_KINDS["imm"]
VERSIONS = {"2020-11-09": "ice", "2014-06-18": "mts", "2020-09-30": "imm"}
V1_COMMON = {"Action", "Version", "Format", "AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce",
             "Timestamp", "SecurityToken", "Signature"}
USER_ID = 1234567890  # the account every ICE job belongs to
LIVE_WINDOW_S = 7 * 86400  # ListLiveSnapshotJobs' window when StartTime or EndTime is left out
V3_SIGNED = {"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"}


class AliError(VendorError):
    """An Alibaba error answer: HTTP status, Code, Message."""


def throttled() -> AliError:
    """The answer to a key over the QPS limit (and the ``throttling`` fault)."""
    return AliError(400, "Throttling.User", "Request was denied due to user flow control.")


def unavailable() -> AliError:
    """The answer of a service that is down for a moment (the ``503`` fault)."""
    return AliError(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.")


def error_response(err: VendorError) -> web.Response:
    """The vendor's JSON error body."""
    body = {"RequestId": _request_id(), "HostId": "emulator", "Code": err.code,
            "Message": err.message, "Recommend": "https://api.aliyun.com/troubleshoot"}
    return web.json_response(body, status=err.status, headers={"x-acs-request-id": body["RequestId"]})


def _parse_time(text: str) -> float:
    return datetime.strptime(text, ISO_FORMAT).replace(tzinfo=UTC).timestamp()


def _check_time(backend: Backend, stamp: str | None) -> None:
    when = parse_required(
        stamp, _parse_time, AliError(400, "MissingParameter", "The input parameter Timestamp/x-acs-date is mandatory."),
        AliError(400, "InvalidTimeStamp.Format", "Specified time stamp is not well formatted."))
    if abs(backend.request_clock() - when) > backend.clock_skew_limit:
        raise AliError(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")


def _check_key(backend: Backend, key_id: str, token: str | None) -> str:
    secret = backend.alibaba_keys.get(key_id)
    if secret is None:
        raise AliError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    problem = backend.check_token(token, key_id)
    if problem == "invalid":
        raise AliError(400, "InvalidSecurityToken.Malformed", "Specified SecurityToken is malformed.")
    if problem == "expired":
        raise AliError(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")
    return secret


def _verify(backend: Backend, stamp: str | None, key_id: str, token: str | None, nonce: str, signature: str,
            expected: Callable[[str], str]) -> None:
    """What both signature versions check, in the service's order: the time, the key and token,
    the signature (``expected`` computes it from the secret), the nonce."""
    _check_time(backend, stamp)
    secret = _check_key(backend, key_id, token)
    if not hmac.compare_digest(expected(secret), signature):
        raise AliError(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
    if not backend.use_nonce(nonce):
        raise AliError(400, "SignatureNonceUsed", "Specified signature nonce was used already.")


def _product(version: str) -> str:
    """The product an API version belongs to."""
    product = VERSIONS.get(version)
    if product is None:
        raise AliError(400, "InvalidVersion", f"Specified parameter Version {version} is not valid.")
    return product


async def authenticate(request: web.Request, backend: Backend) -> tuple[str, dict[str, str], str]:
    """Verify the signature; return (action, business params, key id)."""
    query = dict(request.query)
    body = await request.read()
    if "Signature" in query:  # V1: everything in the query string
        for name in ("AccessKeyId", "SignatureNonce", "Action", "Version"):
            if not query.get(name):
                raise AliError(400, "MissingParameter", f"The input parameter {name} is mandatory.")
        unsigned = {k: v for k, v in query.items() if k != "Signature"}
        _verify(backend, query.get("Timestamp"), query["AccessKeyId"], query.get("SecurityToken"),
                query["SignatureNonce"], query["Signature"],
                lambda secret: v1_signature(request.method, unsigned, secret))
        return query["Action"], {k: v for k, v in query.items() if k not in V1_COMMON}, query["AccessKeyId"]
    fields = parse_required(
        request.headers.get("Authorization"), parse_acs3_authorization,
        AliError(400, "MissingParameter", "The input parameter Authorization is mandatory."),
        AliError(400, "IncompleteSignature", "The request signature does not conform to standards."))
    names = fields["SignedHeaders"].split(";")
    if not V3_SIGNED.issubset(names):
        raise AliError(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
    signed = {name: request.headers.get(name, "") for name in names}
    payload_hash = signed["x-acs-content-sha256"]

    def expected(secret: str) -> str:
        if hashlib.sha256(body).hexdigest() != payload_hash:
            raise AliError(400, "SignatureDoesNotMatch", "The payload hash does not match x-acs-content-sha256.")
        return acs3_signature(request.method, query, signed, payload_hash, secret)[0]

    _verify(backend, signed["x-acs-date"], fields["Credential"], request.headers.get("x-acs-security-token"),
            signed["x-acs-signature-nonce"], fields["Signature"], expected)
    _product(signed["x-acs-version"])
    return signed["x-acs-action"], query, fields["Credential"]


def operation_of(request: web.Request) -> str:
    """The action named by a request (for counters and faults), before verification."""
    return request.query.get("Action") or request.headers.get("x-acs-action") or "unknown"


# -- helpers ---------------------------------------------------------------------------------------
def _invalid(name: str, why: str = "is not valid") -> AliError:
    return AliError(400, "InvalidParameter", f"Specified parameter {name} {why}.")


def _int(params: dict[str, str], name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _invalid(name) from None
    if value < low or (high is not None and value > high):
        raise _invalid(name, "is out of range")
    return value


def _required(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise AliError(400, "MissingParameter", f"The input parameter {name} that is mandatory is not supplied.")
    return value


def _enum(params: dict[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    value = params.get(name)
    if value is not None and value not in allowed:
        raise _invalid(name)
    return value


def _token_page(items: list[Any], params: dict[str, str], size: int) -> tuple[list[Any], str]:
    token = params.get("NextToken") or ""
    start = 0
    if token:
        if not token.startswith("t") or not token[1:].isdigit():
            raise _invalid("NextToken")
        start = int(token[1:])
    page = items[start : start + size]
    more = start + size < len(items)
    return page, (f"t{start + size}" if more else "")


def _request_id() -> str:
    return str(uuid.uuid4()).upper()


def _not_found(kind: str) -> AliError:
    return AliError(404, "JobNotFound", f"The specified {kind} does not exist.")


# -- renderings --------------------------------------------------------------------------------------
def smart_job(job: Job, now: float) -> dict[str, Any]:
    """A ListSmartJobs item."""
    return {
        "JobId": job.job_id, "Title": job.attrs["title"], "Description": "", "UserId": USER_ID,
        "JobType": job.attrs["job_type"], "EditingConfig": "", "UserData": job.attrs["user_data"],
        "JobState": job.state(now), "CreateTime": iso(job.created), "ModifiedTime": iso(min(now, job.done_at())),
        "InputConfig": {"InputFile": f"oss://seed-in/{job.job_id}.mp4", "Keyword": ""},
        "OutputConfig": {"Bucket": job.attrs["output_bucket"], "Object": job.attrs["output_object"]},
    }


# An MTS job's answer fields (SubmitIProductionJob's parameters) and the attributes they carry.
MTS_FIELDS = {"FunctionName": "function_name", "Input": "input", "Output": "output", "JobParams": "job_params",
              "PipelineId": "pipeline_id", "UserData": "user_data"}


def mts_job(job: Job, now: float) -> dict[str, str]:
    """A QueryIProductionJob answer body (strings, as the service sends)."""
    state = job.state(now)
    failed = state == MTS.failure
    result = {"Code": "InvalidInput.Media" if failed else ("Success" if state == MTS.success else ""),
              "Message": "the input could not be decoded" if failed else "", "Data": ""}
    return {"RequestId": _request_id(), "JobId": job.job_id,
            **{field: job.attrs[attribute] for field, attribute in MTS_FIELDS.items()},
            "State": state, "Result": json.dumps(result)}


def imm_task(job: Job, now: float) -> dict[str, Any]:
    """A ListTasks item: GetTask's task fields, without the ProjectName that only GetTask's body
    carries (seed 003 lists the items' fields; docs/vendor-behaviour.md)."""
    state = job.state(now)
    failed, running = state == IMM.failure, state == IMM.running
    return {"TaskId": job.job_id, "TaskType": job.attrs["task_type"], "Status": state,
            "Code": "InvalidFile" if failed else "", "Message": "unsupported format" if failed else "",
            "StartTime": iso(job.created), "EndTime": "" if running else iso(job.done_at()),
            "Progress": 50 if running else 100, "Tags": {"source": "emulator"}, "UserData": ""}


# -- actions -----------------------------------------------------------------------------------------
def list_smart_jobs(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    now = time.time()
    state = _enum(p, "JobState", SMART.states)
    jtype = _enum(p, "JobType", SMART.choices["job_type"])
    order = _enum(p, "SortBy", ("CreationTime:Asc", "CreationTime:Desc")) or "CreationTime:Desc"
    size = _int(p, "MaxResults", 10, 1, 100)
    jobs = [j for j in backend.of_kind(SMART.name)
            if (state is None or j.state(now) == state) and (jtype is None or j.attrs.get("job_type") == jtype)]
    if order.endswith("Asc"):
        jobs.reverse()
    if p.get("PageNo") and not p.get("NextToken"):
        number, size = _int(p, "PageNo", 1, 1, None), _int(p, "PageSize", size, 1, 100)
        page, token = jobs[(number - 1) * size : number * size], ""
    else:
        page, token = _token_page(jobs, p, size)
    return {"RequestId": _request_id(), "SmartJobList": [smart_job(j, now) for j in page], "NextToken": token,
            "MaxResults": str(size), "TotalCount": str(len(jobs))}


def get_smart_handle_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    job = backend.get(_required(p, "JobId"), SMART.name)
    if job is None:
        raise _not_found("smart job")
    now = time.time()
    item = smart_job(job, now)
    body: dict[str, Any] = {
        "RequestId": _request_id(), "JobId": job.job_id, "State": item["JobState"], "UserData": item["UserData"],
        "Output": "", "JobResult": {"AiResult": "", "MediaId": "", "MediaUrl": "", "Usage": ""},
        "SmartJobInfo": {"Title": item["Title"], "Description": "", "UserId": str(USER_ID), "JobType": item["JobType"],
                         "CreateTime": item["CreateTime"], "ModifiedTime": item["ModifiedTime"],
                         "InputConfig": {"InputFile": item["InputConfig"]["InputFile"]},
                         "OutputConfig": item["OutputConfig"]},
    }
    if item["JobState"] == SMART.failure:
        body["ErrorCode"], body["ErrorMessage"] = "InvalidMedia", "the media could not be processed"
    return body


def _time_param(p: dict[str, str], name: str) -> float | None:
    try:
        return _parse_time(p[name]) if p.get(name) else None
    except ValueError:
        raise AliError(400, f"Malformed{name}", f"Specified parameter {name} is not valid.") from None


def list_live_snapshot_jobs(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    now = time.time()
    start, end = _time_param(p, "StartTime"), _time_param(p, "EndTime")
    if start is None and end is None:
        start, end = now - LIVE_WINDOW_S, now
    elif end is None:
        end = start + LIVE_WINDOW_S  # type: ignore[operator]
    elif start is None:
        start = end - LIVE_WINDOW_S
    assert start is not None
    assert end is not None
    if not window_ok(start, end, 30):
        raise AliError(400, "EndTimeMismatch", "Specified end time does not math the specified start time.")
    status = _enum(p, "Status", LIVE_SNAPSHOT_STATES)
    order = _enum(p, "SortBy", ("asc", "desc")) or "desc"
    keyword = p.get("SearchKeyWord") or ""
    if len(keyword) > 128:
        raise _invalid("SearchKeyWord", "is too long")
    number, size = _int(p, "PageNo", 1, 1, None), _int(p, "PageSize", 10, 1, 100)
    with backend.lock:
        jobs = [j for j in backend.live_snapshots if start <= j["_created"] <= end
                and (status is None or j["Status"] == status)
                and (not keyword or keyword == j["JobId"] or keyword in j["JobName"])]
    jobs.sort(key=lambda j: j["_created"], reverse=order == "desc")
    page = [{k: v for k, v in j.items() if not k.startswith("_")} for j in jobs[(number - 1) * size : number * size]]
    return {"RequestId": _request_id(), "JobList": page, "PageNo": number, "PageSize": size, "SortBy": order,
            "TotalCount": len(jobs)}


def query_iproduction_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    job = backend.get(_required(p, "JobId"), MTS.name)
    if job is None:
        raise _not_found("IProduction job")
    return mts_job(job, time.time())


def submit_iproduction_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    _required(p, "FunctionName")
    for name in ("JobParams", "ScheduleParams"):
        if p.get(name):
            try:
                json.loads(p[name])
            except ValueError:
                raise _invalid(name, "is not valid JSON") from None
    attrs: dict[str, Any] = {attribute: p[field] for field, attribute in MTS_FIELDS.items() if field in p}
    job = backend.create(MTS.name, **attrs)
    return {"RequestId": _request_id(), "JobId": job.job_id, "Result": ""}


def _range(p: dict[str, str], name: str) -> tuple[float, float] | None:
    if not p.get(name):
        return None
    try:
        value = json.loads(p[name])
        start = _parse_time(value["Start"]) if value.get("Start") else 0.0
        end = _parse_time(value["End"]) if value.get("End") else float("inf")
    except (ValueError, TypeError, AttributeError, KeyError):
        raise _invalid(name) from None
    return start, end


def list_tasks(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    now = time.time()
    project = _required(p, "ProjectName")
    types = None
    if p.get("TaskTypes"):
        try:
            types = set(json.loads(p["TaskTypes"]))
        except (ValueError, TypeError):
            raise _invalid("TaskTypes") from None
    status = _enum(p, "Status", IMM.states)
    started = _range(p, "StartTimeRange")
    size = _int(p, "MaxResults", 100, 1, 100)
    order = (_enum(p, "Order", ("asc", "desc", "ASC", "DESC")) or "desc").lower()
    tasks = [j for j in backend.of_kind(IMM.name) if j.attrs.get("project_name") == project
             and (types is None or j.attrs.get("task_type") in types)
             and (status is None or j.state(now) == status)
             and (started is None or started[0] <= j.created <= started[1])]
    if order == "asc":
        tasks.reverse()
    page, token = _token_page(tasks, p, size)
    return {"RequestId": _request_id(), "ProjectName": project, "NextToken": token, "MaxResults": str(size),
            "Tasks": [imm_task(j, now) for j in page]}


def get_task(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    project, task_id, _ = _required(p, "ProjectName"), _required(p, "TaskId"), _required(p, "TaskType")
    job = backend.get(task_id, IMM.name)
    if job is None or job.attrs.get("project_name") != project:
        raise _not_found("task")
    return {"RequestId": _request_id(), "ProjectName": project, "EventId": str(uuid.uuid4()),
            **imm_task(job, time.time())}


# -- MTS transcoding, snapshots and media info (issue 18, part 1) ----------------------------------
# (handlers of MTS_MEDIA go here)
# (end of MTS_MEDIA)


# -- ICE transcoding, snapshots and media conversion (issue 18, part 2) ----------------------------
# Field names, types and limits from the alibabacloud-ice20201109 6.20.2 models (the Submit*, Get*
# and List* request and answer bodies): each job is rendered as those models read it.
TRANSCODE, SNAPSHOT, CONVERT = JOB_KINDS["ice_transcode"], JOB_KINDS["ice_snapshot"], JOB_KINDS["ice_media_convert"]
ICE_MEDIA_TYPES = ("OSS", "Media")  # every media object's Type (the request models' docstrings)
ICE_PAGE_SIZE = (20, 1, 100)  # the List*Jobs PageSize: default 20, 1-100 (their request models)
TRANSCODE_USER_DATA = 512  # SubmitTranscodeJobRequest.user_data: "up to 512 bytes"


def _json(p: dict[str, str], name: str, shape: type, required: bool = True) -> Any:
    """A parameter the SDK sends as JSON text (InputGroup, Config...), parsed; None when absent."""
    if not p.get(name):
        if required:
            _required(p, name)
        return None
    try:
        value = json.loads(p[name])
    except ValueError:
        raise _invalid(name, "is not valid JSON") from None
    if not isinstance(value, shape):
        raise _invalid(name)
    return value


def _check_media(value: Any, name: str) -> dict[str, Any]:
    """A media object ({Type: OSS | Media, Media}), as the service needs it."""
    if not isinstance(value, dict) or value.get("Type") not in ICE_MEDIA_TYPES or not value.get("Media"):
        raise _invalid(name)
    return value


def _oss_file(media: dict[str, Any]) -> dict[str, str] | None:
    # GetSnapshotJob names an OSS object by its parts too (OssFile: Bucket, Location, Object).
    text = str(media.get("Media", ""))
    if media.get("Type") != "OSS" or not text.startswith("oss://"):
        return None
    bucket, _, obj = text[len("oss://"):].partition("/")
    return {"Bucket": bucket, "Location": "oss-cn-shanghai", "Object": obj}


def _sub_id(job_id: str, index: int) -> str:
    return hashlib.md5(f"{job_id}/{index}".encode(), usedforsecurity=False).hexdigest()


def _ended(job: Job, state: str) -> bool:
    return state not in (JOB_KINDS[job.kind].queued, JOB_KINDS[job.kind].running)


def _times(job: Job, state: str) -> dict[str, str]:
    return {"CreateTime": iso(job.created), "SubmitTime": iso(job.created),
            "FinishTime": iso(job.done_at()) if _ended(job, state) else ""}


def transcode_parent(job: Job, now: float, sub_jobs: bool = True) -> dict[str, Any]:
    """A TranscodeParentJob (GetTranscodeJob, SubmitTranscodeJob); without its sub-jobs, a
    ListTranscodeJobs item."""
    state = job.state(now)
    inputs, outputs = json.loads(job.attrs["input_group"]), json.loads(job.attrs["output_group"])
    schedule = json.loads(job.attrs["schedule_config"] or "{}")
    common = {"Name": job.attrs["name"], "UserData": job.attrs["user_data"],
              "RequestId": job.attrs.get("request_id", ""), "ScheduleConfig": schedule, **_times(job, state)}
    percent = 100 if _ended(job, state) else 0 if state == TRANSCODE.queued else 50
    parent: dict[str, Any] = {"ParentJobId": job.job_id, "Status": state, "JobCount": len(outputs),
                              "Percent": percent, "InputGroup": inputs, "OutputGroup": outputs,
                              "TriggerSource": "API", **common}
    if sub_jobs:
        parent["TranscodeJobList"] = [
            {"JobId": _sub_id(job.job_id, index), "JobIndex": index, "ParentJobId": job.job_id, "Status": state,
             "InputGroup": inputs, "Output": output.get("Output"), "ProcessConfig": output.get("ProcessConfig"),
             "SubmitResultJson": {}, **common}
            for index, output in enumerate(outputs)
        ]
    return parent


def snapshot_job(job: Job, now: float, detail: bool = True) -> dict[str, Any]:
    """A GetSnapshotJob SnapshotJob; without ``detail``, a ListSnapshotJobs item (no Code, Message
    or TemplateConfig: ListSnapshotJobsResponseBodyJobs)."""
    state = job.state(now)
    media_in, media_out = json.loads(job.attrs["input"]), json.loads(job.attrs["output"])
    template = json.loads(job.attrs["template_config"])
    overwrite = template.get("OverwriteParams") or {}
    count = overwrite.get("Count")
    item: dict[str, Any] = {
        "JobId": job.job_id, "Name": job.attrs["name"], "Status": state, "Async": True,
        "Count": count if isinstance(count, int) else 1, "Type": overwrite.get("Type") or "Normal",
        "TemplateId": template.get("TemplateId", ""), "TriggerSource": "API", "UserData": job.attrs["user_data"],
        "PipelineId": (json.loads(job.attrs["schedule_config"] or "{}")).get("PipelineId", ""),
        "ModifiedTime": iso(min(now, job.done_at())), **_times(job, state),
        "Input": {**media_in, **({"OssFile": f} if detail and (f := _oss_file(media_in)) else {})},
        "Output": {**media_out, **({"OssFile": f} if detail and (f := _oss_file(media_out)) else {})},
    }
    if detail:
        failed = state == SNAPSHOT.failure
        item.update(TemplateConfig=job.attrs["template_config"], Code="InvalidInput.Media" if failed else "",
                    Message="the input could not be decoded" if failed else "")
    return item


def media_convert_job(job: Job, now: float, detail: bool = True) -> dict[str, Any]:
    """A GetMediaConvertJob Job; without ``detail``, a ListMediaConvertJobs item
    (MediaConvertJobWithoutDetail: no Percent, OutputDetails or OutputGroupDetails)."""
    state = job.state(now)
    config = json.loads(job.attrs["config"])
    failed, done = state == CONVERT.failure, state == CONVERT.success
    item: dict[str, Any] = {
        "JobId": job.job_id, "State": state, "ClientToken": job.attrs["client_token"],
        "PipelineId": job.attrs["pipeline_id"], "UserData": job.attrs["user_data"],
        "RequestId": job.attrs.get("request_id", ""), "Code": "InvalidInput.Media" if failed else "",
        "Message": "the input could not be decoded" if failed else "",
        "Config": {key: config.get(key, []) for key in ("Inputs", "OutputGroups", "Outputs")}
        | {"JobName": config.get("JobName", "")},
        "CreateTime": iso(job.created), "FinishTime": iso(job.done_at()) if _ended(job, state) else "",
    }
    if not detail:
        return item
    status = "Success" if done else "Failed" if failed else "Init"  # MediaConvertOutputDetail.status

    def output_detail(output: dict[str, Any], index: int, written: Any) -> dict[str, Any]:
        return {"Name": output.get("Name", ""), "TaskId": _sub_id(job.job_id, index), "Status": status,
                "Code": item["Code"], "Message": item["Message"], **_times(job, state),
                **({"Result": {"OutputFile": {**written, "Url": written.get("Media", "")}}} if done else {})}

    item["Percent"] = 100 if _ended(job, state) else 0 if state == CONVERT.queued else 50
    item["OutputDetails"] = [output_detail(out, i, out.get("OutputFile") or {})
                             for i, out in enumerate(config.get("Outputs", []))]
    groups = []
    for g, group in enumerate(config.get("OutputGroups", [])):
        base = (group.get("GroupConfig") or {}).get("OutputFileBase") or {}
        outputs = [output_detail(out, 1000 * (g + 1) + i, {
            "Type": base.get("Type", "OSS"),
            "Media": f"{str(base.get('Media', '')).rstrip('/')}/{out.get('OutputFileName', '')}"})
            for i, out in enumerate(group.get("Outputs", []))]
        groups.append({"Name": group.get("Name", ""), "TaskId": _sub_id(job.job_id, 1000 * (g + 1)),
                       "Status": "Running" if status == "Init" and state == CONVERT.running else status,
                       "Code": item["Code"], "Message": item["Message"], "Outputs": outputs, **_times(job, state)})
    item["OutputGroupDetails"] = groups
    return item


def _create_ice(backend: Backend, kind: str, attrs: dict[str, Any]) -> tuple[Job, str]:
    request_id = _request_id()
    return backend.create(kind, request_id=request_id, **attrs), request_id


def submit_transcode_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    inputs = _json(p, "InputGroup", list)
    outputs = _json(p, "OutputGroup", list)
    if not inputs or not outputs:
        raise _invalid("InputGroup" if not inputs else "OutputGroup", "is empty")
    for item in inputs:
        _check_media(item, "InputGroup")
    for item in outputs:
        transcode = (item.get("ProcessConfig") or {}).get("Transcode") if isinstance(item, dict) else None
        _check_media(item.get("Output") if isinstance(item, dict) else None, "OutputGroup")
        if not isinstance(transcode, dict) or not transcode.get("TemplateId"):
            raise AliError(400, "MissingParameter", "The input parameter OutputGroup.ProcessConfig.Transcode."
                           "TemplateId that is mandatory is not supplied.")
    schedule = _json(p, "ScheduleConfig", dict, required=False)
    if len(p.get("UserData", "").encode()) > TRANSCODE_USER_DATA:
        raise _invalid("UserData", "is too long")
    job, request_id = _create_ice(backend, TRANSCODE.name, {
        "input_group": p["InputGroup"], "output_group": p["OutputGroup"], "name": p.get("Name", ""),
        "schedule_config": json.dumps(schedule) if schedule else "", "user_data": p.get("UserData", "")})
    return {"RequestId": request_id, "TranscodeParentJob": transcode_parent(job, time.time())}



def submit_snapshot_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    _check_media(_json(p, "Input", dict), "Input")
    _check_media(_json(p, "Output", dict), "Output")
    template = _json(p, "TemplateConfig", dict)
    if not template.get("TemplateId"):
        raise AliError(400, "MissingParameter", "The input parameter TemplateConfig.TemplateId that is mandatory "
                       "is not supplied.")
    schedule = _json(p, "ScheduleConfig", dict, required=False)
    job, request_id = _create_ice(backend, SNAPSHOT.name, {
        "input": p["Input"], "output": p["Output"], "template_config": p["TemplateConfig"], "name": p.get("Name", ""),
        "schedule_config": json.dumps(schedule) if schedule else "", "user_data": p.get("UserData", "")})
    return {"RequestId": request_id, "JobId": job.job_id}



def submit_media_convert_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    config = _json(p, "Config", dict)
    if not config.get("Inputs") or not isinstance(config["Inputs"], list):
        raise _invalid("Config", "names no input")
    for entry in config["Inputs"]:
        _check_media(entry.get("InputFile") if isinstance(entry, dict) else None, "Config")
    job, request_id = _create_ice(backend, CONVERT.name, {
        "config": p["Config"], "pipeline_id": p.get("PipelineId", ""), "user_data": p.get("UserData", ""),
        "client_token": p.get("ClientToken", "")})
    return {"RequestId": request_id, "Job": media_convert_job(job, time.time())}



def _ice_get(kind: str, id_param: str, under: str, render: Callable[[Job, float], dict[str, Any]],
             what: str) -> Callable[[Backend, dict[str, str]], dict[str, Any]]:
    """The three ICE media gets: the job of ``id_param``, nested under ``under``; 404 when unknown."""

    def get(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
        job = backend.get(_required(p, id_param), kind)
        if job is None:
            raise _not_found(what)
        return {"RequestId": _request_id(), under: render(job, time.time())}

    return get


get_transcode_job = _ice_get(TRANSCODE.name, "ParentJobId", "TranscodeParentJob", transcode_parent, "transcoding job")
get_snapshot_job = _ice_get(SNAPSHOT.name, "JobId", "SnapshotJob", snapshot_job, "snapshot job")
get_media_convert_job = _ice_get(CONVERT.name, "JobId", "Job", media_convert_job, "media convert job")


def _created_param(p: dict[str, str], name: str) -> float | None:
    try:
        return _parse_time(p[name]) if p.get(name) else None
    except ValueError:
        raise _invalid(name) from None


def _ice_list(backend: Backend, p: dict[str, str], kind: str, id_param: str, states: tuple[str, ...],
              render: Callable[[Job, float], dict[str, Any]]) -> dict[str, Any]:
    """The three ICE media listings: one creation-time window, status and id filter, newest first by
    default, PageSize jobs a page under Jobs, NextPageToken both ways."""
    now = time.time()
    start, end = _created_param(p, "StartOfCreateTime"), _created_param(p, "EndOfCreateTime")
    status = _enum(p, "Status", states)
    order = _enum(p, "OrderBy", ("CreateTimeDesc", "CreateTimeAsc")) or "CreateTimeDesc"
    size = _int(p, "PageSize", *ICE_PAGE_SIZE)
    wanted = p.get(id_param)
    jobs = [j for j in backend.of_kind(kind) if (start is None or j.created >= start)
            and (end is None or j.created < end) and (status is None or j.state(now) == status)
            and (not wanted or j.job_id == wanted)]
    if order == "CreateTimeAsc":
        jobs.reverse()
    try:
        page, token = _token_page(jobs, {"NextToken": p.get("NextPageToken", "")}, size)
    except AliError:
        raise _invalid("NextPageToken") from None
    return {"RequestId": _request_id(), "Jobs": [render(j, now) for j in page], "NextPageToken": token}


def list_transcode_jobs(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    return _ice_list(backend, p, TRANSCODE.name, "ParentJobId", ("Init", "Success", "Fail"),
                     lambda job, now: transcode_parent(job, now, sub_jobs=False))


def list_snapshot_jobs(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    return _ice_list(backend, p, SNAPSHOT.name, "JobId", ("Init", "Success", "Fail"),
                     lambda job, now: snapshot_job(job, now, detail=False))


def list_media_convert_jobs(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    return _ice_list(backend, p, CONVERT.name, "JobId", ("Inited", "Running", "Complete", "Error"),
                     lambda job, now: media_convert_job(job, now, detail=False))
# (end of ICE_MEDIA)


# -- ICE timeline editing and IProduction (issue 18, part 2) ---------------------------------------
# (handlers of ICE_EDITING go here)
# (end of ICE_EDITING)


# -- IMM Create*Task (issue 18, part 3) ------------------------------------------------------------
# (handlers of IMM_TASKS go here)
# (end of IMM_TASKS)


ACTIONS = {
    ("ice", "ListSmartJobs"): (list_smart_jobs, "GET"),
    ("ice", "GetSmartHandleJob"): (get_smart_handle_job, "POST"),
    ("ice", "ListLiveSnapshotJobs"): (list_live_snapshot_jobs, "GET"),
    ("mts", "QueryIProductionJob"): (query_iproduction_job, "POST"),
    ("mts", "SubmitIProductionJob"): (submit_iproduction_job, "POST"),
    ("imm", "ListTasks"): (list_tasks, "POST"),
    ("imm", "GetTask"): (get_task, "POST"),
    # -- MTS transcoding, snapshots and media info (issue 18, part 1) ------------------------------
    # (actions of MTS_MEDIA go here)
    # (end of MTS_MEDIA)

    # -- ICE transcoding, snapshots and media conversion (issue 18, part 2) ------------------------
    # Every one an RPC POST (the SDK client's *_with_options).
    ("ice", "SubmitTranscodeJob"): (submit_transcode_job, "POST"),
    ("ice", "GetTranscodeJob"): (get_transcode_job, "POST"),
    ("ice", "ListTranscodeJobs"): (list_transcode_jobs, "POST"),
    ("ice", "SubmitSnapshotJob"): (submit_snapshot_job, "POST"),
    ("ice", "GetSnapshotJob"): (get_snapshot_job, "POST"),
    ("ice", "ListSnapshotJobs"): (list_snapshot_jobs, "POST"),
    ("ice", "SubmitMediaConvertJob"): (submit_media_convert_job, "POST"),
    ("ice", "GetMediaConvertJob"): (get_media_convert_job, "POST"),
    ("ice", "ListMediaConvertJobs"): (list_media_convert_jobs, "POST"),
    # (end of ICE_MEDIA)

    # -- ICE timeline editing and IProduction (issue 18, part 2) -----------------------------------
    # (actions of ICE_EDITING go here)
    # (end of ICE_EDITING)

    # -- IMM Create*Task (issue 18, part 3) --------------------------------------------------------
    # (actions of IMM_TASKS go here)
    # (end of IMM_TASKS)
}


async def handle(request: web.Request, backend: Backend) -> web.Response:
    """Answer one Alibaba RPC request."""
    try:
        action, params, key_id = await authenticate(request, backend)
        product = _product(request.query.get("Version") or request.headers.get("x-acs-version") or "")
        entry = ACTIONS.get((product, action))
        if entry is None:
            raise AliError(404, "InvalidAction.NotFound", f"Specified api {action} is not found.")
        if not backend.admit(key_id):
            raise throttled()
        handler, _method = entry
        return web.json_response(handler(backend, params))
    except AliError as err:
        return error_response(err)
