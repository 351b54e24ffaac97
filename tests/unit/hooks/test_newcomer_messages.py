"""Messages a newcomer meets at the hooks: a connection of the other vendor's type, the official
``alibaba_cloud`` type, a region typo."""

from __future__ import annotations

import json

import pytest

from airflow_provider_mediajobs.exceptions import MediaJobsValidationError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook
from airflow_provider_mediajobs.testing import EmulatorHandle


@pytest.mark.parametrize(("hook_class", "wrong"), [
    (TencentCloudCIHook, "alibaba_cloud_media_default"),
    (AlibabaCloudMediaHook, "tencent_cloud_ci_default"),
])
def test_the_other_vendors_connection_is_named_as_such(mediajobs_connections: EmulatorHandle,
                                                       hook_class: type, wrong: str) -> None:
    before = mediajobs_connections.counters().get("requests", 0)
    with pytest.raises(MediaJobsValidationError) as info:
        _ = hook_class(wrong).protocol
    message = str(info.value)
    assert "the connection's type is" in message
    assert hook_class.conn_type in message
    assert "missing" not in message
    ok, text = hook_class(wrong).test_connection()
    assert not ok
    assert "type is" in text
    assert mediajobs_connections.counters().get("requests", 0) == before


def test_the_official_alibaba_cloud_type_is_still_read(monkeypatch: pytest.MonkeyPatch) -> None:
    conn = {"conn_type": "alibaba_cloud", "extra": {"access_key_id": "LTAIk", "access_key_secret": "s3cret-value"}}
    monkeypatch.setenv("AIRFLOW_CONN_OFFICIAL", json.dumps(conn))
    assert AlibabaCloudMediaHook("official").protocol.credentials.access_key_id == "LTAIk"


@pytest.mark.parametrize(("name", "typo", "meant"), [
    ("alibaba_cloud_media_default", "cn-shangai", "cn-shanghai"),
    ("tencent_cloud_ci_default", "ap-bejing", "ap-beijing"),
])
def test_a_region_typo_is_caught_naming_the_connection(mediajobs_connections: EmulatorHandle,
                                                       monkeypatch: pytest.MonkeyPatch, name: str, typo: str,
                                                       meant: str) -> None:
    conn = mediajobs_connections.connections()[name]
    conn["extra"] = {**conn["extra"], "region": typo}  # type: ignore[dict-item]
    monkeypatch.setenv("AIRFLOW_CONN_TYPO_REGION", json.dumps(conn))
    hook_class = AlibabaCloudMediaHook if name.startswith("alibaba") else TencentCloudCIHook
    before = mediajobs_connections.counters().get("requests", 0)
    with pytest.raises(MediaJobsValidationError) as info:
        _ = hook_class("typo_region").protocol
    message = str(info.value)
    assert "connection 'typo_region'" in message
    assert f"did you mean {meant}?" in message
    assert "allow_unknown_region" in message
    assert mediajobs_connections.counters().get("requests", 0) == before
    # A region newer than the provider's list goes through when the connection says so.
    conn["extra"] = {**conn["extra"], "allow_unknown_region": True}  # type: ignore[dict-item]
    monkeypatch.setenv("AIRFLOW_CONN_TYPO_REGION", json.dumps(conn))
    assert hook_class("typo_region").protocol.region == typo
