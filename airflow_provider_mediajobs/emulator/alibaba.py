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
from urllib.parse import parse_qsl

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
    # A form body carries parameters too (the SDK sends SubmitMediaProducingJob's Timeline there):
    # V1 signs them with the query's, V3 through the body's hash.
    form = _form(request, body)
    if "Signature" in query:  # V1: the common parameters in the query string
        for name in ("AccessKeyId", "SignatureNonce", "Action", "Version"):
            if not query.get(name):
                raise AliError(400, "MissingParameter", f"The input parameter {name} is mandatory.")
        unsigned = {k: v for k, v in {**form, **query}.items() if k != "Signature"}
        _verify(backend, query.get("Timestamp"), query["AccessKeyId"], query.get("SecurityToken"),
                query["SignatureNonce"], query["Signature"],
                lambda secret: v1_signature(request.method, unsigned, secret))
        return query["Action"], {k: v for k, v in unsigned.items() if k not in V1_COMMON}, query["AccessKeyId"]
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
    return signed["x-acs-action"], {**form, **query}, fields["Credential"]


def _form(request: web.Request, body: bytes) -> dict[str, str]:
    """The parameters of a form-encoded body (none for any other body)."""
    if not body or request.content_type != "application/x-www-form-urlencoded":
        return {}
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
    except (UnicodeDecodeError, ValueError):
        raise AliError(400, "InvalidParameter", "The request body is not a valid form.") from None


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


def _json_param(p: dict[str, str], name: str, kind: type = dict, required: bool = False) -> Any:
    """A parameter the SDKs send as JSON text (MTS Input and Outputs, ICE InputGroup and Config, IMM
    Sources...), parsed; None when it is absent and not ``required``."""
    if not p.get(name):
        if required:
            _required(p, name)
        return None
    try:
        value = json.loads(p[name])
    except ValueError:
        raise _invalid(name, "is not valid JSON") from None
    if not isinstance(value, kind):
        raise _invalid(name, f"is not a JSON {'array' if kind is list else 'object'}")
    return value


