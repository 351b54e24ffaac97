"""List sweeps against direct looks, for the kinds the vendors list (ICE, IMM, Tencent CI).

One stand-in triggerer process (``benchmarks.harness``) holds :data:`WAITS` waits of one kind,
poll 5 s, on jobs that end 5 to 30 s after they start (one in ten failing), ``qps_budget``
:data:`QPS_BUDGET` and no account cap, with the connection's
``list_sweeps`` extra ``off`` (each job looked at directly: one call per job per look for ICE and
IMM, batches of 10 ids for Tencent) and ``auto`` (list sweeps where they are cheaper), side by
side in one run. A third scenario per kind is a busy account: :data:`BUSY_WAITS` waits among
:data:`BUSY_UNWATCHED` newer jobs nobody waits for, where a sweep would have to page past them
all; the round's cost choice must keep it near the direct looks' cost.

Figures per scenario: requests, p50 / p99 detection latency (job done -> event seen), missed and
wrong outcomes, CPU of the triggerer process per wait and its peak RSS.

Run with ``python -m benchmarks.sweeps [--kinds ice_smart,imm,tencent] [--waits 1000] [--into-results]``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from benchmarks import harness, quota

WAITS = 1000
BUSY_WAITS = 100
BUSY_UNWATCHED = 20_000
KINDS = ("ice_smart", "imm", "tencent")
LABELS = {"off": "direct looks", "auto": "list sweeps"}
#: High enough that the direct looks of 1,000 waits every 5 s (200 requests per second) are not
#: held back by the default budget of 50: the comparison is of requests at the same latency.
QPS_BUDGET = 1000


def measure(kinds: tuple[str, ...] = KINDS, waits: int = WAITS) -> list[dict[str, Any]]:
    """Every kind: direct looks and sweeps, then both on a busy account."""
    harness.prepare_airflow_home()
    rows = []
    for kind in kinds:
        for scenario, count, unwatched in (("", waits, 0), (" (busy account)", BUSY_WAITS, BUSY_UNWATCHED)):
            for mode in ("off", "auto"):
                row = quota.run(quota.ROOT, 1, count, LABELS[mode] + scenario, kind=kind, account_qps=None,
                                extras={"list_sweeps": mode, "qps_budget": QPS_BUDGET}, unwatched=unwatched)
                row["unwatched"] = unwatched
                rows.append(row)
    return rows


def ratios(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Requests with sweeps over requests with direct looks, per kind and scenario."""
    out = {}
    for direct, swept in zip(rows[::2], rows[1::2], strict=True):
        key = f"{swept['kind']}{' busy' if swept['unwatched'] else ''}"
        out[key] = swept["requests"] / max(direct["requests"], 1)
    return out


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table."""
    lines = ["| kind | waits | jobs nobody waits for | looks | requests | ratio | p50 s | p99 s | missed | wrong | "
             "CPU ms / wait | triggerer RSS MB |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for direct, swept in zip(rows[::2], rows[1::2], strict=True):
        for row in (direct, swept):
            lines.append(
                f"| {row['kind']} | {row['waits']} | {row['unwatched']} | {row['limiter']} | {row['requests']} | "
                f"{row['requests'] / max(direct['requests'], 1):.2f} | {row['p50_s']:.1f} | {row['p99_s']:.1f} | "
                f"{row['missed']} | {row['wrong']} | {row['cpu_ms_per_wait']:.1f} | {row['peak_rss_mb']:.0f} |")
    return "\n".join(lines)


def into_results(rows: list[dict[str, Any]]) -> None:
    """Put ``rows`` into the last ``make bench`` run's results (``benchmarks/results/results.json``)
    in place of its sweeps part, marked as measured again now; ``python -m benchmarks --render``
    then rewrites the results page, which says so."""
    path = Path(__file__).with_name("results") / "results.json"
    saved = json.loads(path.read_text())
    saved["sweeps"], saved["sweeps_finished"] = rows, time.time()
    path.write_text(json.dumps(saved, indent=1) + "\n")


def main() -> list[dict[str, Any]]:
    """Run from the command line and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--waits", type=int, default=WAITS)
    parser.add_argument("--into-results", action="store_true",
                        help="replace the sweeps part of the last make bench run's results.json")
    args = parser.parse_args()
    with harness.quiet_logs():
        rows = measure(tuple(args.kinds.split(",")), args.waits)
    print(table(rows))
    if args.into_results:
        into_results(rows)
    return rows


if __name__ == "__main__":
    main()
