"""Metrics (``airflow_provider_mediajobs.metrics``) through every layer that sends them: a real
statsd listener on 127.0.0.1 receives what Airflow's own Stats sends from a process configured
with ``[metrics]`` (requests by vendor, operation and outcome, throttling, retries, batches, list
sweeps, deferred and worker waits), checked against the emulator's own counters and the waits'
events; and, in this process, the rules that decide names, tags and what counts as one wait."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import pytest

from airflow_provider_mediajobs import exceptions, metrics
from airflow_provider_mediajobs.catalog import alibaba as ali
from airflow_provider_mediajobs.catalog import tencent as ci
from airflow_provider_mediajobs.catalog.model import JobKind
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.sensors.alibaba import ImmTaskSensor
from airflow_provider_mediajobs.testing import EmulatorHandle, find_secrets, running_emulator
from airflow_provider_mediajobs.transport import ResponseTooLargeError
from tests.helpers import ROOT, new_job

OPERATIONS = [*ali.OPERATIONS.values(), *ci.OPERATIONS.values()]
KINDS = [value for module in (ali, ci) for value in vars(module).values() if isinstance(value, JobKind)]
#: The retries of the throttled call in the statsd run: attempts - 1.
ATTEMPTS = 3


# -- what a statsd server receives ---------------------------------------------------------------
@pytest.fixture(scope="module")
def statsd_listener() -> Iterator[socket.socket]:
    """A UDP socket on 127.0.0.1 and an ephemeral port, as a statsd server listens; closed after."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(("127.0.0.1", 0))
        yield sock
    finally:
        sock.close()


# Runs in a process of its own: Airflow builds its Stats once per process, from [metrics]. It
# makes its jobs once Airflow is imported, so that how long that takes changes no wait: Tencent's
# jobs still run after their first (batched) look, so that a round decides how to look again.
SCRIPT = """
import asyncio, json, sys, time
from airflow_provider_mediajobs.emulator.admin import EmulatorAdmin
from airflow_provider_mediajobs.exceptions import ThrottledError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.sensors.alibaba import MtsIProductionJobSensor
from airflow_provider_mediajobs.transport import RetryPolicy
from airflow_provider_mediajobs.triggers.alibaba import ImmTaskTrigger, MtsIProductionJobTrigger
from airflow_provider_mediajobs.triggers.tencent import TencentCIJobTrigger

admin, attempts = EmulatorAdmin(sys.argv[1]), int(sys.argv[2])
ALI, CI = "alibaba_cloud_media_default", "tencent_cloud_ci_default"
IMM = {"project_name": "media-archive", "task_type": "FaceClustering"}

def job(kind, **fields):
    return admin.create_job(kind, **{"queue_s": 0.2, "run_s": 0.5, **fields})["job_id"]

jobs = {
    "tencent": [job("tencent", bucket="examplebucket-1250000000", tag="Translation", queue_s=0.5, run_s=2.5)
                for _ in range(2)],
    "imm": [job("imm", **IMM) for _ in range(3)],
    "mts_failing": job("mts", succeed=False),
    "ice": job("ice_smart"),
}
admin.add_fault("throttling", rate=1.0, operation="GetSmartHandleJob")
waits = []

async def run(trigger):
    begun = time.monotonic()
    async for event in trigger.run():
        kind = trigger.kind
        waits.append([kind.get.service.vendor, kind.name, "deferred", event.payload["status"],
                      time.monotonic() - begun])
        return

async def deferred():
    triggers = [TencentCIJobTrigger(conn_id=CI, job_ids={"job_ids": j}, poll_interval=0.2) for j in jobs["tencent"]]
    triggers += [ImmTaskTrigger(conn_id=ALI, poll_interval=0.2, job_ids={**IMM, "task_id": j}) for j in jobs["imm"]]
    triggers.append(MtsIProductionJobTrigger(conn_id=ALI, job_ids={"job_id": jobs["mts_failing"]}, poll_interval=0.2))
    triggers.append(MtsIProductionJobTrigger(conn_id=ALI, job_ids={"job_id": "never-submitted"}, poll_interval=0.2,
                                             not_found_grace=0))
    await asyncio.wait_for(asyncio.gather(*(run(t) for t in triggers)), 60)

asyncio.run(deferred())

jobs["mts"] = job("mts")
begun = time.monotonic()
MtsIProductionJobSensor(task_id="w", job_id=jobs["mts"], poke_interval=0.2, timeout=30, deferrable=False).execute({})
waits.append(["alibaba", "mts_iproduction", "worker", "success", time.monotonic() - begun])

hook = AlibabaCloudMediaHook(retry_policy=RetryPolicy(attempts=attempts, initial=0.01, max_wait=0.02))
try:
    hook.call("GetSmartHandleJob", job_id=jobs["ice"])
except ThrottledError:
    pass
else:
    raise SystemExit("GetSmartHandleJob was not throttled")
print(json.dumps({"jobs": jobs, "waits": waits}))
"""

