"""Tencent Cloud CI wire format for the emulator: buckets by Host header, q-sign verification,
XML answers, ``<Error>`` bodies with ``x-ci-request-id``."""

from __future__ import annotations

import hmac
import time
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from airflow_provider_mediajobs.emulator.backend import TENCENT_TAGS, Backend, Job
from airflow_provider_mediajobs.signing import parse_q_authorization, q_signature

STATES = ("Submitted", "Running", "Success", "Failed", "Pause", "Cancel")
# GET /jobs/{ids}: at most 10 ids (DescribeMediaJob page). The vendor documents the cap, not the
# answer past it: this emulator answers 400 InvalidArgument, the code CI uses for a bad parameter.
MAX_IDS_PER_CALL = 10


class CIError(Exception):
    """An error answer: HTTP status, Code, Message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


def _xml(root: ET.Element, status: int = 200, request_id: str | None = None) -> web.Response:
    rid = request_id or uuid.uuid4().hex
    body = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return web.Response(body=body, status=status, content_type="application/xml",
                        headers={"x-ci-request-id": rid, "Server": "tencent-ci"})


def _add(parent: ET.Element, tag: str, text: Any = None) -> ET.Element:
    node = ET.SubElement(parent, tag)
    if text is not None:
        node.text = str(text)
    return node


def error_response(err: CIError, resource: str = "") -> web.Response:
    """The vendor's ``<Error>`` body."""
    root = ET.Element("Error")
    rid = uuid.uuid4().hex
    for tag, text in (("Code", err.code), ("Message", err.message), ("Resource", resource), ("RequestId", rid),
                      ("TraceId", uuid.uuid4().hex)):
        _add(root, tag, text)
    return _xml(root, err.status, rid)


