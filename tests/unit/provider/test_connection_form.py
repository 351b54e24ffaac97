"""Both connection types declare their own labelled fields, from one source for every Airflow UI."""

from __future__ import annotations

import pytest

from airflow_provider_mediajobs import get_provider_info
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.base import MediaJobsBaseHook
from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook

TYPES = {entry["connection-type"]: entry for entry in get_provider_info()["connection-types"]}


@pytest.mark.parametrize(
    ("hook", "labels"),
    [(AlibabaCloudMediaHook, ("AccessKey ID", "AccessKey Secret")), (TencentCloudCIHook, ("SecretId", "SecretKey"))],
)
def test_key_pair_relabelled_and_standard_fields_hidden(hook: type[MediaJobsBaseHook], labels: tuple[str, str]) -> None:
    behaviour = hook.get_ui_field_behaviour()
    # The hook method speaks snake case (Airflow 3.1 validates it); provider info kebab case.
    declared = TYPES[hook.conn_type]["ui-field-behaviour"]
    assert behaviour == {k.replace("-", "_"): v for k, v in declared.items()}
    assert (behaviour["relabeling"]["login"], behaviour["relabeling"]["password"]) == labels
    assert {"host", "schema", "port"} <= set(behaviour["hidden_fields"])
    assert behaviour["placeholders"]["endpoint_url"]


@pytest.mark.parametrize(
    ("conn_type", "region"), [("alibaba_cloud_media", "cn-shanghai"), ("tencent_cloud_ci", "ap-beijing")]
)
def test_conn_fields(conn_type: str, region: str) -> None:
    fields = TYPES[conn_type]["conn-fields"]
    assert fields["region"]["schema"]["default"] == region
    assert fields["security_token"]["schema"]["format"] == "password"
    assert "endpoint_url" in fields
    for name, field in fields.items():
        assert field["label"], name
        assert field["description"], name


def test_hook_class_names_point_at_the_hooks() -> None:
    assert TYPES["alibaba_cloud_media"]["hook-class-name"].endswith("AlibabaCloudMediaHook")
    assert TYPES["tencent_cloud_ci"]["hook-class-name"].endswith("TencentCloudCIHook")
    assert AlibabaCloudMediaHook.conn_name_attr == "alibaba_cloud_media_conn_id"
    assert TencentCloudCIHook.conn_name_attr == "tencent_cloud_ci_conn_id"
    # The UI's Test button builds the hook as hook_class(**{conn_name_attr: conn_id}).
    assert TencentCloudCIHook(tencent_cloud_ci_conn_id="x").conn_id == "x"


@pytest.mark.parametrize("conn_type", ["alibaba_cloud_media", "tencent_cloud_ci"])
def test_the_form_shows_every_tunable_with_the_bounds_the_hook_enforces(conn_type: str) -> None:
    import json as _json

    from airflow.sdk import Connection

    from airflow_provider_mediajobs.exceptions import MediaJobsValidationError
    from airflow_provider_mediajobs.extras import MAX_BATCH_SIZE, TUNABLES, number_text
    from airflow_provider_mediajobs.hooks.base import ConnectionFields

    fields = TYPES[conn_type]["conn-fields"]
    hook_class = AlibabaCloudMediaHook if conn_type == "alibaba_cloud_media" else TencentCloudCIHook
    assert hook_class.max_batch_size >= MAX_BATCH_SIZE
    for tunable in TUNABLES:
        schema = fields[tunable.name]["schema"]
        assert (schema["minimum"], schema["maximum"]) == (tunable.low, tunable.high)
        assert f"default {number_text(tunable.default)}" in fields[tunable.name]["description"]
        for value, ok in ((schema["minimum"], True), (schema["maximum"], True), (schema["maximum"] * 2 + 1, False)):
            conn = Connection(conn_id="c", conn_type=conn_type, extra=_json.dumps({tunable.name: value}))
            if ok:
                assert ConnectionFields(conn, conn_type).tunable(tunable) == value
            else:
                with pytest.raises(MediaJobsValidationError, match=tunable.name):
                    ConnectionFields(conn, conn_type).tunable(tunable)


def test_bucket_is_required_in_the_tencent_form() -> None:
    schema = TYPES["tencent_cloud_ci"]["conn-fields"]["bucket"]["schema"]
    assert schema["type"] == "string"  # no "null": the form marks it required
    assert schema["minLength"] == 1


def test_token_help_says_what_is_true() -> None:
    for entry in get_provider_info()["connection-types"]:
        text = entry["conn-fields"]["security_token"]["description"]
        assert "extra" in text
        assert "sent" in text
        assert "never sent" not in text
        assert "password field" not in text