# name[,tag=value...]:value|type (statsd_influxdb_enabled adds the tags to the name).
PACKET = re.compile(r"(?P<name>[^,:]+)(?P<tags>(?:,[^,=:]+=[^,:]+)*):(?P<value>[-0-9.]+)\|(?P<type>c|ms|g)")


class StatsdRun(NamedTuple):
    """What :data:`SCRIPT` did with statsd on: the packets received, the jobs it made, its waits
    (vendor, kind, mode, status, seconds), the emulator's counters after it, how long it took, and
    the connections it used."""

    packets: list[str]
    jobs: dict[str, Any]
    waits: list[list[Any]]
    counters: dict[str, int]
    seconds: float
    connections: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def statsd_run(statsd_listener: socket.socket) -> Iterator[StatsdRun]:
    """Run :data:`SCRIPT` once for the module's statsd tests, against an emulator of its own: its
    counters are compared with the metrics, and the session's emulator may still be answering a
    look an earlier test left behind."""
    if importlib.util.find_spec("statsd") is None:  # Airflow sends statsd through it (its statsd extra)
        why = "the statsd client (the statsd package, Airflow's statsd extra) is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    with running_emulator(seed_jobs=0) as emu:
        yield _run_script(emu, statsd_listener)


def _run_script(emu: EmulatorHandle, statsd_listener: socket.socket) -> StatsdRun:
    env = {
        **os.environ,
        **{f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(conn) for conn_id, conn in emu.connections().items()},
        "AIRFLOW__METRICS__STATSD_ON": "True",
        "AIRFLOW__METRICS__STATSD_HOST": "127.0.0.1",
        "AIRFLOW__METRICS__STATSD_PORT": str(statsd_listener.getsockname()[1]),
        "AIRFLOW__METRICS__STATSD_PREFIX": "airflow",
        # Tags ride in the name (InfluxDB's form), so that plain statsd shows them too.
        "AIRFLOW__METRICS__STATSD_INFLUXDB_ENABLED": "True",
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    }
    begun = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, emu.url, str(ATTEMPTS)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    packets: list[str] = []
    statsd_listener.settimeout(0.2)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            packets.extend(statsd_listener.recv(65535).decode().splitlines())
        except TimeoutError:
            if proc.poll() is not None:
                break  # exited, and nothing more came within 0.2 s
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err[-3000:]
    ran = json.loads(out.strip().splitlines()[-1])
    return StatsdRun(packets, ran["jobs"], ran["waits"], emu.counters(), time.monotonic() - begun, emu.connections())


Tagged = tuple[str, tuple[tuple[str, ...], ...]]  # (name, ((tag, value), ...))


