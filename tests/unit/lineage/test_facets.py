"""OpenLineage facets of the submit operators and the job sensors (``lineage.py``), against the
emulator over real HTTP, in every way a wait ends: in the worker, deferred (a new task instance
completes from the trigger's event, after it crossed JSON as it crosses the metadata database),
poking; a submit that does not wait; a job that failed. And that DAG parsing imports nothing of
OpenLineage."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from airflow_provider_mediajobs.compat import TaskDeferred
from airflow_provider_mediajobs.emulator import ALIBABA_KEY, TENCENT_BUCKET, TENCENT_KEY
from airflow_provider_mediajobs.exceptions import JobFailedError
from airflow_provider_mediajobs.operators.alibaba import MtsSubmitIProductionJobOperator
from airflow_provider_mediajobs.operators.tencent import TencentCISubmitJobOperator
from airflow_provider_mediajobs.sensors.alibaba import IceSmartJobSensor, ImmTaskSensor, MtsIProductionJobSensor
from airflow_provider_mediajobs.sensors.tencent import TencentCIJobSensor
from airflow_provider_mediajobs.testing import EmulatorHandle, find_secrets
from airflow_provider_mediajobs.vendors import load_class
from tests.helpers import ROOT, FakeStateStore, FakeTI, new_job

BUCKET = TENCENT_BUCKET[0]
MTS_IN, MTS_OUT = "oss://media-in/clips/a.mp4", "oss://media-out/enhanced/a.mp4"
CI_IN, CI_OUT = "docs/press.txt", "translated/press.en.txt"


def _context() -> dict[str, Any]:
    return {"ti": FakeTI(), "task_state_store": FakeStateStore()}


def _names(datasets: list[Any]) -> list[tuple[str, str]]:
    return [(d.namespace, d.name) for d in datasets]


def _facets(task: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    lineage = task.get_openlineage_facets_on_complete(None)
    return _names(lineage.inputs), _names(lineage.outputs)


def _mts(**kwargs: Any) -> MtsSubmitIProductionJobOperator:
    return MtsSubmitIProductionJobOperator(task_id="s", function_name="VideoQualityEnhancement", input_uri=MTS_IN,
                                           output_uri=MTS_OUT, poll_interval=0.2, **kwargs)


def _ci(**kwargs: Any) -> TencentCISubmitJobOperator:
    return TencentCISubmitJobOperator(task_id="s", tag="Translation", input_object=CI_IN, queue_id="q1",
                                      translation={"Lang": "en", "Type": "txt"}, output_bucket=BUCKET,
                                      output_object=CI_OUT, poll_interval=0.2, **kwargs)


def _resumed(task: Any, deferred: TaskDeferred) -> dict[str, Any]:
    """Run the deferred wait's trigger, rebuilt from its serialized form as the triggerer does; its
    event as the resumed task gets it, after the metadata database."""
    path, kwargs = deferred.trigger.serialize()

    async def first() -> dict[str, Any]:
        async for event in load_class(path)(**kwargs).run():
            return dict(event.payload)
        raise AssertionError("no event")

    return json.loads(json.dumps(asyncio.run(asyncio.wait_for(first(), 60))))


def test_submit_waiting_in_the_worker_reports_what_the_job_read_and_wrote(
    mediajobs_connections: EmulatorHandle,
) -> None:
    op = _mts(wait_for_completion=True, deferrable=False)
    op.execute(_context())
    assert _facets(op) == ([("oss://media-in", "clips/a.mp4")], [("oss://media-out", "enhanced/a.mp4")])


def test_a_deferred_submit_reports_from_the_event_on_the_instance_that_resumed(
    mediajobs_connections: EmulatorHandle,
) -> None:
    with pytest.raises(TaskDeferred) as deferred:
        _ci(wait_for_completion=True, deferrable=True).execute(_context())
    # Airflow builds the task anew to resume it: nothing of the deferring instance is left.
    resumed = _ci(wait_for_completion=True, deferrable=True)
    assert _facets(resumed)[1] == []
    resumed.execute_complete(_context(), _resumed(resumed, deferred.value))
    assert _facets(resumed) == ([(f"cos://{BUCKET}", CI_IN)], [(f"cos://{BUCKET}", CI_OUT)])


def test_a_submit_that_does_not_wait_reports_its_input_and_no_output(mediajobs_connections: EmulatorHandle) -> None:
    for op, inputs in ((_mts(), [("oss://media-in", "clips/a.mp4")]), (_ci(), [(f"cos://{BUCKET}", CI_IN)])):
        op.execute(_context())
        # The request's input, as the job will read it; its output does not exist yet.
        assert _facets(op) == (inputs, [])


def test_a_failed_job_reports_its_input_and_no_output(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "mts", input=MTS_IN, output=MTS_OUT, succeed=False)
    sensor = MtsIProductionJobSensor(task_id="w", job_id=job_id, poke_interval=0.2, timeout=30, deferrable=False)
    with pytest.raises(JobFailedError):
        sensor.execute({})
    assert _facets(sensor) == ([("oss://media-in", "clips/a.mp4")], [])


def test_a_poking_sensor_reports_the_job_it_saw_end(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "mts", input=MTS_IN, output=MTS_OUT)
    sensor = MtsIProductionJobSensor(task_id="w", job_id=job_id, poke_interval=0.2, timeout=30, deferrable=False)
    assert _facets(sensor) == ([], [])  # nothing seen yet
    sensor.execute({})
    assert _facets(sensor) == ([("oss://media-in", "clips/a.mp4")], [("oss://media-out", "enhanced/a.mp4")])


def test_a_deferred_sensor_reports_from_the_trigger_event(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "tencent", bucket=BUCKET, tag="Translation", input_object=CI_IN,
                     output_object=CI_OUT)
    with pytest.raises(TaskDeferred) as deferred:
        TencentCIJobSensor(task_id="w", job_id=job_id, poke_interval=0.2, deferrable=True).execute({})
    resumed = TencentCIJobSensor(task_id="w", job_id=job_id, poke_interval=0.2, deferrable=True)
    resumed.execute_complete({}, _resumed(resumed, deferred.value))
    assert _facets(resumed) == ([(f"cos://{BUCKET}", CI_IN)], [(f"cos://{BUCKET}", CI_OUT)])


def test_kinds_whose_detail_names_less_report_less(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    smart = new_job(emu, "ice_smart", output_bucket="media-out", output_object="asr/a.json")
    ice = IceSmartJobSensor(task_id="w", job_id=smart, poke_interval=0.2, timeout=30, deferrable=False)
    ice.execute({})
    assert _facets(ice) == ([("oss://seed-in", f"{smart}.mp4")], [("oss://media-out", "asr/a.json")])
    task = new_job(emu, "imm", project_name="media-archive", task_type="FaceClustering")
    imm = ImmTaskSensor(task_id="w", project_name="media-archive", imm_task_id=task, imm_task_type="FaceClustering",
                        poke_interval=0.2, timeout=30, deferrable=False)
    imm.execute({})
    # GetTask names no object: nothing to report, and OpenLineage falls back to inlets/outlets.
    assert _facets(imm) == ([], [])


def test_the_bucket_is_read_from_the_connection_and_nothing_secret_is_reported(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    op = _ci()
    op.execute(_context())
    lineage = op.get_openlineage_facets_on_complete(None)
    from openlineage.client.serde import Serde

    text = json.dumps([Serde.to_dict(d) for d in [*lineage.inputs, *lineage.outputs]])
    assert find_secrets([text], [ALIBABA_KEY[1], TENCENT_KEY[1]]) == []
    # Without a readable connection the input's bucket is unknown: no input, and no failure.
    monkeypatch.delenv("AIRFLOW_CONN_TENCENT_CLOUD_CI_DEFAULT")
    assert _facets(_ci()) == ([], [])


def test_dag_parsing_imports_nothing_of_openlineage() -> None:
    """Importing every operator and sensor module and building their tasks loads no OpenLineage
    module that Airflow had not loaded itself; asking for facets does (the check can fail)."""
    code = textwrap.dedent(
        """
        import sys
        from datetime import datetime

        import airflow.sdk
        from airflow.sdk import DAG, BaseOperator, BaseSensorOperator

        def lineage_modules():
            return {m for m in sys.modules if m.split(".")[0] == "openlineage"
                    or m.startswith("airflow.providers.openlineage")}

        before = lineage_modules()
        from airflow_provider_mediajobs.operators.alibaba import MtsSubmitIProductionJobOperator
        from airflow_provider_mediajobs.operators.tencent import TencentCISubmitJobOperator
        from airflow_provider_mediajobs.sensors.alibaba import (
            IceSmartJobSensor, ImmTaskSensor, MtsIProductionJobSensor)
        from airflow_provider_mediajobs.sensors.tencent import TencentCIJobSensor

        with DAG("d", schedule=None, start_date=datetime(2024, 1, 1)):
            mts = MtsSubmitIProductionJobOperator(task_id="m", function_name="F", input_uri="oss://media-in/a.mp4")
            MtsIProductionJobSensor(task_id="mw", job_id=mts.output)
            TencentCISubmitJobOperator(task_id="t", tag="WordsGeneralize", input_object="a.txt", queue_id="q",
                                       words_generalize={"NerMethod": "DL"})
            TencentCIJobSensor(task_id="tw", job_id="j")
            IceSmartJobSensor(task_id="iw", job_id="j")
            ImmTaskSensor(task_id="imw", project_name="p", imm_task_id="t", imm_task_type="FaceClustering")
        parsed = sorted(lineage_modules() - before)
        mts.get_openlineage_facets_on_complete(None)
        print(parsed, "openlineage" in sys.modules)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "[] True"