def _ci_time(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def bucket_of(request: web.Request, backend: Backend) -> str:
    """The bucket named by the Host header (``{bucket}.ci.{region}.myqcloud.com``)."""
    host = (request.headers.get("Host") or "").split(":")[0]
    bucket, sep, rest = host.partition(".ci.")
    region = rest.removesuffix(".myqcloud.com") if sep else ""
    if not sep or backend.buckets.get(bucket) != region:
        raise CIError(404, "NoSuchBucket", "The specified bucket does not exist.")
    return bucket


def authenticate(request: web.Request, backend: Backend) -> str:
    """Verify the q-sign signature exactly as the service does; return the SecretId."""
    auth = request.headers.get("Authorization")
    if not auth:
        raise CIError(403, "AccessDenied", "Access Denied: the request is not signed.")
    try:
        fields = parse_q_authorization(auth)
    except ValueError:
        raise CIError(403, "AccessDenied", "Access Denied: the Authorization header is malformed.") from None
    secret = backend.tencent_keys.get(fields["q-ak"])
    if secret is None:
        raise CIError(403, "InvalidAccessKeyId", "The access key Id format you provided is invalid.")
    try:
        start, end = (int(x) for x in fields["q-sign-time"].split(";"))
    except ValueError:
        raise CIError(403, "AccessDenied", "Access Denied: q-sign-time is malformed.") from None
    now = backend.request_clock()
    # Clients sign from now-60 (the official SDK does too): that start betrays their clock.
    if abs((start + 60) - now) > backend.clock_skew_limit and not start <= now <= end:
        raise CIError(403, "RequestTimeTooSkewed",
                      "The difference between the request time and the server's time is too large.")
    if not start <= now <= end:
        raise CIError(403, "AccessDenied", "Request has expired")
    names = [n for n in fields["q-header-list"].split(";") if n]
    headers = {name: request.headers.get(name, "") for name in names}
    params = [(k, v) for k, v in request.query.items()]
    expected, _, _ = q_signature(request.method, request.path, params, headers, secret, fields["q-sign-time"])
    if not hmac.compare_digest(expected, fields["q-signature"]):
        raise CIError(403, "SignatureDoesNotMatch",
                      "The request signature we calculated does not match the signature you provided.")
    token = request.headers.get("x-ci-security-token") or request.headers.get("x-cos-security-token")
    if token and "x-ci-security-token" not in names and "x-cos-security-token" not in names:
        raise CIError(403, "AccessDenied", "The security token header must be signed.")
    problem = backend.check_token(token, fields["q-ak"])
    if problem == "expired":
        raise CIError(400, "ExpiredToken", "The provided token has expired.")
    if problem == "invalid":
        raise CIError(403, "InvalidAccessKeyId", "The security token is not valid.")
    return fields["q-ak"]


def operation_of(request: web.Request) -> str:
    """The operation a request is (for counters and faults)."""
    path = request.path.rstrip("/")
    if request.method == "POST":
        return "SubmitJob"
    if request.method == "PUT":
        return "CancelJob"
    return "ListJobs" if path == "/jobs" else "GetJobs"


def job_detail(parent: ET.Element, job: Job, now: float, region: str) -> None:
    """One ``<JobsDetail>``."""
    state = job.state(now)
    detail = _add(parent, "JobsDetail")
    failed = state == "Failed"
    _add(detail, "Code", "InvalidFile" if failed else "Success")
    _add(detail, "Message", "the input could not be read" if failed else "")
    _add(detail, "JobId", job.job_id)
    _add(detail, "Tag", job.attrs.get("tag", "Translation"))
    _add(detail, "State", state)
    _add(detail, "Progress", 100 if state in ("Success", "Failed") else 0)
    _add(detail, "CreationTime", _ci_time(job.created))
    _add(detail, "StartTime", _ci_time(job.created + job.queue_s) if state != "Submitted" else "-")
    _add(detail, "EndTime", _ci_time(job.done_at()) if state in ("Success", "Failed") else "-")
    _add(detail, "QueueId", job.attrs.get("queue_id", ""))
    inp = _add(detail, "Input")
    _add(inp, "Object", job.attrs.get("input_object", ""))
    operation = _add(detail, "Operation")
    tag = job.attrs.get("tag", "Translation")
    if tag != "WordsGeneralize":
        out = _add(operation, "Output")
        _add(out, "Region", region)
        _add(out, "Bucket", job.attrs.get("bucket", ""))
        _add(out, "Object", job.attrs.get("output_object") or f"out/{job.job_id}.txt")
    _add(operation, "UserData", job.attrs.get("user_data", ""))
    _add(operation, "JobLevel", job.attrs.get("job_level", "0"))
    if tag == "WordsGeneralize" and state == "Success":
        result = _add(operation, "WordsGeneralizeResult")
        label = _add(result, "WordsGeneralizeLable")
        _add(label, "Category", "ORG")
        _add(label, "Word", "Tencent")


def _parse_ci_time(name: str, text: str) -> float:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z").timestamp()
    except ValueError:
        raise CIError(400, "InvalidArgument", f"{name} is invalid") from None


def list_jobs(backend: Backend, bucket: str, q: dict[str, str]) -> ET.Element:
    now = time.time()
    tag = q.get("tag")
    if tag not in TENCENT_TAGS:
        raise CIError(400, "InvalidArgument", "tag is invalid")
    states = [s for s in (q.get("states") or "All").split(",") if s]
    if any(s not in (*STATES, "All") for s in states):
        raise CIError(400, "InvalidArgument", "states is invalid")
    try:
        size = int(q.get("size") or 10)
    except ValueError:
        raise CIError(400, "InvalidArgument", "size is invalid") from None
    if not 1 <= size <= 100:
        raise CIError(400, "InvalidArgument", "size is invalid")
    order = q.get("orderByTime") or "Desc"
    if order not in ("Desc", "Asc"):
        raise CIError(400, "InvalidArgument", "orderByTime is invalid")
    start = _parse_ci_time("startCreationTime", q["startCreationTime"]) if q.get("startCreationTime") else None
    end = _parse_ci_time("endCreationTime", q["endCreationTime"]) if q.get("endCreationTime") else None
    jobs = [j for j in backend.of_kind("tencent") if j.attrs.get("bucket") == bucket and j.attrs.get("tag") == tag
            and ("All" in states or j.state(now) in states)
            and (not q.get("queueId") or j.attrs.get("queue_id") == q["queueId"])
            and (not q.get("inputObject") or j.attrs.get("input_object") == q["inputObject"])
            and (start is None or j.created >= start) and (end is None or j.created <= end)]
    if order == "Asc":
        jobs.reverse()
    token = q.get("nextToken") or ""
    offset = int(token) if token.isdigit() else 0
    if token and not token.isdigit():
        raise CIError(400, "InvalidArgument", "nextToken is invalid")
    root = ET.Element("Response")
    region = backend.buckets[bucket]
    for job in jobs[offset : offset + size]:
        job_detail(root, job, now, region)
    _add(root, "NextToken", str(offset + size) if offset + size < len(jobs) else "")
    return root


def get_jobs(backend: Backend, bucket: str, ids_text: str) -> ET.Element:
    now = time.time()
    root = ET.Element("Response")
    missing = []
    region = backend.buckets[bucket]
    ids = [i for i in ids_text.split(",") if i]
    if len(ids) > MAX_IDS_PER_CALL:
        raise CIError(400, "InvalidArgument", f"jobId supports at most {MAX_IDS_PER_CALL} ids, got {len(ids)}")
    for job_id in ids:
        job = backend.get(job_id, "tencent")
        if job is None or job.attrs.get("bucket") != bucket:
            missing.append(job_id)
        else:
            job_detail(root, job, now, region)
    if missing:
        node = _add(root, "NonExistJobIds")
        node.text = ",".join(missing)
    return root


def submit_job(backend: Backend, bucket: str, body: bytes) -> ET.Element:
    from defusedxml import ElementTree as SafeET

    try:
        request = SafeET.fromstring(body)
    except Exception:
        raise CIError(400, "MalformedXML", "The XML you provided was not well-formed.") from None
    tag = request.findtext("Tag")
    if tag not in TENCENT_TAGS:
        raise CIError(400, "InvalidArgument", "Tag is invalid")
    obj = request.findtext("Input/Object")
    if not obj:
        raise CIError(400, "InvalidArgument", "Input.Object is required")
    queue = request.findtext("QueueId") or ""
    if tag != "WordsGeneralize" and request.find("Operation/Output") is None and not request.findtext(
        "Operation/TemplateId"
    ):
        raise CIError(400, "InvalidArgument", "Operation.Output is required")
    # The submit pages' bounds: UserData at most 1024 printable ASCII, JobLevel 0, 1 or 2,
    # CallBackFormat JSON or XML.
    user_data = request.findtext("Operation/UserData") or ""
    if len(user_data) > 1024 or not all(" " <= c <= "~" for c in user_data):
        raise CIError(400, "InvalidArgument", "Operation.UserData is invalid")
    if (request.findtext("Operation/JobLevel") or "0") not in ("0", "1", "2"):
        raise CIError(400, "InvalidArgument", "Operation.JobLevel is invalid")
    if (request.findtext("CallBackFormat") or "XML") not in ("JSON", "XML"):
        raise CIError(400, "InvalidArgument", "CallBackFormat is invalid")
    job = backend.create("tencent", bucket=bucket, tag=tag, queue_id=queue, input_object=obj,
                         output_object=request.findtext("Operation/Output/Object") or "",
                         user_data=user_data,
                         job_level=request.findtext("Operation/JobLevel") or "0")
    root = ET.Element("Response")
    job_detail(root, job, time.time(), backend.buckets[bucket])
    return root


async def handle(request: web.Request, backend: Backend) -> web.Response:
    """Answer one CI request."""
    try:
        bucket = bucket_of(request, backend)
        key_id = authenticate(request, backend)
        if not backend.admit(key_id):
            raise CIError(503, "SlowDown", "Please reduce your request rate.")
        path = request.path.rstrip("/")
        if path == "/jobs" and request.method == "GET":
            return _xml(list_jobs(backend, bucket, dict(request.query)))
        if path == "/jobs" and request.method == "POST":
            return _xml(submit_job(backend, bucket, await request.read()))
        if path.startswith("/jobs/") and request.method == "GET":
            return _xml(get_jobs(backend, bucket, path[len("/jobs/") :]))
        if path.startswith("/jobs/") and request.method == "PUT" and "cancel" in request.query:
            job = backend.get(path[len("/jobs/") :], "tencent")
            if job is None:
                raise CIError(404, "NoSuchJob", "The specified job does not exist.")
            if job.state(time.time()) in ("Submitted", "Running", "Pause"):
                backend.force(job.job_id, "Cancel")
            return _xml(ET.Element("Response"))
        raise CIError(400, "InvalidArgument", "unsupported request")
    except CIError as err:
        return error_response(err, request.path)
