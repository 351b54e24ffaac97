"""A shorter chaos soak: every trigger class, 30% transient faults of six kinds, real HTTP.

The full soak (1,000 waits) is ``make chaos``; both run :func:`benchmarks.chaos.run`.
"""

from __future__ import annotations

import os

import pytest

from benchmarks import chaos, harness

pytestmark = pytest.mark.chaos


@pytest.fixture
def isolated_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    # The soak points the benchmark conn ids at its own emulator; undo that afterwards.
    for conn_id in harness.CONN_IDS.values():
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}", ""))


def test_short_soak_loses_nothing_and_fails_nothing_spuriously(isolated_connections: None) -> None:
    soak = chaos.Soak(waits=120, poll_interval=0.5, run_seconds=(2.0, 15.0), max_seconds=150)
    report = chaos.run(soak)
    chaos.print_report(report)
    assert report["waits"] == soak.waits
    # Faults really were injected, of every kind, at about the configured share.
    assert set(report["faults"]) == set(chaos.FAULT_KINDS)
    assert 0.2 < report["fault_share"] < 0.4
    assert report["spurious_failures"] == []
    assert report["lost_completions"] == []
    assert report["duplicate_events"] == []
    assert report["failures_without_vendor_message"] == []
    assert report["delivered"]["failure"] == report["jobs_failing"] > 0
    assert report["delivered"]["success"] == report["waits"] - report["jobs_failing"]
