"""Console links (``links.py``) on every task that knows a job: the page of each kind in the
connection's region, stored before the task waits (deferred, poking, rescheduled) and rebuilt by
``get_link`` when the try ends; nothing stored, nothing linked; no secret in what is stored; the
links survive DAG serialization.

XComs go through the Task SDK's own ``XCom`` class to a stand-in for the supervisor's channel (the
task runner's ``SUPERVISOR_COMMS``), so what is stored is what a worker would send.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from airflow_provider_mediajobs.compat import HAS_RESUMABLE_JOBS, TaskDeferred
from airflow_provider_mediajobs.emulator import ALIBABA_KEY, TENCENT_KEY
from airflow_provider_mediajobs.links import PARTS_KEY, ConsoleLink
from airflow_provider_mediajobs.operators.alibaba import (
    IceGetMediaConvertJobOperator,
    IceGetSmartHandleJobOperator,
    IceGetSnapshotJobOperator,
    IceGetTranscodeJobOperator,
    IceListSmartJobsOperator,
    IceSubmitMediaConvertJobOperator,
    IceSubmitSnapshotJobOperator,
    IceSubmitTranscodeJobOperator,
    ImmGetTaskOperator,
    MtsQueryIProductionJobOperator,
    MtsQueryJobListOperator,
    MtsQueryMediaInfoJobListOperator,
    MtsQuerySnapshotJobListOperator,
    MtsSubmitIProductionJobOperator,
    MtsSubmitJobsOperator,
)
from airflow_provider_mediajobs.operators.tencent import (
    TencentCIGetJobsOperator,
    TencentCIListJobsOperator,
    TencentCISubmitJobOperator,
)
from airflow_provider_mediajobs.sensors.alibaba import (
    IceMediaConvertJobSensor,
    IceSmartJobSensor,
    IceSnapshotJobSensor,
    IceTranscodeJobSensor,
    ImmTaskSensor,
    MtsIProductionJobSensor,
    MtsMediaInfoJobSensor,
    MtsSnapshotJobSensor,
    MtsTranscodeJobSensor,
)
from airflow_provider_mediajobs.sensors.tencent import TencentCIJobSensor
from airflow_provider_mediajobs.testing import EmulatorHandle, find_secrets
from tests.helpers import new_job

# The pages, as docs/operating.md gives them: the expectation, not the code's template.
MTS_PAGE = "https://mps.console.aliyun.com/overview?regionId={region}"
ICE_PAGE = "https://ims.console.aliyun.com/summary?regionId={region}"
IMM_PAGE = "https://imm.console.aliyun.com/v2/{region}/projects"
CI_PAGE = "https://console.cloud.tencent.com/ci/bucket?bucket={bucket}&region={region}"
TITLES = {MTS_PAGE: "MTS console", ICE_PAGE: "ICE console", IMM_PAGE: "IMM console", CI_PAGE: "CI console"}

# Regions the emulator serves: any for Alibaba; for Tencent, each bucket's own.
ALIBABA_REGIONS = ("cn-shanghai", "cn-hangzhou")
TENCENT_BUCKETS = (("examplebucket-1250000000", "ap-beijing"), ("mediabucket-1250000000", "ap-shanghai"))
TOKEN = "sts-token-sentinel-7f3a9c"  # a security token: a secret like the key secrets


class FakeComms:
    """The supervisor's side of the task runner's channel: keeps what XCom sets, answers gets."""

    def __init__(self) -> None:
        self.stored: dict[tuple[str, str, str, int, str], Any] = {}

    def send(self, msg: Any) -> Any:
        from airflow.sdk.execution_time.comms import GetXCom, SetXCom, XComResult

        if isinstance(msg, SetXCom):
            self.stored[(msg.dag_id, msg.task_id, msg.run_id, msg.map_index, msg.key)] = msg.value
            return None
        if isinstance(msg, GetXCom):
            at = (msg.dag_id, msg.task_id, msg.run_id, -1 if msg.map_index is None else msg.map_index, msg.key)
            return XComResult(key=msg.key, value=self.stored.get(at))
        raise AssertionError(f"unexpected message {type(msg).__name__}")


class FakeTI:
    """A task instance as the link code uses it: its key, and xcom_push through the SDK's XCom."""

    def __init__(self, task_id: str = "t", run_id: str = "r1", map_index: int = -1) -> None:
        self.dag_id, self.task_id, self.run_id, self.map_index = "d", task_id, run_id, map_index
        self.stats_tags: dict[str, str] = {}

    def get_first_reschedule_date(self, context: Any) -> datetime | None:
        return None  # the first try: never rescheduled yet

    def xcom_push(self, key: str, value: Any) -> None:
        from airflow.sdk.execution_time.xcom import XCom

        XCom.set(key, value, dag_id=self.dag_id, task_id=self.task_id, run_id=self.run_id, map_index=self.map_index)


