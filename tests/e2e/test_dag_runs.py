"""End to end with a real Airflow against the emulator.

- every example DAG imports cleanly (DagBag) and runs to success with ``airflow dags test``;
- a DAG whose sensor defers runs through a real ``airflow standalone`` (scheduler, triggerer,
  LocalExecutor, SQLite) and succeeds; every process the test started is stopped.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from airflow_provider_mediajobs.emulator import ALIBABA_KEY, TENCENT_KEY, connections_for
from airflow_provider_mediajobs.testing import EmulatorHandle, find_secrets, running_emulator
from scripts.local_airflow import Standalone, airflow_env, copy_dags, dags_test, migrate
from scripts.run_demo import DEMO_QUEUE_SECONDS, xcoms
from tests.helpers import ROOT

pytestmark = pytest.mark.e2e

EXAMPLES = sorted((ROOT / "dags_examples").glob("example_*.py"))


def test_examples_import_cleanly() -> None:
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 3.1 keeps it in models
        from airflow.models.dagbag import DagBag  # type: ignore[no-redef,attr-defined,unused-ignore]

    bag = DagBag(dag_folder=str(ROOT / "dags_examples"))
    assert bag.import_errors == {}
    assert {p.stem for p in EXAMPLES} <= set(bag.dag_ids)
    for dag_id in bag.dag_ids:
        assert bag.dags[dag_id].tasks, dag_id


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    # The demo's emulator timings (scripts/run_demo.py): example_operating's deadline passes while
    # its job is still queued, and that takes a queue longer than the session emulator's second.
    with running_emulator(seed_jobs=200, queue_seconds=DEMO_QUEUE_SECONDS, run_seconds=4.0) as emulator:
        base = tmp_path_factory.mktemp("airflow")
        dags = copy_dags(EXAMPLES, base / "dags")
        env = airflow_env(base / "home", dags, connections_for(emulator.url))
        migrate(env)
        yield env


@pytest.mark.parametrize("dag_file", EXAMPLES, ids=lambda p: p.stem)
def test_example_dag_runs_to_success(dag_file: Path, airflow_home: dict[str, str]) -> None:
    state, proc = dags_test(dag_file.stem, airflow_home, timeout=600)
    assert state == "success", proc.stdout[-4000:] + proc.stderr[-4000:]
    # Task logs, and the database holding XCom, serialized triggers and rendered fields: no secret.
    home = Path(airflow_home["AIRFLOW_HOME"])
    stored = [p.read_bytes().decode("utf-8", "replace") for p in home.rglob("*") if p.is_file()]
    assert find_secrets([proc.stdout, proc.stderr, *stored], [ALIBABA_KEY[1], TENCENT_KEY[1]]) == []
    if dag_file.stem == "example_media_pipeline":
        _the_pipeline_published_every_output(home)


def _the_pipeline_published_every_output(home: Path) -> None:
    # The manifest is built from the jobs' own final details: each of them must have come through.
    values = {task: value for task, _, value in xcoms(home, "example_media_pipeline")}
    manifest = values["publish"]
    assert manifest["source"] == "oss://media-in/incoming/launch-keynote.mp4"
    assert manifest["renditions"] == ["oss://media-out/published/launch-keynote/hd.mp4",
                                      "oss://media-out/published/launch-keynote/sd.mp4"]
    assert manifest["cover"] == "oss://media-out/published/launch-keynote/cover.jpg"
    assert manifest["duration_s"] > 1
    assert manifest["labels_task"] == values["analyse"]


DEFERRING_DAG = textwrap.dedent(
    '''
    from datetime import datetime

    from airflow.sdk import DAG

    from airflow_provider_mediajobs.operators.alibaba import MtsSubmitIProductionJobOperator
    from airflow_provider_mediajobs.sensors.alibaba import MtsIProductionJobSensor

    with DAG("e2e_deferred_wait", schedule=None, start_date=datetime(2024, 1, 1), catchup=False):
        submit = MtsSubmitIProductionJobOperator(
            task_id="submit", function_name="VideoQualityEnhancement",
            input_uri="oss://in/a.mp4", output_uri="oss://out/a.mp4",
        )
        MtsIProductionJobSensor(
            task_id="wait", job_id=submit.output, deferrable=True, poke_interval=2, timeout=300,
        )
    '''
)


@pytest.fixture
def slow_jobs_emulator() -> Iterator[EmulatorHandle]:
    """An emulator whose jobs run 20 s, so the trigger fires well after the deferral settled.

    Airflow 3.3.2's scheduler can fail a deferred task whose trigger fires before the executor has
    reported the deferring worker's exit (the stale same-try success meets the resumed try:
    apache/airflow#67287, #72716). With 3 s jobs and a worker that takes ~5 s to report its exit,
    that race failed this test about one run in three; docs/reliability.md tells users about it.
    """
    with running_emulator(seed_jobs=0, queue_seconds=2.0, run_seconds=20.0) as emulator:
        yield emulator


def test_deferred_sensor_through_real_triggerer(tmp_path: Path, slow_jobs_emulator: EmulatorHandle) -> None:
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "e2e_deferred_wait.py").write_text(DEFERRING_DAG)
    env = airflow_env(tmp_path / "home", dags, connections_for(slow_jobs_emulator.url))
    migrate(env)
    airflow = Standalone(env)
    try:
        airflow.start()
        airflow.trigger("e2e_deferred_wait")
        state = airflow.wait_for_run("e2e_deferred_wait", timeout=300)
        log = airflow.tail(200_000)
        assert state == "success", log[-6000:]
        # The wait really went through the triggerer: the worker handed the task over as deferred.
        assert "new_state=deferred" in log, log[-6000:]
        # ...and the job was polled while it ran (20 s at a 2 s poke interval), not found done at once.
        assert slow_jobs_emulator.counters().get("op:QueryIProductionJob", 0) >= 3
    finally:
        airflow.stop()
        pid = airflow.proc.pid if airflow.proc else None
    assert pid is None
    # Nothing the test started is left listening: the port is free again.
    assert os.system(f"ss -ltn | grep -q ':{airflow.port} '") != 0
