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

from airflow_provider_mediajobs.emulator.backend import (
    DEFAULT_CI_QUEUE,
    JOB_KINDS,
    Backend,
    Job,
    VendorError,
    parse_required,
)
from airflow_provider_mediajobs.signing import parse_q_authorization, q_signature
from airflow_provider_mediajobs.signing.encoding import percent_encode

VENDOR = "tencent"
KIND = JOB_KINDS["tencent"]
PAUSED, CANCELLED = KIND.other_states
# Only a job that has not run yet: Submitted, or Pause in a paused queue (the CancelMediaJob page).
CANCELLABLE = (KIND.queued, PAUSED)
NO_OUTPUT_TAG = "WordsGeneralize"  # its jobs write no output object; their result is in the answer
# The media tags as the service takes them (each tag's submit page, cloud.tencent.com/document/
# product/460/84790, /84780, /84784, /84788, /84791, /84794, /84778): the node under <Operation>
# holding the tag's parameters, which TemplateId replaces (TemplateId is read first, the node only
# without one: docs/vendor-behaviour.md), so a job with neither has nothing to do.
MEDIA_NODES = {"Transcode": "Transcode", "Snapshot": "Snapshot", "Animation": "Animation",
               "Concat": "ConcatTemplate", "SmartCover": "SmartCover", "VoiceSeparate": "VoiceSeparate",
               "VideoMontage": "VideoMontage"}
# Operation/Output needs Region, Bucket and Object, but for these tags one of two objects: Snapshot
# its Object or SpriteObject, VoiceSeparate its Object (background) or AuObject (voice), which "must
# not both be empty".
OUTPUT_OBJECTS = {"Snapshot": ("Object", "SpriteObject"), "VoiceSeparate": ("Object", "AuObject")}
# Input/Object is required but for Concat (optional) and VideoMontage (Object or a public Url).
INPUTS = {"Concat": (), "VideoMontage": ("Object", "Url")}
# Elements of a node its page requires: the snapshot template's Count, the concat node's Container.
NODE_REQUIRED = {"Snapshot": ("Count",), "ConcatTemplate": ("Container",)}
# Transcode: "最多传3个", at most 3 watermark template ids and 3 watermarks (460/84790).
MAX_WATERMARKS = 3
# A bucket's host: {bucket}.ci.{region}.myqcloud.com
HOST_INFIX, HOST_SUFFIX = ".ci.", ".myqcloud.com"
JOBS_PATH = "/jobs"  # GET lists, POST submits; GET /jobs/{ids} reads, PUT /jobs/{id}?cancel cancels
# GET /jobs/{ids}: at most 10 ids (DescribeMediaJob page). The vendor documents the cap, not the
# answer past it: this emulator answers 400 InvalidArgument, the code CI uses for a bad parameter.
MAX_IDS_PER_CALL = 10


class CIError(VendorError):
    """A Tencent CI error answer: HTTP status, Code, Message."""


def throttled() -> CIError:
    """The answer to a key over the QPS limit (and the ``throttling`` fault)."""
    return CIError(503, "SlowDown", "Please reduce your request rate.")


def unavailable() -> CIError:
    """The answer of a service that is down for a moment (the ``503`` fault)."""
    return CIError(503, "ServiceUnavailable", "Service is unavailable.")


def _invalid(name: str) -> CIError:
    return CIError(400, "InvalidArgument", f"{name} is invalid")


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


def error_response(err: VendorError, resource: str = "") -> web.Response:
    """The vendor's ``<Error>`` body."""
    root = ET.Element("Error")
    rid = uuid.uuid4().hex
    for tag, text in (("Code", err.code), ("Message", err.message), ("Resource", resource), ("RequestId", rid),
                      ("TraceId", uuid.uuid4().hex)):
        _add(root, tag, text)
    return _xml(root, err.status, rid)


