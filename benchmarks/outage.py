"""Recovery after an outage: how soon waits notice that the vendor answers again.

One stand-in triggerer process holds :data:`WAITS` Tencent waits (batched) or :data:`MTS_WAITS`
MTS waits (jobs end 5 to 30 s after they start, poll 5 s); :data:`OUTAGE` seconds after the
triggers start, the emulator answers every vendor request with 503 for :data:`OUTAGE_SECONDS`
seconds. The figure is the p99 detection latency, counted from the end of the outage, of the
jobs that ended before it ended. Before the shared poller's recovery probe each trigger backed off
alone (``--baseline-rev``, run from a temporary ``git worktree`` in the same run); now one probe
notices the end of the outage and wakes the rest.

Run with ``python -m benchmarks.outage``.
"""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks import harness, quota

WAITS = 1000
MTS_WAITS = 200
OUTAGE = 5.0
OUTAGE_SECONDS = 20.0
BASELINE_REV = quota.BASELINE_REV


def measure(baseline_rev: str = BASELINE_REV) -> list[dict[str, Any]]:
    """Both vendors, baseline and this tree."""
    harness.prepare_airflow_home()
    rows = []
    with quota.baseline_tree(baseline_rev) as old:
        for kind, waits in (("tencent", WAITS), ("mts", MTS_WAITS)):
            for tree, label in ((old, f"each trigger alone ({baseline_rev})"), (quota.ROOT, "recovery probe")):
                rows.append(quota.run(tree, 1, waits, label, kind=kind, account_qps=None,
                                      outage=(OUTAGE, OUTAGE_SECONDS)))
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table."""
    lines = ["| vendor | waits | after an outage | requests | p99 after recovery s | waits counted | missed | wrong |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['kind']} | {r['waits']} | {r['limiter']} | {r['requests']} | {r['after_outage_p99_s']:.1f} | "
              f"{r['after_outage_waits']} | {r['missed']} | {r['wrong']} |" for r in rows]
    return "\n".join(lines)


def main() -> list[dict[str, Any]]:
    """Run from the command line and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-rev", default=BASELINE_REV)
    args = parser.parse_args()
    with harness.quiet_logs():
        rows = measure(args.baseline_rev)
    print(table(rows))
    return rows


if __name__ == "__main__":
    main()
