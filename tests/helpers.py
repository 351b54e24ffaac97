"""What several test modules share: where the repository and its known-answer data are, a job made
on the emulator, and the bad input the ``test_bad_input.py`` modules of several layers use.

Test modules import it as ``tests.helpers`` (the repository root is on pytest's ``pythonpath``);
``tests/conftest.py`` has pytest rewrite its asserts as it does a test module's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_mediajobs.exceptions import MediaJobsValidationError
from airflow_provider_mediajobs.testing import EmulatorHandle

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"  # the known-answer vectors


def new_job(emu: EmulatorHandle, kind: str, **options: Any) -> str:
    options.setdefault("queue_s", 0.2)
    options.setdefault("run_s", 0.5)
    return str(emu.admin("POST", "jobs", {"kind": kind, **options})["job_id"])


# -- bad input ------------------------------------------------------------------------------------
ARABIC_TEN = "\u0661\u0660"  # "10" in Arabic-Indic digits: int() and float() accept it, \d matches it
TEMPLATE = "{{ ti.xcom_pull(task_ids='submit') }}"
WG = {"tag": "WordsGeneralize", "input_object": "a.txt", "queue_id": "q"}


def refused(call: Callable[[], Any], arg: str, emu: EmulatorHandle | None = None) -> str:
    """``call()`` raises a :class:`MediaJobsValidationError` naming ``arg`` (and, given the emulator,
    sends no request); its message."""
    before = emu.counters().get("requests", 0) if emu else 0
    with pytest.raises(MediaJobsValidationError) as info:
        call()
    message = str(info.value)
    assert arg in message, message
    if emu is not None:
        assert emu.counters().get("requests", 0) == before, "a request was sent"
    return message
