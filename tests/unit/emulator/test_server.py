"""Real HTTP tests of the emulator: signature rejection, not-found answers, faults, counters, admin API."""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Iterator

import pytest

from airflow_provider_mediajobs.emulator import ALIBABA_KEY, TENCENT_BUCKET, TENCENT_KEY, EmulatorAdmin, EmulatorServer


@pytest.fixture
def url() -> Iterator[str]:
    with EmulatorServer(seed_jobs=20) as server:
        yield server.url


def _mts(url: str, secret: str = ALIBABA_KEY[1]):  # type: ignore[no-untyped-def]
    from alibabacloud_mts20140618.client import Client
    from alibabacloud_tea_openapi.models import Config

    return Client(Config(endpoint=url.split("://", 1)[1], protocol="http", access_key_id=ALIBABA_KEY[0],
                         access_key_secret=secret, region_id="cn-shanghai"))


def _cos(url: str, secret: str = TENCENT_KEY[1]):  # type: ignore[no-untyped-def]
    from qcloud_cos import CosConfig, CosS3Client

    return CosS3Client(CosConfig(Region=TENCENT_BUCKET[1], SecretId=TENCENT_KEY[0], SecretKey=secret,
                                 Scheme="http", Proxies={"http": url}), retry=0)


def test_alibaba_wrong_secret_is_signature_does_not_match(url: str) -> None:
    from alibabacloud_mts20140618.models import QueryIProductionJobRequest
    from Tea.exceptions import TeaException

    with pytest.raises(TeaException) as err:
        _mts(url, secret="wrong").query_iproduction_job(QueryIProductionJobRequest(job_id="x"))
    assert err.value.code == "SignatureDoesNotMatch"


def test_alibaba_unknown_job_is_404_not_found(url: str) -> None:
    from alibabacloud_mts20140618.models import QueryIProductionJobRequest
    from Tea.exceptions import TeaException

    with pytest.raises(TeaException) as err:
        _mts(url).query_iproduction_job(QueryIProductionJobRequest(job_id="0" * 32))
    assert err.value.code.endswith("NotFound")
    assert err.value.data["statusCode"] == 404


def test_tencent_wrong_secret_and_unknown_ids(url: str) -> None:
    from qcloud_cos.cos_exception import CosServiceError

    with pytest.raises(CosServiceError) as err:
        _cos(url, secret="wrong").ci_list_media_jobs(Bucket=TENCENT_BUCKET[0], Tag="Translation")
    assert err.value.get_error_code() == "SignatureDoesNotMatch"
    got = _cos(url).ci_get_media_jobs(Bucket=TENCENT_BUCKET[0], JobIDs="jnotthere")
    assert "jnotthere" in json.dumps(got.get("NonExistJobIds"))


def test_admin_fault_and_counters(url: str) -> None:
    from alibabacloud_mts20140618.models import QueryIProductionJobRequest
    from Tea.exceptions import TeaException

    admin = EmulatorAdmin(url)
    created = admin.create_job("mts")
    admin.add_fault("throttling", rate=1.0)
    with pytest.raises(TeaException) as err:
        _mts(url).query_iproduction_job(QueryIProductionJobRequest(job_id=created["job_id"]))
    assert err.value.code == "Throttling.User"
    admin.clear_faults()
    body = _mts(url).query_iproduction_job(QueryIProductionJobRequest(job_id=created["job_id"])).body
    assert body.job_id == created["job_id"]
    counters = admin.counters()
    assert counters.get("status:400", 0) >= 1
    assert counters.get("status:200", 0) >= 1


def test_admin_force_state(url: str) -> None:
    from alibabacloud_mts20140618.models import QueryIProductionJobRequest

    admin = EmulatorAdmin(url)
    created = admin.create_job("mts")
    admin.set_state(created["job_id"], "Fail")
    body = _mts(url).query_iproduction_job(QueryIProductionJobRequest(job_id=created["job_id"])).body
    assert body.state == "Fail"


def test_admin_unknown_fault_kind_rejected(url: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as err:
        EmulatorAdmin(url).add_fault("meteor", rate=0.5)
    assert err.value.code == 400


def test_admin_creates_many_jobs_at_once(url: str) -> None:
    admin = EmulatorAdmin(url)
    created = admin.create_jobs("tencent", 250, bucket=TENCENT_BUCKET[0], tag="WordsGeneralize", created=1.0e9)
    assert len(set(created["job_ids"])) == 250
    listed = _cos(url).ci_list_media_jobs(Bucket=TENCENT_BUCKET[0], Tag="WordsGeneralize", Size=100,
                                          EndCreationTime="2001-09-10T00:00:00+0000")
    assert len(listed["JobsDetail"]) == 100
    assert listed["NextToken"] == "100"
    with pytest.raises(urllib.error.HTTPError) as err:
        admin.call("POST", "jobs", {"kind": "mts", "count": "many"})
    assert err.value.code == 400


def test_running_emulator_applies_its_options_and_stops_on_exit() -> None:
    import time

    from airflow_provider_mediajobs.testing import running_emulator

    with running_emulator(seed_jobs=0, queue_seconds=1.0, run_seconds=20.0) as emulator:
        url = emulator.url
        assert url.startswith("http://127.0.0.1:")
        created = emulator.admin("POST", "jobs", {"kind": "mts"})
        # The job ends queue_seconds + run_seconds from now, not at the session fixture's 3 s.
        assert 20.0 <= created["done_at"] - time.time() <= 21.5
        assert emulator.counters().get("requests", 0) == 0
    with pytest.raises(urllib.error.URLError):
        EmulatorAdmin(url, timeout=5).counters()
