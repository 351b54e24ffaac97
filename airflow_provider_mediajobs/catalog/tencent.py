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
from typing import TYPE_CHECKING, Any, Literal, NamedTuple
from urllib.parse import quote, unquote, urlsplit

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
    StrList,
    Time,
    invalid,
    job_id,
)
from airflow_provider_mediajobs.catalog.shapes import ListOf, Shaped, keys
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
STATES = ("All", "Submitted", "Running", "Success", "Failed", "Pause", "Cancel")
CI_TIME = "%Y-%m-%dT%H:%M:%S%z"
# COS/CI region ids ("Regions and Access Endpoints" COS page, read 2026-12); the extra
# allow_unknown_region lets a newer one through.
REGIONS = frozenset({
    "ap-beijing-1", "ap-beijing", "ap-nanjing", "ap-shanghai", "ap-guangzhou", "ap-chengdu", "ap-chongqing",
    "ap-shenzhen-fsi", "ap-shanghai-fsi", "ap-beijing-fsi", "ap-hongkong", "ap-singapore", "ap-jakarta",
    "ap-seoul", "ap-bangkok", "ap-tokyo", "na-siliconvalley", "na-ashburn", "sa-saopaulo", "eu-frankfurt",
})


class SubmitTag(NamedTuple):
    """How ``POST /jobs`` takes one job tag: a row of :data:`SUBMIT_TAGS`. The submit rules, the
    option parameters of :data:`SUBMIT_JOB` and the how-to's tables are all read from these rows.

    :param tag: the job's ``Tag``.
    :param option: the argument carrying the tag's own node under ``<Operation>``.
    :param node: that node's element name.
    :param keys: the node's documented top-level elements; another key is refused before any request.
    :param page: its submit page, ``cloud.tencent.com/document/product/<page>``.
    :param models: the official SDK models the row is read from, beside the page.
    :param options: ``required`` (the node must be given), ``or_template`` (the node or
        ``template_id``: the vendor reads ``TemplateId`` first and the node without one) or
        ``optional``.
    :param inputs: the input arguments of which one must be given (empty: the input is optional).
    :param output: the output arguments it requires (it writes its result there).
    :param output_one_of: output arguments of which at least one is required.
    :param takes: the arguments of :data:`TAG_ARGS` its page documents besides its option.
    :param queue_required: whether its page requires ``QueueId``.
    :param required_keys: elements of the node its page marks required.
    :param repeated: elements (at any depth of the node) the vendor repeats: a JSON list there is
        sent as the element once per item.
    :param example: an example value of the option, for the error that asks for it.
    """

    tag: str
    option: str
    node: str
    keys: tuple[str, ...]
    page: str
    models: str
    options: Literal["required", "or_template", "optional"] = "or_template"
    inputs: tuple[str, ...] = ("input_object",)
    output: tuple[str, ...] = ("output_region", "output_bucket", "output_object")
    output_one_of: tuple[str, ...] = ()
    takes: frozenset[str] = frozenset({"user_data"})
    queue_required: bool = False
    required_keys: tuple[str, ...] = ()
    repeated: frozenset[str] = frozenset()
    example: str = ""


