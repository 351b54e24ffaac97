"""ICE timeline editing and IProduction operators and hook methods against the emulator over real
HTTP (issue 18, part 2): submit, get, list (paged), submit and wait, cancel; V1 and V3 signing of the
form body; console links; the lineage a submit or a sensor reports."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.compat import TaskDeferred
from airflow_provider_mediajobs.exceptions import InvalidParameterError, JobFailedError, NotFoundError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.operators.alibaba import (
    IceGetMediaProducingJobOperator,
    IceListMediaProducingJobsOperator,
    IceQueryIProductionJobOperator,
    IceSubmitIProductionJobOperator,
    IceSubmitMediaProducingJobOperator,
)
from airflow_provider_mediajobs.sensors.alibaba import IceIProductionJobSensor, IceMediaProducingJobSensor
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.triggers.alibaba import IceIProductionJobTrigger, IceMediaProducingJobTrigger
from tests.helpers import FakeStateStore, FakeTI, new_job, refused
from tests.unit.operators import test_console_links as links
from tests.unit.operators.test_console_links import FakeComms, comms, where  # noqa: F401  (fixtures)

CLIP = "https://media-in.oss-cn-shanghai.aliyuncs.com/clips/intro.mp4"
MUSIC = "oss://media-in/music/theme.mp3"
OUT_URL = "https://media-out.oss-cn-shanghai.aliyuncs.com/edits/intro-cut.mp4"
TIMELINE = {"VideoTracks": [{"VideoTrackClips": [{"MediaURL": CLIP, "In": 0, "Out": 5},
                                                 {"MediaId": "****20b48fb04483915d4f2cd8ac****"}]}],
            "AudioTracks": [{"AudioTrackClips": [{"MediaURL": MUSIC}]}]}
IN = {"Type": "OSS", "Media": "oss://media-in/clips/intro.mp4"}
OUT = {"Type": "OSS", "Media": "oss://media-out/covers/intro.jpg"}


def _context() -> dict[str, Any]:
    return {"ti": FakeTI(), "task_state_store": FakeStateStore()}


def _submit(**kwargs: Any) -> IceSubmitMediaProducingJobOperator:
    return IceSubmitMediaProducingJobOperator(task_id="s", timeline=TIMELINE, output_media_config={"MediaURL": OUT_URL},
                                              poll_interval=0.2, **kwargs)


def _iproduction(**kwargs: Any) -> IceSubmitIProductionJobOperator:
    args = {"function_name": "Cover", "input_media": IN, "output_media": OUT, "poll_interval": 0.2, **kwargs}
    return IceSubmitIProductionJobOperator(task_id="s", **args)


def _names(datasets: list[Any]) -> list[tuple[str, str]]:
    return [(d.namespace, d.name) for d in datasets]


def _facets(task: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    lineage = task.get_openlineage_facets_on_complete(None)
    return _names(lineage.inputs), _names(lineage.outputs)


# -- media producing jobs ------------------------------------------------------------------------------
def test_submit_get_and_list_a_media_producing_job(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    before = emu.counters()
    job_id = _submit().execute(_context())
    assert emu.counters()["op:SubmitMediaProducingJob"] == before.get("op:SubmitMediaProducingJob", 0) + 1
    answer = IceGetMediaProducingJobOperator(task_id="g", job_id=job_id).execute({"ti": FakeTI()})
    job = answer["MediaProducingJob"]
    assert job["JobId"] == job_id
    assert job["Status"] in cat.MEDIA_PRODUCING_STATES
    assert json.loads(job["Timeline"]) == TIMELINE  # the whole timeline reached the vendor (form body)
    assert job["MediaURL"] == OUT_URL
    listed = IceListMediaProducingJobsOperator(task_id="l", page_size=7, max_items=20).execute({})
    assert len(listed) == 20
    assert len({j["JobId"] for j in listed}) == 20
    assert listed[0]["JobId"] == job_id  # newest first
    assert emu.counters()["op:ListMediaProducingJobs"] - before.get("op:ListMediaProducingJobs", 0) == 3


def test_list_filters(mediajobs_connections: EmulatorHandle) -> None:
    hook = AlibabaCloudMediaHook()
    done = hook.list_media_producing_jobs(status="Success", max_items=30)
    assert done
    assert {j["Status"] for j in done} == {"Success"}
    mine = hook.submit_media_producing_job(timeline=TIMELINE, output_media_config={"MediaURL": OUT_URL},
                                           project_id=None)
    by_project = hook.list_media_producing_jobs(project_id=mine["ProjectId"])
    assert [j["JobId"] for j in by_project] == [mine["JobId"]]
    oldest_first = hook.list_media_producing_jobs(sort_by="CreationTime:Asc", max_items=3)
    assert [j["CreateTime"] for j in oldest_first] == sorted(j["CreateTime"] for j in oldest_first)


@pytest.mark.parametrize("version", ["v3", "v1"])
def test_both_signatures_carry_the_form_body(version: str, mediajobs_connections: EmulatorHandle,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    conn = mediajobs_connections.connections()["alibaba_cloud_media_default"]
    conn = dict(conn, extra={**conn["extra"], "signature_version": version})  # type: ignore[dict-item]
    monkeypatch.setenv("AIRFLOW_CONN_ALI_SIGNED", json.dumps(conn))
    hook = AlibabaCloudMediaHook("ali_signed")
    # A timeline of some size: the form body, not the URL, carries it.
    big = {"VideoTracks": [{"VideoTrackClips": [{"MediaURL": CLIP, "In": i}
                                                for i in range(2000)]}]}
    job_id = hook.submit_media_producing_job(timeline=big, output_media_config={"MediaURL": OUT_URL})["JobId"]
    job = hook.get_media_producing_job(job_id)["MediaProducingJob"]
    assert len(json.loads(job["Timeline"])["VideoTracks"][0]["VideoTrackClips"]) == 2000


def test_submit_rules_are_checked_before_any_request(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    refused(lambda: IceSubmitMediaProducingJobOperator(task_id="s", output_media_config={"MediaURL": OUT_URL})
            .execute(_context()), "project_id/timeline/template_id", emu)
    refused(lambda: IceSubmitMediaProducingJobOperator(task_id="s", template_id="tpl-1",
                                                       output_media_config={"MediaURL": OUT_URL})
            .execute(_context()), "clips_param", emu)
    refused(lambda: _submit(output_media_target="vod-media").execute(_context()), "output_media_config", emu)


def test_submit_and_wait_in_the_worker_reports_lineage(mediajobs_connections: EmulatorHandle) -> None:
    op, context = _submit(wait_for_completion=True, deferrable=False), _context()
    job_id = op.execute(context)
    assert context["ti"].pushed["job"]["Status"] == "Success"
    assert context["ti"].pushed["job"]["JobId"] == job_id
    # The clips that are OSS objects (the media asset id names none), and the output's URL.
    assert _facets(op) == ([("oss://media-in", "clips/intro.mp4"), ("oss://media-in", "music/theme.mp3")],
                           [("oss://media-out", "edits/intro-cut.mp4")])


def test_a_submit_that_does_not_wait_reports_the_timelines_inputs(mediajobs_connections: EmulatorHandle) -> None:
    op = _submit()
    op.execute(_context())
    assert _facets(op) == ([("oss://media-in", "clips/intro.mp4"), ("oss://media-in", "music/theme.mp3")], [])


def test_submit_deferrable_defers_to_the_producing_trigger(mediajobs_connections: EmulatorHandle) -> None:
    with pytest.raises(TaskDeferred) as deferred:
        _submit(wait_for_completion=True, deferrable=True, wait_timeout=300).execute(_context())
    assert isinstance(deferred.value.trigger, IceMediaProducingJobTrigger)


def test_a_failed_producing_job_fails_with_its_code(mediajobs_connections: EmulatorHandle) -> None:
    job_id = new_job(mediajobs_connections, "ice_producing", succeed=False, timeline=json.dumps(TIMELINE),
                     output_media_config=json.dumps({"MediaURL": OUT_URL}))
    sensor = IceMediaProducingJobSensor(task_id="w", job_id=job_id, poke_interval=0.2, timeout=30, deferrable=False)
    with pytest.raises(JobFailedError, match="InvalidMaterial") as failed:
        sensor.execute({})
    assert failed.value.code == "InvalidMaterial"
    assert _facets(sensor) == ([("oss://media-in", "clips/intro.mp4"), ("oss://media-in", "music/theme.mp3")], [])


# -- ICE IProduction jobs ------------------------------------------------------------------------------
def test_submit_and_query_an_iproduction_job(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    before = emu.counters()
    job_id = _iproduction(schedule_config={"PipelineId": "p1", "Priority": 3}, name="intro cover",
                          job_params={"Model": "gif"}).execute(_context())
    # ICE's action, not MTS's: same name, other product.
    assert emu.counters()["op:SubmitIProductionJob"] == before.get("op:SubmitIProductionJob", 0) + 1
    job = IceQueryIProductionJobOperator(task_id="q", job_id=job_id).execute({"ti": FakeTI()})
    assert (job["JobId"], job["FunctionName"], job["Name"]) == (job_id, "Cover", "intro cover")
    assert job["Input"] == IN
    assert job["Output"] == OUT
    assert job["ScheduleConfig"] == {"PipelineId": "p1", "Priority": 3}
    with pytest.raises(NotFoundError):
        AlibabaCloudMediaHook().query_iproduction_job(job_id)  # MTS's QueryIProductionJob: ICE's job is not MTS's


def test_submit_an_iproduction_job_and_wait(mediajobs_connections: EmulatorHandle) -> None:
    op, context = _iproduction(wait_for_completion=True, deferrable=False), _context()
    op.execute(context)
    assert context["ti"].pushed["job"]["Status"] == "Success"
    assert _facets(op) == ([("oss://media-in", "clips/intro.mp4")], [("oss://media-out", "covers/intro.jpg")])
    with pytest.raises(TaskDeferred) as deferred:
        _iproduction(wait_for_completion=True, deferrable=True).execute(_context())
    assert isinstance(deferred.value.trigger, IceIProductionJobTrigger)


def test_iproduction_arguments_are_checked_under_their_operator_names(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    message = refused(lambda: _iproduction(input_media={"Type": "OSS"}).execute(_context()), "input_media", emu)
    assert message.startswith("input_media['Media'] must be given")
    message = refused(lambda: _iproduction(output_media={**OUT, "Type": "Vod"}).execute(_context()), "output_media",
                      emu)
    assert message.startswith("output_media['Type'] must be one of OSS, Media")
    with pytest.raises(TypeError):
        IceSubmitIProductionJobOperator(task_id="s", function_name="Cover", input=IN, output_media=OUT)


def test_cancel_a_queued_iproduction_job(mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    hook = AlibabaCloudMediaHook()
    queued = new_job(emu, "ice_iproduction", queue_s=3600, run_s=3600)
    assert hook.cancel_ice_iproduction_job(queued)["Message"] == "Success"
    job = hook.query_ice_iproduction_job(queued)
    assert job["Status"] == "Fail"  # what the emulator reports: a cancelled job's state is not documented
    sensor = IceIProductionJobSensor(task_id="w", job_id=queued, poke_interval=0.2, timeout=30, deferrable=False)
    with pytest.raises(JobFailedError, match="JobCancelled"):
        sensor.execute({})
    # Through the kind's declaration, as a kill or a deadline cancels.
    running = new_job(emu, "ice_iproduction", queue_s=0, run_s=3600)
    hook.cancel_job_of(cat.ICE_IPRODUCTION_JOB, job_id=running)
    assert hook.query_ice_iproduction_job(running)["Status"] == "Fail"
    ended = new_job(emu, "ice_iproduction", queue_s=0, run_s=0)
    with pytest.raises(InvalidParameterError, match="cannot be cancelled"):
        hook.cancel_ice_iproduction_job(ended)
    assert emu.counters()["op:CancelIProductionJob"] == 3


# -- console links -------------------------------------------------------------------------------------
def test_sensors_and_get_operators_link_the_ice_console(where: dict[str, str], comms: FakeComms,  # noqa: F811
                                                        mediajobs_connections: EmulatorHandle) -> None:
    page = links.expected(links.ICE_PAGE, where)
    for sensor in (IceMediaProducingJobSensor(task_id="t", job_id="j-1", deferrable=True),
                   IceIProductionJobSensor(task_id="t", job_id="j-2", deferrable=True)):
        ti = links.FakeTI()
        with pytest.raises(TaskDeferred):
            sensor.execute({"ti": ti})
        assert links.stored_link(comms, ti, sensor) == page
        (link,) = sensor.operator_extra_links
        assert link.name == "ICE console"
    emu = mediajobs_connections
    for op in (IceGetMediaProducingJobOperator(task_id="t", job_id=new_job(emu, "ice_producing")),
               IceQueryIProductionJobOperator(task_id="t", job_id=new_job(emu, "ice_iproduction"))):
        ti = links.FakeTI()
        op.execute({"ti": ti})
        assert links.stored_link(comms, ti, op) == page
    assert IceListMediaProducingJobsOperator.operator_extra_links == ()


def test_submit_operators_link_their_job(where: dict[str, str], comms: FakeComms) -> None:  # noqa: F811
    for op in (_submit(), _iproduction()):
        ti = links.FakeTI()
        job_id = op.execute({"ti": ti})
        assert links.stored_link(comms, ti, op) == links.expected(links.ICE_PAGE, where)
        assert comms.stored[("d", "t", "r1", -1, links.PARTS_KEY)]["job_id"] == job_id
