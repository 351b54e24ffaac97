"""``make chaos``: 1,000 waits through the real trigger code while the emulator injects 30% transient faults.

The emulator (its own process) answers about 30% of vendor requests with one of six faults, in
equal shares: 503, throttling, a reset connection, a stall past the client's read timeout, a
truncated body, an HTML error page. The waits cover every trigger class (Tencent CI, MTS, ICE,
IMM), coalesced (the default) and a slice polling on their own; a fifth of the jobs fail.

Pass criteria, checked for every wait:

- no spurious failure: every event's status is the job's real outcome (no ``error``,
  ``not_found`` or wrong status caused by a fault);
- no lost completion: every wait delivers its event before the deadline, exactly once;
- every failed job is reported ``failure`` with the vendor's own code and message.

The run is bounded (``--max-seconds``, default 600) and prints its counts. The test suite runs a
shorter version (``tests/unit/triggers/test_chaos.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from airflow_provider_mediajobs.emulator import EmulatorAdmin
from airflow_provider_mediajobs.emulator.server import FAULT_KINDS  # the soak injects every one
from benchmarks import harness

# Six independent draws of rate r fault a request with probability 1 - (1 - r) ** 6 = 30%.
FAULT_SHARE = 0.30
PER_KIND_RATE = 1 - (1 - FAULT_SHARE) ** (1 / len(FAULT_KINDS))
# The emulator's failure code and message per kind: a failure event must carry them.
VENDOR_FAILURE = {
    "tencent": ("InvalidFile", "the input could not be read"),
    "mts": ("InvalidInput.Media", "the input could not be decoded"),
    "ice_smart": ("InvalidMedia", "the media could not be processed"),
    "imm": ("InvalidFile", "unsupported format"),
}
MIX = {"tencent": 0.4, "mts": 0.3, "ice_smart": 0.15, "imm": 0.15}


@dataclass
class Soak:
    """One chaos run's settings.

    :param waits: how many waits in all.
    :param poll_interval: seconds between looks.
    :param run_seconds: jobs finish between these many seconds after the start.
    :param failure_share: share of jobs that fail.
    :param own_polling_share: share of waits with ``coalesce=False``.
    :param max_seconds: give up (and report lost completions) after this long.
    :param seed: random seed for the job mix and outcomes.
    """

    waits: int = 1000
    poll_interval: float = 2.0
    run_seconds: tuple[float, float] = (2.0, 40.0)
    failure_share: float = 0.2
    own_polling_share: float = 0.1
    max_seconds: float = 600.0
    seed: int = 11


async def _soak(url: str, soak: Soak) -> dict[str, Any]:
    admin = EmulatorAdmin(url)
    rng = random.Random(soak.seed)
    plan: list[tuple[str, dict[str, Any]]] = []
    for kind, share in MIX.items():
        count = round(soak.waits * share)
        plan += [(kind, {"queue_s": 0.0, "run_s": rng.uniform(*soak.run_seconds),
                         "succeed": rng.random() >= soak.failure_share}) for _ in range(count)]
    expected: dict[str, tuple[str, str]] = {}
    for kind in MIX:
        specs = [spec for k, spec in plan if k == kind]
        created = await harness.create_jobs(url, kind, specs)
        expected |= {c["job_id"]: (kind, "success" if s["succeed"] else "failure")
                     for c, s in zip(created, specs, strict=True)}
    for fault in FAULT_KINDS:
        admin.add_fault(fault, rate=PER_KIND_RATE)
    triggers = [harness.make_trigger(kind, job_id, poll_interval=soak.poll_interval,
                                     coalesce=rng.random() >= soak.own_polling_share)
                for job_id, (kind, _) in expected.items()]
    started = time.monotonic()
    with harness.quiet_logs():
        outcomes = await harness.run_like_the_triggerer(
            triggers, asyncio.get_running_loop().time() + soak.max_seconds)
    took = time.monotonic() - started
    admin.clear_faults()
    counters = admin.counters()

    spurious, lost, duplicated, bad_message = [], [], [], []
    for job_id, (kind, truth) in expected.items():
        outcome = outcomes[job_id]
        if outcome.status is None:
            lost.append(job_id)
        elif outcome.status != truth:
            spurious.append({"job_id": job_id, "kind": kind, "expected": truth, "event": outcome.event})
        elif truth == "failure" and (outcome.event.get("code"), outcome.event.get("message")) != VENDOR_FAILURE[kind]:
            bad_message.append({"job_id": job_id, "kind": kind, "event": outcome.event})
        if outcome.deliveries > 1:
            duplicated.append(job_id)
    faults = {k.split(":", 1)[1]: v for k, v in counters.items() if k.startswith("fault:")}
    requests = int(counters.get("requests", 0))
    return {
        "waits": len(expected),
        "by_kind": dict(Counter(kind for kind, _ in expected.values())),
        "own_polling": sum(1 for t in triggers if not t.coalesce),
        "jobs_failing": sum(1 for _, truth in expected.values() if truth == "failure"),
        "delivered": Counter(o.status for o in outcomes.values() if o.status is not None),
        "requests": requests,
        "faults": faults,
        "fault_share": sum(faults.values()) / requests if requests else 0.0,
        "spurious_failures": spurious,
        "lost_completions": lost,
        "duplicate_events": duplicated,
        "failures_without_vendor_message": bad_message,
        "seconds": took,
    }


def run(soak: Soak) -> dict[str, Any]:
    """Run one soak against a fresh emulator process; return the report."""
    harness.prepare_airflow_home()
    harness.raise_open_files_limit()
    # Stalls outlast the client's 1 s read timeout; the whole attempt is bounded at 3 s.
    with harness.EmulatorProcess("--stall-seconds", "3") as emulator:
        harness.set_connections(emulator.url, read_timeout=1, total_timeout=3)
        return asyncio.run(_soak(emulator.url, soak))


def passed(report: dict[str, Any]) -> bool:
    """Whether the soak met every criterion."""
    return not (report["spurious_failures"] or report["lost_completions"] or report["duplicate_events"]
                or report["failures_without_vendor_message"])


def print_report(report: dict[str, Any]) -> None:
    """Counts first, then whatever went wrong."""
    print(f"chaos soak: {report['waits']} waits {report['by_kind']} ({report['own_polling']} polling on their own), "
          f"{report['jobs_failing']} jobs failing")
    print(f"  {report['requests']} vendor requests, {sum(report['faults'].values())} faulted "
          f"({report['fault_share']:.1%}): {report['faults']}")
    print(f"  events delivered: {dict(report['delivered'])} in {report['seconds']:.0f} s")
    print(f"  spurious failures: {len(report['spurious_failures'])}, lost completions: "
          f"{len(report['lost_completions'])}, duplicate events: {len(report['duplicate_events'])}, "
          f"failures without the vendor's message: {len(report['failures_without_vendor_message'])}")
    for key in ("spurious_failures", "lost_completions", "failures_without_vendor_message"):
        for item in report[key][:5]:
            print(f"    {key}: {json.dumps(item, default=str)[:400]}")
    print("  PASS" if passed(report) else "  FAIL")


def main(argv: list[str] | None = None) -> int:
    """Command line: run the soak in a fresh process, print counts, exit 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--waits", type=int, default=1000)
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.child:
        # A fresh interpreter, so nothing of this process (Airflow settings, loops) leaks in.
        command = [sys.executable, "-m", "benchmarks.chaos", "--child", "--waits", str(args.waits),
                   "--max-seconds", str(args.max_seconds)]
        return subprocess.run(command, timeout=args.max_seconds + 300).returncode
    report = run(Soak(waits=args.waits, max_seconds=args.max_seconds))
    print_report(report)
    return 0 if passed(report) else 1


if __name__ == "__main__":
    sys.exit(main())
