"""Alibaba Cloud ICE, MTS and IMM: the catalog entries and the RPC wire protocol (no I/O).

Facts from ``shared/reference/alibaba.md``: every parameter goes in the query string (also for
POST, whose body stays empty), objects and arrays as compact JSON under their plain name,
booleans as ``True``/``False``; V3 signing by default, V1 on request.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, NamedTuple
from urllib.parse import urlsplit

from airflow_provider_mediajobs.catalog.errors import vendor_error
from airflow_provider_mediajobs.catalog.model import JobKind, Operation, Paging, Service, dig, window
from airflow_provider_mediajobs.catalog.params import (
    Bool,
    Enum,
    Int,
    Json,
    Str,
    StrList,
    Time,
    TimeRange,
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
    from airflow_provider_mediajobs.transport import HttpRequest, HttpResponse

# Signing and the transport types are imported where a request is built or parsed: operator
# modules import this catalog at DAG-parse time, and they need none of that to declare a task.

ICE = Service("alibaba", "ice", "2020-11-09")
MTS = Service("alibaba", "mts", "2014-06-18")
IMM = Service("alibaba", "imm", "2020-09-30")
SERVICES = {s.product: s for s in (ICE, MTS, IMM)}

SMART_JOB_STATES = ("Created", "Executing", "Finished", "Failed")
SMART_JOB_TYPES = ("ASR", "DynamicChart", "VideoTranslation", "TextToSpeech")
IMM_TASK_STATES = ("Running", "Succeeded", "Failed")
LIVE_SNAPSHOT_WINDOW = timedelta(days=30)


LIST_SMART_JOBS = Operation(
    "ListSmartJobs",
    ICE,
    "GET",
    params=(
        Enum("job_state", "JobState", values=SMART_JOB_STATES),
        Enum("job_type", "JobType", values=SMART_JOB_TYPES),
        Int("max_results", "MaxResults", low=1, high=100),
        Str("next_token", "NextToken", max_len=1024),
        Int("page_no", "PageNo", low=1),
        Int("page_size", "PageSize", low=1, high=100),
        Enum("sort_by", "SortBy", values=("CreationTime:Asc", "CreationTime:Desc")),
    ),
    paging=Paging("token", items="SmartJobList"),
)

GET_SMART_HANDLE_JOB = Operation("GetSmartHandleJob", ICE, "POST", params=(job_id("job_id", "JobId"),))

LIST_LIVE_SNAPSHOT_JOBS = Operation(
    "ListLiveSnapshotJobs",
    ICE,
    "GET",
    params=(
        Time("start_time", "StartTime"),
        Time("end_time", "EndTime"),
        Str("search_key_word", "SearchKeyWord", max_len=128),
        Enum("status", "Status", values=("init", "paused", "started")),
        Int("page_no", "PageNo", low=1),
        Int("page_size", "PageSize", low=1, high=100),
        Enum("sort_by", "SortBy", values=("asc", "desc")),
    ),
    paging=Paging("page", items="JobList"),
    checks=(window("start_time", "end_time", LIVE_SNAPSHOT_WINDOW),),
)

QUERY_IPRODUCTION_JOB = Operation("QueryIProductionJob", MTS, "POST", params=(job_id("job_id", "JobId"),))

SUBMIT_IPRODUCTION_JOB = Operation(
    "SubmitIProductionJob",
    MTS,
    "POST",
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
)

LIST_TASKS = Operation(
    "ListTasks",
    IMM,
    "POST",
    params=(
        job_id("project_name", "ProjectName", what="a name"),
        StrList("task_types", "TaskTypes", names=True),
        TimeRange("start_time_range", "StartTimeRange"),
        TimeRange("end_time_range", "EndTimeRange"),
        Int("max_results", "MaxResults", low=1, high=100),
        Str("next_token", "NextToken", max_len=1024),
        Enum("sort", "Sort", values=("TaskId", "StartTime", "EndTime")),
        Enum("order", "Order", values=("asc", "desc")),
        Enum("status", "Status", values=IMM_TASK_STATES),
        Str("tag_selector", "TagSelector", max_len=1024),
        Bool("request_definition", "RequestDefinition"),
    ),
    paging=Paging("token", items="Tasks"),
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
)

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
    )
}


def _oss(bucket: Any, obj: Any) -> str | None:
    if isinstance(bucket, str) and bucket and isinstance(obj, str) and obj:
        return f"oss://{bucket}/{obj.lstrip('/')}"
    return None


def _mts_output(job: Mapping[str, Any]) -> str | None:
    out = job.get("Output")
    return out if isinstance(out, str) and out.startswith("oss://") and "{" not in out else None


MTS_IPRODUCTION_JOB = JobKind(
    name="mts_iproduction",
    get=QUERY_IPRODUCTION_JOB,
    id_args=("job_id",),
    state=("State",),
    success=frozenset({"Success"}),
    failure=frozenset({"Fail"}),
    pending=frozenset({"Queuing", "Analysing"}),
    error_code=("Result", "Code"),
    error_message=("Result", "Message"),
    output=_mts_output,
)

ICE_SMART_JOB = JobKind(
    name="ice_smart_job",
    get=GET_SMART_HANDLE_JOB,
    id_args=("job_id",),
    state=("State",),
    success=frozenset({"Finished"}),
    failure=frozenset({"Failed"}),
    pending=frozenset({"Created", "Executing"}),
    error_code=("ErrorCode",),
    error_message=("ErrorMessage",),
    output=lambda job: _oss(
        dig(job, ("SmartJobInfo", "OutputConfig", "Bucket")), dig(job, ("SmartJobInfo", "OutputConfig", "Object"))
    ),
)

IMM_TASK = JobKind(
    name="imm_task",
    get=GET_TASK,
    id_args=("project_name", "task_id", "task_type"),
    state=("Status",),
    success=frozenset({"Succeeded"}),
    failure=frozenset({"Failed"}),
    pending=frozenset({"Running"}),
    error_code=("Code",),
    error_message=("Message",),
    job_id_arg="task_id",
)

JOB_KINDS = {k.name: k for k in (MTS_IPRODUCTION_JOB, ICE_SMART_JOB, IMM_TASK)}

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

    def __repr__(self) -> str:
        return f"AlibabaCredentials(access_key_id={self.access_key_id!r}, access_key_secret='***')"


def regional_host(product: str, region: str) -> str:
    """``{product}.{region}.aliyuncs.com``: always the regional host (see the reference)."""
    return f"{product}.{region}.aliyuncs.com"


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
        from airflow_provider_mediajobs.signing import acs3_sign_headers, acs_timestamp, canonical_query, v1_sign_params
        from airflow_provider_mediajobs.transport import HttpRequest
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
        return HttpRequest(operation.method, f"{base}/?{qs}" if qs else f"{base}/", headers)

    def parse(self, operation: Operation, response: HttpResponse) -> dict[str, Any]:
        """Return the JSON object of a 2xx answer; raise the typed error of any other."""
        body = _load_json(operation, response)
        request_id = _request_id(body, response)
        if 200 <= response.status < 300:
            if body is None:
                raise BadResponseError(
                    f"{operation.name} answered HTTP {response.status} with a body that is not JSON "
                    f"({_describe(response)})", status=response.status, request_id=request_id,
                )
            return dict(body)
        code = body.get("Code") if body else None
        message = body.get("Message") if body else None
        from airflow_provider_mediajobs.transport import parse_retry_after

        retry_after = parse_retry_after(response)  # x-acs-retry-after (ms) or Retry-After
        if body is None and response.status < 500 and response.status != 429:
            raise BadResponseError(
                f"{operation.name} answered HTTP {response.status} with a body that is not JSON "
                f"({_describe(response)})", status=response.status, request_id=request_id,
            )
        raise vendor_error(
            vendor="Alibaba Cloud", status=response.status, code=str(code) if code else None,
            message=self._scrub(str(message)) if message else None, request_id=request_id,
            table=ERROR_TABLE, prefixes=ERROR_PREFIXES, retry_after=retry_after,
        )

    def _scrub(self, text: str) -> str:
        """Remove the credentials from a vendor message.

        ``SignatureDoesNotMatch`` echoes the server's string to sign, which holds the STS token
        percent-encoded once or twice; Airflow's masker only knows the raw value.
        """
        from airflow_provider_mediajobs.signing import percent_encode

        for secret in (self.credentials.security_token, self.credentials.access_key_secret):
            if not secret or len(secret) < 5:  # as Airflow's masker: a tiny value would shred the text
                continue
            once = percent_encode(secret)
            for form in (percent_encode(once), once, secret):
                text = text.replace(form, "***")
        return text


def _describe(response: HttpResponse) -> str:
    ctype = response.header("content-type") or "no content type"
    snippet = response.body[:60].decode("utf-8", "replace").replace("\n", " ")
    return f"{ctype}, {len(response.body)} bytes, starting {snippet!r}"


def _load_json(operation: Operation, response: HttpResponse) -> dict[str, Any] | None:
    """The body as a JSON object, None when it is not one (HTML page, truncated, invalid)."""
    if not response.body:
        return None
    try:
        value = json.loads(response.body)
    except (ValueError, RecursionError):
        # ValueError covers invalid JSON and invalid UTF-8; RecursionError a hostile nesting depth.
        return None
    return value if isinstance(value, dict) else None


def _request_id(body: Mapping[str, Any] | None, response: HttpResponse) -> str | None:
    rid = body.get("RequestId") if body else None
    return str(rid) if rid else response.header("x-acs-request-id")

