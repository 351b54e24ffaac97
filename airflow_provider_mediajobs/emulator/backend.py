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
DEFAULT_BUCKETS = {"examplebucket-1250000000": "ap-beijing", "mediabucket-1250000000": "ap-shanghai"}


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
        self.alibaba_keys = alibaba_keys or {"LTAIemulatorKEY": "emulator-secret"}
        self.tencent_keys = tencent_keys or {"AKIDemulatorKEY": "emulator-secret"}
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

    def create(
        self, kind: str, *, queue_s: float | None = None, run_s: float | None = None, succeed: bool | None = None,
        created: float | None = None, job_id: str | None = None, **attrs: Any,
    ) -> Job:
        """Create a job that moves through its states from now (or ``created``)."""
        with self.lock:
            if succeed is None:
                succeed = self.rng.random() >= self.failure_ratio
            job = Job(
                kind, job_id or self.new_id(kind), time.time() if created is None else created,
                self.queue_seconds if queue_s is None else queue_s, self.run_seconds if run_s is None else run_s,
                succeed, dict(attrs),
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
