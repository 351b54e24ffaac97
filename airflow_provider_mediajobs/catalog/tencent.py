"""Tencent Cloud CI (Cloud Infinite) AI jobs: the catalog entries and the wire protocol (no I/O).

Facts from ``shared/reference/tencent.md`` and seed 001: the bucket host
``{BucketName-APPID}.ci.{Region}.myqcloud.com``, q-sign sha1 signing, XML bodies; ``JobsDetail``
repeats; a path with several ids is signed decoded and sent with ``%2C``; the query string goes
on the wire exactly as it was signed.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote

from airflow_provider_mediajobs.catalog.errors import vendor_error
from airflow_provider_mediajobs.catalog.model import JobKind, Operation, Paging, Service, dig, window
from airflow_provider_mediajobs.catalog.params import Enum, EnumList, IdList, Int, Json, Str, Time, invalid, job_id
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

CI = Service("tencent", "ci")
TAGS = ("Translation", "SpeechRecognition", "WordsGeneralize")
STATES = ("All", "Submitted", "Running", "Success", "Failed", "Pause", "Cancel")
CI_TIME = "%Y-%m-%dT%H:%M:%S%z"
MAX_IDS_PER_CALL = 50  # undocumented by the vendor; the batched poller's default too


def _ci_time(arg: str, wire: str) -> Time:
    return Time(arg, wire, fmt=CI_TIME, example="2001-01-01T00:00:00+0800", utc=False)


LIST_JOBS = Operation(
    "ListJobs",
    CI,
    "GET",
    path="/jobs",
    params=(
        Enum("tag", "tag", required=True, values=TAGS),
        job_id("queue_id", "queueId", required=False),
        job_id("workflow_id", "workflowId", required=False),
        job_id("inventory_trigger_job_id", "inventoryTriggerJobId", required=False),
        Str("input_object", "inputObject", max_len=1024),
        Enum("order_by_time", "orderByTime", values=("Desc", "Asc")),
        EnumList("states", "states", values=STATES),
        Int("size", "size", low=1, high=100),
        _ci_time("start_creation_time", "startCreationTime"),
        _ci_time("end_creation_time", "endCreationTime"),
        Str("next_token", "nextToken", max_len=1024),
    ),
    paging=Paging("token", items="JobsDetail", token_param="nextToken", token_key="NextToken"),
    checks=(window("start_creation_time", "end_creation_time"),),
)

GET_JOBS = Operation(
    "GetJobs",
    CI,
    "GET",
    path="/jobs/{jobIds}",
    params=(IdList("job_ids", "jobIds", required=True, max_items=MAX_IDS_PER_CALL),),
    path_params=("jobIds",),
)

CANCEL_JOB = Operation(
    "CancelJob", CI, "PUT", path="/jobs/{jobId}?cancel", params=(job_id("job_id", "jobId"),), path_params=("jobId",)
)


def _user_data(arg: str, wire: str) -> Str:
    return Str(arg, wire, max_len=1024, pattern=r"[\x20-\x7e]*", hint="printable ASCII, at most 1024 characters")


def _submit_rules(args: Mapping[str, Any]) -> None:
    # Each tag has its own option node, and all but WordsGeneralize write an output object.
    tag = args.get("tag")
    options = {"Translation": "translation", "SpeechRecognition": "speech_recognition",
               "WordsGeneralize": "words_generalize"}
    for other_tag, arg in options.items():
        if other_tag != tag and args.get(arg) is not None:
            raise invalid(arg, f"left unset for tag {tag} (it belongs to tag {other_tag})", "given")
    if tag == "Translation" and args.get("translation") is None:
        raise invalid("translation", 'given for tag Translation, e.g. {"Lang": "en", "Type": "txt"}', None)
    if tag == "SpeechRecognition" and args.get("speech_recognition") is None and args.get("template_id") is None:
        raise invalid("speech_recognition", "given (or template_id) for tag SpeechRecognition", None)
    if tag != "WordsGeneralize" and not (args.get("output_bucket") and args.get("output_object")):
        raise invalid("output_bucket/output_object", f"given for tag {tag}: it writes its result there", None)


SUBMIT_JOB = Operation(
    "SubmitJob",
    CI,
    "POST",
    path="/jobs",
    # Wire names are paths in the <Request> body, in the vendor's element order.
    params=(
        Enum("tag", "Tag", required=True, values=TAGS),
        Str("input_object", "Input/Object", required=True, max_len=1024),
        Str("input_lang", "Input/Lang", max_len=16),
        Str("input_type", "Input/Type", max_len=16),
        Json("translation", "Operation/Translation", xml_names=True),
        Json("speech_recognition", "Operation/SpeechRecognition", xml_names=True),
        Json("words_generalize", "Operation/WordsGeneralize", xml_names=True),
        job_id("template_id", "Operation/TemplateId", required=False),
        Str("output_region", "Operation/Output/Region", max_len=32),
        job_id("output_bucket", "Operation/Output/Bucket", required=False, what="a bucket name"),
        Str("output_object", "Operation/Output/Object", max_len=1024),
        _user_data("user_data", "Operation/UserData"),
        Enum("job_level", "Operation/JobLevel", values=("0", "1", "2")),
        job_id("queue_id", "QueueId"),
        Str("callback", "CallBack", max_len=2048),
        Enum("callback_format", "CallBackFormat", values=("JSON", "XML")),
    ),
    checks=(_submit_rules,),
    idempotent=False,
)
SUBMIT_JOB_BODY = "xml"

OPERATIONS = {op.name: op for op in (LIST_JOBS, GET_JOBS, CANCEL_JOB, SUBMIT_JOB)}


def find_job(response: Mapping[str, Any], job_id: str) -> Mapping[str, Any] | None:
    """The ``JobsDetail`` of ``job_id`` in a GetJobs answer; None when it does not exist."""
    for job in response.get("JobsDetail") or []:
        if isinstance(job, Mapping) and job.get("JobId") == job_id:
            return job
    return None


def jobs_by_id(response: Mapping[str, Any], job_ids: list[str]) -> dict[str, Mapping[str, Any] | None]:
    """Each asked id to its ``JobsDetail`` (None for the ids in ``NonExistJobIds`` or absent)."""
    return {i: find_job(response, i) for i in job_ids}


def _cos_output(job: Mapping[str, Any]) -> str | None:
    bucket, obj = dig(job, ("Operation", "Output", "Bucket")), dig(job, ("Operation", "Output", "Object"))
    if isinstance(bucket, str) and bucket and isinstance(obj, str) and obj:
        return f"cos://{bucket}/{obj.lstrip('/')}"
    return None


def jobs_and_missing(response: Mapping[str, Any]) -> dict[str, Any]:
    """A ``GET /jobs/{ids}`` answer in one shape: both lists, present even when empty."""
    return {"JobsDetail": list(response.get("JobsDetail") or []),
            "NonExistJobIds": list(response.get("NonExistJobIds") or [])}


TENCENT_CI_JOB = JobKind(
    name="tencent_ci_job",
    get=GET_JOBS,
    id_args=("job_ids",),
    state=("State",),
    success=frozenset({"Success"}),
    failure=frozenset({"Failed", "Cancel"}),
    pending=frozenset({"Submitted", "Running", "Pause"}),
    error_code=("Code",),
    error_message=("Message",),
    output=_cos_output,
    job_id_arg="job_ids",
    extract=find_job,
    batch_arg="job_ids",
)

ERROR_TABLE: dict[str, type[VendorError]] = {
    "SlowDown": ThrottledError,
    "ServiceUnavailable": ServerError,
    "InternalError": ServerError,
    "RequestTimeTooSkewed": ClockSkewError,
    "ExpiredToken": ExpiredCredentialsError,
    "InvalidAccessKeyId": AuthError,
    "SignatureDoesNotMatch": AuthError,
    "AccessDenied": AuthError,
    "ResourceAccessDenied": AuthError,
    "CIRoleNotExist": AuthError,
    "InvalidArgument": InvalidParameterError,
    "MissingContent": InvalidParameterError,
    "InvalidContent": InvalidParameterError,
    "InvalidHost": InvalidParameterError,
    "MalformedXML": InvalidParameterError,
    "NoSuchBucket": NotFoundError,
    "ResourceNotFound": NotFoundError,
    "NoSuchJob": NotFoundError,
}


class TencentCredentials(NamedTuple):
    """SecretId, SecretKey and an optional temporary token. ``repr`` never shows the secrets."""

    secret_id: str
    secret_key: str
    security_token: str | None = None

    @property
    def access_key_id(self) -> str:
        """The key id the vendor counts QPS against (same name as Alibaba's, for the poller)."""
        return self.secret_id

    def __repr__(self) -> str:
        return f"TencentCredentials(secret_id={self.secret_id!r}, secret_key='***')"


class TencentProtocol(NamedTuple):
    """Build signed CI requests and parse XML answers.

    :param credentials: SecretId / SecretKey (and token).
    :param region: e.g. ``ap-beijing``.
    :param bucket: ``BucketName-APPID``.
    :param endpoint_url: optional base URL (proxy, emulator); the signed ``Host`` header stays the
        bucket's virtual host, so one endpoint can serve many buckets.
    :param key_seconds: lifetime of each signature.
    """

    credentials: TencentCredentials
    region: str
    bucket: str
    endpoint_url: str | None = None
    key_seconds: int = 3600

    @property
    def host(self) -> str:
        """The bucket's CI host."""
        return f"{self.bucket}.ci.{self.region}.myqcloud.com"

    def build(self, operation: Operation, wire: Mapping[str, str]) -> HttpRequest:
        """Sign one attempt afresh (a new key time each call)."""
        from airflow_provider_mediajobs.catalog import xml
        from airflow_provider_mediajobs.signing import canonical_query, ci_headers_to_sign, q_sign_authorization
        from airflow_provider_mediajobs.transport import HttpRequest

        path_template, _, flag = operation.path.partition("?")
        path_values = {p: wire[p] for p in operation.path_params}
        signed_path = path_template.format(**path_values)
        query = {k: v for k, v in wire.items() if k not in operation.path_params}
        body = b""
        headers = {"Host": self.host}
        if operation.method == "POST":
            body = xml.build("Request", {k: _json_value(v) for k, v in query.items()})
            query = {}
            headers["Content-Type"] = "application/xml"
        if flag:
            query[flag] = ""
        if self.credentials.security_token:
            headers["x-ci-security-token"] = self.credentials.security_token
        now = int(time.time())
        headers["Authorization"] = q_sign_authorization(
            method=operation.method, path=signed_path, params=query, headers=ci_headers_to_sign(headers),
            secret_id=self.credentials.secret_id, secret_key=self.credentials.secret_key,
            key_time=f"{now - 60};{now + self.key_seconds}",
        )
        base = (self.endpoint_url or f"https://{self.host}").rstrip("/")
        # The path goes out encoded (a comma as %2C), the query exactly as it was signed.
        qs = canonical_query(query)
        url = f"{base}{quote(signed_path, safe='/-_.~')}" + (f"?{qs}" if qs else "")
        headers["Accept"] = "application/xml"
        return HttpRequest(operation.method, url, headers, body)

    def parse(self, operation: Operation, response: HttpResponse) -> dict[str, Any]:
        """Return the ``<Response>`` content; raise the typed error of an ``<Error>`` or bad body."""
        from airflow_provider_mediajobs.catalog import xml
        from airflow_provider_mediajobs.transport import parse_retry_after

        retry_after = parse_retry_after(response)
        header_rid = response.header("x-ci-request-id") or response.header("x-cos-request-id")
        try:
            root, content = xml.parse(response.body) if response.body else ("", {})
        except BadResponseError as err:
            if response.status >= 500 or response.status == 429:
                raise vendor_error(vendor="Tencent Cloud CI", status=response.status, code=None, message=None,
                                   request_id=header_rid, table=ERROR_TABLE, retry_after=retry_after) from None
            raise BadResponseError(f"{operation.name}: {err} (HTTP {response.status})", status=response.status,
                                   request_id=header_rid) from None
        if 200 <= response.status < 300 and root in ("Response", ""):
            content.setdefault("JobsDetail", [])
            missing = content.get("NonExistJobIds")
            if isinstance(missing, str):
                content["NonExistJobIds"] = [i for i in missing.split(",") if i]
            return content
        code = content.get("Code") if root == "Error" else None
        message = content.get("Message") if root == "Error" else None
        request_id = content.get("RequestId") or header_rid
        table: Mapping[str, type[VendorError]] = ERROR_TABLE
        if code == "AccessDenied" and isinstance(message, str) and "expired" in message.lower():
            # An expired signature means the signing clock is off: say so, as for RequestTimeTooSkewed.
            table = {"AccessDenied": ClockSkewError}
        raise vendor_error(vendor="Tencent Cloud CI", status=response.status, code=str(code) if code else None,
                           message=str(message) if message else None,
                           request_id=str(request_id) if request_id else None, table=table,
                           retry_after=retry_after)


def _json_value(text: str) -> Any:
    # Json parameters arrive serialized; the XML builder wants the object to make child elements.
    if text.startswith("{"):
        import json

        return json.loads(text)
    return text

