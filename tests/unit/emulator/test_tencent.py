"""Tencent CI side of the emulator over real HTTP (cos-python-sdk-v5 through the emulator as proxy)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airflow_provider_mediajobs.emulator import TENCENT_BUCKET, TENCENT_KEY, EmulatorServer


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with EmulatorServer(seed_jobs=30) as server:
        yield server.url


def _cos(url: str, secret_id: str = TENCENT_KEY[0]):  # type: ignore[no-untyped-def]
    from qcloud_cos import CosConfig, CosS3Client

    return CosS3Client(CosConfig(Region=TENCENT_BUCKET[1], SecretId=secret_id, SecretKey=TENCENT_KEY[1],
                                 Scheme="http", Proxies={"http": url}), retry=0)


def _as_list(value: object) -> list:  # type: ignore[type-arg]
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def test_paging_ends_with_empty_next_token(url: str) -> None:
    client, token, ids = _cos(url), "", []
    for _ in range(100):
        page = client.ci_list_media_jobs(Bucket=TENCENT_BUCKET[0], Tag="Translation", Size=7, NextToken=token)
        ids += [job["JobId"] for job in _as_list(page.get("JobsDetail"))]
        token = page.get("NextToken") or ""
        if not token:
            break
    assert not token
    assert ids
    assert len(ids) == len(set(ids))


def test_state_filter(url: str) -> None:
    page = _cos(url).ci_list_media_jobs(Bucket=TENCENT_BUCKET[0], Tag="Translation", States="Success", Size=50)
    states = {job["State"] for job in _as_list(page.get("JobsDetail"))}
    assert states == {"Success"}


def test_unknown_secret_id_and_unknown_bucket(url: str) -> None:
    from qcloud_cos.cos_exception import CosServiceError

    with pytest.raises(CosServiceError) as err:
        _cos(url, secret_id="AKIDnobody").ci_list_media_jobs(Bucket=TENCENT_BUCKET[0], Tag="Translation")
    assert err.value.get_error_code() == "InvalidAccessKeyId"
    with pytest.raises(CosServiceError) as err:
        _cos(url).ci_list_media_jobs(Bucket="nobucket-1250000000", Tag="Translation")
    assert err.value.get_error_code() == "NoSuchBucket"
    assert err.value.get_status_code() == 404