def _parse(packets: list[str]) -> tuple[Counter[str], Counter[Tagged], dict[str, list[float]], dict[Tagged, int]]:
    """The provider's counters summed by dotted name and by (name, tags), its timers' values by
    dotted name, and how many timings each (name, tags) got."""
    dotted: Counter[str] = Counter()
    tagged: Counter[Tagged] = Counter()
    timers: dict[str, list[float]] = {}
    tagged_timers: Counter[Tagged] = Counter()
    for packet in packets:
        match = PACKET.fullmatch(packet)
        assert match, f"not a statsd packet: {packet!r}"
        if not match["name"].startswith(f"airflow.{metrics.PREFIX}."):
            continue  # Airflow's own
        name = match["name"].removeprefix("airflow.")
        tags = tuple(tuple(pair.split("=", 1)) for pair in match["tags"].split(",")[1:])
        if match["type"] == "ms" and tags:
            tagged_timers[(name, tags)] += 1
        elif match["type"] == "ms":
            timers.setdefault(name, []).append(float(match["value"]))
        elif tags:
            tagged[(name, tags)] += int(match["value"])
        else:
            dotted[name] += int(match["value"])
    return dotted, tagged, timers, tagged_timers


def _sum(counts: Counter[str], pattern: str) -> int:
    return sum(value for name, value in counts.items() if re.fullmatch(pattern, name))


def test_statsd_receives_every_metric_family_from_real_traffic(statsd_run: StatsdRun) -> None:
    jobs, waits, counters = statsd_run.jobs, statsd_run.waits, statsd_run.counters
    dotted, tagged, timers, tagged_timers = _parse(statsd_run.packets)
    assert dotted, f"no metric of the provider among {statsd_run.packets[:20]}"

    # Requests: every one the emulator answered, by operation, and its outcome.
    for operation in OPERATIONS:
        vendor, name = operation.service.vendor, operation.name
        assert _sum(dotted, rf"mediajobs\.request\.{vendor}\.{name}\.\w+") == counters.get(f"op:{name}", 0), name
    assert dotted["mediajobs.request.alibaba.GetSmartHandleJob.throttled"] == ATTEMPTS
    assert _sum(dotted, r"mediajobs\.request\..+\.ok") == counters["status:200"]
    assert _sum(dotted, r"mediajobs\.request\..+\.not_found") == counters["status:404"]
    assert dotted["mediajobs.request.alibaba.QueryIProductionJob.not_found"] >= 1  # the never submitted job
    # Throttling answers and retries (tenacity's, of the throttled call only: nothing else failed).
    assert _sum(dotted, r"mediajobs\.throttled\..+") == counters["fault:throttling"] + counters.get("throttled", 0)
    assert dotted["mediajobs.throttled.alibaba.GetSmartHandleJob"] == ATTEMPTS
    assert _sum(dotted, r"mediajobs\.retry\..+") == dotted["mediajobs.retry.alibaba.GetSmartHandleJob.throttled"]
    assert dotted["mediajobs.retry.alibaba.GetSmartHandleJob.throttled"] == ATTEMPTS - 1

    # Batches: each batched get is one GetJobs request, and both Tencent waits' first looks went
    # through them (a job's first look tells the sweeps its queue).
    calls = dotted["mediajobs.batch.calls.tencent.tencent_ci_job"]
    ids = dotted["mediajobs.batch.ids.tencent.tencent_ci_job"]
    assert calls == counters["op:GetJobs"]
    assert len(jobs["tencent"]) <= ids <= calls * len(jobs["tencent"])
    # Sweeps: each page is one list request; a round never finds more jobs than it looked for.
    for vendor, kind, listing in (("alibaba", "imm_task", "ListTasks"), ("tencent", "tencent_ci_job", "ListJobs")):
        pages = dotted[f"mediajobs.sweep.pages.{vendor}.{kind}"]
        assert pages == counters.get(f"op:{listing}", 0), kind
        assert dotted[f"mediajobs.sweep.seen.{vendor}.{kind}"] <= dotted[f"mediajobs.sweep.jobs.{vendor}.{kind}"]
    assert dotted["mediajobs.sweep.rounds.alibaba.imm_task.sweep"] >= 1
    # Two Tencent waits fit one batched get, which no page can undercut: their rounds go direct.
    assert dotted["mediajobs.sweep.rounds.tencent.tencent_ci_job.direct"] >= 1
    assert dotted["mediajobs.sweep.rounds.tencent.tencent_ci_job.sweep"] == 0
    assert dotted["mediajobs.sweep.seen.alibaba.imm_task"] >= len(jobs["imm"])  # IMM items end the waits

    # Waits: one start and one end for each, by where it ran and how it ended.
    expected = Counter((vendor, kind, mode, status) for vendor, kind, mode, status, _ in waits)
    assert {s for _, _, _, s in expected} == {"success", "failure", "not_found"}
    assert {m for _, _, m, _ in expected} == {"deferred", "worker"}
    started = Counter({k: v for k, v in dotted.items() if k.startswith("mediajobs.wait.started.")})
    assert started == Counter(f"mediajobs.wait.started.{v}.{k}.{m}" for v, k, m, _, _ in waits)
    ended = Counter({k: v for k, v in dotted.items() if k.startswith("mediajobs.wait.ended.")})
    assert ended == Counter({f"mediajobs.wait.ended.{'.'.join(key)}": n for key, n in expected.items()})
    for (vendor, kind, mode, status), n in expected.items():
        took = timers[f"mediajobs.wait.duration.{vendor}.{kind}.{mode}.{status}"]
        assert len(took) == n
        longest = max(w[4] for w in waits if tuple(w[:4]) == (vendor, kind, mode, status))
        assert all(0 <= ms <= longest * 1000 + 50 for ms in took), (kind, took, longest)
    assert max(max(v) for v in timers.values()) < statsd_run.seconds * 1000
    assert tagged_timers == Counter(
        {("mediajobs.wait.duration", tuple(zip(metrics.WAIT_DURATION.tags, key, strict=True))): n
         for key, n in expected.items()})

    # Every dotted packet has its tagged twin with the same values, in the family's tag order.
    for family in metrics.FAMILIES:
        if family.kind != "counter":
            continue
        twins = Counter({(name, tags): n for (name, tags), n in tagged.items() if name == family.metric})
        from_dotted = Counter({
            (family.metric, tuple(zip(family.tags, name.removeprefix(family.metric + ".").split("."), strict=True))): n
            for name, n in dotted.items() if name.startswith(family.metric + ".")
            and name.count(".") == family.metric.count(".") + len(family.tags)
        })
        assert twins == from_dotted, family.name
    assert {name for name, _ in tagged} >= {f.metric for f in metrics.FAMILIES if f.kind == "counter"}


