"""Airflow 3.3's React UI shows a deferred sensor's console link while it waits: the button is on
the task instance's page and opens the vendor console's page for the connection's region (and
Tencent bucket).

Runs ``airflow standalone`` (scheduler, triggerer, DAG processor, API server on 127.0.0.1, SQLite)
with a DAG of two deferrable sensors, MTS and Tencent CI, waiting for emulator jobs that run for an
hour; while both are deferred, Debian's chromium (Playwright) opens each task instance. Every
process the test starts is stopped by its process group. Screenshots go to ``test-artifacts/ui/``.
"""

from __future__ import annotations

import sqlite3
import textwrap
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from airflow_provider_mediajobs.emulator import ALIBABA_KEY, TENCENT_KEY, connections_for
from airflow_provider_mediajobs.testing import find_secrets, running_emulator
from scripts.local_airflow import Standalone, airflow_env, migrate
from tests.helpers import UI_ARTIFACTS, browser_ready, chromium

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

DAG_ID = "e2e_console_links"
# Not the vendors' default regions: the links must follow the connection.
ALIBABA_REGION = "cn-hangzhou"
TENCENT_BUCKET, TENCENT_REGION = "mediabucket-1250000000", "ap-shanghai"  # a bucket the emulator serves
# What each task's button must open (docs/operating.md, "Console links").
EXPECTED = {
    "wait_mts": ("MTS console", f"https://mps.console.aliyun.com/overview?regionId={ALIBABA_REGION}"),
    "wait_ci": ("CI console",
                f"https://console.cloud.tencent.com/ci/bucket?bucket={TENCENT_BUCKET}&region={TENCENT_REGION}"),
}

DAG = textwrap.dedent(
    """
    from datetime import datetime

    from airflow.sdk import DAG

    from airflow_provider_mediajobs.sensors.alibaba import MtsIProductionJobSensor
    from airflow_provider_mediajobs.sensors.tencent import TencentCIJobSensor

    with DAG("{dag_id}", schedule=None, start_date=datetime(2024, 1, 1), catchup=False):
        MtsIProductionJobSensor(task_id="wait_mts", job_id="{mts}", deferrable=True, poke_interval=5, timeout=3000)
        TencentCIJobSensor(task_id="wait_ci", job_id="{ci}", deferrable=True, poke_interval=5, timeout=3000)
    """
)


def _task_states(home: Path) -> dict[str, tuple[str, str]]:
    """task id -> (state, run id) of the DAG's newest run, from the metadata database."""
    db = sqlite3.connect(f"file:{home / 'airflow.db'}?mode=ro", uri=True, timeout=10)
    try:
        rows = db.execute(
            "SELECT task_id, state, run_id FROM task_instance WHERE dag_id = ? AND run_id = "
            "(SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1)", (DAG_ID, DAG_ID)
        ).fetchall()
    except sqlite3.OperationalError:  # not migrated or locked for a moment: no answer yet
        return {}
    finally:
        db.close()
    return {task_id: (state or "", run_id) for task_id, state, run_id in rows}


def _xcom_values(home: Path) -> list[str]:
    db = sqlite3.connect(f"file:{home / 'airflow.db'}?mode=ro", uri=True, timeout=10)
    try:
        return [str(value) for (value,) in db.execute("SELECT value FROM xcom WHERE dag_id = ?", (DAG_ID,))]
    finally:
        db.close()


def _wait_until_deferred(airflow: Standalone, home: Path, timeout: float = 240) -> str:
    deadline = time.monotonic() + timeout
    states: dict[str, tuple[str, str]] = {}
    while time.monotonic() < deadline:
        states = _task_states(home)
        if set(states) == set(EXPECTED) and all(state == "deferred" for state, _ in states.values()):
            return next(iter(states.values()))[1]
        if any(state in ("failed", "success", "upstream_failed") for state, _ in states.values()):
            break
        time.sleep(2)
    raise AssertionError(f"the sensors did not both defer: {states}\n{airflow.tail(6000)}")


def test_a_deferred_sensor_shows_its_console_link_in_the_ui(tmp_path: Path) -> None:
    browser_ready()
    with running_emulator(seed_jobs=0) as emulator:
        # Jobs that run for an hour: both sensors stay deferred for as long as the test looks.
        mts = emulator.client.create_job("mts", queue_s=1, run_s=3600)["job_id"]
        ci = emulator.client.create_job("tencent", bucket=TENCENT_BUCKET, queue_s=1, run_s=3600)["job_id"]
        conns: dict[str, Any] = connections_for(emulator.url)
        conns["alibaba_cloud_media_default"]["extra"]["region"] = ALIBABA_REGION
        conns["tencent_cloud_ci_default"]["extra"].update(region=TENCENT_REGION, bucket=TENCENT_BUCKET)
        dags = tmp_path / "dags"
        dags.mkdir()
        (dags / f"{DAG_ID}.py").write_text(DAG.format(dag_id=DAG_ID, mts=mts, ci=ci))
        home = tmp_path / "home"
        env = airflow_env(home, dags, conns, {"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True"})
        migrate(env)
        airflow = Standalone(env)
        try:
            airflow.start()
            airflow.trigger(DAG_ID)
            run_id = _wait_until_deferred(airflow, home)
            with chromium() as browser:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                for task_id, (title, url) in EXPECTED.items():
                    # The task instance's page, then its Details tab, where the UI lists extra links.
                    page.goto(f"{airflow.url}/dags/{DAG_ID}/runs/{quote(run_id, safe='')}/tasks/{task_id}")
                    links_api = f"/taskInstances/{task_id}/links"
                    with page.expect_response(lambda r, api=links_api: r.url.split("?")[0].endswith(api)) as asked:
                        page.get_by_role("link", name="Details", exact=True).click()
                    # The API server's answer the UI shows: the link by name, read from XCom.
                    assert asked.value.json()["extra_links"] == {title: url}
                    button = page.get_by_role("link", name=title, exact=True)
                    button.wait_for(timeout=30_000)
                    assert button.get_attribute("href") == url
                    page.screenshot(path=str(UI_ARTIFACTS / f"console-link-{task_id}.png"), full_page=True)
            # Shown while the wait went on: both tasks are still deferred.
            assert {state for state, _ in _task_states(home).values()} == {"deferred"}, airflow.tail(4000)
            # What the worker stored for the links (each task's parts and page): no secret.
            stored = _xcom_values(home)
            assert len(stored) == 2 * len(EXPECTED)
            assert find_secrets(stored, [ALIBABA_KEY[1], TENCENT_KEY[1]]) == []
        finally:
            airflow.stop()
    assert airflow.proc is None
