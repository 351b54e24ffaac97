"""Alibaba Cloud RPC wire format for the emulator: verify V3 / V1 signatures exactly as the
service does, answer ICE, MTS and IMM actions in JSON, errors as ``{RequestId, HostId, Code,
Message, Recommend}``."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from airflow_provider_mediajobs.emulator.backend import Backend, Job, iso, window_ok
from airflow_provider_mediajobs.signing import acs3_signature, parse_acs3_authorization, v1_signature

VERSIONS = {"2020-11-09": "ice", "2014-06-18": "mts", "2020-09-30": "imm"}
V1_COMMON = {"Action", "Version", "Format", "AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce",
             "Timestamp", "SecurityToken", "Signature"}


class AliError(Exception):
    """An error answer: HTTP status, Code, Message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


def error_response(err: AliError) -> web.Response:
    """The vendor's JSON error body."""
    body = {"RequestId": str(uuid.uuid4()).upper(), "HostId": "emulator", "Code": err.code,
            "Message": err.message, "Recommend": "https://api.aliyun.com/troubleshoot"}
    return web.json_response(body, status=err.status, headers={"x-acs-request-id": body["RequestId"]})


def _parse_time(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


def _check_time(backend: Backend, stamp: str | None) -> None:
    if not stamp:
        raise AliError(400, "MissingParameter", "The input parameter Timestamp/x-acs-date is mandatory.")
    try:
        when = _parse_time(stamp)
    except ValueError:
        raise AliError(400, "InvalidTimeStamp.Format", "Specified time stamp is not well formatted.") from None
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


async def authenticate(request: web.Request, backend: Backend) -> tuple[str, dict[str, str], str]:
    """Verify the signature; return (action, business params, key id)."""
    query = dict(request.query)
    body = await request.read()
    if "Signature" in query:  # V1: everything in the query string
        for name in ("AccessKeyId", "SignatureNonce", "Action", "Version"):
            if not query.get(name):
                raise AliError(400, "MissingParameter", f"The input parameter {name} is mandatory.")
        _check_time(backend, query.get("Timestamp"))
        key_id = query["AccessKeyId"]
        secret = _check_key(backend, key_id, query.get("SecurityToken"))
        expected = v1_signature(request.method, {k: v for k, v in query.items() if k != "Signature"}, secret)
        if not hmac.compare_digest(expected, query["Signature"]):
            raise AliError(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
        if not backend.use_nonce(query["SignatureNonce"]):
            raise AliError(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        return query["Action"], {k: v for k, v in query.items() if k not in V1_COMMON}, key_id
    auth = request.headers.get("Authorization")
    if not auth:
        raise AliError(400, "MissingParameter", "The input parameter Authorization is mandatory.")
    try:
        fields = parse_acs3_authorization(auth)
    except ValueError:
        raise AliError(400, "IncompleteSignature", "The request signature does not conform to standards.") from None
    names = fields["SignedHeaders"].split(";")
    if not {"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce",
            "x-acs-content-sha256"} <= set(names):
        raise AliError(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
    signed = {name: request.headers.get(name, "") for name in names}
    _check_time(backend, signed["x-acs-date"])
    key_id = fields["Credential"]
    secret = _check_key(backend, key_id, request.headers.get("x-acs-security-token"))
    if hashlib.sha256(body).hexdigest() != signed["x-acs-content-sha256"]:
        raise AliError(400, "SignatureDoesNotMatch", "The payload hash does not match x-acs-content-sha256.")
    expected, _ = acs3_signature(request.method, query, signed, signed["x-acs-content-sha256"], secret)
    if not hmac.compare_digest(expected, fields["Signature"]):
        raise AliError(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
    if not backend.use_nonce(signed["x-acs-signature-nonce"]):
        raise AliError(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
    version = signed["x-acs-version"]
    if version not in VERSIONS:
        raise AliError(400, "InvalidVersion", f"Specified parameter Version {version} is not valid.")
    return signed["x-acs-action"], query, key_id


def operation_of(request: web.Request) -> str:
    """The action named by a request (for counters and faults), before verification."""
    return request.query.get("Action") or request.headers.get("x-acs-action") or "unknown"


# -- helpers ---------------------------------------------------------------------------------------
def _int(params: dict[str, str], name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise AliError(400, "InvalidParameter", f"Specified parameter {name} is not valid.") from None
    if value < low or (high is not None and value > high):
        raise AliError(400, "InvalidParameter", f"Specified parameter {name} is out of range.")
    return value


def _required(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise AliError(400, "MissingParameter", f"The input parameter {name} that is mandatory is not supplied.")
    return value


def _enum(params: dict[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    value = params.get(name)
    if value is not None and value not in allowed:
        raise AliError(400, "InvalidParameter", f"Specified parameter {name} is not valid.")
    return value


def _token_page(items: list[Any], params: dict[str, str], size: int) -> tuple[list[Any], str]:
    token = params.get("NextToken") or ""
    start = 0
    if token:
        if not token.startswith("t") or not token[1:].isdigit():
            raise AliError(400, "InvalidParameter", "Specified parameter NextToken is not valid.")
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
        "JobId": job.job_id, "Title": job.attrs.get("title", ""), "Description": "", "UserId": 1234567890,
        "JobType": job.attrs.get("job_type", "ASR"), "EditingConfig": "", "UserData": job.attrs.get("user_data", ""),
        "JobState": job.state(now), "CreateTime": iso(job.created), "ModifiedTime": iso(min(now, job.done_at())),
        "InputConfig": {"InputFile": f"oss://seed-in/{job.job_id}.mp4", "Keyword": ""},
        "OutputConfig": {"Bucket": job.attrs.get("output_bucket", "out"), "Object": job.attrs.get("output_object", "")},
    }


def mts_job(job: Job, now: float) -> dict[str, str]:
    """A QueryIProductionJob answer body (strings, as the service sends)."""
    state = job.state(now)
    failed = state == "Fail"
    result = {"Code": "InvalidInput.Media" if failed else ("Success" if state == "Success" else ""),
              "Message": "the input could not be decoded" if failed else "", "Data": ""}
    return {"RequestId": _request_id(), "JobId": job.job_id, "FunctionName": job.attrs.get("function_name", ""),
            "Input": job.attrs.get("input", ""), "Output": job.attrs.get("output", ""),
            "JobParams": job.attrs.get("job_params", ""), "PipelineId": job.attrs.get("pipeline_id", ""),
            "UserData": job.attrs.get("user_data", ""), "State": state, "Result": json.dumps(result)}


def imm_task(job: Job, now: float) -> dict[str, Any]:
    """A ListTasks item / GetTask body."""
    state = job.state(now)
    return {"TaskId": job.job_id, "TaskType": job.attrs.get("task_type", ""), "Status": state,
            "Code": "InvalidFile" if state == "Failed" else "",
            "Message": "unsupported format" if state == "Failed" else "",
            "StartTime": iso(job.created), "EndTime": iso(job.done_at()) if state != "Running" else "",
            "Progress": 100 if state != "Running" else 50, "Tags": {"source": "emulator"}, "UserData": "",
            "ProjectName": job.attrs.get("project_name", "")}


# -- actions -----------------------------------------------------------------------------------------
def list_smart_jobs(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    now = time.time()
    state = _enum(p, "JobState", ("Created", "Executing", "Finished", "Failed"))
    jtype = _enum(p, "JobType", ("ASR", "DynamicChart", "VideoTranslation", "TextToSpeech"))
    order = _enum(p, "SortBy", ("CreationTime:Asc", "CreationTime:Desc")) or "CreationTime:Desc"
    size = _int(p, "MaxResults", 10, 1, 100)
    jobs = [j for j in backend.of_kind("ice_smart")
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
    job = backend.get(_required(p, "JobId"), "ice_smart")
    if job is None:
        raise _not_found("smart job")
    now = time.time()
    item = smart_job(job, now)
    body: dict[str, Any] = {
        "RequestId": _request_id(), "JobId": job.job_id, "State": item["JobState"], "UserData": item["UserData"],
        "Output": "", "JobResult": {"AiResult": "", "MediaId": "", "MediaUrl": "", "Usage": ""},
        "SmartJobInfo": {"Title": item["Title"], "Description": "", "UserId": "1234567890", "JobType": item["JobType"],
                         "CreateTime": item["CreateTime"], "ModifiedTime": item["ModifiedTime"],
                         "InputConfig": {"InputFile": item["InputConfig"]["InputFile"]},
                         "OutputConfig": item["OutputConfig"]},
    }
    if item["JobState"] == "Failed":
        body["ErrorCode"], body["ErrorMessage"] = "InvalidMedia", "the media could not be processed"
    return body


def list_live_snapshot_jobs(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    now = time.time()
    try:
        start = _parse_time(p["StartTime"]) if p.get("StartTime") else None
    except ValueError:
        raise AliError(400, "MalformedStartTime", "Specified parameter StartTime is not valid.") from None
    try:
        end = _parse_time(p["EndTime"]) if p.get("EndTime") else None
    except ValueError:
        raise AliError(400, "MalformedEndTime", "Specified parameter EndTime is not valid.") from None
    if start is None and end is None:
        start, end = now - 7 * 86400, now
    elif end is None:
        end = start + 7 * 86400  # type: ignore[operator]
    elif start is None:
        start = end - 7 * 86400
    assert start is not None
    assert end is not None
    if not window_ok(start, end, 30):
        raise AliError(400, "EndTimeMismatch", "Specified end time does not math the specified start time.")
    status = _enum(p, "Status", ("init", "paused", "started"))
    order = _enum(p, "SortBy", ("asc", "desc")) or "desc"
    keyword = p.get("SearchKeyWord") or ""
    if len(keyword) > 128:
        raise AliError(400, "InvalidParameter", "Specified parameter SearchKeyWord is too long.")
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
    job = backend.get(_required(p, "JobId"), "mts")
    if job is None:
        raise _not_found("IProduction job")
    return mts_job(job, time.time())


def submit_iproduction_job(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    function = _required(p, "FunctionName")
    for name in ("JobParams", "ScheduleParams"):
        if p.get(name):
            try:
                json.loads(p[name])
            except ValueError:
                raise AliError(400, "InvalidParameter", f"Specified parameter {name} is not valid JSON.") from None
    job = backend.create("mts", function_name=function, input=p.get("Input", ""), output=p.get("Output", ""),
                         job_params=p.get("JobParams", ""), pipeline_id=p.get("PipelineId", ""),
                         user_data=p.get("UserData", ""))
    return {"RequestId": _request_id(), "JobId": job.job_id, "Result": ""}


def _range(p: dict[str, str], name: str) -> tuple[float, float] | None:
    if not p.get(name):
        return None
    try:
        value = json.loads(p[name])
        start = _parse_time(value["Start"]) if value.get("Start") else 0.0
        end = _parse_time(value["End"]) if value.get("End") else float("inf")
    except (ValueError, TypeError, AttributeError, KeyError):
        raise AliError(400, "InvalidParameter", f"Specified parameter {name} is not valid.") from None
    return start, end


def list_tasks(backend: Backend, p: dict[str, str]) -> dict[str, Any]:
    now = time.time()
    project = _required(p, "ProjectName")
    types = None
    if p.get("TaskTypes"):
        try:
            types = set(json.loads(p["TaskTypes"]))
        except (ValueError, TypeError):
            raise AliError(400, "InvalidParameter", "Specified parameter TaskTypes is not valid.") from None
    status = _enum(p, "Status", ("Running", "Succeeded", "Failed"))
    started = _range(p, "StartTimeRange")
    size = _int(p, "MaxResults", 100, 1, 100)
    order = (_enum(p, "Order", ("asc", "desc", "ASC", "DESC")) or "desc").lower()
    tasks = [j for j in backend.of_kind("imm") if j.attrs.get("project_name") == project
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
    job = backend.get(task_id, "imm")
    if job is None or job.attrs.get("project_name") != project:
        raise _not_found("task")
    return {"RequestId": _request_id(), "EventId": str(uuid.uuid4()), **imm_task(job, time.time())}


ACTIONS = {
    ("ice", "ListSmartJobs"): (list_smart_jobs, "GET"),
    ("ice", "GetSmartHandleJob"): (get_smart_handle_job, "POST"),
    ("ice", "ListLiveSnapshotJobs"): (list_live_snapshot_jobs, "GET"),
    ("mts", "QueryIProductionJob"): (query_iproduction_job, "POST"),
    ("mts", "SubmitIProductionJob"): (submit_iproduction_job, "POST"),
    ("imm", "ListTasks"): (list_tasks, "POST"),
    ("imm", "GetTask"): (get_task, "POST"),
}


async def handle(request: web.Request, backend: Backend) -> web.Response:
    """Answer one Alibaba RPC request."""
    try:
        action, params, key_id = await authenticate(request, backend)
        version = request.query.get("Version") or request.headers.get("x-acs-version") or ""
        product = VERSIONS.get(version)
        if product is None:
            raise AliError(400, "InvalidVersion", f"Specified parameter Version {version} is not valid.")
        entry = ACTIONS.get((product, action))
        if entry is None:
            raise AliError(404, "InvalidAction.NotFound", f"Specified api {action} is not found.")
        if not backend.admit(key_id):
            raise AliError(400, "Throttling.User", "Request was denied due to user flow control.")
        handler, _method = entry
        return web.json_response(handler(backend, params))
    except AliError as err:
        return error_response(err)