def _ci_time(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _host(request: web.Request) -> str:
    return (request.headers.get("Host") or "").split(":")[0]


def is_ci_request(request: web.Request) -> bool:
    """Whether a request is for Tencent CI (by its Host header), not for Alibaba."""
    host = _host(request)
    return HOST_INFIX in host and host.endswith(HOST_SUFFIX)


def bucket_of(request: web.Request, backend: Backend) -> str:
    """The bucket named by the Host header (``{bucket}.ci.{region}.myqcloud.com``)."""
    bucket, sep, rest = _host(request).partition(HOST_INFIX)
    region = rest.removesuffix(HOST_SUFFIX) if sep else ""
    if not sep or backend.buckets.get(bucket) != region:
        raise CIError(404, "NoSuchBucket", "The specified bucket does not exist.")
    return bucket


def authenticate(request: web.Request, backend: Backend) -> str:
    """Verify the q-sign signature exactly as the service does; return the SecretId."""
    fields = parse_required(
        request.headers.get("Authorization"), parse_q_authorization,
        CIError(403, "AccessDenied", "Access Denied: the request is not signed."),
        CIError(403, "AccessDenied", "Access Denied: the Authorization header is malformed."))
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
    # The service signs the query parameters the client lists in q-url-param-list, no others: the
    # CancelMediaJob page's sample sends "?cancel" with an empty list, and so does the cos SDK's
    # ci_cancel_jobs (docs/vendor-behaviour.md, "Signing").
    listed = {n for n in fields["q-url-param-list"].split(";") if n}
    params = [(k, v) for k, v in request.query.items() if percent_encode(k).lower() in listed]
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
    return "ListJobs" if path == JOBS_PATH else "GetJobs"


def job_detail(parent: ET.Element, job: Job, now: float, region: str) -> None:
    """One ``<JobsDetail>`` (a media job's: :func:`media_detail`)."""
    if job.attrs["tag"] in MEDIA_NODES:
        media_detail(parent, job, now, region)
        return
    detail, state = _detail_head(parent, job, now)
    tag = job.attrs["tag"]
    inp = _add(detail, "Input")
    _add(inp, "Object", job.attrs["input_object"])
    operation = _add(detail, "Operation")
    if tag != NO_OUTPUT_TAG:
        out = _add(operation, "Output")
        _add(out, "Region", region)
        _add(out, "Bucket", job.attrs["bucket"])
        _add(out, "Object", job.attrs["output_object"] or f"out/{job.job_id}.txt")
    _add(operation, "UserData", job.attrs["user_data"])
    _add(operation, "JobLevel", job.attrs["job_level"])
    if tag == NO_OUTPUT_TAG and state == KIND.success:
        result = _add(operation, "WordsGeneralizeResult")
        label = _add(result, "WordsGeneralizeLable")
        _add(label, "Category", "ORG")
        _add(label, "Word", "Tencent")


def _detail_head(parent: ET.Element, job: Job, now: float) -> tuple[ET.Element, str]:
    # Code, Message, JobId, Tag, State, Progress and the times and queue: every JobsDetail's head.
    state = job.state(now)
    detail = _add(parent, "JobsDetail")
    failed, done = state == KIND.failure, state in (KIND.success, KIND.failure)
    _add(detail, "Code", "InvalidFile" if failed else "Success")
    _add(detail, "Message", "the input could not be read" if failed else "")
    _add(detail, "JobId", job.job_id)
    _add(detail, "Tag", job.attrs["tag"])
    _add(detail, "State", state)
    _add(detail, "Progress", 100 if done else 0)
    _add(detail, "CreationTime", _ci_time(job.created))
    _add(detail, "StartTime", _ci_time(job.created + job.queue_s) if state != KIND.queued else "-")
    _add(detail, "EndTime", _ci_time(job.done_at()) if done else "-")
    _add(detail, "QueueId", job.attrs["queue_id"])
    return detail, state


def media_detail(parent: ET.Element, job: Job, now: float, region: str) -> None:
    """A media job's ``<JobsDetail>``, as the DescribeMediaJob and DescribeMediaJobs samples show
    one: ``Input`` with ``BucketId``, ``Object`` and ``Region``; ``Operation`` echoing what was
    submitted (``TemplateName`` after a ``TemplateId``), and once the job succeeded, its
    ``MediaResult`` (``OutputFile``: ``Bucket``, ``Region``, ``ObjectName``; a ``${...}`` wildcard
    makes an ``ObjectPrefix``)."""
    from defusedxml import ElementTree as SafeET

    detail, state = _detail_head(parent, job, now)
    if job.attrs["input_object"]:
        inp = _add(detail, "Input")
        _add(inp, "BucketId", job.attrs["bucket"])
        _add(inp, "Object", job.attrs["input_object"])
        _add(inp, "Region", region)
    if job.attrs["operation_xml"]:
        submitted = SafeET.fromstring(job.attrs["operation_xml"])
    else:  # a job the admin API made: the output a submission would have named
        submitted = ET.Element("Operation")
        out = _add(submitted, "Output")
        for tag, text in (("Region", region), ("Bucket", job.attrs["bucket"]),
                          ("Object", job.attrs["output_object"] or f"out/{job.job_id}.mp4")):
            _add(out, tag, text)
        _add(submitted, "UserData", job.attrs["user_data"])
        _add(submitted, "JobLevel", job.attrs["job_level"])
    operation = _add(detail, "Operation")
    for child in submitted:
        operation.append(child)
        if child.tag == "TemplateId":
            _add(operation, "TemplateName", f"template_{(child.text or '')[-8:]}")
    output = submitted.find("Output")
    if state == KIND.success and output is not None:
        result = _add(_add(operation, "MediaResult"), "OutputFile")
        _add(result, "Bucket", output.findtext("Bucket") or job.attrs["bucket"])
        _add(result, "Region", output.findtext("Region") or region)
        name = next((output.findtext(key) for key in ("Object", "AuObject", "SpriteObject")
                     if output.findtext(key)), "")
        prefix, wildcard, rest = name.partition("${")
        if wildcard:
            _add(result, "ObjectPrefix", prefix)
            _add(result, "ObjectName", "0" + rest.partition("}")[2])
        else:
            _add(result, "ObjectName", name)


def _parse_ci_time(name: str, text: str) -> float:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z").timestamp()
    except ValueError:
        raise _invalid(name) from None


def list_jobs(backend: Backend, bucket: str, q: dict[str, str]) -> ET.Element:
    now = time.time()
    tag = q.get("tag")
    if tag not in KIND.choices["tag"]:
        raise _invalid("tag")
    states = [s for s in (q.get("states") or "All").split(",") if s]
    if any(s not in (*KIND.states, "All") for s in states):
        raise _invalid("states")
    try:
        size = int(q.get("size") or 10)
    except ValueError:
        raise _invalid("size") from None
    if not 1 <= size <= 100:
        raise _invalid("size")
    order = q.get("orderByTime") or "Desc"
    if order not in ("Desc", "Asc"):
        raise _invalid("orderByTime")
    start = _parse_ci_time("startCreationTime", q["startCreationTime"]) if q.get("startCreationTime") else None
    end = _parse_ci_time("endCreationTime", q["endCreationTime"]) if q.get("endCreationTime") else None
    jobs = [j for j in backend.of_kind(KIND.name) if j.attrs.get("bucket") == bucket and j.attrs.get("tag") == tag
            and ("All" in states or j.state(now) in states)
            and (not q.get("queueId") or j.attrs.get("queue_id") == q["queueId"])
            and (not q.get("inputObject") or j.attrs.get("input_object") == q["inputObject"])
            and (start is None or j.created >= start) and (end is None or j.created <= end)]
    if order == "Asc":
        jobs.reverse()
    token = q.get("nextToken") or ""
    offset = int(token) if token.isdigit() else 0
    if token and not token.isdigit():
        raise _invalid("nextToken")
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
        job = backend.get(job_id, KIND.name)
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
    if tag not in KIND.choices["tag"]:
        raise _invalid("Tag")
    obj = request.findtext("Input/Object") or ""
    if not obj and tag not in INPUTS:
        raise CIError(400, "InvalidArgument", "Input.Object is required")
    queue = request.findtext("QueueId") or DEFAULT_CI_QUEUE
    if tag in MEDIA_NODES:
        _check_media(tag, request)
    elif tag != NO_OUTPUT_TAG and request.find("Operation/Output") is None and not request.findtext(
        "Operation/TemplateId"
    ):
        raise CIError(400, "InvalidArgument", "Operation.Output is required")
    # The submit pages' bounds: UserData at most 1024 printable ASCII, JobLevel 0, 1 or 2,
    # CallBackFormat JSON or XML.
    user_data = request.findtext("Operation/UserData") or ""
    if len(user_data) > 1024 or not all(" " <= c <= "~" for c in user_data):
        raise _invalid("Operation.UserData")
    level = request.findtext("Operation/JobLevel") or KIND.attributes["job_level"]
    if level not in KIND.choices["job_level"]:
        raise _invalid("Operation.JobLevel")
    if (request.findtext("CallBackFormat") or "XML") not in ("JSON", "XML"):
        raise _invalid("CallBackFormat")
    operation = request.find("Operation")
    job = backend.create(KIND.name, bucket=bucket, tag=tag, queue_id=queue, input_object=obj,
                         output_object=request.findtext("Operation/Output/Object") or "",
                         user_data=user_data, job_level=level,
                         operation_xml=ET.tostring(operation, encoding="unicode")
                         if tag in MEDIA_NODES and operation is not None else "")
    root = ET.Element("Response")
    job_detail(root, job, time.time(), backend.buckets[bucket])
    return root


def _check_media(tag: str, request: ET.Element) -> None:
    # What a media tag's page requires, answered as the service answers a bad parameter.
    inputs = INPUTS.get(tag, ("Object",))
    if inputs and not any(request.findtext(f"Input/{name}") for name in inputs):
        raise CIError(400, "InvalidArgument", f"Input.{' or Input.'.join(inputs)} is required")
    node = MEDIA_NODES[tag]
    options = request.find(f"Operation/{node}")
    if options is None and not request.findtext("Operation/TemplateId"):
        raise CIError(400, "InvalidArgument", f"Operation.{node} or Operation.TemplateId is required")
    for name in NODE_REQUIRED.get(node, ()):
        if options is not None and options.find(name) is None:
            raise CIError(400, "InvalidArgument", f"Operation.{node}.{name} is required")
    for name in ("Region", "Bucket"):
        if not request.findtext(f"Operation/Output/{name}"):
            raise CIError(400, "InvalidArgument", f"Operation.Output.{name} is required")
    objects = OUTPUT_OBJECTS.get(tag, ("Object",))
    if not any(request.findtext(f"Operation/Output/{name}") for name in objects):
        raise CIError(400, "InvalidArgument", f"Operation.Output.{' or Operation.Output.'.join(objects)} is required")
    for name in ("Watermark", "WatermarkTemplateId"):
        if len(request.findall(f"Operation/{name}")) > MAX_WATERMARKS:
            raise CIError(400, "InvalidArgument", f"Operation.{name} takes at most {MAX_WATERMARKS}")


async def handle(request: web.Request, backend: Backend) -> web.Response:
    """Answer one CI request."""
    try:
        bucket = bucket_of(request, backend)
        key_id = authenticate(request, backend)
        if not backend.admit(key_id):
            raise throttled()
        path = request.path.rstrip("/")
        ids = path.removeprefix(f"{JOBS_PATH}/") if path.startswith(f"{JOBS_PATH}/") else None
        if path == JOBS_PATH and request.method == "GET":
            return _xml(list_jobs(backend, bucket, dict(request.query)))
        if path == JOBS_PATH and request.method == "POST":
            return _xml(submit_job(backend, bucket, await request.read()))
        if ids is not None and request.method == "GET":
            return _xml(get_jobs(backend, bucket, ids))
        if ids is not None and request.method == "PUT" and "cancel" in request.query:
            job = backend.get(ids, KIND.name)
            if job is None:
                raise CIError(404, "NoSuchJob", "The specified job does not exist.")
            state = job.state(time.time())
            if state not in CANCELLABLE:
                # The vendor documents that only a job that has not run can be cancelled, and no
                # error for the others: the code is unknown, so the emulator answers the common
                # 400 InvalidArgument (docs/vendor-behaviour.md, "Cancelling a job").
                raise CIError(400, "InvalidArgument", f"The job cannot be canceled in state {state}.")
            backend.force(job.job_id, CANCELLED)
            # "This request has no response body" (the CancelMediaJob page): an empty 200.
            return web.Response(status=200, headers={"x-ci-request-id": uuid.uuid4().hex})
        raise CIError(400, "InvalidArgument", "unsupported request")
    except CIError as err:
        return error_response(err, request.path)
