"""What the trigger benchmark and the chaos soak share: an emulator in its own process, connections
pointing at it, and a loop that runs triggers the way Airflow's triggerer does.

The emulator runs in a separate process so that its CPU time is not charged to the triggers, and so
that a busy emulator cannot stall the event loop being measured.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psutil

from airflow_provider_mediajobs.emulator import ALIBABA_KEY, TENCENT_BUCKET, TENCENT_KEY, EmulatorAdmin
from airflow_provider_mediajobs.emulator.admin import admin_url
from airflow_provider_mediajobs.vendors import load_class

CONN_IDS = {"tencent": "bench_tencent", "mts": "bench_alibaba"}


def prepare_airflow_home() -> None:
    """An isolated, throwaway AIRFLOW_HOME, set before anything imports Airflow."""
    os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="mediajobs-bench-"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "ERROR")


def raise_open_files_limit() -> None:
    """Thousands of per-trigger sessions need thousands of sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class EmulatorProcess:
    """``mediajobs-emulator`` in a child process on 127.0.0.1, stopped on exit.

    :param options: extra command-line options (``--stall-seconds 3``...).
    """

    def __init__(self, *options: str) -> None:
        self.options = options
        self.url = ""
        self.admin = EmulatorAdmin("")
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> EmulatorProcess:
        command = [sys.executable, "-m", "airflow_provider_mediajobs.emulator", "--port", "0", "--seed-jobs", "0",
                   "--quiet", *self.options]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, preexec_fn=raise_open_files_limit)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "listening on " not in line:
            self.proc.kill()
            raise RuntimeError(f"the emulator did not start: {line!r}")
        self.url = line.rsplit(" ", 1)[1].strip()
        self.admin = EmulatorAdmin(self.url)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    @property
    def pid(self) -> int:
        """The emulator's process id."""
        assert self.proc is not None
        return self.proc.pid


class RedisServer:
    """``redis-server`` (Debian package ``redis-server``) on 127.0.0.1 and a free port, saving
    nothing, in a temporary directory; stopped by its pid on exit.

    :param password: ``requirepass``, or None for none.
    """

    def __init__(self, password: str | None = None) -> None:
        self.password = password
        self.port = 0
        self.dir = ""
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> RedisServer:
        self.dir = tempfile.mkdtemp(prefix="mediajobs-redis-")
        with socket.socket() as probe:  # a free port; redis-server has no "any port" option
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.start()
        return self

    def start(self) -> None:
        """Start the server (again, on the same port after :meth:`kill`)."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server is not installed (Debian package redis-server)")
        command = [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
                   "--dir", self.dir, "--daemonize", "no", "--protected-mode", "yes"]
        if self.password is not None:
            command += ["--requirepass", self.password]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode} on port {self.port}")
            with socket.socket() as conn:
                if conn.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"redis-server did not listen on port {self.port} within 10 s")

    def url(self, password: str | None = None) -> str:
        """``redis://[:password@]127.0.0.1:port/0``, the password percent-encoded (default: the server's)."""
        from urllib.parse import quote

        secret = self.password if password is None else password
        return f"redis://{':' + quote(secret, safe='') + '@' if secret else ''}127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self.proc is not None
        return self.proc.pid

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def pause(self) -> None:
        """Stop the server's process (SIGSTOP): connections open, nothing answered, as a hung server."""
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        """Let a paused server run again (SIGCONT)."""
        os.kill(self.pid, signal.SIGCONT)

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)  # a paused server acts on SIGTERM only once resumed
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def set_connections(url: str, **extras: Any) -> None:
    """Point the benchmark's connection ids at the emulator (``AIRFLOW_CONN_*``), with ``extras``."""
    conns = {
        CONN_IDS["mts"]: {"conn_type": "alibaba_cloud_media", "login": ALIBABA_KEY[0], "password": ALIBABA_KEY[1],
                          "extra": {"region": "cn-shanghai", "endpoint_url": url, **extras}},
        CONN_IDS["tencent"]: {"conn_type": "tencent_cloud_ci", "login": TENCENT_KEY[0], "password": TENCENT_KEY[1],
                              "extra": {"region": TENCENT_BUCKET[1], "bucket": TENCENT_BUCKET[0],
                                        "endpoint_url": url, **extras}},
    }
    for conn_id, conn in conns.items():
        os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(conn)


# Per emulator job kind: the trigger class, the connection, the job's own attributes, its ids.
WAITS: dict[str, tuple[str, str, dict[str, Any], Callable[[str], dict[str, str]]]] = {
    "tencent": ("airflow_provider_mediajobs.triggers.tencent.TencentCIJobTrigger", CONN_IDS["tencent"],
                {"bucket": TENCENT_BUCKET[0], "tag": "Translation"}, lambda job_id: {"job_ids": job_id}),
    "mts": ("airflow_provider_mediajobs.triggers.alibaba.MtsIProductionJobTrigger", CONN_IDS["mts"],
            {"output": "oss://bench/out.mp4"}, lambda job_id: {"job_id": job_id}),
    "ice_smart": ("airflow_provider_mediajobs.triggers.alibaba.IceSmartJobTrigger", CONN_IDS["mts"],
                  {"job_type": "ASR"}, lambda job_id: {"job_id": job_id}),
    "imm": ("airflow_provider_mediajobs.triggers.alibaba.ImmTaskTrigger", CONN_IDS["mts"],
            {"project_name": "media-archive", "task_type": "FaceClustering"},
            lambda job_id: {"project_name": "media-archive", "task_id": job_id, "task_type": "FaceClustering"}),
}