# The AI tags (Translation, SpeechRecognition, WordsGeneralize): their submit pages
# (cloud.tencent.com/document/product/460/84799, /84798, /84800, as cos-go-sdk-v5's
# example/CI/workflow_and_job/jobs.go names them) as this catalog took them before the media tags,
# QueueId required, Input/Lang and Input/Type taken. Their nodes' keys are the cos-go-sdk-v5 models
# (ci_media.go Translation, SpeechRecognition, WordsGeneralize).
_AI_TAKES = frozenset({"input_lang", "input_type", "user_data"})
# The media tags: each tag's submit page (cloud.tencent.com/document/product/460/<page>) as the
# official Android SDK models it (qcloud-sdk-android, cos-android model/ci/media/Submit<Tag>Job.java,
# whose fields carry the page's "是否必传" / required), with the element names of cos-go-sdk-v5
# (ci_media.go MediaProcessJobOperation and the node's struct) and cos-python-sdk-v5
# (demo/ci_media.py ci_create_media_*_jobs, all through ci_create_media_jobs). Every media page marks
# the node and TemplateId optional and says TemplateId is read first, so one of them is needed;
# Operation/Output (Region, Bucket, Object) is required. None lists QueueId: the job goes to the
# bucket's media queue (which one is not stated).
_AUDIO_MIX = frozenset({"AudioMixArray"})
SUBMIT_TAGS: tuple[SubmitTag, ...] = (
    SubmitTag("Translation", "translation", "Translation", ("Lang", "Type"), "460/84799", "cos-go-sdk-v5 Translation",
              options="required", output=("output_bucket", "output_object"), takes=_AI_TAKES, queue_required=True,
              example='{"Lang": "en", "Type": "txt"}'),
    SubmitTag("SpeechRecognition", "speech_recognition", "SpeechRecognition",
              ("ChannelNum", "ConvertNumMode", "EngineModelType", "FilterDirty", "FilterModal", "ResTextFormat",
               "SpeakerDiarization", "SpeakerNumber", "FilterPunc", "OutputFileType", "FlashAsr", "Format",
               "FirstChannelOnly", "WordInfo", "SentenceMaxLength"),
              "460/84798", "cos-go-sdk-v5 SpeechRecognition", output=("output_bucket", "output_object"),
              takes=_AI_TAKES, queue_required=True),
    # WordsGeneralize answers its result in the job (WordsGeneralizeResult) and writes no object.
    SubmitTag("WordsGeneralize", "words_generalize", "WordsGeneralize", ("NerMethod", "SegMethod"),
              "460/84800", "cos-go-sdk-v5 WordsGeneralize", options="optional", output=(), takes=_AI_TAKES,
              queue_required=True),
    # 460/84790; SubmitTranscodeJob.java: Transcode is the transcode template's nodes (Container,
    # Video, TimeInterval, Audio, TransConfig, AudioMix, AudioMixArray of at most 2);
    # WatermarkTemplateId and Watermark at most 3 each; RemoveWatermark; Subtitles; DigitalWatermark;
    # QueueType SpeedTranscoding. Subtitle is the Go SDK's (Transcode.Subtitle); FreeTranscode
    # (idle-time transcoding) the Go SDK's and the Python demo's, not the Android model's.
    SubmitTag("Transcode", "transcode", "Transcode",
              ("Container", "Video", "TimeInterval", "Audio", "TransConfig", "AudioMix", "AudioMixArray", "Subtitle"),
              "460/84790", "qcloud-sdk-android SubmitTranscodeJob; cos-go-sdk-v5 Transcode", repeated=_AUDIO_MIX,
              takes=frozenset({"user_data", "watermark_template_ids", "watermark", "remove_watermark", "subtitles",
                               "digital_watermark", "queue_type", "free_transcode"})),
    # 460/84780; SubmitSnapshotJob.java: Snapshot is the snapshot template's Request.Snapshot, whose
    # Count is required (TemplateSnapshot.java); Output Object and SpriteObject are both optional
    # ("${number}" wildcard for several files): one of them is our guard, a job that writes neither
    # has nothing to show.
    SubmitTag("Snapshot", "snapshot", "Snapshot",
              ("Mode", "Start", "TimeInterval", "Count", "Width", "Height", "CIParam", "IsCheckCount",
               "IsCheckBlack", "BlackLevel", "PixelBlackThreshold", "SnapshotOutMode", "SpriteSnapshotConfig"),
              "460/84780", "qcloud-sdk-android SubmitSnapshotJob, TemplateSnapshot", required_keys=("Count",),
              output=("output_region", "output_bucket"), output_one_of=("output_object", "output_sprite_object"),
              takes=frozenset({"user_data", "output_sprite_object"})),
    # 460/84784; SubmitAnimationJob.java: Animation is Container, Video, TimeInterval.
    SubmitTag("Animation", "animation", "Animation", ("Container", "Video", "TimeInterval"),
              "460/84784", "qcloud-sdk-android SubmitAnimationJob; cos-go-sdk-v5 Animation"),
    # 460/84788; SubmitConcatJob.java: Input is optional, ConcatTemplate.Container required,
    # ConcatFragment repeated (objects of the same bucket), AudioMixArray at most 2; no UserData.
    # SceneChangeInfo is the Go SDK's and the Python demo's.
    SubmitTag("Concat", "concat_template", "ConcatTemplate",
              ("ConcatFragment", "Audio", "Video", "Container", "Index", "AudioMix", "AudioMixArray",
               "SceneChangeInfo", "DirectConcat"),
              "460/84788", "qcloud-sdk-android SubmitConcatJob; cos-go-sdk-v5 ConcatTemplate", inputs=(),
              required_keys=("Container",), repeated=frozenset({"ConcatFragment", "AudioMixArray"}),
              takes=frozenset()),
    # 460/84791; SubmitSmartCoverJob.java: SmartCover is Format, Width, Height, Count, DeleteDuplicates.
    SubmitTag("SmartCover", "smart_cover", "SmartCover", ("Format", "Width", "Height", "Count", "DeleteDuplicates"),
              "460/84791", "qcloud-sdk-android SubmitSmartCoverJob; cos-go-sdk-v5 NodeSmartCover"),
    # 460/84794; SubmitVoiceSeparateJob.java: VoiceSeparate is AudioMode, AudioConfig; Output Object
    # (background) and AuObject (voice) must not both be empty; no UserData.
    SubmitTag("VoiceSeparate", "voice_separate", "VoiceSeparate", ("AudioMode", "AudioConfig"),
              "460/84794", "qcloud-sdk-android SubmitVoiceSeparateJob; cos-go-sdk-v5 VoiceSeparate",
              output=("output_region", "output_bucket"), output_one_of=("output_object", "output_au_object"),
              takes=frozenset({"output_au_object"})),
    # 460/84778; SubmitVideoMontageJob.java: Input Object, or Url (public URL, Soccer scene only);
    # VideoMontage is Container, Video, Audio, TransConfig, AudioMix, AudioMixArray (at most 2), and
    # Duration and Scene of the montage template (TemplateVideoMontage.java; cos-go-sdk-v5 VideoMontage).
    SubmitTag("VideoMontage", "video_montage", "VideoMontage",
              ("Container", "Video", "Audio", "TransConfig", "AudioMix", "AudioMixArray", "Duration", "Scene"),
              "460/84778",
              "qcloud-sdk-android SubmitVideoMontageJob, TemplateVideoMontage; cos-go-sdk-v5 VideoMontage",
              inputs=("input_object", "input_url"), repeated=_AUDIO_MIX, takes=frozenset({"user_data", "input_url"})),
)
SUBMIT_TAG_OF: Mapping[str, SubmitTag] = {spec.tag: spec for spec in SUBMIT_TAGS}
TAGS = tuple(SUBMIT_TAG_OF)
#: Each argument only some tags take -> those tags, in table order (each tag's option is its own).
TAG_ARGS: Mapping[str, tuple[str, ...]] = {
    arg: tuple(spec.tag for spec in SUBMIT_TAGS if arg == spec.option or arg in spec.takes)
    for arg in dict.fromkeys(a for spec in SUBMIT_TAGS for a in (spec.option, *sorted(spec.takes)))
}


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
        # The tags this catalog submits: the AI ones (seed 001) and the media ones, which the
        # DescribeMediaJobs page (cloud.tencent.com/document/product/460/84766) lists among its tags
        # (with SDRtoHDR, VideoProcess, SuperResolution, Segment, DigitalWatermark,
        # ExtractDigitalWatermark, VideoTag, MediaInfo, StreamExtract, QualityEstimate, Tts and
        # NoiseReduction, which SubmitJob does not catalog: call_path lists them).
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
    # Every rule that depends on the tag reads the tag's row of SUBMIT_TAGS; none names a tag.
    spec = SUBMIT_TAG_OF[args["tag"]]
    if spec.inputs and not any(args.get(arg) for arg in spec.inputs):
        raise invalid("/".join(spec.inputs), f"given for tag {spec.tag}: it reads it", None)
    if spec.queue_required and not args.get("queue_id"):
        raise invalid("queue_id", f"given for tag {spec.tag}: SubmitJob requires it", None)
    for arg, owners in TAG_ARGS.items():
        if args.get(arg) is not None and spec.tag not in owners:
            whose = f"tag {owners[0]}" if len(owners) == 1 else f"tags {', '.join(owners)}"
            raise invalid(arg, f"left unset for tag {spec.tag} (it belongs to {whose})", "given")
    if spec.options == "required" and args.get(spec.option) is None:
        raise invalid(spec.option, f"given for tag {spec.tag}, e.g. {spec.example}", None)
    if spec.options == "or_template" and args.get(spec.option) is None and args.get("template_id") is None:
        raise invalid(spec.option, f"given (or template_id) for tag {spec.tag}", None)
    if any(not args.get(arg) for arg in spec.output):
        raise invalid("/".join(spec.output), f"given for tag {spec.tag}: it writes its result there", None)
    if spec.output_one_of and not any(args.get(arg) for arg in spec.output_one_of):
        raise invalid("/".join(spec.output_one_of), f"given, one at least, for tag {spec.tag}: it writes its "
                      "result there", None)
    if args.get("callback_type") == "TDMQ" and args.get("callback_mq_config") is None:
        raise invalid("callback_mq_config", 'given when callback_type is "TDMQ" (the submit pages)', None)