def _enum(params: dict[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    value = params.get(name)
    if value is not None and value not in allowed:
        raise _invalid(name)
    return value


def _token_page(items: list[Any], params: dict[str, str], size: int, name: str = "NextToken") -> tuple[list[Any], str]:
    # name: the cursor's parameter (ICE and IMM NextToken, MTS NextPageToken)
    token = params.get(name) or ""
    start = 0
    if token:
        if not token.startswith("t") or not token[1:].isdigit():
            raise _invalid(name)
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
            "Progress": 50 if running else 100, "Tags": json.loads(job.attrs.get("tags") or '{"source": "emulator"}'),
            "UserData": job.attrs.get("user_data", "")}


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
    return {"RequestId": _request_id(), "ProjectName": project, "EventId": job.attrs.get("event_id") or _event_id(),
            **imm_task(job, time.time())}


# -- MTS transcoding, snapshots and media info (issue 18, part 1) ----------------------------------
TRANSCODE, SNAPSHOT, MEDIA_INFO = JOB_KINDS["mts_transcode"], JOB_KINDS["mts_snapshot"], JOB_KINDS["mts_media_info"]
# Ids per QueryJobList / QuerySnapshotJobList / QueryMediaInfoJobList call: at most 10 (their pages;
# QueryJobListRequest.job_ids and QueryMediaInfoJobListRequest.media_info_job_ids docstrings). What the
# service answers past 10 is not documented: the emulator answers InvalidParameter.
MTS_IDS_PER_CALL = 10
MTS_MAX_OUTPUTS = 30  # SubmitJobs: "up to 30 Output objects" (SubmitJobsRequest.outputs)
LIST_JOB_DAYS = 90  # ListJob answers the jobs of the last 90 days (its page)
# The emulator keeps no transcoding templates: an id starting with this names one that does not
# exist, which SubmitJobs refuses for that output alone (JobResult Success false). The vendor's Code
# for it is not documented: this one is the emulator's own.
MISSING_TEMPLATE = "missing-"
MISSING_TEMPLATE_CODE = "InvalidParameter.TemplateNotFound"


def _location(p: dict[str, str], name: str) -> dict[str, str]:
    # {"Bucket", "Location", "Object"}, all required ("Parameter details", Input).
    value = _json_param(p, name, dict, required=True)
    if not all(isinstance(value.get(key), str) and value[key] for key in ("Bucket", "Location", "Object")):
        raise _invalid(name, "must hold Bucket, Location and Object")
    return {key: str(value[key]) for key in ("Bucket", "Location", "Object")}


def _oss(job: Job, prefix: str) -> dict[str, str]:
    return {"Bucket": job.attrs[f"{prefix}_bucket"], "Location": job.attrs[f"{prefix}_location"],
            "Object": job.attrs[f"{prefix}_object"]}


def _failure(job: Job, state: str, kind_failure: str, code: str, message: str) -> dict[str, str]:
    # Code and Message are returned when a job failed (QueryJobListResponseBody Job).
    return {"Code": code, "Message": message} if state == kind_failure else {"Code": "", "Message": ""}


def transcode_job(job: Job, now: float, listed: bool = False) -> dict[str, Any]:
    """A QueryJobList job (a ListJob item when ``listed``: without SubmitTime)."""
    state = job.state(now)
    ended = state in (TRANSCODE.success, TRANSCODE.failure, "TranscodeCancelled")
    body: dict[str, Any] = {
        "JobId": job.job_id, "State": state, "Percent": 100 if ended else (50 if state == TRANSCODE.running else 0),
        "PipelineId": job.attrs["pipeline_id"], "CreationTime": iso(job.created),
        "FinishTime": iso(min(now, job.done_at())) if ended else "",
        **_failure(job, state, TRANSCODE.failure, "InvalidParameter.ResourceContentBad",
                   "the input could not be decoded"),
        "Input": _oss(job, "input"),
        "Output": {"OutputFile": _oss(job, "output"), "TemplateId": job.attrs["template_id"],
                   "UserData": job.attrs["user_data"]},
        "MNSMessageResult": {},
    }
    if not listed:
        body["SubmitTime"] = iso(job.created)
    return body


def _ids(p: dict[str, str], name: str, required: bool = True) -> list[str] | None:
    raw = p.get(name)
    if not raw:
        if required:
            # "If you do not set the JobIds parameter, the InvalidParameter error code is returned."
            raise AliError(400, "InvalidParameter", f"The specified parameter {name} cannot be null.")
        return None
    ids = [i for i in raw.split(",") if i]
    if len(ids) > MTS_IDS_PER_CALL:
        raise _invalid(name, f"holds more than {MTS_IDS_PER_CALL} ids")
    return ids


def _by_ids(backend: Backend, kind: str, ids: list[str], render: Callable[[Job, float], dict[str, Any]],
            items: tuple[str, str], missing: str) -> dict[str, Any]:
    """A batched answer: the jobs found newest first (CreationTime descending, the pages say), and the
    ids not found; the latter is left out when every id exists (the QueryJobList page)."""
    now = time.time()
    found = [job for job in (backend.get(i, kind) for i in dict.fromkeys(ids)) if job is not None]
    found.sort(key=lambda j: -j.created)
    body: dict[str, Any] = {"RequestId": _request_id(), items[0]: {items[1]: [render(j, now) for j in found]}}
    unknown = [i for i in dict.fromkeys(ids) if backend.get(i, kind) is None]
    if unknown:
        body[missing] = {"String": unknown}
    return body


def _listed(backend: Backend, kind: str, p: dict[str, str], states: tuple[str, ...], size: int,
            oldest: float | None = None) -> tuple[list[Job], str]:
    """One page of a newest-first listing filtered by State, PipelineId and the creation window."""
    now = time.time()
    state = _enum(p, "State", states)
    start, end = _time_param(p, "StartOfJobCreatedTimeRange"), _time_param(p, "EndOfJobCreatedTimeRange")
    if start is not None and end is not None and start >= end:
        raise _invalid("StartOfJobCreatedTimeRange", "must be before EndOfJobCreatedTimeRange")
    pipeline = p.get("PipelineId")
    jobs = [j for j in backend.of_kind(kind)
            if (state in (None, "All") or j.state(now) == state)
            and (pipeline is None or j.attrs["pipeline_id"] == pipeline)
            and (start is None or j.created >= start) and (end is None or j.created < end)
            and (oldest is None or j.created >= oldest)]
    return _token_page(jobs, p, size, name="NextPageToken")


def submit_jobs(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    source = _location(p, "Input")
    bucket = _required(p, "OutputBucket")
    pipeline = _required(p, "PipelineId")
    outputs = _json_param(p, "Outputs", list, required=True)
    if not outputs or len(outputs) > MTS_MAX_OUTPUTS:
        raise _invalid("Outputs", f"must hold 1 to {MTS_MAX_OUTPUTS} outputs")
    results = []
    for output in outputs:
        if not isinstance(output, dict) or not output.get("OutputObject") or not output.get("TemplateId"):
            raise _invalid("Outputs", "must hold objects with OutputObject and TemplateId")
        template = str(output["TemplateId"])
        if template.startswith(MISSING_TEMPLATE):
            results.append({"Success": False, "Code": MISSING_TEMPLATE_CODE,
                            "Message": f"The specified template {template} does not exist.",
                            "Job": {"Output": {"TemplateId": template}}})
            continue
        job = backend.create(
            TRANSCODE.name, input_bucket=source["Bucket"], input_location=source["Location"],
            input_object=source["Object"], output_bucket=bucket,
            output_location=p.get("OutputLocation") or source["Location"], output_object=str(output["OutputObject"]),
            template_id=template, pipeline_id=pipeline, user_data=str(output.get("UserData") or ""),
        )
        results.append({"Success": True, "Code": "", "Message": "", "Job": transcode_job(job, time.time())})
    return {"RequestId": _request_id(), "JobResultList": {"JobResult": results}}


def query_job_list(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    return _by_ids(backend, TRANSCODE.name, _ids(p, "JobIds") or [], transcode_job, ("JobList", "Job"),
                   "NonExistJobIds")


def list_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    size = _int(p, "MaximumPageSize", 10, 1, 100)  # 1-100, default 10 (ListJobRequest)
    page, token = _listed(backend, TRANSCODE.name, p, ("All", *TRANSCODE.states), size,
                          oldest=time.time() - LIST_JOB_DAYS * 86400)
    now = time.time()
    return {"RequestId": _request_id(), "JobList": {"Job": [transcode_job(j, now, listed=True) for j in page]},
            "NextPageToken": token}


def cancel_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    job = backend.get(_required(p, "JobId"), TRANSCODE.name)
    if job is None:
        raise _not_found("transcoding job")
    state = job.state(time.time())
    if state != TRANSCODE.queued:
        # Only a Submitted job can be cancelled (the CancelJob page); the code for another state is
        # not documented: this one is the emulator's own.
        raise AliError(400, "InvalidParameter.JobState", f"The job {job.job_id} cannot be cancelled in state {state}.")
    backend.force(job.job_id, "TranscodeCancelled")
    return {"RequestId": _request_id(), "JobId": job.job_id}


# The SnapshotConfig keys the answer model holds as text (SubmitSnapshotJobResponseBodySnapshotJob
# SnapshotConfig); its TileOut and TimeArray objects are not played.
SNAPSHOT_TEXT_KEYS = ("Time", "Interval", "Num", "Width", "Height", "FrameType")


def snapshot_job(job: Job, now: float) -> dict[str, Any]:
    """A QuerySnapshotJobList SnapshotJob (also SubmitSnapshotJob's answer)."""
    state = job.state(now)
    config = json.loads(job.attrs["snapshot_config"] or "{}")
    shown = {key: str(config[key]) for key in SNAPSHOT_TEXT_KEYS if key in config}
    count = str(config.get("Num", 1)) if state == SNAPSHOT.success else "0"
    return {
        "Id": job.job_id, "State": state, "Count": count, "TileCount": "0", "CreationTime": iso(job.created),
        "PipelineId": job.attrs["pipeline_id"], "UserData": job.attrs["user_data"],
        **_failure(job, state, SNAPSHOT.failure, "InvalidParameter.ResourceContentBad", "no frame could be read"),
        "Input": _oss(job, "input"),
        "SnapshotConfig": {**shown, "OutputFile": _oss(job, "output")},
        "MNSMessageResult": {},
    }


def submit_snapshot_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    source = _location(p, "Input")
    config = _json_param(p, "SnapshotConfig", dict, required=True)
    target = config.get("OutputFile")
    if not isinstance(target, dict) or not all(target.get(k) for k in ("Bucket", "Location", "Object")):
        raise _invalid("SnapshotConfig", "must hold OutputFile with Bucket, Location and Object")
    if len(p.get("UserData") or "") > 1024:
        raise _invalid("UserData", "is too long")
    # With Interval or Num the job is queued; else the one snapshot is taken before the answer (the page).
    at_once = "Interval" not in config and "Num" not in config
    timing: dict[str, Any] = {"queue_s": 0.0, "run_s": 0.0} if at_once else {}
    job = backend.create(
        SNAPSHOT.name, input_bucket=source["Bucket"], input_location=source["Location"], input_object=source["Object"],
        output_bucket=target["Bucket"], output_location=target["Location"], output_object=target["Object"],
        snapshot_config=json.dumps({k: v for k, v in config.items() if k in SNAPSHOT_TEXT_KEYS}),
        pipeline_id=p.get("PipelineId") or SNAPSHOT.attributes["pipeline_id"], user_data=p.get("UserData") or "",
        **timing,
    )
    return {"RequestId": _request_id(), "SnapshotJob": snapshot_job(job, time.time())}


def query_snapshot_job_list(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    ids = _ids(p, "SnapshotJobIds", required=False)
    if ids is not None:
        return _by_ids(backend, SNAPSHOT.name, ids, snapshot_job, ("SnapshotJobList", "SnapshotJob"),
                       "NonExistSnapshotJobIds")
    size = _int(p, "MaximumPageSize", 30, 1, 300)  # [1, 300], default 30 (its page)
    page, token = _listed(backend, SNAPSHOT.name, p, SNAPSHOT.states, size)
    now = time.time()
    return {"RequestId": _request_id(), "SnapshotJobList": {"SnapshotJob": [snapshot_job(j, now) for j in page]},
            "NextPageToken": token}


def media_info_job(job: Job, now: float) -> dict[str, Any]:
    """A QueryMediaInfoJobList MediaInfoJob (also SubmitMediaInfoJob's answer)."""
    state = job.state(now)
    body: dict[str, Any] = {
        "JobId": job.job_id, "State": state, "Async": job.attrs["async"] == "true", "CreationTime": iso(job.created),
        "PipelineId": job.attrs["pipeline_id"], "UserData": job.attrs["user_data"],
        **_failure(job, state, MEDIA_INFO.failure, "InvalidParameter.ResourceContentBad", "unsupported media"),
        "Input": _oss(job, "input"), "MNSMessageResult": {},
    }
    if state == MEDIA_INFO.success:
        body["Properties"] = {
            "Width": "1920", "Height": "1080", "Duration": "62.5", "Fps": "25", "Bitrate": "4500", "FileFormat": "mp4",
            "FileSize": "35156250",
            "Streams": {"VideoStreamList": {"VideoStream": [{"Index": "0", "CodecName": "h264", "Width": "1920",
                                                             "Height": "1080", "Fps": "25"}]},
                        "AudioStreamList": {"AudioStream": [{"Index": "1", "CodecName": "aac", "Samplerate": "44100",
                                                             "Channels": "2"}]},
                        "SubtitleStreamList": {"SubtitleStream": []}},
            "Format": {"FormatName": "mov,mp4,m4a,3gp,3g2,mj2", "Duration": "62.5", "NumStreams": "2"},
        }
    return body


def submit_media_info_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    source = _location(p, "Input")
    # The SDK sends booleans as true/false, the catalog as True/False (docs/vendor-behaviour.md).
    async_ = (p.get("Async") or "false").lower()
    if async_ not in ("true", "false"):
        raise _invalid("Async")
    if len(p.get("UserData") or "") > 1024:
        raise _invalid("UserData", "is too long")
    # Without Async the analysis is done before the answer (the SubmitMediaInfoJob page).
    timing: dict[str, Any] = {} if async_ == "true" else {"queue_s": 0.0, "run_s": 0.0}
    job = backend.create(
        MEDIA_INFO.name, input_bucket=source["Bucket"], input_location=source["Location"],
        input_object=source["Object"], pipeline_id=p.get("PipelineId") or MEDIA_INFO.attributes["pipeline_id"],
        user_data=p.get("UserData") or "", **{"async": async_, **timing},
    )
    return {"RequestId": _request_id(), "MediaInfoJob": media_info_job(job, time.time())}


def query_media_info_job_list(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    return _by_ids(backend, MEDIA_INFO.name, _ids(p, "MediaInfoJobIds") or [], media_info_job,
                   ("MediaInfoJobList", "MediaInfoJob"), "NonExistMediaInfoJobIds")
# (end of MTS_MEDIA)


# -- ICE transcoding, snapshots and media conversion (issue 18, part 2) ----------------------------
# Field names, types and limits from the alibabacloud-ice20201109 6.20.2 models (the Submit*, Get*
# and List* request and answer bodies): each job is rendered as those models read it.
ICE_TRANSCODE, ICE_SNAPSHOT, ICE_CONVERT = (JOB_KINDS["ice_transcode"], JOB_KINDS["ice_snapshot"],
                                           JOB_KINDS["ice_media_convert"])
ICE_MEDIA_TYPES = ("OSS", "Media")  # every media object's Type (the request models' docstrings)
ICE_PAGE_SIZE = (20, 1, 100)  # the List*Jobs PageSize: default 20, 1-100 (their request models)
TRANSCODE_USER_DATA = 512  # SubmitTranscodeJobRequest.user_data: "up to 512 bytes"


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
    percent = 100 if _ended(job, state) else 0 if state == ICE_TRANSCODE.queued else 50
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


def ice_snapshot_job(job: Job, now: float, detail: bool = True) -> dict[str, Any]:
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
        failed = state == ICE_SNAPSHOT.failure
        item.update(TemplateConfig=job.attrs["template_config"], Code="InvalidInput.Media" if failed else "",
                    Message="the input could not be decoded" if failed else "")
    return item


def media_convert_job(job: Job, now: float, detail: bool = True) -> dict[str, Any]:
    """A GetMediaConvertJob Job; without ``detail``, a ListMediaConvertJobs item
    (MediaConvertJobWithoutDetail: no Percent, OutputDetails or OutputGroupDetails)."""
    state = job.state(now)
    config = json.loads(job.attrs["config"])
    failed, done = state == ICE_CONVERT.failure, state == ICE_CONVERT.success
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

    item["Percent"] = 100 if _ended(job, state) else 0 if state == ICE_CONVERT.queued else 50
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
                       "Status": "Running" if status == "Init" and state == ICE_CONVERT.running else status,
                       "Code": item["Code"], "Message": item["Message"], "Outputs": outputs, **_times(job, state)})
    item["OutputGroupDetails"] = groups
    return item


def _create_ice(backend: Backend, kind: str, attrs: dict[str, Any]) -> tuple[Job, str]:
    request_id = _request_id()
    return backend.create(kind, request_id=request_id, **attrs), request_id


def submit_transcode_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    inputs = _json_param(p, "InputGroup", list, required=True)
    outputs = _json_param(p, "OutputGroup", list, required=True)
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
    schedule = _json_param(p, "ScheduleConfig", dict)
    if len(p.get("UserData", "").encode()) > TRANSCODE_USER_DATA:
        raise _invalid("UserData", "is too long")
    job, request_id = _create_ice(backend, ICE_TRANSCODE.name, {
        "input_group": p["InputGroup"], "output_group": p["OutputGroup"], "name": p.get("Name", ""),
        "schedule_config": json.dumps(schedule) if schedule else "", "user_data": p.get("UserData", "")})
    return {"RequestId": request_id, "TranscodeParentJob": transcode_parent(job, time.time())}



def ice_submit_snapshot_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    _check_media(_json_param(p, "Input", dict, required=True), "Input")
    _check_media(_json_param(p, "Output", dict, required=True), "Output")
    template = _json_param(p, "TemplateConfig", dict, required=True)
    if not template.get("TemplateId"):
        raise AliError(400, "MissingParameter", "The input parameter TemplateConfig.TemplateId that is mandatory "
                       "is not supplied.")
    schedule = _json_param(p, "ScheduleConfig", dict)
    job, request_id = _create_ice(backend, ICE_SNAPSHOT.name, {
        "input": p["Input"], "output": p["Output"], "template_config": p["TemplateConfig"], "name": p.get("Name", ""),
        "schedule_config": json.dumps(schedule) if schedule else "", "user_data": p.get("UserData", "")})
    return {"RequestId": request_id, "JobId": job.job_id}



def submit_media_convert_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    config = _json_param(p, "Config", dict, required=True)
    if not config.get("Inputs") or not isinstance(config["Inputs"], list):
        raise _invalid("Config", "names no input")
    for entry in config["Inputs"]:
        _check_media(entry.get("InputFile") if isinstance(entry, dict) else None, "Config")
    job, request_id = _create_ice(backend, ICE_CONVERT.name, {
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


get_transcode_job = _ice_get(ICE_TRANSCODE.name, "ParentJobId", "TranscodeParentJob", transcode_parent,
                             "transcoding job")
get_snapshot_job = _ice_get(ICE_SNAPSHOT.name, "JobId", "SnapshotJob", ice_snapshot_job, "snapshot job")
get_media_convert_job = _ice_get(ICE_CONVERT.name, "JobId", "Job", media_convert_job, "media convert job")


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
    return _ice_list(backend, p, ICE_TRANSCODE.name, "ParentJobId", ("Init", "Success", "Fail"),
                     lambda job, now: transcode_parent(job, now, sub_jobs=False))


def list_snapshot_jobs(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    return _ice_list(backend, p, ICE_SNAPSHOT.name, "JobId", ("Init", "Success", "Fail"),
                     lambda job, now: ice_snapshot_job(job, now, detail=False))


def list_media_convert_jobs(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    return _ice_list(backend, p, ICE_CONVERT.name, "JobId", ("Inited", "Running", "Complete", "Error"),
                     lambda job, now: media_convert_job(job, now, detail=False))
# (end of ICE_MEDIA)


# -- ICE timeline editing and IProduction (issue 18, part 2) ---------------------------------------
PRODUCING, ICE_IPRODUCTION = JOB_KINDS["ice_producing"], JOB_KINDS["ice_iproduction"]
# ListMediaProducingJobs' Status filter values (ListMediaProducingJobsRequest.status docstring).
PRODUCING_LIST_STATES = ("Init", "Failed", "Success", "Processing")
PRODUCING_WINDOW_DAYS = 30  # ListMediaProducingJobsRequest.end_time docstring
PRODUCING_USER_DATA_BYTES = 512  # SubmitMediaProducingJobRequest.user_data docstring
# ICE_MEDIA_TYPES, above: SubmitIProductionJobRequestInput/Output.type docstrings say the same.


def submit_media_producing_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    # The SubmitMediaProducingJobRequest docstrings' rules. The codes the service answers when one
    # is broken are not documented: the emulator answers InvalidParameter / MissingParameter.
    sources = [name for name in ("ProjectId", "Timeline", "TemplateId") if p.get(name)]
    if len(sources) != 1:
        raise _invalid("ProjectId/Timeline/TemplateId", "must name exactly one source")
    if p.get("TemplateId") and not p.get("ClipsParam"):
        raise AliError(400, "MissingParameter", "The input parameter ClipsParam that is mandatory is not supplied.")
    config = _json_param(p, "OutputMediaConfig")
    if config is None:
        raise AliError(400, "MissingParameter",
                       "The input parameter OutputMediaConfig that is mandatory is not supplied.")
    target = _enum(p, "OutputMediaTarget", ("oss-object", "vod-media", "S3"))
    if target == "oss-object" and not config.get("MediaURL"):
        raise _invalid("OutputMediaConfig", "needs MediaURL for oss-object")
    _enum(p, "Source", ("OpenAPI", "AliyunConsole", "WebSDK"))
    for name in ("Timeline", "ClipsParam", "EditingProduceConfig", "MediaMetadata", "ProjectMetadata"):
        _json_param(p, name)
    if len(p.get("UserData", "").encode("utf-8")) > PRODUCING_USER_DATA_BYTES:
        raise _invalid("UserData", "is too long")
    _json_param(p, "UserData")
    if len(p.get("ClientToken", "")) > 64:
        raise _invalid("ClientToken", "is too long")
    attrs: dict[str, Any] = {"timeline": p.get("Timeline", ""), "template_id": p.get("TemplateId", ""),
                             "clips_param": p.get("ClipsParam", ""), "output_media_config": p["OutputMediaConfig"],
                             "output_media_target": target or "", "user_data": p.get("UserData", ""),
                             # The answer names the editing project: the one given, else one made for the job.
                             "project_id": p.get("ProjectId") or backend.new_id("project")}
    job = backend.create(PRODUCING.name, **attrs)
    return {"RequestId": _request_id(), "JobId": job.job_id, "ProjectId": attrs["project_id"],
            "MediaId": _media_id(job), "VodMediaId": ""}


def _stored_object(text: str) -> dict[str, Any]:
    # A job's JSON attribute as submitted (checked then), or as the admin API set it (any text).
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _media_id(job: Job) -> str:
    # The produced media asset's id, stable for a job (SubmitMediaProducingJobResponseBody.media_id).
    return hashlib.md5(job.job_id.encode(), usedforsecurity=False).hexdigest()


def producing_item(job: Job, now: float) -> dict[str, Any]:
    """A ListMediaProducingJobs item (ListMediaProducingJobsResponseBodyMediaProducingJobList)."""
    state = job.state(now)
    failed, ended = state == PRODUCING.failure, state in (PRODUCING.success, PRODUCING.failure)
    media_url = _stored_object(job.attrs["output_media_config"]).get("MediaURL", "")
    item: dict[str, Any] = {
        "JobId": job.job_id, "ProjectId": job.attrs["project_id"], "TemplateId": job.attrs["template_id"],
        "ClipsParam": job.attrs["clips_param"], "Status": state, "CreateTime": iso(job.created),
        "ModifiedTime": iso(min(now, job.done_at())), "MediaURL": media_url, "MediaId": _media_id(job),
        "UserData": job.attrs["user_data"],
    }
    if ended:
        item["CompleteTime"] = iso(job.done_at())
    if state == PRODUCING.success:
        item["Duration"] = 10.0
    if failed:
        # The codes a failed job carries are not documented; this one is the emulator's.
        item["Code"], item["Message"] = "InvalidMaterial", "a material of the timeline could not be read"
    return item


def get_media_producing_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    job = backend.get(_required(p, "JobId"), PRODUCING.name)
    if job is None:
        raise _not_found("media producing job")
    now = time.time()
    state = job.state(now)
    detail = {**producing_item(job, now), "Timeline": job.attrs["timeline"], "VodMediaId": "", "SubJobMaterials": "",
              "Progress": {PRODUCING.success: 100, PRODUCING.running: 50}.get(state, 0)}
    return {"RequestId": _request_id(), "MediaProducingJob": detail}


def list_media_producing_jobs(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    now = time.time()
    start, end = _time_param(p, "StartTime"), _time_param(p, "EndTime")
    if start is not None and end is not None and not window_ok(start, end, PRODUCING_WINDOW_DAYS):
        # The code for a window over 30 days is not documented: InvalidParameter here.
        raise _invalid("EndTime", "must be after StartTime and at most 30 days after it")
    status = _enum(p, "Status", PRODUCING_LIST_STATES)
    # Validated, not filtered: the emulator's jobs are all plain timeline jobs, of no master job.
    _enum(p, "JobType", ("LiveEditingJob", "EditingJob", "VETemplateJob"))
    order = _enum(p, "SortBy", ("CreationTime:Asc", "CreationTime:Desc")) or "CreationTime:Desc"
    size = _int(p, "MaxResults", 10, 1, 100)
    keyword, project, master = p.get("Keyword") or "", p.get("ProjectId") or "", p.get("MasterJobId") or ""
    jobs = [j for j in backend.of_kind(PRODUCING.name)
            if (status is None or j.state(now) == status) and (start is None or j.created >= start)
            and (end is None or j.created <= end) and (not keyword or keyword in j.job_id)
            and (not project or j.attrs["project_id"] == project) and not master]
    if order.endswith("Asc"):
        jobs.reverse()
    page, token = _token_page(jobs, p, size)
    return {"RequestId": _request_id(), "MediaProducingJobList": [producing_item(j, now) for j in page],
            "NextToken": token, "MaxResults": size}


def _ice_media(p: dict[str, str], name: str, keys: tuple[str, ...], required: tuple[str, ...]) -> dict[str, Any]:
    value: dict[str, Any] | None = _json_param(p, name)
    if value is None:
        raise AliError(400, "MissingParameter", f"The input parameter {name} that is mandatory is not supplied.")
    if set(value) - set(keys) or any(not value.get(key) for key in required) or value["Type"] not in ICE_MEDIA_TYPES:
        raise _invalid(name)
    return value


def submit_ice_iproduction_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    # SubmitIProductionJobRequest's docstrings: FunctionName, Input and Output are required.
    if _required(p, "FunctionName") not in ICE_IPRODUCTION.choices["function_name"]:
        raise _invalid("FunctionName")
    _ice_media(p, "Input", ("Type", "Media"), ("Type", "Media"))
    _ice_media(p, "Output", ("Type", "Media", "OutputUrl", "Biz"), ("Type", "Media"))
    _json_param(p, "JobParams")
    schedule = _json_param(p, "ScheduleConfig") or {}
    priority = schedule.get("Priority", 1)
    if not isinstance(priority, int) or isinstance(priority, bool) or not 1 <= priority <= 10:
        raise _invalid("ScheduleConfig", "has a Priority out of range")  # 1-10 (its docstring)
    if len(p.get("Name", "")) > 100 or len(p.get("UserData", "")) > 256:  # their docstrings
        raise _invalid("Name" if len(p.get("Name", "")) > 100 else "UserData", "is too long")
    fields = {"FunctionName": "function_name", "Input": "input", "Output": "output", "JobParams": "job_params",
              "ModelId": "model_id", "Name": "name", "ScheduleConfig": "schedule_config",
              "TemplateId": "template_id", "UserData": "user_data"}
    attrs: dict[str, Any] = {attribute: p[field] for field, attribute in fields.items() if field in p}
    job = backend.create(ICE_IPRODUCTION.name, **attrs)
    return {"RequestId": _request_id(), "JobId": job.job_id}


def ice_iproduction_job(job: Job, now: float) -> dict[str, Any]:
    """A QueryIProductionJob answer of ICE (QueryIProductionJobResponseBody): Input, Output and
    ScheduleConfig as objects, the rest as strings and lists."""
    state = job.state(now)
    output = _stored_object(job.attrs["output"])
    media = output.get("OutputUrl") if output.get("Type") == "Media" else output.get("Media")
    ended, succeeded = state in (ICE_IPRODUCTION.success, ICE_IPRODUCTION.failure), state == ICE_IPRODUCTION.success
    # Result is the function's output as JSON text; its shape on a failure, or after a cancel, is not
    # documented for ICE. The emulator answers MTS's (seed 002): Code, Message, Data.
    if job.attrs["cancelled"]:
        result = {"Code": "JobCancelled", "Message": "the job was cancelled", "Data": ""}
    elif state == ICE_IPRODUCTION.failure:
        result = {"Code": "InvalidInput.Media", "Message": "the input could not be decoded", "Data": ""}
    else:
        result = {"Code": "Success", "Message": "", "Data": "{}"} if succeeded else {}
    schedule = _stored_object(job.attrs["schedule_config"])
    return {
        "RequestId": _request_id(), "JobId": job.job_id, "Name": job.attrs["name"],
        "FunctionName": job.attrs["function_name"], "Input": _stored_object(job.attrs["input"]),
        "Output": output, "Status": state, "JobParams": job.attrs["job_params"], "TemplateId": job.attrs["template_id"],
        "UserData": job.attrs["user_data"], "Result": json.dumps(result) if result else "",
        "CreateTime": iso(job.created), "FinishTime": iso(job.done_at()) if ended else "",
        "ScheduleConfig": {"PipelineId": schedule.get("PipelineId", ""), "Priority": schedule.get("Priority", 6)},
        "OutputFiles": [media] if succeeded and media else [], "OutputUrls": [media] if succeeded and media else [],
        "OutputMediaIds": [],
    }


def query_ice_iproduction_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    job = backend.get(_required(p, "JobId"), ICE_IPRODUCTION.name)
    if job is None:
        raise _not_found("IProduction job")
    return ice_iproduction_job(job, time.time())


def cancel_ice_iproduction_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    # The CancelIProductionJob page documents neither the states a cancel applies in nor what the
    # job then reports. The emulator cancels a job that has not ended, which then reports Fail (the
    # one documented ending that is no success), and refuses an ended one with InvalidParameter.
    with backend.lock:
        job = backend.get(_required(p, "JobId"), ICE_IPRODUCTION.name)
        if job is None:
            raise _not_found("IProduction job")
        state = job.state(time.time())
        if state not in (ICE_IPRODUCTION.queued, ICE_IPRODUCTION.running):
            raise AliError(400, "InvalidParameter", f"The job cannot be cancelled in state {state}.")
        job.attrs["cancelled"] = "true"
        backend.force(job.job_id, ICE_IPRODUCTION.failure)
    return {"RequestId": _request_id(), "Message": "Success"}
# (end of ICE_EDITING)


# -- IMM Create*Task (issue 18, part 3) ------------------------------------------------------------
# Each Create*Task creates a task of the "imm" kind with its action's TaskType (the IMM "Task types"
# page, help.aliyun.com/document_detail/2743993: CreateFigureClusteringTask makes FaceClustering)
# and answers {RequestId, TaskId, EventId} (the SDK's Create*TaskResponseBody); GetTask and
# ListTasks then show it. What each refuses: its required parameters (the SDK request models'
# "This parameter is required"), the pairs its docstrings say to give exactly one of, and JSON
# parameters that do not parse (the SDK sends them as JSON text: its *ShrinkRequest models).
IMM_CREATE_ACTIONS: dict[str, tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]] = {
    "CreateMediaConvertTask": ("MediaConvert", ("ProjectName", "Sources"), ()),
    "CreateVideoLabelClassificationTask": ("VideoLabelClassification", ("ProjectName", "SourceURI"), ()),
    "CreateFigureClusteringTask": ("FaceClustering", ("ProjectName", "DatasetName"), ()),
    "CreateOfficeConversionTask": ("OfficeConversion", ("ProjectName", "TargetType"),
                                   (("TargetURI", "TargetURIPrefix"), ("SourceURI", "Sources"))),
    "CreateFileCompressionTask": ("FileCompression", ("ProjectName", "TargetURI"),
                                  (("Sources", "SourceManifestURI"),)),
}
IMM_JSON_PARAMS = ("CredentialConfig", "Notification", "Tags", "Sources", "Targets", "TargetGroups", "TrimPolicy")


def _event_id() -> str:
    # The format of a real EventId is not documented (the SDK models say "the event ID"): ours.
    return f"{uuid.uuid4().hex[:3].upper()}-{uuid.uuid4().hex[:26]}"


def create_imm_task(action: str) -> Callable[[Backend, dict[str, str]], dict[str, Any]]:
    """The handler of one Create*Task action (see :data:`IMM_CREATE_ACTIONS`)."""
    task_type, required, pairs = IMM_CREATE_ACTIONS[action]

    def handler(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
        for name in required:
            _required(p, name)
        for first, second in pairs:
            if bool(p.get(first)) == bool(p.get(second)):
                raise _invalid(f"{first}/{second}", "must be given one of them, not both")
        for name in IMM_JSON_PARAMS:
            if p.get(name):
                try:
                    json.loads(p[name])
                except ValueError:
                    raise _invalid(name, "is not valid JSON") from None
        tags = json.loads(p.get("Tags") or "{}")
        if not isinstance(tags, dict):
            raise _invalid("Tags", "is not a JSON object")
        event_id = _event_id()
        job = backend.create(IMM.name, project_name=p["ProjectName"], task_type=task_type,
                             user_data=p.get("UserData", ""), tags=json.dumps(tags) if tags else "",
                             event_id=event_id)
        return {"RequestId": _request_id(), "TaskId": job.job_id, "EventId": event_id}

    return handler
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
    # Every one an RPC POST (alibabacloud-mts20140618 client.py).
    ("mts", "SubmitJobs"): (submit_jobs, "POST"),
    ("mts", "QueryJobList"): (query_job_list, "POST"),
    ("mts", "ListJob"): (list_job, "POST"),
    ("mts", "CancelJob"): (cancel_job, "POST"),
    ("mts", "SubmitSnapshotJob"): (submit_snapshot_job, "POST"),
    ("mts", "QuerySnapshotJobList"): (query_snapshot_job_list, "POST"),
    ("mts", "SubmitMediaInfoJob"): (submit_media_info_job, "POST"),
    ("mts", "QueryMediaInfoJobList"): (query_media_info_job_list, "POST"),
    # (end of MTS_MEDIA)

    # -- ICE transcoding, snapshots and media conversion (issue 18, part 2) ------------------------
    # Every one an RPC POST (the SDK client's *_with_options).
    ("ice", "SubmitTranscodeJob"): (submit_transcode_job, "POST"),
    ("ice", "GetTranscodeJob"): (get_transcode_job, "POST"),
    ("ice", "ListTranscodeJobs"): (list_transcode_jobs, "POST"),
    ("ice", "SubmitSnapshotJob"): (ice_submit_snapshot_job, "POST"),
    ("ice", "GetSnapshotJob"): (get_snapshot_job, "POST"),
    ("ice", "ListSnapshotJobs"): (list_snapshot_jobs, "POST"),
    ("ice", "SubmitMediaConvertJob"): (submit_media_convert_job, "POST"),
    ("ice", "GetMediaConvertJob"): (get_media_convert_job, "POST"),
    ("ice", "ListMediaConvertJobs"): (list_media_convert_jobs, "POST"),
    # (end of ICE_MEDIA)

    # -- ICE timeline editing and IProduction (issue 18, part 2) -----------------------------------
    ("ice", "SubmitMediaProducingJob"): (submit_media_producing_job, "POST"),
    ("ice", "GetMediaProducingJob"): (get_media_producing_job, "POST"),
    ("ice", "ListMediaProducingJobs"): (list_media_producing_jobs, "POST"),
    ("ice", "SubmitIProductionJob"): (submit_ice_iproduction_job, "POST"),
    ("ice", "QueryIProductionJob"): (query_ice_iproduction_job, "POST"),
    ("ice", "CancelIProductionJob"): (cancel_ice_iproduction_job, "POST"),
    # (end of ICE_EDITING)

    # -- IMM Create*Task (issue 18, part 3) --------------------------------------------------------
    **{("imm", action): (create_imm_task(action), "POST") for action in IMM_CREATE_ACTIONS},
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
