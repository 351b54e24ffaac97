"""N waits in one event loop, per-trigger polling against coalesced polling, side by side.

Every scenario runs in a fresh Python process (so peak RSS and CPU belong to that scenario alone)
against a fresh emulator in another process. The scenario process creates N jobs that finish at
random times (5 to 30 s, one in ten failing), then runs N triggers in one asyncio loop the way the
triggerer does, and records for each wait when its event arrived. It samples the emulator's
request counter and its own RSS every second.

Figures per scenario:

- vendor requests in all, and per poll interval normalised to N live waits;
- peak requests per second seen by the emulator;
- throttling answers the emulator sent (the client retries them; they still cost quota);
- detection latency (job done -> event) p50 and p99, and how many outcomes were missed or wrong;
- CPU seconds of the triggers' process and of the emulator;
- RSS growth per waiting trigger, after one warm-up wait whose one-off cost is reported apart.

Run with ``python -m benchmarks.triggers [--sizes 100,1000] [--vendors tencent,mts]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

from airflow_provider_mediajobs.emulator import EmulatorAdmin
from benchmarks import harness

POLL_INTERVAL = 5.0
RUN_SECONDS = (5.0, 30.0)
FAILURE_SHARE = 0.1
QPS_BUDGET = 50.0
MTS_QPS_LIMIT = 100.0


@dataclass
class Scenario:
    """One measured run."""

    vendor: str
    waits: int
    coalesce: bool
    url: str = ""
    emulator_pid: int = 0

    @property
    def name(self) -> str:
        """E.g. ``tencent-1000-coalesced``."""
        return f"{self.vendor}-{self.waits}-{'coalesced' if self.coalesce else 'per-trigger'}"

    def deadline(self) -> float:
        """Seconds to let the waits run: the slowest job, a full round of the QPS budget, slack."""
        return RUN_SECONDS[1] + self.waits / QPS_BUDGET + 4 * POLL_INTERVAL + 20


async def _measure(scenario: Scenario) -> dict[str, Any]:
    import psutil

    expected, done_at = await harness.create_waited_jobs(
        scenario.url, scenario.vendor, scenario.waits, f"{scenario.vendor}-{scenario.waits}", RUN_SECONDS,
        FAILURE_SHARE)

    triggers = [harness.make_trigger(scenario.vendor, job_id, poll_interval=POLL_INTERVAL, coalesce=scenario.coalesce)
                for job_id in expected]
    # One wait on an already finished job first: the one-off cost of the first wait (lazy imports,
    # the first session, the event loop's own structures) is reported apart, so that the figure
    # per trigger is what each further wait adds.
    gc.collect()
    rss_start = psutil.Process().memory_info().rss
    (warm,) = await harness.create_jobs(scenario.url, scenario.vendor, [{"queue_s": 0.0, "run_s": 0.0}])
    await harness.run_like_the_triggerer(
        [harness.make_trigger(scenario.vendor, warm["job_id"], poll_interval=0.1, coalesce=scenario.coalesce)],
        asyncio.get_running_loop().time() + 30)
    gc.collect()
    rss_before = psutil.Process().memory_info().rss
    admin = EmulatorAdmin(scenario.url)
    counters_before = admin.counters()
    cpu_before, emu_cpu_before = harness.cpu_seconds(), harness.cpu_seconds(scenario.emulator_pid)
    sampler = harness.Sampler(scenario.url)
    sampler.start()
    started = time.time()
    loop = asyncio.get_running_loop()
    with harness.quiet_logs():
        outcomes = await harness.run_like_the_triggerer(triggers, loop.time() + scenario.deadline())
    finished = time.time()
    await sampler.stop()
    cpu = harness.cpu_seconds() - cpu_before
    emu_cpu = harness.cpu_seconds(scenario.emulator_pid) - emu_cpu_before
    counters = admin.counters()

    def delta(key: str) -> int:
        return int(counters.get(key, 0)) - int(counters_before.get(key, 0))

    latencies = [o.seen_at - done_at[i] for i, o in outcomes.items() if o.seen_at is not None
                 and o.status == expected[i]]
    wrong = sum(1 for i, o in outcomes.items() if o.status is not None and o.status != expected[i])
    missed = sum(1 for o in outcomes.values() if o.status is None)
    requests = delta("requests")
    # Each wait lives from the start until its event (or the deadline); in poll intervals:
    wait_intervals = sum(((o.seen_at or finished) - started) / POLL_INTERVAL for o in outcomes.values())
    return {
        "scenario": scenario.name, **asdict(scenario),
        "requests": requests,
        "requests_per_interval": requests / wait_intervals * scenario.waits if wait_intervals else float("nan"),
        "peak_rps": max(sampler.rates, default=0.0),
        "throttled": delta("throttled"),
        "detected": len(latencies), "missed": missed, "wrong": wrong,
        "errors": sum(1 for o in outcomes.values() if o.status == "error"),
        "latency_p50": harness.percentile(latencies, 0.50),
        "latency_p99": harness.percentile(latencies, 0.99),
        "cpu_seconds": cpu, "emulator_cpu_seconds": emu_cpu,
        "rss_per_trigger_kb": (sampler.peak_rss - rss_before) / scenario.waits / 1024,
        "first_wait_rss_kb": (rss_before - rss_start) / 1024,
        "duration": finished - started,
    }


def child(spec: str) -> None:
    """Run one scenario in this (fresh) process and print its figures as one JSON line."""
    scenario = Scenario(**json.loads(spec))
    harness.prepare_airflow_home()
    harness.raise_open_files_limit()
    harness.set_connections(scenario.url, qps_budget=QPS_BUDGET)
    # Load the trigger classes (and with them aiohttp and the hooks) before measuring anything.
    harness.make_trigger(scenario.vendor, "warm-up")
    print(json.dumps(asyncio.run(_measure(scenario))), flush=True)


def run_scenario(scenario: Scenario) -> dict[str, Any]:
    """Start a fresh emulator and a fresh process for ``scenario``; return its figures."""
    options = ["--qps-limit", str(MTS_QPS_LIMIT)] if scenario.vendor == "mts" else []
    with harness.EmulatorProcess(*options) as emulator:
        scenario.url, scenario.emulator_pid = emulator.url, emulator.pid
        proc = subprocess.run([sys.executable, "-m", "benchmarks.triggers", "--child", json.dumps(asdict(scenario))],
                              capture_output=True, text=True, timeout=scenario.deadline() + 600,
                              preexec_fn=harness.raise_open_files_limit)
    if proc.returncode != 0:
        raise RuntimeError(f"{scenario.name} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def run(sizes: list[int], vendors: list[str]) -> list[dict[str, Any]]:
    """Every (vendor, size) with coalescing off and on, printed as they finish."""
    results = []
    for vendor in vendors:
        for size in sizes:
            for coalesce in (False, True):
                started = time.monotonic()
                result = run_scenario(Scenario(vendor, size, coalesce))
                results.append(result)
                print(f"  {result['scenario']:<26} {result['requests']:>7} requests, "
                      f"{result['requests_per_interval']:>8.1f}/interval, peak {result['peak_rps']:>6.0f} rps, "
                      f"{result['throttled']:>6} throttled, p99 {result['latency_p99']:>6.1f} s, "
                      f"missed {result['missed']}, {result['rss_per_trigger_kb']:.1f} KB/trigger "
                      f"({time.monotonic() - started:.0f} s)", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--child`` runs one scenario; otherwise run them all and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--vendors", default="tencent,mts")
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    results = run([int(s) for s in args.sizes.split(",")], args.vendors.split(","))
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