def _option(spec: SubmitTag) -> Shaped:
    return Shaped(spec.option, f"Operation/{spec.node}", keys(spec.keys, spec.required_keys), xml_names=True,
                  repeated=spec.repeated)


_REMOVE_WATERMARK = ("Dx", "Dy", "Width", "Height")

SUBMIT_JOB = Operation(
    "SubmitJob",
    CI,
    "POST",
    path="/jobs",
    # Wire names are paths in the <Request> body, in the vendor's element order. Object keys (1024)
    # are our guard, as for ListJobs; UserData and JobLevel follow the submit pages. Whether each
    # tag takes an argument, and requires it, is SUBMIT_TAGS' (see _submit_rules).
    params=(
        Enum("tag", "Tag", required=True, values=TAGS),
        Str("input_object", "Input/Object", max_len=1024),
        # Language and type codes are short vendor codes ("en", "txt"); 16 is our guard, not the vendor's.
        Str("input_lang", "Input/Lang", max_len=16),
        Str("input_type", "Input/Type", max_len=16),
        # VideoMontage's Input/Url: a public URL (its length is not documented: 2048 is our guard).
        Str("input_url", "Input/Url", max_len=2048),
        *(_option(spec) for spec in SUBMIT_TAGS),
        job_id("template_id", "Operation/TemplateId", required=False),
        # Transcode: "最多传3个" (at most 3) watermark template ids and watermarks (460/84790).
        StrList("watermark_template_ids", "Operation/WatermarkTemplateId", max_items=3, names=True),
        Shaped("watermark", "Operation/Watermark", ListOf(keys(
            ("Type", "Pos", "LocMode", "Dx", "Dy", "StartTime", "EndTime", "SlideConfig", "Image", "Text")),
            min_items=1, max_items=3), xml_names=True),
        # Dx, Dy, Width, Height all required, each in [1, 4096] (SubmitTranscodeJob.java RemoveWatermark).
        Shaped("remove_watermark", "Operation/RemoveWatermark", keys(_REMOVE_WATERMARK, _REMOVE_WATERMARK),
               xml_names=True),
        Shaped("subtitles", "Operation/Subtitles", keys(("Subtitle",), ("Subtitle",)), xml_names=True,
               repeated=frozenset({"Subtitle"})),
        # The page's sample and the Python demo: Type, Message, Version, IgnoreError.
        Shaped("digital_watermark", "Operation/DigitalWatermark", keys(("Type", "Message", "Version", "IgnoreError")),
               xml_names=True),
        Str("output_region", "Operation/Output/Region", max_len=32),  # region ids are short: our guard
        job_id("output_bucket", "Operation/Output/Bucket", required=False, what="a bucket name"),
        Str("output_object", "Operation/Output/Object", max_len=1024),
        Str("output_sprite_object", "Operation/Output/SpriteObject", max_len=1024),  # Snapshot's sprite
        Str("output_au_object", "Operation/Output/AuObject", max_len=1024),  # VoiceSeparate's voice track
        _user_data("user_data", "Operation/UserData"),
        Enum("job_level", "Operation/JobLevel", values=("0", "1", "2")),  # 0, 1 or 2 (CI submit pages)
        Enum("free_transcode", "Operation/FreeTranscode", values=("true", "false")),
        job_id("queue_id", "QueueId", required=False),
        Enum("queue_type", "QueueType", values=("SpeedTranscoding",)),  # "限制为 SpeedTranscoding" (Transcode)
        Str("callback", "CallBack", max_len=2048),  # URL length undocumented: our guard
        Enum("callback_format", "CallBackFormat", values=("JSON", "XML")),
        Enum("callback_type", "CallBackType", values=("Url", "TDMQ")),  # default Url (the submit pages)
        # Required when CallBackType is TDMQ; MqMode, MqRegion, MqName (Go SDK NotifyConfigCallBackMqConfig).
        Shaped("callback_mq_config", "CallBackMqConfig", keys(("MqMode", "MqRegion", "MqName")), xml_names=True),
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
    # The first output object given: Object (VoiceSeparate's background track), else AuObject (its
    # voice track), else SpriteObject (Snapshot's sprite). An object with a ${...} wildcard
    # (${number}, ${Number}, ${ext}, ${jobid}: the media pages) names no one object.
    for key in ("Object", "AuObject", "SpriteObject"):
        obj = dig(job, ("Operation", "Output", key))
        if isinstance(obj, str) and obj:
            return None if "${" in obj else object_uri("cos", dig(job, ("Operation", "Output", "Bucket")), obj)
    return None


# A COS object's default address: https://{BucketName-APPID}.cos.{Region}.myqcloud.com/{key}.
_COS_OBJECT_HOST = re.compile(r"(?P<bucket>[a-z0-9-]+)\.cos\.[a-z0-9-]+\.myqcloud\.com", re.ASCII)


def _cos_inputs(job: Mapping[str, Any], bucket: BucketOf) -> tuple[str, ...]:
    # A job reads Input/Object from the bucket whose host the request went to: the submit pages'
    # <Input> holds only <Object>, and the AI DescribeMediaJob samples answer
    # <Input><Object>test.mp4</Object></Input>, no bucket (the media ones add Input/BucketId).
    # A Concat job reads its ConcatFragment Urls too, which its page requires to be objects of the
    # same bucket: a Url that is that bucket's default COS address of an object is reported; one
    # on another host (a CDN, a custom domain) names no object this can tell.
    uris: list[str | None] = []
    obj = dig(job, ("Input", "Object"))
    fragments = dig(job, ("Operation", "ConcatTemplate", "ConcatFragment"))
    urls = [f.get("Url") for f in (fragments if isinstance(fragments, list) else [fragments])
            if isinstance(f, Mapping)]
    if not (isinstance(obj, str) and obj) and not urls:
        return ()
    named = dig(job, ("Input", "BucketId"))
    home = named if isinstance(named, str) and named else bucket()
    if isinstance(obj, str) and obj:
        uris.append(object_uri("cos", home, obj))
    uris += [_cos_url_object(url, home) for url in urls]
    return tuple(uri for uri in uris if uri)


def _cos_url_object(url: Any, bucket: str | None) -> str | None:
    # The cos:// URI of an http(s) URL that is the default COS address of an object of ``bucket``.
    try:
        parts = urlsplit(url) if isinstance(url, str) else None
        host = parts.hostname if parts is not None and parts.scheme in ("http", "https") else None
    except ValueError:  # an unreadable URL (a bad port, an unclosed [) names nothing
        return None
    found = _COS_OBJECT_HOST.fullmatch(host or "")
    if parts is None or found is None or bucket is None or found["bucket"] != bucket:
        return None
    return object_uri("cos", bucket, unquote(parts.path))


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
            # JSON parameters arrive serialized: an object becomes the node's child elements, an
            # array the element repeated. Other values (a user_data of "{x}") stay text.
            nodes = {p.wire for p in operation.params if isinstance(p, Json | StrList)}
            body = xml.build("Request", {k: json.loads(v) if k in nodes else v for k, v in query.items()})
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