@pytest.fixture
def comms(monkeypatch: pytest.MonkeyPatch) -> FakeComms:
    from airflow.sdk.execution_time import task_runner

    fake = FakeComms()
    monkeypatch.setattr(task_runner, "SUPERVISOR_COMMS", fake, raising=False)
    return fake


@pytest.fixture(params=range(2), ids=("first-region", "second-region"))
def where(request: pytest.FixtureRequest, mediajobs_connections: EmulatorHandle,
          monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The default connections, in one of two regions (and buckets)."""
    bucket, ci_region = TENCENT_BUCKETS[request.param]
    connect(mediajobs_connections, monkeypatch, region=ALIBABA_REGIONS[request.param], ci_region=ci_region,
            bucket=bucket)
    return {"alibaba": ALIBABA_REGIONS[request.param], "tencent": ci_region, "bucket": bucket}


def connect(emu: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, *, region: str, ci_region: str, bucket: str,
            **extra: str) -> None:
    """Point the default connections at the emulator, in ``region`` (Tencent: ``ci_region``, ``bucket``)."""
    conns = emu.connections()
    ali, ci = conns["alibaba_cloud_media_default"], conns["tencent_cloud_ci_default"]
    ali["extra"] = {**ali["extra"], "region": region, **extra}  # type: ignore[dict-item]
    ci["extra"] = {**ci["extra"], "region": ci_region, "bucket": bucket, **extra}  # type: ignore[dict-item]
    for conn_id, conn in conns.items():
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))


def stored_link(comms: FakeComms, ti: FakeTI, task: Any) -> Any:
    """What the UI would show for ``task``: the value under its link's own key."""
    (link,) = task.operator_extra_links
    return comms.stored.get((ti.dag_id, ti.task_id, ti.run_id, ti.map_index, link.xcom_key))


def expected(page: str, where: dict[str, str]) -> str:
    region = where["tencent"] if page == CI_PAGE else where["alibaba"]
    return page.format(region=region, bucket=where["bucket"])


# -- what each task links to ------------------------------------------------------------------------
# A deferrable sensor asks nothing before it defers: any well-formed id will do.
SENSORS: dict[str, tuple[Callable[[], Any], str]] = {
    "MtsIProductionJobSensor": (lambda: MtsIProductionJobSensor(task_id="t", job_id="j-mts", deferrable=True),
                                MTS_PAGE),
    "IceSmartJobSensor": (lambda: IceSmartJobSensor(task_id="t", job_id="j-ice", deferrable=True), ICE_PAGE),
    "ImmTaskSensor": (lambda: ImmTaskSensor(task_id="t", project_name="p1", imm_task_id="Task-1",
                                            imm_task_type="FaceClustering", deferrable=True), IMM_PAGE),
    "TencentCIJobSensor": (lambda: TencentCIJobSensor(task_id="t", job_id="j-ci", deferrable=True), CI_PAGE),
    # MTS transcoding, snapshots and media info (issue 18, part 1)
    "MtsTranscodeJobSensor": (lambda: MtsTranscodeJobSensor(task_id="t", job_id="j-mts", deferrable=True),
                              MTS_PAGE),
    "MtsSnapshotJobSensor": (lambda: MtsSnapshotJobSensor(task_id="t", snapshot_job_id="s-mts", deferrable=True),
                             MTS_PAGE),
    "MtsMediaInfoJobSensor": (lambda: MtsMediaInfoJobSensor(task_id="t", media_info_job_id="m-mts",
                                                            deferrable=True), MTS_PAGE),
    # ICE transcoding, snapshots and media conversion (issue 18, part 2)
    "IceTranscodeJobSensor": (lambda: IceTranscodeJobSensor(task_id="t", parent_job_id="p-ice", deferrable=True),
                              ICE_PAGE),
    "IceSnapshotJobSensor": (lambda: IceSnapshotJobSensor(task_id="t", job_id="j-snap", deferrable=True), ICE_PAGE),
    "IceMediaConvertJobSensor": (lambda: IceMediaConvertJobSensor(task_id="t", job_id="j-mc", deferrable=True),
                                 ICE_PAGE),
}


def _imm_get(emu: EmulatorHandle) -> tuple[Any, str]:
    job_id = new_job(emu, "imm", project_name="p1", task_type="FaceClustering")
    op = ImmGetTaskOperator(task_id="t", project_name="p1", imm_task_id=job_id, imm_task_type="FaceClustering")
    return op, job_id


def _get(cls: type, kind: str, arg: str = "job_id") -> Callable[[EmulatorHandle], tuple[Any, str]]:
    def make(emu: EmulatorHandle) -> tuple[Any, str]:
        job_id = new_job(emu, kind)
        return cls(task_id="t", **{arg: job_id}), job_id

    return make


# Get operators fetch a real job from the emulator.
GETS: dict[str, tuple[Callable[[EmulatorHandle], tuple[Any, str]], str]] = {
    "MtsQueryIProductionJobOperator": (_get(MtsQueryIProductionJobOperator, "mts"), MTS_PAGE),
    "IceGetSmartHandleJobOperator": (_get(IceGetSmartHandleJobOperator, "ice_smart"), ICE_PAGE),
    "ImmGetTaskOperator": (_imm_get, IMM_PAGE),
    "TencentCIGetJobsOperator": (_get(TencentCIGetJobsOperator, "tencent", "job_ids"), CI_PAGE),
    # MTS transcoding, snapshots and media info (issue 18, part 1): given one id
    "MtsQueryJobListOperator": (_get(MtsQueryJobListOperator, "mts_transcode", "job_ids"), MTS_PAGE),
    "MtsQuerySnapshotJobListOperator": (_get(MtsQuerySnapshotJobListOperator, "mts_snapshot", "snapshot_job_ids"),
                                        MTS_PAGE),
    "MtsQueryMediaInfoJobListOperator": (_get(MtsQueryMediaInfoJobListOperator, "mts_media_info",
                                              "media_info_job_ids"), MTS_PAGE),
    # ICE transcoding, snapshots and media conversion (issue 18, part 2)
    "IceGetTranscodeJobOperator": (_get(IceGetTranscodeJobOperator, "ice_transcode", "parent_job_id"), ICE_PAGE),
    "IceGetSnapshotJobOperator": (_get(IceGetSnapshotJobOperator, "ice_snapshot"), ICE_PAGE),
    "IceGetMediaConvertJobOperator": (_get(IceGetMediaConvertJobOperator, "ice_media_convert"), ICE_PAGE),
}


@pytest.mark.parametrize("name", list(SENSORS))
def test_a_deferrable_sensor_stores_its_link_before_it_defers(name: str, where: dict[str, str],
                                                            comms: FakeComms) -> None:
    make, page = SENSORS[name]
    sensor, ti = make(), FakeTI()
    with pytest.raises(TaskDeferred):
        sensor.execute({"ti": ti})
    # Stored by the time the task defers: the UI shows it while the triggerer waits.
    assert stored_link(comms, ti, sensor) == expected(page, where)
    (link,) = sensor.operator_extra_links
    assert link.name == TITLES[page]
    # When the try ends, the worker stores get_link()'s answer under the same key: the same page.
    assert link.get_link(sensor, ti_key=ti) == expected(page, where)
    parts = comms.stored[(ti.dag_id, ti.task_id, ti.run_id, ti.map_index, PARTS_KEY)]
    assert parts["job_id"] == sensor.job_ids()[sensor.kind.job_id_arg]


@pytest.mark.parametrize("name", list(GETS))
def test_a_get_operator_links_the_job_it_fetches(
    name: str, where: dict[str, str], comms: FakeComms, mediajobs_connections: EmulatorHandle
) -> None:
    make, page = GETS[name]
    op, job_id = make(mediajobs_connections)
    ti = FakeTI()
    answer = op.execute({"ti": ti})
    assert job_id in json.dumps(answer)
    assert stored_link(comms, ti, op) == expected(page, where)
    (link,) = op.operator_extra_links
    assert link.get_link(op, ti_key=ti) == expected(page, where)


@pytest.mark.parametrize(
    ("make", "page"),
    [
        (lambda: MtsSubmitIProductionJobOperator(
            task_id="t", function_name="VideoQualityEnhancement", input_uri="oss://in/a.mp4",
            output_uri="oss://out/a.mp4", wait_for_completion=True, deferrable=True), MTS_PAGE),
        (lambda: TencentCISubmitJobOperator(
            task_id="t", tag="WordsGeneralize", input_object="t.txt", queue_id="q1",
            words_generalize={"NerMethod": "DL", "SegMethod": "MIX"}, wait_for_completion=True,
            deferrable=True), CI_PAGE),
        (lambda: MtsSubmitJobsOperator(
            task_id="t", input={"Bucket": "in", "Location": "oss-cn-shanghai", "Object": "a.mp4"},
            output_bucket="out", outputs=[{"OutputObject": "b.mp4", "TemplateId": "S00000001-200010"}],
            pipeline_id="p1", wait_for_completion=True, deferrable=True), MTS_PAGE),
        # ICE transcoding, snapshots and media conversion (issue 18, part 2)
        (lambda: IceSubmitTranscodeJobOperator(
            task_id="t", input_group=[{"Type": "Media", "Media": "m1"}], output_group=[
                {"Output": {"Type": "Media", "Media": "m2"}, "ProcessConfig": {"Transcode": {"TemplateId": "t"}}}],
            wait_for_completion=True, deferrable=True), ICE_PAGE),
        (lambda: IceSubmitSnapshotJobOperator(
            task_id="t", input_file={"Type": "Media", "Media": "m1"}, output_file={"Type": "Media", "Media": "m2"},
            template_config={"TemplateId": "t"}, wait_for_completion=True, deferrable=True), ICE_PAGE),
        (lambda: IceSubmitMediaConvertJobOperator(
            task_id="t", config={"Inputs": [{"InputFile": {"Type": "Media", "Media": "m1"}}]},
            wait_for_completion=True, deferrable=True), ICE_PAGE),
    ],
    ids=("MtsSubmitIProductionJobOperator", "TencentCISubmitJobOperator", "MtsSubmitJobsOperator",
         "IceSubmitTranscodeJobOperator", "IceSubmitSnapshotJobOperator", "IceSubmitMediaConvertJobOperator"),
)
def test_a_submit_operator_stores_its_link_after_submitting_and_before_deferring(
    make: Callable[[], Any], page: str, where: dict[str, str], comms: FakeComms
) -> None:
    op, ti = make(), FakeTI()
    with pytest.raises(TaskDeferred) as deferred:
        op.execute({"ti": ti})
    (job_id,) = deferred.value.trigger.job_ids.values()
    assert stored_link(comms, ti, op) == expected(page, where)
    parts = comms.stored[(ti.dag_id, ti.task_id, ti.run_id, ti.map_index, PARTS_KEY)]
    assert parts["job_id"] == job_id


def test_a_submit_operator_that_does_not_wait_links_its_job_too(where: dict[str, str], comms: FakeComms) -> None:
    op, ti = MtsSubmitIProductionJobOperator(task_id="t", function_name="VideoQualityEnhancement"), FakeTI()
    job_id = op.execute({"ti": ti})
    assert stored_link(comms, ti, op) == expected(MTS_PAGE, where)
    assert comms.stored[("d", "t", "r1", -1, PARTS_KEY)]["job_id"] == job_id


@pytest.mark.skipif(not HAS_RESUMABLE_JOBS, reason="only Airflow 3.3+ reattaches a retry to its job")
@pytest.mark.parametrize("state", ["running", "succeeded"])
def test_a_retry_links_the_job_it_reattaches_to(state: str, where: dict[str, str], comms: FakeComms,
                                                mediajobs_connections: EmulatorHandle) -> None:
    emu = mediajobs_connections
    earlier = new_job(emu, "mts", queue_s=0.1, run_s=60.0 if state == "running" else 0.1)
    if state == "succeeded":
        emu.client.set_state(earlier, "Success")

    class Store(dict[str, Any]):
        def set(self, key: str, value: Any) -> None:
            self[key] = value

    op = MtsSubmitIProductionJobOperator(task_id="t", function_name="VideoQualityEnhancement",
                                         wait_for_completion=True, deferrable=True)
    ti = FakeTI()
    context = {"ti": ti, "task_state_store": Store(mediajobs_job_id=earlier)}  # what the first try stored
    if state == "running":
        with pytest.raises(TaskDeferred):
            op.execute(context)
    else:
        assert op.execute(context) == earlier  # nothing to wait for
    assert comms.stored[("d", "t", "r1", -1, PARTS_KEY)]["job_id"] == earlier
    assert stored_link(comms, ti, op) == expected(MTS_PAGE, where)


@pytest.mark.parametrize("mode", ["poke", "reschedule"])
def test_a_sensor_waiting_in_the_worker_stores_its_link_before_its_first_look(
    mode: str, where: dict[str, str], comms: FakeComms, mediajobs_connections: EmulatorHandle,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job_id = new_job(mediajobs_connections, "mts")
    sensor = MtsIProductionJobSensor(task_id="t", job_id=job_id, deferrable=False, mode=mode, poke_interval=0.1)
    ti, seen = FakeTI(), []
    original = MtsIProductionJobSensor.poke

    def poke(self: Any, context: Any) -> Any:
        seen.append(stored_link(comms, ti, self))
        return original(self, context)

    monkeypatch.setattr(MtsIProductionJobSensor, "poke", poke)
    if mode == "poke":
        sensor.execute({"ti": ti})
    else:  # a poke that finds the job pending ends the try, to come back later
        with pytest.raises(Exception) as ended:  # its class moved between minors: checked by name
            sensor.execute({"ti": ti})
        assert type(ended.value).__name__ == "AirflowRescheduleException"
    assert seen
    assert seen[0] == expected(MTS_PAGE, where)


def test_mapped_instances_each_link_their_own_job(where: dict[str, str], comms: FakeComms) -> None:
    tis = [FakeTI(map_index=i) for i in range(2)]
    for i, ti in enumerate(tis):
        with pytest.raises(TaskDeferred):
            MtsIProductionJobSensor(task_id="t", job_id=f"job{i}", deferrable=True).execute({"ti": ti})
    (link,) = MtsIProductionJobSensor.operator_extra_links
    assert [comms.stored[("d", "t", "r1", ti.map_index, PARTS_KEY)]["job_id"] for ti in tis] == ["job0", "job1"]
    assert [link.get_link(None, ti_key=ti) for ti in tis] == [expected(MTS_PAGE, where)] * 2  # type: ignore[arg-type]


# -- nothing to link --------------------------------------------------------------------------------
def test_nothing_stored_links_nothing(comms: FakeComms) -> None:
    (link,) = MtsIProductionJobSensor.operator_extra_links
    assert link.get_link(None, ti_key=FakeTI()) == ""  # type: ignore[arg-type]


def test_parts_of_another_kind_link_nothing(comms: FakeComms) -> None:
    ti = FakeTI()
    ti.xcom_push(PARTS_KEY, {"kind": "tencent_ci_job", "region": "ap-beijing", "bucket": "b-1", "job_id": "j1"})
    (link,) = MtsIProductionJobSensor.operator_extra_links
    assert link.get_link(None, ti_key=ti) == ""  # type: ignore[arg-type]


def test_several_jobs_fetched_at_once_link_none(where: dict[str, str], comms: FakeComms,
                                                mediajobs_connections: EmulatorHandle) -> None:
    jobs = [new_job(mediajobs_connections, "tencent") for _ in range(2)]
    op, ti = TencentCIGetJobsOperator(task_id="t", job_ids=jobs), FakeTI()
    op.execute({"ti": ti})
    assert comms.stored == {}
    (link,) = op.operator_extra_links
    assert link.get_link(op, ti_key=ti) == ""


def test_a_task_that_pushes_no_xcom_stores_no_link(where: dict[str, str], comms: FakeComms) -> None:
    sensor = MtsIProductionJobSensor(task_id="t", job_id="j1", deferrable=True, do_xcom_push=False)
    with pytest.raises(TaskDeferred):
        sensor.execute({"ti": FakeTI()})
    assert comms.stored == {}


def test_an_unreadable_connection_costs_the_link_not_the_wait(
    comms: FakeComms, mediajobs_connections: EmulatorHandle, capfd: pytest.CaptureFixture[str]
) -> None:
    sensor = MtsIProductionJobSensor(task_id="t", job_id="j1", deferrable=True, conn_id="no_such_connection")
    with pytest.raises(TaskDeferred):
        sensor.execute({"ti": FakeTI()})
    assert comms.stored == {}
    assert "No MTS console link: the connection could not be read" in capfd.readouterr().out  # the task log


def test_listings_have_no_link() -> None:
    assert IceListSmartJobsOperator.operator_extra_links == ()
    assert TencentCIListJobsOperator.operator_extra_links == ()


# -- secrets ----------------------------------------------------------------------------------------
def test_what_is_stored_and_logged_holds_no_secret(
    comms: FakeComms, mediajobs_connections: EmulatorHandle, caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With STS tokens too (never sent here: deferrable sensors ask nothing before deferring).
    connect(mediajobs_connections, monkeypatch, region="cn-hangzhou", ci_region="ap-beijing",
            bucket="examplebucket-1250000000", security_token=TOKEN)
    caplog.set_level("DEBUG")
    for name, (make, _) in SENSORS.items():
        sensor = make()
        with pytest.raises(TaskDeferred):
            sensor.execute({"ti": FakeTI(task_id=name)})
    assert len(comms.stored) == 2 * len(SENSORS)  # each sensor's parts and its page
    logged = capfd.readouterr()
    # The task log says where the link goes, and for which job.
    assert "MTS console link for mts_iproduction j-mts: https://mps.console.aliyun.com/" in logged.out
    texts = [json.dumps(value) for value in comms.stored.values()] + [r.getMessage() for r in caplog.records]
    texts += [logged.out, logged.err]
    assert find_secrets(texts, [ALIBABA_KEY[1], TENCENT_KEY[1], TOKEN]) == []
    # Not even the key ids: the parts are the region, the bucket and the job's ids.
    assert not [t for t in texts if ALIBABA_KEY[0] in t or TENCENT_KEY[0] in t]
    parts = [v for k, v in comms.stored.items() if k[-1] == PARTS_KEY]
    assert {frozenset(p) for p in parts} <= {
        frozenset({"kind", "region", "job_id"}), frozenset({"kind", "region", "bucket", "job_id"}),
        frozenset({"kind", "region", "job_id", "project_name", "task_type"}),
    }


# -- DAG serialization ------------------------------------------------------------------------------
def _serialization() -> Any:
    try:
        from airflow.serialization.serialized_objects import DagSerialization
    except ImportError:  # Airflow 3.1 names it SerializedDAG
        from airflow.serialization.serialized_objects import SerializedDAG as DagSerialization  # type: ignore[no-redef]
    return DagSerialization


def test_links_survive_a_serialized_dag_round_trip() -> None:
    from airflow.sdk import DAG

    with DAG("links_round_trip", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
        tasks = [
            MtsIProductionJobSensor(task_id="mts", job_id="j1"),
            IceSmartJobSensor(task_id="ice", job_id="j2"),
            ImmTaskSensor(task_id="imm", project_name="p", imm_task_id="t1", imm_task_type="FaceClustering"),
            TencentCIJobSensor(task_id="ci", job_id="j3"),
            MtsSubmitIProductionJobOperator(task_id="submit", function_name="VideoQualityEnhancement"),
            ImmGetTaskOperator(task_id="get", project_name="p", imm_task_id="t1", imm_task_type="FaceClustering"),
            TencentCIJobSensor.partial(task_id="mapped", deferrable=True).expand(job_id=["a", "b"]),
        ]
    serialization = _serialization()
    again = serialization.from_dict(json.loads(json.dumps(serialization.to_dict(dag))))
    for task in tasks:
        (link,) = task.operator_extra_links
        assert isinstance(link, ConsoleLink)
        rebuilt = again.get_task(task.task_id)
        # What the API server shows: the link by name, read from the XCom under the link's key.
        assert rebuilt.extra_links == [link.name]
        assert rebuilt.operator_extra_link_dict[link.name].xcom_key == link.xcom_key
