"""Emulator state, apart from any wire format (moto-style): jobs whose states move with time,
credentials, nonces, faults, a QPS limit and counters.

A job's state is computed from the clock when read: created -> queued for ``queue_s`` -> running
for ``run_s`` -> its outcome. Nothing runs in the background.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

T = TypeVar("T")

# The emulator's credentials and the bucket of the default ``tencent_cloud_ci_default`` connection.
ALIBABA_KEY = ("LTAIemulatorKEY", "emulator-secret")
TENCENT_KEY = ("AKIDemulatorKEY", "emulator-secret")
ALIBABA_REGION = "cn-shanghai"
TENCENT_BUCKET = ("examplebucket-1250000000", "ap-beijing")
DEFAULT_BUCKETS = dict([TENCENT_BUCKET, ("mediabucket-1250000000", "ap-shanghai")])  # bucket -> region
# The server's defaults (``Backend``, ``EmulatorServer`` and the ``mediajobs-emulator`` options).
DEFAULT_SEED_JOBS = 1000
DEFAULT_QUEUE_SECONDS = 2.0
DEFAULT_RUN_SECONDS = 5.0
DEFAULT_FAILURE_RATIO = 0.0
DEFAULT_STALL_SECONDS = 35.0

SMART_TYPES = ("ASR", "DynamicChart", "VideoTranslation", "TextToSpeech")
IMM_TYPES = ("VideoLabelClassification", "FaceClustering", "ImageDetection")  # the seeded tasks' types
TENCENT_AI_TAGS = ("Translation", "SpeechRecognition", "WordsGeneralize")  # the seeded jobs' tags
# The media processing tags POST /jobs takes and GET /jobs lists (the DescribeMediaJobs page,
# cloud.tencent.com/document/product/460/84766, lists these among its tags).
TENCENT_MEDIA_TAGS = ("Transcode", "Snapshot", "Animation", "Concat", "SmartCover", "VoiceSeparate", "VideoMontage")
TENCENT_TAGS = TENCENT_AI_TAGS + TENCENT_MEDIA_TAGS
DEFAULT_IMM_PROJECT = "media-archive"  # the project the seeded IMM tasks are in
# The queue a CI job lands in when its submission names none. Every real JobsDetail names its
# queue (seed 001's sample; listing a queue's jobs takes its queueId), so the emulator never
# answers an empty QueueId. The real default queue's id is per account and unknown here: this is
# seed 001's sample id.
DEFAULT_CI_QUEUE = "p893bcda225bf4945a378da6662e81a89"
# ICE SubmitIProductionJob's functions (alibabacloud-ice20201109 SubmitIProductionJobRequest.function_name).
ICE_IPRODUCTION_FUNCTIONS = (
    "Cover", "VideoClip", "VideoDelogo", "VideoDetext", "CaptionExtraction", "VideoGreenScreenMatting",
    "FaceBeauty", "VideoH2V", "MusicSegmentDetect", "AudioBeatDetection", "AudioQualityAssessment",
    "SpeechDenoise", "AudioMixing", "MusicDemix",
)
# A live snapshot job's states (it has no terminal state; these jobs are seeded only).
LIVE_SNAPSHOT_STATES = ("init", "paused", "started")
# How a job moves over time; accepted for every kind.
TIMING_FIELDS = ("queue_s", "run_s", "succeed", "created")


@dataclass(frozen=True)
class JobKind:
    """One job kind as the emulator plays it, stated once: :data:`JOB_KINDS` holds them all, and
    the backend, the admin API and the vendor handlers read them.

    :param name: the kind, as the admin API names it (``POST jobs {"kind": ...}``).
    :param queued: the state before the job runs; ``running``, ``success``, ``failure`` the next ones
        (IMM's queued and running state are the same).
    :param attributes: every attribute the vendor handlers read, with the value a job gets when its
        creator leaves it out.
    :param choices: attributes that take only one of a few values.
    :param required: attributes that must not be empty.
    :param bucket: the attribute naming a bucket the backend must serve; an empty one becomes
        :meth:`Backend.default_bucket` at creation.
    :param other_states: states a job reaches only by an action or a forced state.
    :param id_prefix: what a new id starts with; ``id_hex`` random hex digits follow.
    :param seed: the attributes of the ``i``-th seeded job, given the buckets the backend serves.
    """

    name: str
    queued: str
    running: str
    success: str
    failure: str
    attributes: Mapping[str, str]
    seed: Callable[[int, tuple[str, ...]], dict[str, Any]]
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    bucket: str | None = None
    other_states: tuple[str, ...] = ()
    id_prefix: str = ""
    id_hex: int = 32

    @property
    def states(self) -> tuple[str, ...]:
        """Every state a job of this kind can be in, each once."""
        return tuple(dict.fromkeys((self.queued, self.running, self.success, self.failure, *self.other_states)))


JOB_KINDS: dict[str, JobKind] = {kind.name: kind for kind in (
    JobKind(
        "mts", "Queuing", "Analysing", "Success", "Fail",
        attributes={"function_name": "VideoQualityEnhancement", "input": "", "output": "", "job_params": "",
                    "pipeline_id": "", "user_data": ""},
        required=frozenset({"function_name"}),
        seed=lambda i, _: {"input": f"oss://seed/in/{i}.mp4", "output": f"oss://seed/out/{i}.mp4"},
    ),
    JobKind(
        "ice_smart", "Created", "Executing", "Finished", "Failed",
        attributes={"job_type": SMART_TYPES[0], "title": "", "output_bucket": "out", "output_object": "",
                    "user_data": ""},
        choices={"job_type": SMART_TYPES},
        seed=lambda i, _: {"job_type": SMART_TYPES[i % len(SMART_TYPES)], "title": f"seed job {i}",
                           "output_bucket": "seed-out", "output_object": f"smart/{i}.json"},
    ),
    JobKind(
        # An IMM task is only found under its project.
        "imm", "Running", "Running", "Succeeded", "Failed",
        # user_data, tags (JSON text) and event_id: what a Create*Task gave or answered (issue 18, part 3).
        attributes={"project_name": DEFAULT_IMM_PROJECT, "task_type": IMM_TYPES[0], "user_data": "", "tags": "",
                    "event_id": ""},
        required=frozenset({"project_name", "task_type"}),
        id_prefix="Task-", id_hex=24,
        seed=lambda i, _: {"task_type": IMM_TYPES[i % len(IMM_TYPES)]},
    ),
    JobKind(
        "tencent", "Submitted", "Running", "Success", "Failed",
        # operation_xml: a media job's <Operation> as submitted, which its JobsDetail echoes.
        attributes={"bucket": "", "tag": TENCENT_TAGS[0], "queue_id": DEFAULT_CI_QUEUE, "input_object": "",
                    "output_object": "",
                    "user_data": "", "job_level": "0", "operation_xml": ""},
        choices={"tag": TENCENT_TAGS, "job_level": ("0", "1", "2")},
        bucket="bucket",
        other_states=("Pause", "Cancel"),
        id_prefix="j",
        seed=lambda i, buckets: {"bucket": buckets[i % len(buckets)],
                                 "tag": TENCENT_AI_TAGS[i % len(TENCENT_AI_TAGS)], "queue_id": DEFAULT_CI_QUEUE,
                                 "input_object": f"seed/{i}.txt"},
    ),
    # -- MTS transcoding, snapshots and media info (issue 18, part 1) ------------------------------
    # States: ListJobRequest.state (transcoding), the QuerySnapshotJobList and QueryMediaInfoJobList
    # pages (snapshots, media info; a media info job is Analyzing from submission to its end).
    # Each job reads one OSS object (input_bucket/location/object) and, but for media info, writes one;
    # the defaults (buckets, region, queue, template) are made up, of the shapes the pages' examples show.
    JobKind(
        "mts_transcode", "Submitted", "Transcoding", "TranscodeSuccess", "TranscodeFail",
        attributes={"input_bucket": "mts-in", "input_location": "oss-cn-shanghai", "input_object": "in/clip.mp4",
                    "output_bucket": "mts-out", "output_location": "oss-cn-shanghai", "output_object": "out/clip.mp4",
                    "template_id": "S00000001-200010", "pipeline_id": "88c6ca184c0e47098a5b665e2a126797",
                    "user_data": ""},
        required=frozenset({"input_bucket", "input_object", "output_bucket", "template_id"}),
        other_states=("TranscodeCancelled",),
        seed=lambda i, _: {"input_object": f"seed/in/{i}.mp4", "output_object": f"seed/out/{i}.mp4"},
    ),
    JobKind(
        "mts_snapshot", "Submitted", "Snapshoting", "Success", "Fail",
        attributes={"input_bucket": "mts-in", "input_location": "oss-cn-shanghai", "input_object": "in/clip.mp4",
                    "output_bucket": "mts-out", "output_location": "oss-cn-shanghai", "output_object": "shots/clip.jpg",
                    "snapshot_config": "", "pipeline_id": "88c6ca184c0e47098a5b665e2a126797", "user_data": ""},
        required=frozenset({"input_bucket", "input_object", "output_bucket"}),
        seed=lambda i, _: {"input_object": f"seed/in/{i}.mp4", "output_object": f"seed/shots/{i}.jpg"},
    ),
    JobKind(
        "mts_media_info", "Analyzing", "Analyzing", "Success", "Fail",
        attributes={"input_bucket": "mts-in", "input_location": "oss-cn-shanghai", "input_object": "in/clip.mp4",
                    "async": "true", "pipeline_id": "88c6ca184c0e47098a5b665e2a126797", "user_data": ""},
        choices={"async": ("true", "false")},
        required=frozenset({"input_bucket", "input_object"}),
        seed=lambda i, _: {"input_object": f"seed/in/{i}.mp4"},
    ),
    # (end of MTS_MEDIA)

    # -- ICE transcoding, snapshots and media conversion (issue 18, part 2) ------------------------
    # Their nested request objects are kept as the JSON text the request carried (the admin API
    # takes the same text), and rendered back in the answers (emulator.alibaba).
    JobKind(
        # A parent job (its sub-jobs share its state): Init, Processing, Success or Fail
        # (ListTranscodeJobsRequest.status; the sub-jobs' TranscodeJobList[].Status).
        "ice_transcode", "Init", "Processing", "Success", "Fail",
        attributes={"name": "", "input_group": '[{"Type":"OSS","Media":"oss://media-in/clip.mp4"}]',
                    "output_group": '[{"Output":{"Type":"OSS","Media":"oss://media-out/clip.mp4"},'
                                    '"ProcessConfig":{"Transcode":{"TemplateId":"S00000001-200010"}}}]',
                    "schedule_config": "", "user_data": ""},
        required=frozenset({"input_group", "output_group"}),
        seed=lambda i, _: {
            "name": f"seed transcode {i}", "input_group": f'[{{"Type":"OSS","Media":"oss://seed-in/{i}.mp4"}}]',
            "output_group": f'[{{"Output":{{"Type":"OSS","Media":"oss://seed-out/{i}.mp4"}},'
                            '"ProcessConfig":{"Transcode":{"TemplateId":"S00000001-200010"}}}]'},
    ),
    JobKind(
        # Init until it ends (GetSnapshotJob's Status: Init, Success, Fail; no running state).
        "ice_snapshot", "Init", "Init", "Success", "Fail",
        attributes={"name": "", "input": '{"Type":"OSS","Media":"oss://media-in/clip.mp4"}',
                    "output": '{"Type":"OSS","Media":"oss://media-out/snapshots/{Count}.jpg"}',
                    "template_config": '{"TemplateId":"S00000001-100020"}', "schedule_config": "", "user_data": ""},
        required=frozenset({"input", "output", "template_config"}),
        seed=lambda i, _: {"name": f"seed snapshot {i}", "input": f'{{"Type":"OSS","Media":"oss://seed-in/{i}.mp4"}}',
                           "output": f'{{"Type":"OSS","Media":"oss://seed-out/{i}/{{Count}}.jpg"}}'},
    ),
    JobKind(
        # GetMediaConvertJob's states; Cancelled is reached only by a forced state (no cancel call).
        "ice_media_convert", "Inited", "Running", "Complete", "Error",
        attributes={"config": '{"Inputs":[{"Name":"in","InputFile":{"Type":"OSS","Media":"oss://media-in/clip.mp4"}}],'
                              '"Outputs":[{"Name":"out","TemplateId":"S00000001-200010",'
                              '"OutputFile":{"Type":"OSS","Media":"oss://media-out/clip.mp4"}}]}',
                    "pipeline_id": "", "user_data": "", "client_token": ""},
        required=frozenset({"config"}),
        other_states=("Cancelled",),
        seed=lambda i, _: {"config": f'{{"JobName":"seed {i}","Inputs":[{{"Name":"in","InputFile":{{"Type":"OSS",'
                                     f'"Media":"oss://seed-in/{i}.mp4"}}}}],"Outputs":[{{"Name":"out",'
                                     f'"TemplateId":"S00000001-200010","OutputFile":{{"Type":"OSS",'
                                     f'"Media":"oss://seed-out/{i}.mp4"}}}}]}}'},
    ),
    # (end of ICE_MEDIA)

    # -- ICE timeline editing and IProduction (issue 18, part 2) -----------------------------------
    JobKind(
        # GetMediaProducingJob's states; Init is reached only when forced (when a real job shows it
        # before Queuing is not documented).
        "ice_producing", "Queuing", "Processing", "Success", "Failed",
        attributes={"timeline": "", "template_id": "", "clips_param": "", "project_id": "",
                    "output_media_config": "", "output_media_target": "", "user_data": ""},
        other_states=("Init",),
        seed=lambda i, _: {
            "timeline": '{"VideoTracks":[{"VideoTrackClips":[{"MediaURL":'
                        f'"https://seed-in.oss-cn-shanghai.aliyuncs.com/clips/{i}.mp4"}}]}}]}}',
            "output_media_config": f'{{"MediaURL":"https://seed-out.oss-cn-shanghai.aliyuncs.com/produced/{i}.mp4"}}',
        },
    ),
    JobKind(
        # ICE QueryIProductionJob's states (MTS spells its running state Analysing).
        "ice_iproduction", "Queuing", "Analyzing", "Success", "Fail",
        attributes={"function_name": ICE_IPRODUCTION_FUNCTIONS[0], "input": "", "output": "", "job_params": "",
                    "model_id": "", "name": "", "schedule_config": "", "template_id": "", "user_data": "",
                    "cancelled": ""},  # set by CancelIProductionJob
        choices={"function_name": ICE_IPRODUCTION_FUNCTIONS},
        required=frozenset({"function_name"}),
        seed=lambda i, _: {
            "function_name": ICE_IPRODUCTION_FUNCTIONS[i % len(ICE_IPRODUCTION_FUNCTIONS)],
            "input": f'{{"Type":"OSS","Media":"oss://seed-in/iproduction/{i}.mp4"}}',
            "output": f'{{"Type":"OSS","Media":"oss://seed-out/iproduction/{i}.mp4"}}',
        },
    ),
    # (end of ICE_EDITING)

    # -- IMM Create*Task (issue 18, part 3) --------------------------------------------------------
    # (job kinds of IMM_TASKS go here)
    # (end of IMM_TASKS)
)}
# Per kind, its attributes and their defaults (a view of JOB_KINDS).
JOB_ATTRIBUTES: dict[str, dict[str, str]] = {name: dict(kind.attributes) for name, kind in JOB_KINDS.items()}


@dataclass
class Job:
    """One emulated job of any kind."""

    kind: str
    job_id: str
    created: float
    queue_s: float
    run_s: float
    succeed: bool
    attrs: dict[str, Any] = field(default_factory=dict)
    forced: str | None = None

    def state(self, now: float) -> str:
        """The state at ``now`` (a forced state wins)."""
        if self.forced:
            return self.forced
        kind = JOB_KINDS[self.kind]
        age = now - self.created
        if age < self.queue_s:
            return kind.queued
        if age < self.queue_s + self.run_s:
            return kind.running
        return kind.success if self.succeed else kind.failure

    def done_at(self) -> float:
        """When the job reaches its outcome."""
        return self.created + self.queue_s + self.run_s


class VendorError(Exception):
    """An error answer, whichever vendor gives it: HTTP status, Code, Message (each vendor module
    renders it in its own format)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


def parse_required(text: str | None, parse: Callable[[str], T], missing: VendorError, malformed: VendorError) -> T:
    """``parse(text)`` for a field a request must carry (a signature, a time stamp): ``missing`` is
    raised when it is absent or empty, ``malformed`` when ``parse`` raises ``ValueError``."""
    if not text:
        raise missing
    try:
        return parse(text)
    except ValueError:
        raise malformed from None


@dataclass
class Fault:
    """Inject ``kind`` into a share ``rate`` of requests (optionally one operation only); the server
    knows the kinds (``server.FAULT_KINDS``)."""

    kind: str
    rate: float
    operation: str | None = None


ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def iso(ts: float) -> str:
    """UTC ``YYYY-MM-DDThh:mm:ssZ``."""
    return datetime.fromtimestamp(ts, UTC).strftime(ISO_FORMAT)


class Backend:
    """All emulator state, guarded by one lock (the server may be driven from several threads).

    :param seed_jobs: jobs seeded per kind, across states, types and creation times.
    :param queue_seconds: how long new jobs stay queued.
    :param run_seconds: how long new jobs run.
    :param failure_ratio: share of new jobs that fail.
    :param seed: random seed (seeded data is deterministic).
    """

    def __init__(
        self,
        *,
        seed_jobs: int = DEFAULT_SEED_JOBS,
        queue_seconds: float = DEFAULT_QUEUE_SECONDS,
        run_seconds: float = DEFAULT_RUN_SECONDS,
        failure_ratio: float = DEFAULT_FAILURE_RATIO,
        seed: int = 7,
        alibaba_keys: dict[str, str] | None = None,
        tencent_keys: dict[str, str] | None = None,
        buckets: dict[str, str] | None = None,
        clock_skew_limit: float = 900.0,
    ) -> None:
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.queue_seconds = queue_seconds
        self.run_seconds = run_seconds
        self.failure_ratio = failure_ratio
        self.alibaba_keys = alibaba_keys or dict([ALIBABA_KEY])
        self.tencent_keys = tencent_keys or dict([TENCENT_KEY])
        self.buckets = buckets or dict(DEFAULT_BUCKETS)
        self.clock_skew_limit = clock_skew_limit
        self.clock_offset = 0.0
        self.tokens: dict[str, tuple[str, float]] = {}  # token -> (key id, expires at)
        self.nonces: dict[str, float] = {}
        self.faults: list[Fault] = []
        self.qps_limit: float | None = None
        self._buckets_qps: dict[str, tuple[float, float]] = {}
        self.counters: Counter[str] = Counter()
        self.jobs: dict[str, Job] = {}
        self.live_snapshots: list[dict[str, Any]] = []
        self.seed_count = seed_jobs
        self.seed(seed_jobs)

    # -- jobs ------------------------------------------------------------------------------
    def new_id(self, kind: str) -> str:
        """A vendor-looking id for a job of ``kind`` (any other name: 32 hex digits)."""
        raw = uuid.UUID(int=self.rng.getrandbits(128)).hex
        job_kind = JOB_KINDS.get(kind)
        return raw if job_kind is None else job_kind.id_prefix + raw[: job_kind.id_hex]

    def default_bucket(self) -> str:
        """The bucket a Tencent job lands in when its creator names none: the default
        ``tencent_cloud_ci_default`` connection's bucket when this backend serves it, else the
        first bucket it serves."""
        return TENCENT_BUCKET[0] if TENCENT_BUCKET[0] in self.buckets else next(iter(self.buckets))

    def job_options(self, kind: Any, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Check the fields of an admin ``POST jobs`` body (``kind`` and ``count`` removed) and
        return them as :meth:`create` keyword arguments, defaults filled in.

        :param kind: a key of :data:`JOB_KINDS`.
        :param fields: the timing fields (:data:`TIMING_FIELDS`) and the kind's attributes.
        :raises ValueError: a field is unknown for the kind or has a value the emulator would not
            serve; the message names the accepted fields or values.
        """
        if not isinstance(kind, str) or kind not in JOB_KINDS:
            raise ValueError(f"kind must be one of {', '.join(JOB_KINDS)}")
        job_kind = JOB_KINDS[kind]
        attributes = job_kind.attributes
        unknown = sorted(set(fields) - set(TIMING_FIELDS) - set(attributes))
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown)} for kind {kind}; accepted: kind, count, "
                             f"{', '.join(TIMING_FIELDS)}, {', '.join(attributes)}")
        for name in ("queue_s", "run_s", "created"):
            value = fields.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
                raise ValueError(f"{name} must be a number of seconds, 0 or more")
        if fields.get("succeed") is not None and not isinstance(fields["succeed"], bool):
            raise ValueError("succeed must be true or false")
        options = {name: fields[name] for name in TIMING_FIELDS if fields.get(name) is not None}
        with self.lock:
            served = tuple(self.buckets)
        for name in attributes:
            if name not in fields:
                continue
            value = fields[name]
            if not isinstance(value, str):
                raise ValueError(f"{name} must be a string")
            allowed = served if name == job_kind.bucket else job_kind.choices.get(name)
            if allowed is not None and value not in allowed:
                what = "a bucket this emulator serves" if name == job_kind.bucket else "one of"
                raise ValueError(f"{name} {value!r} is not {what}: {', '.join(allowed)}")
            if name in job_kind.required and not value:
                raise ValueError(f"{name} must not be empty (default {attributes[name]!r})")
            options[name] = value
        return options

    def create(
        self, kind: str, *, queue_s: float | None = None, run_s: float | None = None, succeed: bool | None = None,
        created: float | None = None, job_id: str | None = None, **attrs: Any,
    ) -> Job:
        """Create a job that moves through its states from now (or ``created``).

        Attributes left out take their :attr:`JobKind.attributes` default, so every job is one the
        vendor handlers serve: a Tencent job without a bucket lands in :meth:`default_bucket`, an
        IMM task without a project in :data:`DEFAULT_IMM_PROJECT`.
        """
        job_kind = JOB_KINDS[kind]
        with self.lock:
            if succeed is None:
                succeed = self.rng.random() >= self.failure_ratio
            values = {**job_kind.attributes, **attrs}
            if job_kind.bucket is not None and not values.get(job_kind.bucket):
                values[job_kind.bucket] = self.default_bucket()
            job = Job(
                kind, job_id or self.new_id(kind), time.time() if created is None else created,
                self.queue_seconds if queue_s is None else queue_s, self.run_seconds if run_s is None else run_s,
                succeed, values,
            )
            self.jobs[job.job_id] = job
            return job

    def get(self, job_id: str, kind: str) -> Job | None:
        """The job of ``kind`` with that id."""
        job = self.jobs.get(job_id)
        return job if job is not None and job.kind == kind else None

    def of_kind(self, kind: str) -> list[Job]:
        """Every job of ``kind``, newest first."""
        with self.lock:
            return sorted((j for j in self.jobs.values() if j.kind == kind), key=lambda j: -j.created)

    def seed(self, count: int) -> None:
        """Seed ``count`` finished-or-running jobs per kind over the last 20 days."""
        now = time.time()
        buckets = tuple(self.buckets)
        for i in range(count):
            created = now - self.rng.uniform(60, 20 * 86400)
            outcome = self.rng.random()
            running = outcome < 0.1
            common: dict[str, Any] = {"queue_s": 1.0, "run_s": 10 * 86400 if running else 30.0,
                                      "created": created, "succeed": outcome > 0.25}
            for kind in JOB_KINDS.values():
                self.create(kind.name, **kind.seed(i, buckets), **common)
            self.live_snapshots.append({
                "JobId": self.new_id("live"), "JobName": f"camera-{i}", "TemplateId": self.new_id("tpl"),
                "TemplateName": "every-5s", "Status": LIVE_SNAPSHOT_STATES[i % len(LIVE_SNAPSHOT_STATES)],
                "SnapshotOutput": {"StorageType": "oss", "Endpoint": "oss-cn-shanghai.aliyuncs.com",
                                   "Bucket": "snapshots"},
                "TimeInterval": 5, "CreateTime": iso(created), "_created": created,
            })

    def force(self, job_id: str, state: str | None) -> Job | None:
        """Pin a job's state (None releases it)."""
        with self.lock:
            job = self.jobs.get(job_id)
            if job is not None:
                job.forced = state
            return job

    def request_clock(self) -> float:
        """The server's clock for judging request times: real time plus ``clock_offset``, which
        makes this machine's clock look skewed to the emulator (admin ``clock``)."""
        return time.time() + self.clock_offset

    # -- credentials -----------------------------------------------------------------------
    def issue_token(self, vendor: str, key_id: str, ttl: float) -> str:
        """An STS-like token bound to ``key_id``, valid for ``ttl`` seconds."""
        with self.lock:
            token = f"{vendor}-sts-{uuid.uuid4().hex}"
            self.tokens[token] = (key_id, time.time() + ttl)
            return token

    def check_token(self, token: str | None, key_id: str) -> str | None:
        """None when fine; else ``missing``, ``invalid`` or ``expired``."""
        if not token:
            return None
        entry = self.tokens.get(token)
        if entry is None or entry[0] != key_id:
            return "invalid"
        return "expired" if entry[1] < time.time() else None

    def use_nonce(self, nonce: str) -> bool:
        """Record ``nonce``; False when it was used in the last 15 minutes."""
        now = time.time()
        with self.lock:
            if len(self.nonces) > 200_000:
                self.nonces = {n: t for n, t in self.nonces.items() if now - t < 900}
            if nonce in self.nonces and now - self.nonces[nonce] < 900:
                return False
            self.nonces[nonce] = now
            return True

    # -- faults, QPS, counters ---------------------------------------------------------------
    def pick_fault(self, operation: str) -> str | None:
        """The fault to inject into this request, if any."""
        with self.lock:
            for fault in self.faults:
                if (fault.operation in (None, operation)) and self.rng.random() < fault.rate:
                    self.counters[f"fault:{fault.kind}"] += 1
                    return fault.kind
        return None

    def admit(self, key_id: str) -> bool:
        """Token bucket per key id at ``qps_limit`` (burst of one second's worth)."""
        if self.qps_limit is None:
            return True
        now = time.monotonic()
        with self.lock:
            tokens, last = self._buckets_qps.get(key_id, (self.qps_limit, now))
            tokens = min(self.qps_limit, tokens + (now - last) * self.qps_limit)
            if tokens < 1:
                self._buckets_qps[key_id] = (tokens, now)
                self.counters["throttled"] += 1
                return False
            self._buckets_qps[key_id] = (tokens - 1, now)
            return True

    def count(self, operation: str, status: int) -> None:
        """Count one answered request."""
        with self.lock:
            self.counters["requests"] += 1
            self.counters[f"op:{operation}"] += 1
            self.counters[f"status:{status}"] += 1

    def reset(self, *, seed_jobs: int | None = None) -> None:
        """Forget jobs, faults, limits and counters; seed again."""
        with self.lock:
            self.jobs.clear()
            self.live_snapshots.clear()
            self.faults.clear()
            self.qps_limit = None
            self.clock_offset = 0.0
            self._buckets_qps.clear()
            self.counters.clear()
            self.nonces.clear()
            self.seed(self.seed_count if seed_jobs is None else seed_jobs)


def window_ok(start: float, end: float, days: int) -> bool:
    """Whether ``[start, end]`` is a valid window of at most ``days``."""
    return start < end and end - start <= timedelta(days=days).total_seconds()


def connections_for(url: str) -> dict[str, dict[str, object]]:
    """Connection dicts for both default conn ids, pointing at the emulator at ``url``."""
    return {
        "alibaba_cloud_media_default": {
            "conn_type": "alibaba_cloud_media",
            "login": ALIBABA_KEY[0],
            "password": ALIBABA_KEY[1],
            "extra": {"region": ALIBABA_REGION, "endpoint_url": url},
        },
        "tencent_cloud_ci_default": {
            "conn_type": "tencent_cloud_ci",
            "login": TENCENT_KEY[0],
            "password": TENCENT_KEY[1],
            "extra": {"region": TENCENT_BUCKET[1], "bucket": TENCENT_BUCKET[0], "endpoint_url": url},
        },
    }
