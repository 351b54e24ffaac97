"""What several test modules share. Test modules import it as ``tests.helpers`` (the repository
root is on pytest's ``pythonpath``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from airflow_provider_mediajobs.testing import EmulatorHandle

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"  # the known-answer vectors


def new_job(emu: EmulatorHandle, kind: str, **options: Any) -> str:
    options.setdefault("queue_s", 0.2)
    options.setdefault("run_s", 0.5)
    return str(emu.admin("POST", "jobs", {"kind": kind, **options})["job_id"])