def test_no_packet_names_a_secret_an_id_or_an_address(statsd_run: StatsdRun) -> None:
    packets, jobs, conns = statsd_run.packets, statsd_run.jobs, statsd_run.connections
    assert [p for p in packets if p.startswith(f"airflow.{metrics.PREFIX}.")]
    assert find_secrets(packets, [str(c["password"]) for c in conns.values()]) == []
    ids = [*jobs["tencent"], *jobs["imm"], jobs["mts_failing"], jobs["mts"], jobs["ice"], "never-submitted"]
    named = [*ids, *conns, *(str(c["login"]) for c in conns.values()), "127.0.0.1", "examplebucket", "media-archive"]
    assert [(n, p) for p in packets for n in named if n in p] == []


# -- in this process: names, tags, one count per wait ----------------------------------------------
@pytest.fixture(scope="module")
def quiet_emulator() -> Iterator[EmulatorHandle]:
    """An emulator of this module's own. The tests here compare its counters with the metrics,
    and the session's may still answer, into any later test, a request an earlier test stalled
    (the emulator's stall fault answers after 35 s, long after the client gave up)."""
    with running_emulator(seed_jobs=0) as emulator:
        yield emulator


@pytest.fixture
def quiet(quiet_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> EmulatorHandle:
    """The default connections pointed at :func:`quiet_emulator`, reset, with fresh limiters."""
    from airflow_provider_mediajobs.quota import forget_limiters

    quiet_emulator.reset()
    forget_limiters()
    for conn_id, conn in quiet_emulator.connections().items():
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))
    return quiet_emulator


