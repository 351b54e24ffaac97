"""K triggerer processes on one account: per-process fixed buckets, the adaptive limiter, and the
shared budget in Redis.

Each scenario starts a fresh emulator whose account cap is :data:`ACCOUNT_QPS` requests per
second per key pair (it throttles past it, as MTS does), creates :data:`WAITS` MTS jobs that
finish 5 to 30 s after they start (one in ten failing), and splits their triggers over K
stand-in triggerer processes (``benchmarks.harness``), each polling with the default
``qps_budget`` (50) and the shared poller.

- The baseline is the provider as it was before the adaptive limiter (``--baseline-rev``,
  default the last commit without it): a fixed 50 QPS bucket per process, which retries
  bypassed. It runs from a temporary ``git worktree`` of that revision, in the same run.
- "adaptive": this tree, the processes knowing nothing of each other.
- "shared budget (Redis)": this tree with the extra ``qps_budget_redis_url`` naming a
  ``redis-server`` the scenario starts (and stops) itself, so the K processes draw from one
  50 QPS budget.

Figures per scenario: requests, throttled answers (share of requests), peak requests per second,
requests per second while busy (see :func:`busy_rate`), detection latency p50 / p99 (job done ->
event seen by the parent), missed and wrong outcomes.

:func:`strategies` measures, without the emulator, why the shared budget uses ``limits``' moving
window: K takers that each ask as fast as they can, with each of its three strategies.

Run with ``python -m benchmarks.quota [--processes 1,2,3] [--waits 1200]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

from airflow_provider_mediajobs.extras import DEFAULT_QPS_BUDGET, QPS_BUDGET_REDIS_URL
from benchmarks import harness

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT_QPS = 100.0
#: The label of the shared-budget rows.
SHARED = "shared budget (Redis)"
#: A busy second is one whose request rate reached this share of the scenario's ceiling.
BUSY_SHARE = 0.8
WAITS = 1200
POLL_INTERVAL = 5.0
RUN_SECONDS = (5.0, 30.0)
FAILURE_SHARE = 0.1
#: The last commit whose triggers used a fixed per-process bucket that retries bypassed.
BASELINE_REV = "34e6106"


@contextlib.contextmanager
def baseline_tree(rev: str) -> Iterator[Path]:
    """A temporary worktree of ``rev`` (removed on exit)."""
    path = Path(tempfile.mkdtemp(prefix="mediajobs-baseline-"))
    subprocess.run(["git", "worktree", "add", "--detach", "-f", str(path), rev], cwd=ROOT, check=True,
                   capture_output=True)
    try:
        yield path
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False,
                       capture_output=True)


def _reader(proc: subprocess.Popen[str], seen: dict[str, tuple[float, dict[str, Any]]]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        with contextlib.suppress(ValueError):
            record = json.loads(line)
            seen.setdefault(record["job_id"], (time.time(), record["event"]))


def _rss(pid: int) -> int:
    with contextlib.suppress(psutil.Error):
        return int(psutil.Process(pid).memory_info().rss)
    return 0


def _cpu(pid: int) -> float:
    with contextlib.suppress(psutil.Error):
        return harness.cpu_seconds(pid)
    return 0.0


def busy_rate(samples: list[tuple[float, int]], ceiling: float) -> float:
    """Requests per second from the start of the first sampled interval whose rate reached
    :data:`BUSY_SHARE` of ``ceiling`` to the end of the last one (every interval between counts,
    slow ones included); NaN when none did.

    :param samples: ``(monotonic seconds, requests so far)``, about a second apart.
    :param ceiling: the most requests per second the scenario should see (its budget or cap).
    """
    intervals = list(itertools.pairwise(samples))
    busy = [n for n, ((t0, c0), (t1, c1)) in enumerate(intervals) if t1 > t0 and (c1 - c0) / (t1 - t0)
            >= BUSY_SHARE * ceiling]
    if not busy:
        return float("nan")
    (start, first), _ = intervals[busy[0]]
    _, (end, last) = intervals[busy[-1]]
    return (last - first) / (end - start)


def run(tree: Path, processes: int, waits: int, label: str, *, kind: str = "mts",
        account_qps: float | None = ACCOUNT_QPS, outage: tuple[float, float] | None = None,
        extras: dict[str, Any] | None = None, ceiling: float | None = None, unwatched: int = 0) -> dict[str, Any]:
    """One scenario: ``waits`` waits of ``kind`` over ``processes`` triggerer processes running ``tree``.

    :param account_qps: the emulator's cap per key pair (None: no cap).
    :param unwatched: jobs of the same kind nobody waits for, created after the waited ones (a
        busy account: they come first in a newest-first listing).
    :param outage: ``(start, seconds)``: every vendor request is answered 503 from ``start``
        seconds after the triggers start, for ``seconds``; the figures then include the detection
        latency, counted from the end of the outage, of the jobs that ended before it ended.
    :param extras: connection extras for every process (``qps_budget_redis_url``, ``list_sweeps``...).
    :param ceiling: the most requests per second the scenario should reach, for
        :func:`busy_rate` (default: K x the default ``qps_budget``, at most ``account_qps``).
    """
    if ceiling is None:
        ceiling = min(processes * DEFAULT_QPS_BUDGET, account_qps or float("inf"))
    recovered_at: float | None = None
    with harness.EmulatorProcess() as emulator:
        if account_qps is not None:
            emulator.admin.set_qps(account_qps)
        harness.set_connections(emulator.url, **(extras or {}))
        expected, done_at = asyncio.run(harness.create_waited_jobs(
            emulator.url, kind, waits, f"quota-{kind}-{waits}", RUN_SECONDS, FAILURE_SHARE))
        if unwatched:
            emulator.admin.create_jobs(kind, unwatched, **harness.WAITS[kind][2], run_s=3600.0)
        class_path, conn_id, _, ids = harness.WAITS[kind]
        serialized = [[class_path, {"conn_id": conn_id, "job_ids": ids(job_id), "poll_interval": POLL_INTERVAL}]
                      for job_id in expected]
        before = emulator.admin.counters()
        env = dict(os.environ, PYTHONPATH=str(tree))
        seen: dict[str, tuple[float, dict[str, Any]]] = {}
        children, readers = [], []
        for index in range(processes):
            share = serialized[index::processes]
            child = subprocess.Popen([sys.executable, "-m", "benchmarks.harness"], cwd=tree, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            assert child.stdin is not None
            child.stdin.write(json.dumps(share))
            child.stdin.close()
            children.append(child)
            readers.append(threading.Thread(target=_reader, args=(child, seen), daemon=True))
            readers[-1].start()
        started = time.monotonic()
        deadline = started + RUN_SECONDS[1] + 4 * waits / (account_qps or ACCOUNT_QPS) + 60 + (outage or (0, 0))[1]
        rates, last = [], (before.get("requests", 0), time.monotonic())
        samples = [(last[1], last[0])]
        down = False
        peak_rss = 0
        while len(seen) < waits and time.monotonic() < deadline:
            peak_rss = max(peak_rss, sum(_rss(child.pid) for child in children))
            time.sleep(0.5 if outage else 1.0)
            if outage is not None and recovered_at is None:
                elapsed = time.monotonic() - started
                if not down and elapsed >= outage[0]:
                    emulator.admin.add_fault("503", 1.0)
                    down = True
                elif down and elapsed >= outage[0] + outage[1]:
                    emulator.admin.clear_faults()
                    recovered_at = time.time()
            count, now = emulator.admin.counters().get("requests", 0), time.monotonic()
            rates.append((count - last[0]) / (now - last[1]))
            last = (count, now)
            samples.append((now, count))
        cpu = sum(_cpu(child.pid) for child in children)
        for child in children:
            child.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(10)
            if child.poll() is None:
                child.kill()
        after = emulator.admin.counters()
    requests = after.get("requests", 0) - before.get("requests", 0)
    throttled = after.get("throttled", 0) - before.get("throttled", 0)
    latencies = [seen[j][0] - done_at[j] for j in seen if j in done_at]
    wrong_events = [event for j, (_, event) in seen.items() if event.get("status") != expected.get(j)]
    wrong = len(wrong_events)
    after_outage = [seen[j][0] - recovered_at for j in seen if recovered_at is not None and done_at[j] < recovered_at]
    return {
        "limiter": label, "kind": kind, "processes": processes, "waits": waits, "requests": requests,
        "throttled": throttled,
        "after_outage_p99_s": harness.percentile(after_outage, 0.99), "after_outage_waits": len(after_outage),
        "throttled_share": throttled / max(requests, 1), "peak_rps": max(rates or [0.0]),
        "ceiling_rps": ceiling, "busy_rps": busy_rate(samples, ceiling),
        "p50_s": harness.percentile(latencies, 0.5), "p99_s": harness.percentile(latencies, 0.99),
        "detected": len(seen), "missed": waits - len(seen), "wrong": wrong,
        # The triggerer processes' CPU per wait, and their peak RSS in all (mostly Airflow's own
        # import: divided by the waits it would say little about what a wait costs).
        "cpu_ms_per_wait": 1000 * cpu / waits, "peak_rss_mb": peak_rss / 2**20,
        # What the first wrong outcomes were, to tell a provider bug from a harness one.
        "wrong_sample": [{k: e.get(k) for k in ("status", "error", "message")} for e in wrong_events[:3]],
    }


def run_shared(processes: int, waits: int) -> dict[str, Any]:
    """The shared-budget scenario: this tree, one fresh ``redis-server`` for the K processes."""
    with harness.RedisServer() as redis:
        return run(ROOT, processes, waits, SHARED, extras={QPS_BUDGET_REDIS_URL: redis.url()},
                   ceiling=DEFAULT_QPS_BUDGET)


def measure(processes: list[int], waits: int, baseline_rev: str = BASELINE_REV) -> list[dict[str, Any]]:
    """Every scenario, baseline, adaptive and shared budget, for each K in ``processes``."""
    harness.prepare_airflow_home()
    rows = []
    with baseline_tree(baseline_rev) as old:
        for k in processes:
            rows.append(run(old, k, waits, f"fixed per process ({baseline_rev})", ceiling=k * DEFAULT_QPS_BUDGET))
            rows.append(run(ROOT, k, waits, "adaptive"))
            rows.append(run_shared(k, waits))
    return rows


def strategies(budget: float = DEFAULT_QPS_BUDGET, takers: int = 3, seconds: float = 6.0) -> list[dict[str, Any]]:
    """Each of ``limits``' strategies as the shared budget would use it, against one ``redis-server``.

    ``takers`` takers, each with a :class:`~airflow_provider_mediajobs.shared_budget.RedisBudget`
    of its own (as separate processes have), share one ``budget``. After one token, a lull of
    0.9 s, then all of them take tokens as fast as they can for ``seconds``: waits that slept
    their poll interval and wake together. Figures: tokens per second over the rush, and the most
    granted within any one second (each token at the time taken just before the call to Redis
    that granted it, within microseconds of the time ``limits`` stamps it with). A fixed window
    starts at its first request, so the lull leaves most of its budget for the rush at its end,
    and the next window grants a whole budget again at once.
    """
    import asyncio
    import bisect

    from airflow_provider_mediajobs.shared_budget import STRATEGIES, RedisBudget, SharedBudgetUrl

    async def rush(url: SharedBudgetUrl, strategy: str) -> list[float]:
        granted: list[float] = []
        shared = [RedisBudget(url, "bench:strategies", budget, strategy=strategy) for _ in range(takers)]
        for one in shared:
            _note_grants(one, granted)
        await shared[0].take()
        await asyncio.sleep(0.9)
        end = time.time() + seconds
        granted.clear()

        async def take(one: RedisBudget) -> None:
            while time.time() < end:
                await one.take()

        await asyncio.gather(*(take(one) for one in shared))
        for one in shared:
            await one.aclose()
        return granted

    rows = []
    for name in STRATEGIES:
        with harness.RedisServer() as redis:
            ordered = sorted(asyncio.run(rush(SharedBudgetUrl(redis.url()), name)))
        most = max((bisect.bisect_left(ordered, t + 1.0) - i for i, t in enumerate(ordered)), default=0)
        rows.append({"strategy": name, "budget": budget, "takers": takers, "seconds": seconds,
                     "granted": len(ordered), "rate": len(ordered) / seconds, "most_in_1s": most})
    return rows


def _note_grants(budget: Any, granted: list[float]) -> None:
    """Have ``budget``'s Redis client note the time just before each ``hit`` that Redis granted."""
    strategy = budget._async_strategy()
    hit = strategy.hit

    async def noted(*args: Any, **kwargs: Any) -> bool:
        before = time.time()
        taken: bool = await hit(*args, **kwargs)
        if taken:
            granted.append(before)
        return taken

    strategy.hit = noted


