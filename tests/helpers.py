"""What several test modules share: where the repository and its known-answer data are, a job made
on the emulator, the browser the UI tests drive, and the bad input the ``test_bad_input.py``
modules of several layers use.

Test modules import it as ``tests.helpers`` (the repository root is on pytest's ``pythonpath``);
``tests/conftest.py`` has pytest rewrite its asserts as it does a test module's."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def debian_package(package: str, present: Callable[[], bool]) -> None:
    """Make sure the Debian ``package`` a test starts a server or browser from is installed.

    A clean machine has only Python and the package registries, so the test installs what it
    needs itself (as root, with apt-get). Where that is impossible it skips, saying why, except
    under ``CI=true``, where a missing package fails: CI must not pass by skipping.

    :param present: says whether the package's programs are there already.
    """
    if present():
        return
    why = ""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        why = f"{package} is not installed and apt-get (as root) is not available to install it"
    else:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600, check=False)
        done = subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", package], env=env,
                              capture_output=True, timeout=900, check=False)
        if done.returncode != 0 or not present():
            why = f"{package} could not be installed with apt-get: {done.stderr.decode()[-500:]}"
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)


# -- the browser tests -----------------------------------------------------------------------------
UI_ARTIFACTS = ROOT / "test-artifacts" / "ui"  # their screenshots
CHROMIUM = "/usr/bin/chromium"  # Debian's, never a browser Playwright downloads
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_ready() -> None:
    """Make sure Debian's chromium (see :func:`debian_package`) and Playwright are there, or skip."""
    debian_package("chromium", Path(CHROMIUM).exists)
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless chromium driven by Playwright, closed when the block ends."""
    from playwright.sync_api import sync_playwright

    UI_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


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


class FakeStateStore:
    """The task state store Airflow 3.3 gives a task (``context["task_state_store"]``), in memory."""

    def __init__(self, initial: dict[str, Any] | None = None) -> None:
        self.data = dict(initial or {})

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def set(self, key: str, value: Any) -> None:
        self.data[key] = value


class FakeTI:
    """A task instance that records what the task pushes to XCom (``pushed``).

    :param fields: more attributes (``dag_id``, ``start_date``...) for code that reads them.
    """

    def __init__(self, **fields: Any) -> None:
        self.pushed: dict[str, Any] = {}
        self.stats_tags: dict[str, str] = {}
        for name, value in fields.items():
            setattr(self, name, value)

    def xcom_push(self, key: str, value: Any) -> None:
        self.pushed[key] = value
