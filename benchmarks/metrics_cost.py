"""What the metrics cost on the polling hot path: ``python -m benchmarks.metrics_cost``.

Nanoseconds per call, the best of several rounds, in this process: a metric call with metrics off
(``[metrics]`` turns nothing on) against a plain no-op function of the same arguments, one
``JobWait`` look with and without the decorator that counts a wait's end, and the same calls
with metrics on, sent to a ``Stats`` that drops everything (what building the name and tags
costs, without any I/O). Not part of ``make bench``: a micro-benchmark to rerun after touching
``metrics.py``, whose figures only mean something side by side.
"""

from __future__ import annotations

import timeit
from typing import Any

from airflow_provider_mediajobs import metrics
from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.waiting import JobWait

OPERATION = cat.QUERY_IPRODUCTION_JOB
KIND = cat.MTS_IPRODUCTION_JOB
PENDING = {"JobId": "j", "State": "Queuing"}


class DroppingStats:
    """Airflow's ``Stats`` as the provider calls it, sending nothing."""

    def incr(self, *args: Any, **kwargs: Any) -> None:
        """Drop a counter."""

    def timing(self, *args: Any, **kwargs: Any) -> None:
        """Drop a timing."""


def _noop(operation: Any, error: BaseException | None) -> None:
    return None


def _ns(call: Any, number: int, repeat: int = 7) -> float:
    """The best of ``repeat`` rounds of ``number`` calls, in nanoseconds per call."""
    return min(timeit.repeat(call, number=number, repeat=repeat)) / number * 1e9


def measure(number: int = 200_000) -> dict[str, float]:
    """Nanoseconds per call of each case."""
    wait = JobWait(KIND, "j", poll_interval=5, not_found_grace=60)
    undecorated = JobWait.saw.__wrapped__  # type: ignore[attr-defined]
    looks = number // 4  # a look costs a hundred times a metric call
    rows: dict[str, float] = {}
    try:
        metrics.route(None)
        rows["no-op function"] = _ns(lambda: _noop(OPERATION, None), number)
        rows["metrics.request, off"] = _ns(lambda: metrics.request(OPERATION, None), number)
        rows["JobWait.saw (pending), undecorated"] = _ns(lambda: undecorated(wait, PENDING), looks)
        rows["JobWait.saw (pending), off"] = _ns(lambda: wait.saw(PENDING), looks)
        metrics.route(DroppingStats())
        rows["metrics.request, on (Stats dropping)"] = _ns(lambda: metrics.request(OPERATION, None), number)
        rows["JobWait.saw (pending), on (Stats dropping)"] = _ns(lambda: wait.saw(PENDING), looks)
    finally:
        metrics.reset()
    return rows


def main() -> None:
    """Print each case's nanoseconds per call."""
    for name, ns in measure().items():
        print(f"{name:45s} {ns:8.1f} ns")


if __name__ == "__main__":
    main()
