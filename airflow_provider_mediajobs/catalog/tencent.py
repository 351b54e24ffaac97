"""Tencent Cloud CI (Cloud Infinite) AI jobs: the catalog entries and the wire protocol (no I/O).

Facts from ``docs/vendor-behaviour.md`` (Tencent Cloud CI, q-sign) and seed 001: the bucket host
``{BucketName-APPID}.ci.{Region}.myqcloud.com``, q-sign sha1 signing, XML bodies; ``JobsDetail``
repeats; a path with several ids is signed decoded and sent with ``%2C``; the query string goes
on the wire exactly as it was signed.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote

from airflow_provider_mediajobs.assets import object_uri
from airflow_provider_mediajobs.catalog.errors import vendor_error
from airflow_provider_mediajobs.catalog.model import (
    BatchAnswer,
    BucketOf,
    Cancel,
    Console,
    JobKind,
    Operation,
    Paging,
    Service,
    Sweep,
    dig,
    window,
)
from airflow_provider_mediajobs.catalog.params import (
    Enum,
    EnumList,
    IdList,
    Int,
    Json,
    Str,
    Time,
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

CI = Service("tencent", "ci")
TAGS = ("Translation", "SpeechRecognition", "WordsGeneralize")
STATES = ("All", "Submitted", "Running", "Success", "Failed", "Pause", "Cancel")
CI_TIME = "%Y-%m-%dT%H:%M:%S%z"
# COS/CI region ids ("Regions and Access Endpoints" COS page, read 2026-12); the extra
# allow_unknown_region lets a newer one through.
REGIONS = frozenset({
    "ap-beijing-1", "ap-beijing", "ap-nanjing", "ap-shanghai", "ap-guangzhou", "ap-chengdu", "ap-chongqing",
    "ap-shenzhen-fsi", "ap-shanghai-fsi", "ap-beijing-fsi", "ap-hongkong", "ap-singapore", "ap-jakarta",
    "ap-seoul", "ap-bangkok", "ap-tokyo", "na-siliconvalley", "na-ashburn", "sa-saopaulo", "eu-frankfurt",
})
# GET /jobs/{ids}: "jobId ... supports multiple entries separated by commas, with a maximum of 10"
# (DescribeMediaJob API page, English and Chinese). Neither official SDK enforces it (cos-python-sdk-v5
# ci_get_media_jobs and the Go SDK join whatever they are given), so the client must. What the
# service answers past 10 is not documented; the emulator answers InvalidArgument.
MAX_IDS_PER_CALL = 10


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
        # Object key length is not stated on the CI pages used here: 1024 is our guard.
        Str("input_object", "inputObject", max_len=1024),
        Enum("order_by_time", "orderByTime", values=("Desc", "Asc")),
        EnumList("states", "states", values=STATES),
        Int("size", "size", low=1, high=100),  # default 10, at most 100 (seed 001)
        _ci_time("start_creation_time", "startCreationTime"),
        _ci_time("end_creation_time", "endCreationTime"),
        Str("next_token", "nextToken", max_len=1024),  # cursor length undocumented: our guard
    ),
    paging=Paging("token", items="JobsDetail", token_param="nextToken", token_key="NextToken", size_param="size"),
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


def split_job_ids(job_ids: Any) -> list[list[str]]:
    """Check ``job_ids`` (a list or a comma-separated string) and split them into the calls
    ``GET /jobs/{ids}`` takes: at most :data:`MAX_IDS_PER_CALL` ids each, duplicates dropped.

    :raises MediaJobsValidationError: naming ``job_ids``, before any request.
    """
    return GET_JOBS.split_ids("job_ids", job_ids)

CANCEL_JOB = Operation(
    "CancelJob", CI, "PUT", path="/jobs/{jobId}?cancel", params=(job_id("job_id", "jobId"),), path_params=("jobId",),
    # The vendor's CancelMediaJob page (cloud.tencent.com/document/product/436/67209, in English
    # tencentcloud.com/document/api/1045/49512) says "该请求无响应体" / "This request has no response
    # body", and its sample answer is "HTTP/1.1 200 OK" with "Content-Length: 0". So an empty 200
    # is this operation's success; an empty <Response/> is accepted too.
    empty_answer=True,
)


def _user_data(arg: str, wire: str) -> Str:
    # "at most 1024 printable ASCII characters" (the CI submit pages' UserData).
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
    # Wire names are paths in the <Request> body, in the vendor's element order. Object keys (1024)
    # are our guard, as for ListJobs; UserData and JobLevel follow the submit pages.
    params=(
        Enum("tag", "Tag", required=True, values=TAGS),
        Str("input_object", "Input/Object", required=True, max_len=1024),
        # Language and type codes are short vendor codes ("en", "txt"); 16 is our guard, not the vendor's.
        Str("input_lang", "Input/Lang", max_len=16),
        Str("input_type", "Input/Type", max_len=16),
        Json("translation", "Operation/Translation", xml_names=True),
        Json("speech_recognition", "Operation/SpeechRecognition", xml_names=True),
        Json("words_generalize", "Operation/WordsGeneralize", xml_names=True),
        job_id("template_id", "Operation/TemplateId", required=False),
        Str("output_region", "Operation/Output/Region", max_len=32),  # region ids are short: our guard
        job_id("output_bucket", "Operation/Output/Bucket", required=False, what="a bucket name"),
        Str("output_object", "Operation/Output/Object", max_len=1024),
        _user_data("user_data", "Operation/UserData"),
        Enum("job_level", "Operation/JobLevel", values=("0", "1", "2")),  # 0, 1 or 2 (CI submit pages)
        job_id("queue_id", "QueueId"),
        Str("callback", "CallBack", max_len=2048),  # URL length undocumented: our guard
        Enum("callback_format", "CallBackFormat", values=("JSON", "XML")),
    ),
    checks=(_submit_rules,),
    idempotent=False,
    answer_keys=("JobsDetail",),  # the new job: without it there is nothing to wait for
)

OPERATIONS = {op.name: op for op in (LIST_JOBS, GET_JOBS, CANCEL_JOB, SUBMIT_JOB)}


#: Where GET /jobs/{ids} answers the jobs and the ids it does not know (DescribeMediaJob page).
GET_JOBS_ANSWER = BatchAnswer(GET_JOBS.name, items=("JobsDetail",), missing=("NonExistJobIds",))
find_job = GET_JOBS_ANSWER.find
"""The ``JobsDetail`` of a job in a GetJobs answer; None when ``NonExistJobIds`` names it (see
:meth:`~airflow_provider_mediajobs.catalog.model.BatchAnswer.find`)."""


def _cos_output(job: Mapping[str, Any]) -> str | None:
    return object_uri("cos", dig(job, ("Operation", "Output", "Bucket")), dig(job, ("Operation", "Output", "Object")))


def _cos_inputs(job: Mapping[str, Any], bucket: BucketOf) -> tuple[str, ...]:
    # A job reads Input/Object from the bucket whose host the request went to: the submit pages'
    # <Input> holds only <Object>, and the DescribeMediaJob sample answers
    # <Input><Object>test.mp4</Object></Input>, no bucket.
    obj = dig(job, ("Input", "Object"))
    if not isinstance(obj, str) or not obj:
        return ()
    uri = object_uri("cos", bucket(), obj)
    return (uri,) if uri else ()


def jobs_and_missing(response: Mapping[str, Any], job_ids: Sequence[str] | None = None) -> dict[str, Any]:
    """A ``GET /jobs/{ids}`` answer in one shape: both lists, present even when empty.

    :param job_ids: the ids asked for; when given, each must be answered in exactly one list.
    :raises BadResponseError: an asked id is in neither list, or in both (see :func:`find_job`).
    """
    return GET_JOBS_ANSWER.shaped(*GET_JOBS_ANSWER.checked(response, job_ids or ()))


# The CI console's page (docs/operating.md, "Console links"): no address of one job is documented,
# so the link opens the bucket the job runs in.
CI_CONSOLE = Console(
    "CI console",
    "https://console.cloud.tencent.com/ci/bucket?bucket={bucket}&region={region}",
    "The CI console's bucket list is documented as https://console.cloud.tencent.com/ci/bucket (CI docs, Bucket "
    "Management: click a bucket's name to manage it; tencentyun/qcloud-documents). Not documented: the bucket "
    "and region query parameters that open one bucket (seen only in third-party code, the sync-qcloud-cos "
    "WordPress plugin's ci/bucket?bucket=...&region=...&type=document), the address of a bucket's job list "
    "(Job and Workflow) or of one job.",
)

TENCENT_CI_JOB = JobKind(
    name="tencent_ci_job",
    get=GET_JOBS,
    id_args=("job_ids",),
    state=("State",),
    success=frozenset({"Success"}),
    failure=frozenset({"Failed", "Cancel"}),
    pending=frozenset({"Submitted", "Running", "Pause"}),
    # "取消一个任务, 只有未执行的任务才可以被取消" / "Only pending jobs can be canceled" (the CancelMediaJob
    # page, cloud.tencent.com/document/product/436/67209; tencentcloud.com/document/api/1045/49512).
    # A job in Pause sits in a paused queue and has not run either. What the service answers for
    # a running or ended job is not documented ("no special error messages"): unknown.
    cancel=Cancel(CANCEL_JOB, "the CancelMediaJob page", id_args={"job_ids": "job_id"},
                  only_in=frozenset({"Submitted", "Pause"})),
    error_code=("Code",),
    error_message=("Message",),
    output=_cos_output,
    job_id_arg="job_ids",
    extract=find_job,
    # GET /jobs lists one queue's jobs of one tag, 100 a page at most, by creation time, filtered
    # by startCreationTime, every state by default (seed 001). Its JobsDetail items are what
    # GET /jobs/{ids} answers for a job; the queue and tag come from a first direct look.
    sweep=Sweep(
        LIST_JOBS,
        item_id=("JobId",),
        item_state=("State",),
        item_created=("CreationTime",),
        job_created=("CreationTime",),
        arguments={"order_by_time": "Desc", "size": 100},
        scope_job=(("queue_id", ("QueueId",)), ("tag", ("Tag",))),
        since=lambda when: {"start_creation_time": when},
        as_detail=lambda item, ids: item,
    ),
    inputs=_cos_inputs,
    console=CI_CONSOLE,
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


#: The largest request body an uncatalogued call sends (our guard: the CI pages document none; the
#: longest body the catalog builds, a SubmitJob, is a few KiB).
MAX_UNCATALOGUED_BODY = 1024 * 1024
_PATH = re.compile(r"/(?:[A-Za-z0-9_.,~-]+/?)*")
_QUERY_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")


def uncatalogued(method: Any, path: Any, query: Any = None, body: Any = None, *,
                 idempotent: Any = False) -> tuple[Operation, dict[str, str]]:
    """A CI call the catalog does not declare yet, checked before any request: the operation to
    sign and send, and its query parameters (see ``TencentCloudCIHook.call_path``).

    :param method: ``GET``, ``POST`` or ``PUT``.
    :param path: the request path, e.g. ``/template`` or ``/jobs/{id}`` with the id filled in.
    :param query: query parameters (a flag such as ``cancel`` has the value ``""``).
    :param body: the XML request body, ``<Request>...</Request>``, for POST and PUT.
    :param idempotent: whether repeating the call is harmless (only then is an ambiguous failure
        retried: a submission repeated could create a second job).
    :raises MediaJobsValidationError: naming the argument and what is allowed.
    """
    if method not in ("GET", "POST", "PUT"):
        raise invalid("method", "one of GET, POST, PUT", method)
    if not isinstance(path, str) or len(path) > 512 or not _PATH.fullmatch(path) or "/../" in f"{path}/":
        raise invalid("path", "a path such as /jobs or /template/t1 (letters, digits, / _ . , ~ -), "
                      "at most 512 characters", path)
    wire: dict[str, str] = {}
    for name, value in dict(query or {}).items():
        if not isinstance(name, str) or not _QUERY_NAME.fullmatch(name):
            raise invalid("query", "names of letters, digits, _ . - (at most 64)", name)
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise invalid(f"query[{name!r}]", "a string or an integer", value)
        wire[name] = str(value)
    if body is not None:
        if method == "GET":
            raise invalid("body", "left unset for GET", "given")
        if not isinstance(body, str) or len(body.encode("utf-8")) > MAX_UNCATALOGUED_BODY:
            raise invalid("body", f"an XML document as a string, at most {MAX_UNCATALOGUED_BODY} bytes", body)
        _check_request_document(body)
    if not isinstance(idempotent, bool):
        raise invalid("idempotent", "True or False", idempotent)
    # Named after what it is, not after a path: error messages and metrics carry this name.
    operation = Operation("UncataloguedCall", CI, method, path=path, idempotent=idempotent, empty_answer=True,
                          body=body)
    return operation, wire


def _check_request_document(body: str) -> None:
    # The same hardened parser the answers go through: no DTD, no entities, bounded depth.
    from airflow_provider_mediajobs.catalog import xml

    try:
        root, _ = xml.parse(body.encode("utf-8"))
    except Exception:
        raise invalid("body", "a well-formed XML document without a DTD", "unreadable") from None
    if root != "Request":
        raise invalid("body", "a <Request> document, as the CI APIs take", f"<{root[:40]}>")


class TencentCredentials(NamedTuple):
    """SecretId, SecretKey and an optional temporary token. ``repr`` never shows the secrets."""

    secret_id: str
    secret_key: str
    security_token: str | None = None

    @property
    def access_key_id(self) -> str:
        """The key id the vendor counts QPS against (same name as Alibaba's, for the poller)."""
        return self.secret_id

    def secrets(self) -> tuple[str, ...]:
        """The values no error or log may show."""
        return tuple(s for s in (self.secret_key, self.security_token) if s)

    def __repr__(self) -> str:
        return f"TencentCredentials(secret_id={self.secret_id!r}, secret_key='***')"


class TencentProtocol(NamedTuple):
    """Build signed CI requests and parse XML answers.

    :param credentials: SecretId / SecretKey (and token).
    :param region: e.g. ``ap-beijing``.
    :param bucket: ``BucketName-APPID``.
    :param endpoint_url: optional base URL (proxy, emulator), may contain ``{region}`` and
        ``{bucket}``; the signed ``Host`` header stays the bucket's virtual host, so one endpoint
        can serve many buckets.
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
        # Imported where requests are built and parsed: DAG parsing reads this catalog for its
        # parameters and does not pay for the wire types, the signer or xml.etree.
        from airflow_provider_mediajobs.catalog import xml
        from airflow_provider_mediajobs.catalog.wire import HttpRequest
        from airflow_provider_mediajobs.signing import canonical_query, ci_headers_to_sign, q_sign_authorization

        path_template, _, flag = operation.path.partition("?")
        path_values = {p: wire[p] for p in operation.path_params}
        signed_path = path_template.format(**path_values)
        query = {k: v for k, v in wire.items() if k not in operation.path_params}
        body = b""
        headers = {"Host": self.host}
        if operation.body is not None:
            body = operation.body.encode("utf-8")
            headers["Content-Type"] = "application/xml"
        elif operation.method == "POST":
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
        endpoint = self.endpoint_url.format(region=self.region, bucket=self.bucket) if self.endpoint_url else None
        base = (endpoint or f"https://{self.host}").rstrip("/")
        # The path goes out encoded (a comma as %2C), the query exactly as it was signed.
        qs = canonical_query(query)
        url = f"{base}{quote(signed_path, safe='/-_.~')}" + (f"?{qs}" if qs else "")
        headers["Accept"] = "application/xml"
        signature = headers["Authorization"].rpartition("q-signature=")[2]
        return HttpRequest(operation.method, url, headers, body, secrets=(signature,))

    def secrets(self) -> tuple[str, ...]:
        """The SecretKey and temporary token."""
        return self.credentials.secrets()

    def key_id(self) -> str:
        """The SecretId."""
        return self.credentials.secret_id

    def parse(self, operation: Operation, response: HttpResponse) -> dict[str, Any]:
        """Return the ``<Response>`` content; raise the typed error of an ``<Error>`` or bad body.

        A 2xx answer is a success only as a ``<Response>`` document carrying the operation's
        ``answer_keys`` (or, for an operation documented to answer nothing, an empty body). An
        empty body, or another root (an HTML page, ``<Foo/>``), says nothing about the jobs: read
        as a success it would be "no jobs" or "not found", so it is a :class:`BadResponseError`.
        """
        from airflow_provider_mediajobs.catalog import xml  # see build()
        from airflow_provider_mediajobs.catalog.wire import parse_retry_after

        retry_after = parse_retry_after(response)
        header_rid = response.header("x-ci-request-id") or response.header("x-cos-request-id")
        ok = 200 <= response.status < 300
        blank = not response.body.strip()
        try:
            root, content = xml.parse(response.body) if not blank else ("", {})
        except BadResponseError as err:
            if response.status >= 500 or response.status == 429:
                raise vendor_error(vendor="Tencent Cloud CI", status=response.status, code=None, message=None,
                                   request_id=header_rid, table=ERROR_TABLE, retry_after=retry_after) from None
            raise BadResponseError(f"{operation.name}: {err}", status=response.status,
                                   request_id=header_rid) from None
        if ok and (root == "Response" or (blank and operation.empty_answer)):
            missing_keys = operation.missing_answer_keys(content)
            if missing_keys:
                raise BadResponseError(
                    f"{operation.name} answered HTTP {response.status} with a <Response> without "
                    f"{', '.join(missing_keys)}, which every successful answer carries",
                    status=response.status, request_id=header_rid,
                )
            if "NonExistJobIds" in content:
                content["NonExistJobIds"] = _id_list(operation, content["NonExistJobIds"])
            content.setdefault("JobsDetail", [])
            return content
        if ok and root != "Error":
            what = "an empty body" if blank else f"a <{root[:40]}> document"
            raise BadResponseError(
                f"{operation.name} answered HTTP {response.status} with {what}, not the vendor's <Response> document",
                status=response.status, request_id=header_rid,
            )
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


def _id_list(operation: Operation, value: Any) -> list[str]:
    # One element of comma-separated ids (what the SDKs read), or the element repeated.
    ids: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, str):
            raise BadResponseError(f"{operation.name} answered NonExistJobIds holding {type(item).__name__}, "
                                   "not job ids")
        ids += [i.strip() for i in item.split(",") if i.strip()]
    return ids


def _json_value(text: str) -> Any:
    # Json parameters arrive serialized; the XML builder wants the object to make child elements.
    if text.startswith("{"):
        return json.loads(text)
    return text

