"""Emulator QPS limit, STS token expiry and job state progression, over real HTTP."""

from __future__ import annotations

import time

import pytest

from airflow_provider_mediajobs.emulator import ALIBABA_KEY, EmulatorAdmin, EmulatorServer


def _mts(url: str, token: str | None = None):  # type: ignore[no-untyped-def]
    from alibabacloud_mts20140618.client import Client
    from alibabacloud_tea_openapi.models import Config

    return Client(Config(endpoint=url.split("://", 1)[1], protocol="http", access_key_id=ALIBABA_KEY[0],
                         access_key_secret=ALIBABA_KEY[1], security_token=token, region_id="cn-shanghai"))


def test_qps_limit_throttles_and_counts() -> None:
    from alibabacloud_mts20140618.models import QueryIProductionJobRequest
    from Tea.exceptions import TeaException

    with EmulatorServer(seed_jobs=0) as server:
        admin = EmulatorAdmin(server.url)
        job_id = admin.create_job("mts")["job_id"]
        admin.set_qps(1)
        codes = []
        for _ in range(10):  # far more than one token's worth, sent back to back
            try:
                _mts(server.url).query_iproduction_job(QueryIProductionJobRequest(job_id=job_id))
                codes.append("ok")
            except TeaException as exc:
                codes.append(exc.code)
        assert "Throttling.User" in codes
        assert admin.counters().get("throttled", 0) >= 1


def test_expired_sts_token_rejected() -> None:
    from alibabacloud_mts20140618.models import QueryIProductionJobRequest
    from Tea.exceptions import TeaException

    with EmulatorServer(seed_jobs=0) as server:
        token = EmulatorAdmin(server.url).issue_sts("alibaba", ttl=-1)["token"]
        with pytest.raises(TeaException) as err:
            _mts(server.url, token).query_iproduction_job(QueryIProductionJobRequest(job_id="x"))
        assert err.value.code == "InvalidSecurityToken.Expired"


def test_state_moves_from_queued_to_terminal() -> None:
    from alibabacloud_mts20140618.models import QueryIProductionJobRequest

    with EmulatorServer(seed_jobs=0, queue_seconds=0.2, run_seconds=0.2) as server:
        job_id = EmulatorAdmin(server.url).create_job("mts")["job_id"]
        seen = []
        for _ in range(100):  # poll until terminal; no assertion on how long it took
            state = _mts(server.url).query_iproduction_job(QueryIProductionJobRequest(job_id=job_id)).body.state
            seen.append(state)
            if state in ("Success", "Fail"):
                break
            time.sleep(0.05)
        assert seen[-1] in ("Success", "Fail")
