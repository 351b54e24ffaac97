"""``VendorErrorRetryPolicy`` in a real Airflow 3.3: ``airflow dags test`` runs the DAG of
``e2e/dags/e2e_retry_policy.py`` against the emulator, retries included (its loop waits for a task
that is up for retry, and runs it again when its retry time comes).

What the task runner decided is read where Airflow keeps it: the task instance's state and
``try_number`` in the metadata database, one ``task_instance_history`` row per earlier try with the
policy's ``retry_delay_override`` and ``retry_reason``, the ``Retry policy decision`` log line,
and the emulator's request counters (how many tries reached the vendor).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_mediajobs.compat import HAS_RETRY_POLICIES, airflow_version
from airflow_provider_mediajobs.testing import EmulatorHandle, running_emulator
from airflow_provider_mediajobs.transport import RetryPolicy as ClientRetryPolicy
from scripts.local_airflow import airflow_env, copy_dags, migrate, run_airflow, run_state
from tests.helpers import ROOT, new_job

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not HAS_RETRY_POLICIES,
                       reason=f"Airflow {airflow_version()} has no task retry policies (AIP-105, Airflow 3.3)"),
]

DAG_FILE = ROOT / "tests" / "e2e" / "dags" / "e2e_retry_policy.py"
DAG_ID = DAG_FILE.stem


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorHandle]:
    with running_emulator(seed_jobs=0) as emu:
        yield emu


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, emulator: EmulatorHandle) -> dict[str, Any]:
    """One ``airflow dags test`` of the DAG: its output, the run's state, its task instances and
    their history, and the emulator's counters."""
    base = tmp_path_factory.mktemp("airflow")
    connections: dict[str, Any] = dict(emulator.connections())
    good = connections["alibaba_cloud_media_default"]
    connections["alibaba_wrong_secret"] = {**good, "password": "not-the-secret-at-all"}
    env = airflow_env(base / "home", copy_dags([DAG_FILE], base / "dags"), connections)
    migrate(env)
    conf = {"mts_job": new_job(emulator, "mts"), "ice_job": new_job(emulator, "ice_smart")}
    emulator.admin("POST", "faults", {"kind": "503", "rate": 1.0, "operation": "GetSmartHandleJob"})
    proc = run_airflow(["dags", "test", DAG_ID, "-c", json.dumps(conf)], env, timeout=600)
    output = proc.stdout + proc.stderr
    with sqlite3.connect(Path(env["AIRFLOW_HOME"]) / "airflow.db") as db:
        tis = {task: (state, tries) for task, state, tries in db.execute(
            "SELECT task_id, state, try_number FROM task_instance WHERE dag_id = ?", (DAG_ID,))}
        history = {}
        for task, tries, state, delay, reason in db.execute(
                "SELECT task_id, try_number, state, retry_delay_override, retry_reason FROM task_instance_history "
                "WHERE dag_id = ? ORDER BY try_number", (DAG_ID,)):
            history.setdefault(task, []).append((tries, state, delay, reason))
    return {"state": run_state(DAG_ID, env), "output": output, "tis": tis, "history": history,
            "counters": emulator.counters()}


def test_the_run_fails_with_each_task_as_its_error_decides(run: dict[str, Any]) -> None:
    assert run["state"] == "failed", run["output"][-6000:]
    assert {task: state for task, (state, _) in run["tis"].items()} == {
        "wrong_secret": "failed", "server_error": "failed", "not_a_vendor_error": "failed"}, run["output"][-6000:]


def test_a_wrong_secret_fails_after_one_try_whatever_retries_says(run: dict[str, Any]) -> None:
    assert run["tis"]["wrong_secret"][1] == 1, run["output"][-6000:]
    assert "wrong_secret" not in run["history"]  # no earlier try was kept: there was none
    # One try, one request: the client does not repeat a refused signature either.
    assert run["counters"].get("op:QueryIProductionJob") == 1
    decisions = [line for line in run["output"].splitlines() if "Retry policy decision" in line]
    assert any("action=fail" in line and "AuthError (Code=" in line for line in decisions), decisions
    assert "not-the-secret-at-all" not in run["output"]


def test_a_server_error_is_retried_after_the_policys_pause(run: dict[str, Any]) -> None:
    retries = 3  # the DAG's
    assert run["tis"]["server_error"][1] == retries + 1, run["output"][-6000:]
    earlier = run["history"]["server_error"]
    assert [tries for tries, *_ in earlier] == list(range(1, retries + 1))
    for _, state, delay, reason in earlier:
        assert state == "failed"  # how the history keeps a try that ended up for retry
        # The policy's 1 s, not the task's own hour (which would also have outlasted the test).
        assert delay == 1.0
        assert reason.startswith("ServerError (Code="), reason
        assert "HTTP=503" in reason
    decisions = [line for line in run["output"].splitlines() if "Retry policy decision" in line]
    assert sum("action=retry" in line and "ServerError (Code=" in line for line in decisions) == retries + 1
    # Every try reached the vendor, each with the client's own attempts.
    assert run["counters"].get("op:GetSmartHandleJob") == (retries + 1) * ClientRetryPolicy().attempts


def test_an_error_that_is_not_the_providers_gets_airflows_own_retries(run: dict[str, Any]) -> None:
    assert run["tis"]["not_a_vendor_error"][1] == 2, run["output"][-6000:]
    [(tries, state, delay, reason)] = run["history"]["not_a_vendor_error"]
    # Retried by Airflow's own rule: no pause or reason from the policy was kept.
    assert (tries, state, delay, reason) == (1, "failed", None, None)