def strategies_table(rows: list[dict[str, Any]]) -> str:
    """The strategy rows as a Markdown table."""
    lines = ["| limits strategy | granted | per second (budget) | most in any 1 s |", "|---|---|---|---|"]
    lines += [f"| {r['strategy']} | {r['granted']} | {r['rate']:.1f} ({r['budget']:g}) | {r['most_in_1s']} "
              f"({r['most_in_1s'] / r['budget']:.2f}x) |" for r in rows]
    return "\n".join(lines)


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table."""
    lines = ["| limiter | K | requests | throttled | peak req/s | req/s while busy (ceiling) | p50 s | p99 s "
             "| missed | wrong |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        busy = r.get("busy_rps", float("nan"))
        busy_text = f"{busy:.1f} ({r['ceiling_rps']:g})" if busy == busy else "-"
        lines.append(f"| {r['limiter']} | {r['processes']} | {r['requests']} | {r['throttled']} "
                     f"({100 * r['throttled_share']:.1f}%) | {r['peak_rps']:.0f} | {busy_text} | {r['p50_s']:.1f} | "
                     f"{r['p99_s']:.1f} | {r['missed']} | {r['wrong']} |")
    return "\n".join(lines)


def main() -> list[dict[str, Any]]:
    """Run from the command line and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", default="1,2,3")
    parser.add_argument("--waits", type=int, default=WAITS)
    parser.add_argument("--baseline-rev", default=BASELINE_REV)
    parser.add_argument("--strategies-only", action="store_true", help="only compare limits' strategies")
    args = parser.parse_args()
    with harness.quiet_logs():
        compared = strategies()
        print(strategies_table(compared), flush=True)
        if args.strategies_only:
            return compared
        rows = measure([int(k) for k in args.processes.split(",")], args.waits, args.baseline_rev)
    print(table(rows))
    return rows


if __name__ == "__main__":
    main()