async def create_waited_jobs(url: str, kind: str, waits: int, seed: str, run_seconds: tuple[float, float],
                             failure_share: float) -> tuple[dict[str, str], dict[str, float]]:
    """``waits`` jobs of ``kind`` that start now and end ``run_seconds`` later (drawn uniformly),
    ``failure_share`` of them failing; returns each job's expected outcome and end time (epoch s).

    :param seed: the random seed, so that a scenario's jobs are the same in every run.
    """
    rng = random.Random(seed)
    specs = [{"queue_s": 0.0, "run_s": rng.uniform(*run_seconds), "succeed": rng.random() >= failure_share}
             for _ in range(waits)]
    created = await create_jobs(url, kind, specs)
    expected = {c["job_id"]: ("success" if s["succeed"] else "failure") for c, s in zip(created, specs, strict=True)}
    return expected, {c["job_id"]: float(c["done_at"]) for c in created}


def make_trigger(kind: str, job_id: str, **options: Any) -> Any:
    """A trigger waiting for the emulator job ``job_id`` of ``kind`` (a key of :data:`WAITS`)."""
    class_path, conn_id, _, ids = WAITS[kind]
    return load_class(class_path)(conn_id=conn_id, job_ids=ids(job_id), **options)


async def create_jobs(url: str, kind: str, specs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Create jobs of ``kind`` through the admin API, 50 at a time; return ``{job_id, done_at}`` each."""
    import aiohttp

    attrs = WAITS[kind][2]
    created: list[dict[str, Any]] = []
    async with aiohttp.ClientSession() as session:
        async def one(spec: dict[str, Any]) -> dict[str, Any]:
            async with session.post(admin_url(url, "jobs"), json={"kind": kind, **attrs, **spec}) as resp:
                answer: dict[str, Any] = await resp.json()
                return answer

        for start in range(0, len(specs), 50):
            created += await asyncio.gather(*(one(s) for s in specs[start : start + 50]))
    return created


@dataclass
class Outcome:
    """What one wait ended with."""

    job_id: str
    status: str | None = None
    seen_at: float | None = None
    event: dict[str, Any] = field(default_factory=dict)
    deliveries: int = 0


async def run_like_the_triggerer(triggers: Sequence[Any], deadline: float,
                                 on_event: Callable[[Outcome], None] | None = None) -> dict[str, Outcome]:
    """Run every trigger in this loop as the triggerer does: one task each, the first event ends it,
    ``cleanup()`` afterwards. Waits still running at ``deadline`` (loop time) are cancelled.

    :param on_event: called with each wait's outcome as soon as its event arrives.
    """
    outcomes = {t.job_id: Outcome(t.job_id) for t in triggers}

    async def one(trigger: Any) -> None:
        outcome = outcomes[trigger.job_id]
        try:
            async for event in trigger.run():
                outcome.deliveries += 1
                if outcome.seen_at is None:
                    outcome.seen_at = time.time()
                    outcome.status = event.payload.get("status")
                    outcome.event = dict(event.payload)
                    if on_event is not None:
                        on_event(outcome)
                break
        finally:
            await trigger.cleanup()

    tasks = [asyncio.create_task(one(t)) for t in triggers]
    remaining = deadline - asyncio.get_running_loop().time()
    _, pending = await asyncio.wait(tasks, timeout=max(remaining, 0.1))
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return outcomes


class Sampler:
    """Samples the emulator's request counter and this process's RSS every ``period`` seconds.

    :param url: the emulator's URL.
    :param period: seconds between samples.
    """

    def __init__(self, url: str, period: float = 1.0) -> None:
        self.url = url
        self.period = period
        self.rates: list[float] = []
        self.peak_rss = 0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        import aiohttp

        proc = psutil.Process()
        async with aiohttp.ClientSession() as session:
            last_count: int | None = None
            last_time = time.monotonic()
            while True:
                self.peak_rss = max(self.peak_rss, proc.memory_info().rss)
                async with session.get(admin_url(self.url, "counters")) as resp:
                    count = int((await resp.json()).get("requests", 0))
                now = time.monotonic()
                if last_count is not None:
                    self.rates.append((count - last_count) / (now - last_time))
                last_count, last_time = count, now
                await asyncio.sleep(self.period)

    def start(self) -> None:
        """Start sampling in the running loop."""
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop sampling."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` percentile (nearest rank) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]


def cpu_seconds(pid: int | None = None) -> float:
    """User plus system CPU seconds of a process (this one by default)."""
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


@contextmanager
def quiet_logs() -> Iterator[None]:
    """Keep per-look warnings (expected under faults and throttling) off the benchmark's output."""
    import logging

    logger = logging.getLogger("airflow_provider_mediajobs")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


def triggerer_main() -> None:
    """A stand-in triggerer process: read serialized triggers (``[[classpath, kwargs], ...]``) as JSON
    on stdin, re-create and run them, print each event as a JSON line the moment it arrives."""
    prepare_airflow_home()
    raise_open_files_limit()
    serialized = json.load(sys.stdin)
    triggers = []
    for classpath, kwargs in serialized:
        triggers.append(load_class(classpath)(**kwargs))

    def emit(outcome: Outcome) -> None:
        print(json.dumps({"job_id": outcome.job_id, "event": outcome.event}), flush=True)

    async def main() -> None:
        await run_like_the_triggerer(triggers, asyncio.get_running_loop().time() + 3600, emit)

    asyncio.run(main())


if __name__ == "__main__":
    triggerer_main()
