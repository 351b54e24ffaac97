"""The getting-started recipe for a DAG of one's own, outside pytest: ``airflow db migrate``, then
``mediajobs-emulator -- airflow dags test DAG_ID`` on a DAG file the provider knows nothing about."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

MY_DAG = textwrap.dedent(
    '''
    from datetime import datetime

    from airflow.sdk import DAG

    from airflow_provider_mediajobs.operators.tencent import TencentCISubmitJobOperator
    from airflow_provider_mediajobs.sensors.alibaba import MtsIProductionJobSensor
    from airflow_provider_mediajobs.operators.alibaba import MtsSubmitIProductionJobOperator

    with DAG("my_media_dag", start_date=datetime(2026, 1, 1), schedule=None, catchup=False):
        words = TencentCISubmitJobOperator(
            task_id="words", tag="WordsGeneralize", input_object="in/script.txt", queue_id="my-queue",
            words_generalize={"NerMethod": "DL", "SegMethod": "MIX"}, wait_for_completion=True,
            poll_interval=1,
        )
        enhance = MtsSubmitIProductionJobOperator(task_id="enhance", function_name="VideoQualityEnhancement",
                                                  input_uri="oss://my-bucket/in.mp4")
        MtsIProductionJobSensor(task_id="wait", job_id=enhance.output, deferrable=True, poke_interval=1)
    '''
)


def test_a_dag_of_ones_own_runs_against_the_emulator(tmp_path: Path) -> None:
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "my_media_dag.py").write_text(MY_DAG)
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({"AIRFLOW_HOME": str(tmp_path / "home"), "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "PATH": f"{bin_dir}:{env.get('PATH', '')}"})
    migrate = subprocess.run(["airflow", "db", "migrate"], env=env, capture_output=True, text=True, timeout=600,
                             check=False, cwd=tmp_path)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    run = subprocess.run(
        ["mediajobs-emulator", "--quiet", "--queue-seconds", "1", "--run-seconds", "2", "--",
         "airflow", "dags", "test", "my_media_dag"],
        env=env, capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-4000:]
    # The run's state as Airflow recorded it, not a word in the log.
    runs = subprocess.run(["airflow", "dags", "list-runs", "my_media_dag", "-o", "json"], env=env,
                          capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path)
    (listed,) = [line for line in runs.stdout.splitlines() if line.startswith("[{")]
    assert [r["state"] for r in json.loads(listed)] == ["success"], out[-4000:]
