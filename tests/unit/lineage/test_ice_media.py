"""OpenLineage facets of the ICE transcoding, snapshot and media convert tasks, against the emulator
over real HTTP: the oss:// objects a job read and wrote, from its detail when a wait ended (in the
worker, or deferred after the event crossed JSON), from the request when the submit did not wait;
nothing for media asset ids."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_mediajobs.compat import TaskDeferred
from airflow_provider_mediajobs.operators.alibaba import (
    IceSubmitMediaConvertJobOperator,
    IceSubmitSnapshotJobOperator,
    IceSubmitTranscodeJobOperator,
)
from airflow_provider_mediajobs.sensors.alibaba import IceSnapshotJobSensor
from airflow_provider_mediajobs.testing import EmulatorHandle
from tests.helpers import new_job
from tests.unit.lineage.test_facets import _context, _facets, _resumed

IN = "https://media-in.oss-cn-shanghai.aliyuncs.com/clips/a.mp4"  # the HTTP form of an OSS object
IN_DATASET = ("oss://media-in", "clips/a.mp4")
OUT, OUT_DATASET = "oss://media-out/clips/a.mp4", ("oss://media-out", "clips/a.mp4")


def _transcode(**kwargs: Any) -> IceSubmitTranscodeJobOperator:
    return IceSubmitTranscodeJobOperator(
        task_id="s", input_group=[{"Type": "OSS", "Media": IN}, {"Type": "Media", "Media": "asset-1"}],
        output_group=[{"Output": {"Type": "OSS", "Media": OUT}, "ProcessConfig": {"Transcode": {"TemplateId": "t"}}}],
        poll_interval=0.2, **kwargs)


def _snapshot(**kwargs: Any) -> IceSubmitSnapshotJobOperator:
    return IceSubmitSnapshotJobOperator(
        task_id="s", input_file={"Type": "OSS", "Media": IN}, output_file={"Type": "OSS", "Media": OUT},
        template_config={"TemplateId": "t"}, poll_interval=0.2, **kwargs)


def _convert(**kwargs: Any) -> IceSubmitMediaConvertJobOperator:
    return IceSubmitMediaConvertJobOperator(
        task_id="s", config={"Inputs": [{"Name": "in", "InputFile": {"Type": "OSS", "Media": IN}}],
                             "OutputGroups": [{"GroupConfig": {"Type": "File", "OutputFileBase": {
                                 "Type": "OSS", "Media": "oss://media-out/clips"}},
                                 "Outputs": [{"OutputFileName": "a.mp4", "TemplateId": "t"}]}]},
        poll_interval=0.2, **kwargs)


SUBMITS = {"transcode": _transcode, "snapshot": _snapshot, "media_convert": _convert}


@pytest.mark.parametrize("kind", list(SUBMITS))
def test_a_submit_waiting_in_the_worker_reports_what_the_job_read_and_wrote(mediajobs_connections: EmulatorHandle,
                                                                           kind: str) -> None:
    op = SUBMITS[kind](wait_for_completion=True, deferrable=False)
    op.execute(_context())
    assert _facets(op) == ([IN_DATASET], [OUT_DATASET])


@pytest.mark.parametrize("kind", list(SUBMITS))
def test_a_submit_that_does_not_wait_reports_the_inputs_of_its_request(mediajobs_connections: EmulatorHandle,
                                                                       kind: str) -> None:
    op = SUBMITS[kind]()
    op.execute(_context())
    assert _facets(op) == ([IN_DATASET], [])


@pytest.mark.parametrize("kind", list(SUBMITS))
def test_a_deferred_submit_reports_from_the_event_on_the_instance_that_resumed(
    mediajobs_connections: EmulatorHandle, kind: str
) -> None:
    with pytest.raises(TaskDeferred) as deferred:
        SUBMITS[kind](wait_for_completion=True, deferrable=True).execute(_context())
    resumed = SUBMITS[kind](wait_for_completion=True, deferrable=True)
    resumed.execute_complete(_context(), _resumed(resumed, deferred.value))
    assert _facets(resumed) == ([IN_DATASET], [OUT_DATASET])


def test_media_asset_ids_and_snapshot_series_name_no_object(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "ice_snapshot", input='{"Type":"Media","Media":"asset-1"}',
                     output='{"Type":"OSS","Media":"oss://media-out/snap/{Count}.jpg"}')
    sensor = IceSnapshotJobSensor(task_id="w", job_id=job_id, poke_interval=0.2, timeout=30, deferrable=False)
    sensor.execute({})
    assert _facets(sensor) == ([], [])
