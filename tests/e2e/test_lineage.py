"""End to end: OpenLineage events of a real ``airflow dags test`` run against the emulator, with the
OpenLineage provider's console transport (each event a JSON log line of
``openlineage.client.transport.console``, at INFO, on the run's output).

Each submit operator's and sensor's COMPLETE event carries the oss:// and cos:// datasets its job
read and wrote, whether the wait was deferred, in the worker or poking; a submit that does not
wait reports its input only, and so does the FAIL event of a job that failed. No event holds a
connection's secret.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_mediajobs.emulator import ALIBABA_KEY, TENCENT_BUCKET, TENCENT_KEY, connections_for
from airflow_provider_mediajobs.testing import find_secrets, running_emulator
from scripts.local_airflow import airflow_env, dags_test, lineage_events, migrate

pytestmark = pytest.mark.e2e

DAG_ID = "e2e_lineage"
BUCKET = TENCENT_BUCKET[0]
MTS = {"input_uri": "oss://media-in/clips/interview.mp4", "output_uri": "oss://media-out/enhanced/interview.mp4"}
# The emulator writes a CI job's output to the bucket it runs on, whatever the request names.
CI = {"input_object": "docs/press-release.txt", "output_bucket": BUCKET,
      "output_object": "translated/press-release.en.txt"}

DAG = textwrap.dedent(
    f'''
    from datetime import datetime

    from airflow.sdk import DAG

    from airflow_provider_mediajobs.operators.alibaba import MtsSubmitIProductionJobOperator
    from airflow_provider_mediajobs.operators.tencent import TencentCISubmitJobOperator
    from airflow_provider_mediajobs.sensors.alibaba import MtsIProductionJobSensor
    from airflow_provider_mediajobs.sensors.tencent import TencentCIJobSensor

    MTS = {MTS!r}
    CI = {CI!r}
    TRANSLATE = dict(tag="Translation", queue_id="p893bcda225bf4945a378da6662e81a89",
                     translation={{"Lang": "en", "Type": "txt"}}, output_region="ap-beijing", **CI)

    with DAG("{DAG_ID}", schedule=None, start_date=datetime(2024, 1, 1), catchup=False):
        mts = MtsSubmitIProductionJobOperator(
            task_id="mts_submit_deferred", function_name="VideoQualityEnhancement", wait_for_completion=True,
            deferrable=True, poll_interval=1, **MTS)
        MtsIProductionJobSensor(task_id="mts_sensor_poke", job_id=mts.output, deferrable=False, poke_interval=1,
                                timeout=120)
        ci = TencentCISubmitJobOperator(task_id="ci_submit_worker", wait_for_completion=True, deferrable=False,
                                        poll_interval=1, **TRANSLATE)
        TencentCIJobSensor(task_id="ci_sensor_deferred", job_id=ci.output, deferrable=True, poke_interval=1,
                           timeout=120)
        MtsSubmitIProductionJobOperator(task_id="mts_submit_only", function_name="VideoQualityEnhancement", **MTS)
    '''
)

MTS_IN, MTS_OUT = ("oss://media-in", "clips/interview.mp4"), ("oss://media-out", "enhanced/interview.mp4")
CI_IN = (f"cos://{BUCKET}", CI["input_object"])
CI_OUT = (f"cos://{BUCKET}", CI["output_object"])
EXPECTED = {
    # task: (inputs, outputs) of its COMPLETE event, as (namespace, name)
    "mts_submit_deferred": ([MTS_IN], [MTS_OUT]),
    "mts_sensor_poke": ([MTS_IN], [MTS_OUT]),
    "ci_submit_worker": ([CI_IN], [CI_OUT]),
    "ci_sensor_deferred": ([CI_IN], [CI_OUT]),
    "mts_submit_only": ([MTS_IN], []),
}


def _dags_test(base: Path, url: str) -> tuple[str, list[dict[str, Any]], str]:
    """``airflow dags test`` of the DAG above against the emulator at ``url``, with the console
    transport: the run's state, the events and the whole output."""
    dags = base / "dags"
    dags.mkdir()
    (dags / f"{DAG_ID}.py").write_text(DAG)
    env = airflow_env(base / "home", dags, connections_for(url),
                      extra={"AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps({"type": "console"})})
    migrate(env)
    state, proc = dags_test(DAG_ID, env, timeout=600)
    output = proc.stdout + proc.stderr
    return state, lineage_events(output), output


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, mediajobs_emulator: Any) -> tuple[list[dict[str, Any]], str]:
    state, events, output = _dags_test(tmp_path_factory.mktemp("lineage"), mediajobs_emulator.url)
    assert state == "success", output[-6000:]
    return events, output


def _datasets(event: dict[str, Any], side: str) -> list[tuple[str, str]]:
    return [(d["namespace"], d["name"]) for d in event[side]]


@pytest.mark.parametrize("task_id", sorted(EXPECTED))
def test_complete_event_carries_the_jobs_objects(task_id: str, run: tuple[list[dict[str, Any]], str]) -> None:
    events, output = run
    complete = [e for e in events if e["eventType"] == "COMPLETE" and e["job"]["name"] == f"{DAG_ID}.{task_id}"]
    assert len(complete) == 1, output[-6000:]
    inputs, outputs = EXPECTED[task_id]
    assert (_datasets(complete[0], "inputs"), _datasets(complete[0], "outputs")) == (inputs, outputs)


def test_every_task_and_the_run_emitted_events(run: tuple[list[dict[str, Any]], str]) -> None:
    events, output = run
    names = {e["job"]["name"] for e in events}
    tasks = {f"{DAG_ID}.{task}" for task in EXPECTED}
    # The run's own event (named after the DAG) is the OpenLineage listener's, not this
    # provider's: under `airflow dags test` on Airflow 3.1 with OpenLineage provider 2.13.0 it is
    # not sent (the listener fails reading the run's task instance histories), so only the
    # tasks' events are required on every minor.
    assert tasks <= names <= {DAG_ID, *tasks}
    for task in EXPECTED:
        kinds = [e["eventType"] for e in events if e["job"]["name"] == f"{DAG_ID}.{task}"]
        assert kinds.count("COMPLETE") == 1, (task, kinds)
        assert "START" in kinds, (task, kinds)
    # The deferred waits really deferred (and so completed in a task instance built anew), the
    # others did not.
    deferred = {line.split("task_id=")[1].split()[0] for line in output.splitlines()
                if "Pausing task as DEFERRED" in line and "task_id=" in line}
    assert deferred == {task for task in EXPECTED if task.endswith("_deferred")}


def test_no_event_holds_a_secret(run: tuple[list[dict[str, Any]], str]) -> None:
    events, output = run
    assert events
    assert find_secrets([json.dumps(e) for e in events] + [output], [ALIBABA_KEY[1], TENCENT_KEY[1]]) == []


def test_a_failed_jobs_fail_event_carries_its_input_and_no_output(tmp_path: Path) -> None:
    # Every job fails: the first task of each vendor fails, the rest never run.
    with running_emulator(seed_jobs=0, queue_seconds=0.5, run_seconds=1.0, failure_ratio=1.0) as emulator:
        state, events, output = _dags_test(tmp_path, emulator.url)
    assert state == "failed", output[-6000:]
    failed = {e["job"]["name"].removeprefix(f"{DAG_ID}."): e for e in events if e["eventType"] == "FAIL"}
    for task in ("mts_submit_deferred", "ci_submit_worker"):
        assert task in failed, output[-6000:]
        assert (_datasets(failed[task], "inputs"), _datasets(failed[task], "outputs")) == (EXPECTED[task][0], [])
