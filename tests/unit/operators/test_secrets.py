"""Sentinel credentials through every operator, sensor, trigger and failure path, over real HTTP to an
emulator that knows them; then a scan of everything a person or another system could see: logs (the
provider's, the emulator's, aiohttp's and urllib3's, at DEBUG), stdout and stderr, XCom values,
serialized triggers, exception texts and tracebacks, rendered template fields, test_connection."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_mediajobs.compat import TaskDeferred
from airflow_provider_mediajobs.emulator import EmulatorServer
from airflow_provider_mediajobs.exceptions import MediaJobsError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook
from airflow_provider_mediajobs.operators import alibaba as ali_ops
from airflow_provider_mediajobs.operators import tencent as ci_ops
from airflow_provider_mediajobs.sensors.alibaba import IceSmartJobSensor, ImmTaskSensor, MtsIProductionJobSensor
from airflow_provider_mediajobs.sensors.tencent import TencentCIJobSensor
from airflow_provider_mediajobs.testing import find_secrets
from airflow_provider_mediajobs.transport import RetryPolicy

ALI_ID, ALI_SECRET = "LTAIsentinelE2E", "SentinelAccessKeySecret-5d1f0c9a"
CI_ID, CI_SECRET = "AKIDsentinelE2E", "SentinelSecretKey-7b2e4a6c"
ALI_TOKEN, CI_TOKEN = "SentinelStsTokenAli-3c9d8e7f", "SentinelStsTokenCi-1a0b2c3d"
WRONG = "SentinelWrongSecret-8e8e8e8e"
EXPIRED = "SentinelExpiredToken-4f4f4f4f"
SECRETS = (ALI_SECRET, CI_SECRET, ALI_TOKEN, CI_TOKEN, WRONG, EXPIRED)
BUCKET, REGION = "examplebucket-1250000000", "ap-beijing"


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    server = EmulatorServer(seed_jobs=20, queue_seconds=0.2, run_seconds=0.5,
                            alibaba_keys={ALI_ID: ALI_SECRET}, tencent_keys={CI_ID: CI_SECRET})
    server.start()
    far, gone = time.time() + 3600, time.time() - 60
    server.backend.tokens |= {ALI_TOKEN: (ALI_ID, far), CI_TOKEN: (CI_ID, far), EXPIRED: (ALI_ID, gone)}
    ali = {"conn_type": "alibaba_cloud_media", "login": ALI_ID, "password": ALI_SECRET,
           "extra": {"region": "cn-shanghai", "endpoint_url": server.url, "security_token": ALI_TOKEN}}
    ci = {"conn_type": "tencent_cloud_ci", "login": CI_ID, "password": CI_SECRET,
          "extra": {"region": REGION, "bucket": BUCKET, "endpoint_url": server.url, "security_token": CI_TOKEN}}
    conns = {
        "alibaba_cloud_media_default": ali,
        "ali_v1": {**ali, "extra": {**ali["extra"], "signature_version": "v1"}},  # type: ignore[dict-item]
        "ali_wrong": {**ali, "password": WRONG},
        "ali_expired": {**ali, "extra": {**ali["extra"], "security_token": EXPIRED}},  # type: ignore[dict-item]
        "tencent_cloud_ci_default": ci,
        "ci_wrong": {**ci, "password": WRONG},
    }
    for conn_id, conn in conns.items():
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))
    try:
        yield server
    finally:
        server.stop()


def _job(server: EmulatorServer, kind: str, **attrs: Any) -> str:
    return server.backend.create(kind, queue_s=0.1, run_s=0.3, **attrs).job_id


async def _trigger_events(triggers: list[Any]) -> list[dict[str, Any]]:
    async def first(trigger: Any) -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("no event")

    return list(await asyncio.wait_for(asyncio.gather(*(first(t) for t in triggers)), 60))


def test_no_secret_anywhere_a_person_could_see(emulator: EmulatorServer, caplog: pytest.LogCaptureFixture,
                                               capfd: pytest.CaptureFixture[str]) -> None:
    seen: list[str] = []

    def error_texts(err: BaseException) -> None:
        seen.extend([str(err), repr(err), "".join(traceback.format_exception(err)), json.dumps(vars(err),
                                                                                             default=str)])

    mts_id, ice_id = _job(emulator, "mts", output="oss://o/x.mp4"), _job(emulator, "ice_smart")
    imm_id = _job(emulator, "imm", project_name="media-archive", task_type="FaceClustering")
    ci_id = _job(emulator, "tencent", bucket=BUCKET, tag="Translation")
    failed_mts = emulator.backend.create("mts", queue_s=0, run_s=0, succeed=False).job_id
    time.sleep(0.5)
    operators: list[Any] = [
        ali_ops.IceListSmartJobsOperator(task_id="a", max_items=3),
        ali_ops.IceGetSmartHandleJobOperator(task_id="b", job_id=ice_id),
        ali_ops.IceListLiveSnapshotJobsOperator(task_id="c", max_items=3),
        ali_ops.MtsQueryIProductionJobOperator(task_id="d", job_id=mts_id),
        ali_ops.MtsQueryIProductionJobOperator(task_id="d1", job_id=mts_id, alibaba_cloud_media_conn_id="ali_v1"),
        ali_ops.MtsSubmitIProductionJobOperator(task_id="e", function_name="VideoQualityEnhancement",
                                                input_uri="oss://b/in.mp4", output_uri="oss://b/out.mp4"),
        ali_ops.ImmListTasksOperator(task_id="f", project_name="media-archive", max_items=3),
        ali_ops.ImmGetTaskOperator(task_id="g", project_name="media-archive", imm_task_id=imm_id,
                                   imm_task_type="FaceClustering"),
        ci_ops.TencentCIListJobsOperator(task_id="h", tag="Translation", max_items=3),
        ci_ops.TencentCIGetJobsOperator(task_id="i", job_ids=[ci_id]),
        ci_ops.TencentCISubmitJobOperator(task_id="j", tag="WordsGeneralize", input_object="a.txt", queue_id="q1"),
    ]
    sensors: list[Any] = [
        MtsIProductionJobSensor(task_id="s1", job_id=mts_id, deferrable=True),
        IceSmartJobSensor(task_id="s2", job_id=ice_id, deferrable=True),
        ImmTaskSensor(task_id="s3", project_name="media-archive", imm_task_id=imm_id,
                      imm_task_type="FaceClustering", deferrable=True),
        TencentCIJobSensor(task_id="s4", job_id=ci_id, deferrable=True),
    ]
    with caplog.at_level(logging.DEBUG):
        for op in operators:
            op.render_template_fields({})
            seen.append(json.dumps({f: getattr(op, f) for f in op.template_fields}, default=str))
            seen.append(json.dumps(op.execute({}), default=str))  # what XCom would store
        triggers = []
        for sensor in sensors:
            sensor.render_template_fields({})
            seen.append(json.dumps({f: getattr(sensor, f) for f in sensor.template_fields}, default=str))
            with pytest.raises(TaskDeferred) as deferred:
                sensor.execute({})
            triggers.append(deferred.value.trigger)
            seen.append(json.dumps(deferred.value.trigger.serialize(), default=str))
        events = asyncio.run(_trigger_events(triggers))
        assert {e["status"] for e in events} == {"success"}
        seen += [json.dumps(e, default=str) for e in events]
        seen += [json.dumps(s.execute_complete({}, e), default=str) for s, e in zip(sensors, events, strict=True)]

        # Failure paths: wrong secret (both vendors), expired token, missing job, failed job.
        for call in (
            lambda: AlibabaCloudMediaHook("ali_wrong", retry_policy=RetryPolicy(attempts=1)).query_iproduction_job(
                job_id=mts_id),
            lambda: TencentCloudCIHook("ci_wrong", retry_policy=RetryPolicy(attempts=1)).get_ci_job(ci_id),
            lambda: AlibabaCloudMediaHook("ali_expired").query_iproduction_job(job_id=mts_id),
            lambda: AlibabaCloudMediaHook("ali_v1").query_iproduction_job(job_id="no-such-job"),
            lambda: MtsIProductionJobSensor(task_id="x", job_id=failed_mts, poke_interval=0.1, timeout=20).execute({}),
        ):
            with pytest.raises(MediaJobsError) as info:
                call()
            error_texts(info.value)
        for hook in (AlibabaCloudMediaHook("ali_wrong"), TencentCloudCIHook("ci_wrong"), AlibabaCloudMediaHook()):
            seen.append(repr(hook.test_connection()))
        seen.append(repr(AlibabaCloudMediaHook()) + repr(TencentCloudCIHook().protocol))

    out, err = capfd.readouterr()
    seen += [out, err]
    seen += [f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records]
    # The scan covered the emulator's own request log, not just the client side.
    assert any(r.name.startswith("airflow_provider_mediajobs.emulator") for r in caplog.records)
    assert any("SignatureDoesNotMatch" in text for text in seen)
    assert find_secrets(seen, SECRETS) == []