class Recorder:
    """Airflow's Stats as the provider calls it, keeping what it was given."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, Any, dict[str, str] | None]] = []

    def incr(self, stat: str, count: int = 1, rate: float = 1, *, tags: dict[str, str] | None = None) -> None:
        self.sent.append(("incr", stat, count, tags))

    def timing(self, stat: str, dt: Any, *, tags: dict[str, str] | None = None) -> None:
        self.sent.append(("timing", stat, dt, tags))

    def names(self, prefix: str) -> list[str]:
        return [stat for _, stat, _, _ in self.sent if stat.startswith(prefix)]


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    sink = Recorder()
    metrics.route(sink)
    try:
        yield sink
    finally:
        metrics.reset()


def _validators() -> Any:
    try:  # Airflow 3.2+
        from airflow.sdk._shared.observability.metrics import validators
    except ImportError:  # Airflow 3.1
        from airflow.metrics import validators  # type: ignore[no-redef]
    return validators


def test_every_name_passes_airflows_validation() -> None:
    validators = _validators()
    sink = metrics.Sink(Recorder(), dotted=True)
    words = {
        "vendor": {op.service.vendor for op in OPERATIONS},
        "operation": {op.name for op in OPERATIONS},
        "outcome": {name for _, name in metrics.OUTCOMES} | {metrics.OK, metrics.OTHER},
        "kind": {kind.name for kind in KINDS},
        "mode": {"deferred", "worker", "sweep", "direct"},
        "status": set(metrics.STATUSES),
    }
    checked = 0
    for family in metrics.FAMILIES:
        longest = tuple(max(words[tag], key=len) for tag in family.tags)
        dotted, tags = sink.named(family, longest)
        assert list(tags.values()) == list(longest), "a catalog name was taken for unsafe"
        for name in (family.metric, dotted):
            # OpenTelemetry's rule (255 with Airflow's prefix) and statsd's (250): both must pass.
            validators.stat_name_otel_handler("airflow", name)
            assert validators.stat_name_default_handler(f"airflow.{name}") == f"airflow.{name}"
            checked += 1
    assert checked == 2 * len(metrics.FAMILIES)


def test_the_operating_page_lists_every_metric_and_every_word() -> None:
    page = (ROOT / "docs" / "operating.md").read_text()
    section = page[page.index("## Metrics"):page.index("## Retry rules")]
    rows = {line.split("|")[1].strip().strip("`"): line for line in section.splitlines()
            if line.startswith("| `mediajobs.")}
    assert set(rows) == {family.metric for family in metrics.FAMILIES}
    for family in metrics.FAMILIES:
        assert f"| {family.kind}" in rows[family.metric], family.name
        assert ", ".join(f"`{tag}`" for tag in family.tags) in rows[family.metric], family.name
    words = [*(op.name for op in OPERATIONS), *(kind.name for kind in KINDS), *(name for _, name in metrics.OUTCOMES),
             *metrics.STATUSES]
    assert [word for word in words if f"`{word}`" not in section] == []


@pytest.mark.parametrize("value", ["j-0123/../x", "alibaba_cloud_media_default.x", "http://127.0.0.1:80",
                                   "LTAI5tSecret?Signature=abc", "", "a" * 65, None])
def test_a_value_that_is_not_a_plain_word_is_sent_as_other(value: Any) -> None:
    dotted, tags = metrics.Sink(Recorder(), dotted=True).named(metrics.REQUEST, ("alibaba", value, "ok"))
    assert dotted == "mediajobs.request.alibaba.other.ok"
    assert tags == {"vendor": "alibaba", "operation": "other", "outcome": "ok"}


@pytest.mark.parametrize("status", ["cancelled", {"not": "a word"}, None])
def test_a_status_no_event_has_is_sent_as_other(status: Any, recorder: Recorder) -> None:
    metrics.wait_ended(ali.MTS_IPRODUCTION_JOB, status, 1.5)
    assert recorder.sent == [
        ("incr", "mediajobs.wait.ended", 1, {"vendor": "alibaba", "kind": "mts_iproduction", "mode": "worker",
                                             "status": "other"}),
        ("incr", "mediajobs.wait.ended.alibaba.mts_iproduction.worker.other", 1, None),
        ("timing", "mediajobs.wait.duration", timedelta(seconds=1.5),
         {"vendor": "alibaba", "kind": "mts_iproduction", "mode": "worker", "status": "other"}),
        ("timing", "mediajobs.wait.duration.alibaba.mts_iproduction.worker.other", timedelta(seconds=1.5), None),
    ]


@pytest.mark.parametrize(("error", "expected"), [
    (None, "ok"),
    (exceptions.ThrottledError("slow down", status=429), "throttled"),
    (exceptions.ExpiredCredentialsError("renew"), "auth"),
    (exceptions.ClockSkewError("ntp"), "auth"),
    (exceptions.NotFoundError("gone", status=404), "not_found"),
    (exceptions.ServerError("down", status=503), "server_error"),
    (exceptions.InvalidParameterError("bad", status=400), "client_error"),
    (ResponseTooLargeError("big"), "bad_response"),
    (exceptions.TransportError("reset"), "transport"),
    (exceptions.MediaJobsValidationError("refused"), "other"),
    (ValueError("a library's own"), "other"),
])
def test_each_error_has_its_outcome(error: BaseException | None, expected: str) -> None:
    assert metrics.outcome(error) == expected


def test_with_metrics_off_airflows_stats_is_never_asked(
    quiet: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_provider_mediajobs import compat

    def refused() -> None:
        raise AssertionError("Stats was asked for while [metrics] turns nothing on")

    monkeypatch.setattr(compat, "airflow_stats", refused)
    metrics.reset()
    try:
        job_id = new_job(quiet, "mts", queue_s=0, run_s=0)
        assert AlibabaCloudMediaHook().call("QueryIProductionJob", job_id=job_id)
        assert metrics._resolved
        assert metrics._sink is None
    finally:
        metrics.reset()


def test_without_legacy_names_only_the_tagged_names_are_sent(
    quiet: EmulatorHandle, recorder: Recorder
) -> None:
    metrics.route(recorder, dotted=False)
    job_id = new_job(quiet, "mts", queue_s=0, run_s=0)
    AlibabaCloudMediaHook().call("QueryIProductionJob", job_id=job_id)
    assert recorder.sent == [("incr", "mediajobs.request", 1,
                              {"vendor": "alibaba", "operation": "QueryIProductionJob", "outcome": "ok"})]


class _RescheduledTI:
    def __init__(self, first: datetime | None) -> None:
        self.first = first

    def get_first_reschedule_date(self, context: Any) -> datetime | None:
        return self.first


def test_a_rescheduled_sensor_counts_one_wait_over_its_pokes(
    quiet: EmulatorHandle, recorder: Recorder
) -> None:
    # Each poke of a sensor in reschedule mode runs in a new process with a new JobWait: only the
    # first one starts the wait, and its end counts the time since that first poke.
    job_id = new_job(quiet, "imm", project_name="media-archive", task_type="FaceClustering",
                     queue_s=0.3, run_s=0.3)

    def poke(first: datetime | None) -> Any:
        sensor = ImmTaskSensor(task_id="w", project_name="media-archive", imm_task_id=job_id,
                               imm_task_type="FaceClustering", mode="reschedule", deferrable=False)
        return sensor.poke({"ti": _RescheduledTI(first)})

    first = datetime.now(UTC)
    assert poke(None) is False
    time.sleep(1.0)
    assert poke(first - timedelta(seconds=30)).is_done
    started = [s for s in recorder.sent if s[1].startswith("mediajobs.wait.started")]
    assert [s[1] for s in started] == ["mediajobs.wait.started", "mediajobs.wait.started.alibaba.imm_task.worker"]
    ended = [s for s in recorder.sent if s[1] == "mediajobs.wait.ended"]
    assert [s[3] for s in ended] == [{"vendor": "alibaba", "kind": "imm_task", "mode": "worker", "status": "success"}]
    (duration,) = [s[2] for s in recorder.sent if s[1] == "mediajobs.wait.duration"]
    assert timedelta(seconds=30) < duration < timedelta(seconds=40)


async def test_a_deferred_wait_counts_once_however_many_looks(
    quiet: EmulatorHandle, recorder: Recorder
) -> None:
    from airflow_provider_mediajobs.triggers.alibaba import MtsIProductionJobTrigger

    job_id = new_job(quiet, "mts", queue_s=0.3, run_s=0.5)
    trigger = MtsIProductionJobTrigger(conn_id="alibaba_cloud_media_default", job_ids={"job_id": job_id},
                                       poll_interval=0.1)
    async for event in trigger.run():
        assert event.payload["status"] == "success"
    looks = quiet.counters()["op:QueryIProductionJob"]
    assert looks > 1  # the wait looked several times, and is still one wait
    assert recorder.names("mediajobs.wait.started") == ["mediajobs.wait.started",
                                                         "mediajobs.wait.started.alibaba.mts_iproduction.deferred"]
    assert recorder.names("mediajobs.wait.ended") == ["mediajobs.wait.ended",
                                                       "mediajobs.wait.ended.alibaba.mts_iproduction.deferred.success"]
    assert len(recorder.names("mediajobs.request.alibaba.QueryIProductionJob.ok")) == looks


async def test_the_async_client_counts_its_attempts_and_retries_as_the_sync_one(
    quiet: EmulatorHandle, recorder: Recorder
) -> None:
    from airflow_provider_mediajobs.hooks.base import AsyncJobClient
    from airflow_provider_mediajobs.transport import RetryPolicy

    quiet.client.add_fault("503", rate=1.0, operation="QueryIProductionJob")
    client = await AsyncJobClient.create(AlibabaCloudMediaHook.api, "alibaba_cloud_media_default",
                                         retry_policy=RetryPolicy(attempts=ATTEMPTS, initial=0.01, max_wait=0.02))
    try:
        with pytest.raises(exceptions.ServerError):
            await client.call("QueryIProductionJob", job_id="j-1")
    finally:
        await client.close()
    assert quiet.counters()["op:QueryIProductionJob"] == ATTEMPTS
    failed = "alibaba.QueryIProductionJob.server_error"
    assert recorder.names("mediajobs.request.") == [f"mediajobs.request.{failed}"] * ATTEMPTS
    assert recorder.names("mediajobs.retry.") == [f"mediajobs.retry.{failed}"] * (ATTEMPTS - 1)
    assert recorder.names("mediajobs.throttled") == []


def test_resolving_again_keeps_what_was_routed(recorder: Recorder) -> None:
    # The triggers' modules resolve when imported: one imported after route() must not undo it.
    sink = metrics.resolve()
    assert sink is not None
    assert sink.stats is recorder


def test_a_metric_that_fails_to_send_fails_nothing(quiet: EmulatorHandle,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        def incr(self, *args: Any, **kwargs: Any) -> None:
            raise OSError("no route to the statsd host")

        timing = incr

    metrics.route(Broken())
    try:
        job_id = new_job(quiet, "mts", queue_s=0, run_s=0)
        hook = AlibabaCloudMediaHook()
        assert hook.call("QueryIProductionJob", job_id=job_id)
        assert hook.call("QueryIProductionJob", job_id=job_id)
    finally:
        metrics.reset()
    assert [r.getMessage() for r in caplog.records if "sending a metric failed" in r.getMessage()] == [
        "sending a metric failed; the provider goes on without it"]
