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
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

# Per kind: (queued state, running state, success state, failure state). Live snapshot jobs have
# no terminal state and are handled apart.
KINDS: dict[str, tuple[str, str, str, str]] = {
    "mts": ("Queuing", "Analysing", "Success", "Fail"),
    "ice_smart": ("Created", "Executing", "Finished", "Failed"),
    "imm": ("Running", "Running", "Succeeded", "Failed"),
    "tencent": ("Submitted", "Running", "Success", "Failed"),
}
SMART_TYPES = ("ASR", "DynamicChart", "VideoTranslation", "TextToSpeech")
IMM_TYPES = ("VideoLabelClassification", "FaceClustering", "ImageDetection")
TENCENT_TAGS = ("Translation", "SpeechRecognition", "WordsGeneralize")
# The emulator's credentials and the bucket of the default ``tencent_cloud_ci_default`` connection.
ALIBABA_KEY = ("LTAIemulatorKEY", "emulator-secret")
TENCENT_KEY = ("AKIDemulatorKEY", "emulator-secret")
ALIBABA_REGION = "cn-shanghai"
TENCENT_BUCKET = ("examplebucket-1250000000", "ap-beijing")
DEFAULT_BUCKETS = dict([TENCENT_BUCKET, ("mediabucket-1250000000", "ap-shanghai")])  # bucket -> region
DEFAULT_IMM_PROJECT = "media-archive"  # the project the seeded IMM tasks are in
# Per kind, every attribute the vendor handlers read, with the value a job gets when its creator
# leaves it out. A Tencent job's empty bucket becomes Backend.default_bucket() at creation.
JOB_ATTRIBUTES: dict[str, dict[str, str]] = {
    "mts": {"function_name": "VideoQualityEnhancement", "input": "", "output": "", "job_params": "",
            "pipeline_id": "", "user_data": ""},
    "ice_smart": {"job_type": "ASR", "title": "", "output_bucket": "out", "output_object": "", "user_data": ""},
    "imm": {"project_name": DEFAULT_IMM_PROJECT, "task_type": "VideoLabelClassification"},
    "tencent": {"bucket": "", "tag": "Translation", "queue_id": "", "input_object": "", "output_object": "",
                "user_data": "", "job_level": "0"},
}
# Attributes that only take one of a few values (a Tencent bucket must be one the backend serves).
JOB_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("ice_smart", "job_type"): SMART_TYPES,
    ("tencent", "tag"): TENCENT_TAGS,
    ("tencent", "job_level"): ("0", "1", "2"),
}
# Attributes that must not be empty: an IMM task is only found under its project.
JOB_REQUIRED = frozenset({("imm", "project_name"), ("imm", "task_type"), ("mts", "function_name")})
# How a job moves over time; accepted for every kind.
TIMING_FIELDS = ("queue_s", "run_s", "succeed", "created")


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
        queued, running, success, failure = KINDS[self.kind]
        age = now - self.created
        if age < self.queue_s:
            return queued
        if age < self.queue_s + self.run_s:
            return running
        return success if self.succeed else failure

    def done_at(self) -> float:
        """When the job reaches its outcome."""
        return self.created + self.queue_s + self.run_s


@dataclass
class Fault:
    """Inject ``kind`` into a share ``rate`` of requests (optionally one operation only)."""

    kind: str
    rate: float
    operation: str | None = None


FAULT_KINDS = ("503", "throttling", "reset", "stall", "truncated", "html")


def iso(ts: float) -> str:
    """UTC ``YYYY-MM-DDThh:mm:ssZ``."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
        seed_jobs: int = 1000,
        queue_seconds: float = 2.0,
        run_seconds: float = 5.0,
        failure_ratio: float = 0.0,
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
        """A vendor-looking id."""
        raw = uuid.UUID(int=self.rng.getrandbits(128)).hex
        return {"tencent": "j" + raw[:32], "imm": "Task-" + raw[:24]}.get(kind, raw)

    def default_bucket(self) -> str:
        """The bucket a Tencent job lands in when its creator names none: the default
        ``tencent_cloud_ci_default`` connection's bucket when this backend serves it, else the
        first bucket it serves."""
        return TENCENT_BUCKET[0] if TENCENT_BUCKET[0] in self.buckets else next(iter(self.buckets))

    def job_options(self, kind: Any, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Check the fields of an admin ``POST jobs`` body (``kind`` and ``count`` removed) and
        return them as :meth:`create` keyword arguments, defaults filled in.

        :param kind: ``mts``, ``ice_smart``, ``imm`` or ``tencent``.
        :param fields: the timing fields (``queue_s``, ``run_s``, ``succeed``, ``created``) and
            the kind's attributes (:data:`JOB_ATTRIBUTES`).
        :raises ValueError: a field is unknown for the kind or has a value the emulator would not
            serve; the message names the accepted fields or values.
        """
        if not isinstance(kind, str) or kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        attributes = JOB_ATTRIBUTES[kind]
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
            allowed = served if (kind, name) == ("tencent", "bucket") else JOB_CHOICES.get((kind, name))
            if allowed is not None and value not in allowed:
                what = "a bucket this emulator serves" if name == "bucket" else "one of"
                raise ValueError(f"{name} {value!r} is not {what}: {', '.join(allowed)}")
            if (kind, name) in JOB_REQUIRED and not value:
                raise ValueError(f"{name} must not be empty (default {attributes[name]!r})")
            options[name] = value
        return options

    def create(
        self, kind: str, *, queue_s: float | None = None, run_s: float | None = None, succeed: bool | None = None,
        created: float | None = None, job_id: str | None = None, **attrs: Any,
    ) -> Job:
        """Create a job that moves through its states from now (or ``created``).

        Attributes left out take their :data:`JOB_ATTRIBUTES` default, so every job is one the
        vendor handlers serve: a Tencent job without a bucket lands in :meth:`default_bucket`, an
        IMM task without a project in :data:`DEFAULT_IMM_PROJECT`.
        """
        with self.lock:
            if succeed is None:
                succeed = self.rng.random() >= self.failure_ratio
            values = {**JOB_ATTRIBUTES.get(kind, {}), **attrs}
            if kind == "tencent" and not values.get("bucket"):
                values["bucket"] = self.default_bucket()
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
        for i in range(count):
            created = now - self.rng.uniform(60, 20 * 86400)
            outcome = self.rng.random()
            running = outcome < 0.1
            common: dict[str, Any] = {"queue_s": 1.0, "run_s": 10 * 86400 if running else 30.0,
                                      "created": created, "succeed": outcome > 0.25}
            self.create("mts", function_name="VideoQualityEnhancement", input=f"oss://seed/in/{i}.mp4",
                        output=f"oss://seed/out/{i}.mp4", **common)
            self.create("ice_smart", job_type=SMART_TYPES[i % 4], title=f"seed job {i}",
                        output_bucket="seed-out", output_object=f"smart/{i}.json", **common)
            self.create("imm", project_name="media-archive", task_type=IMM_TYPES[i % 3], **common)
            bucket = list(self.buckets)[i % len(self.buckets)]
            self.create("tencent", bucket=bucket, tag=TENCENT_TAGS[i % 3], queue_id="p893bcda225bf4945a378da6662e81a89",
                        input_object=f"seed/{i}.txt", **common)
            self.live_snapshots.append({
                "JobId": self.new_id("live"), "JobName": f"camera-{i}", "TemplateId": self.new_id("tpl"),
                "TemplateName": "every-5s", "Status": ("init", "paused", "started")[i % 3],
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
