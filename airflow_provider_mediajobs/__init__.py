"""Apache Airflow provider for the media-processing job APIs of Alibaba Cloud and Tencent Cloud CI.

Importing this package is cheap: it imports nothing from Airflow or any HTTP library, so the
provider manager and DAG parsing pay nothing for it.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_PKG = "airflow_provider_mediajobs"

def _tuning_fields() -> dict[str, Any]:
    """The tunable extras (QPS budget, batching, timeouts, size cap) as form fields, from the one
    declaration the hooks check them against."""
    from airflow_provider_mediajobs.extras import TUNABLES

    return {t.name: t.conn_field() for t in TUNABLES}


def get_provider_info() -> dict[str, Any]:
    """Describe the provider to Airflow's provider manager (entry point ``apache_airflow_provider``)."""
    return {
        "package-name": "airflow-provider-mediajobs",
        "name": "Media Jobs (Alibaba Cloud ICE/MTS/IMM, Tencent Cloud CI)",
        "description": "List, fetch, submit and wait for media-processing jobs on Alibaba Cloud "
        "(ICE, MTS, IMM) and Tencent Cloud CI, with deferrable sensors and a local emulator.",
        "versions": [__version__],
        "integrations": [
            {"integration-name": "Alibaba Cloud Media (ICE, MTS, IMM)", "tags": ["service"]},
            {"integration-name": "Tencent Cloud CI", "tags": ["service"]},
        ],
        "hooks": [
            {"integration-name": "Alibaba Cloud Media (ICE, MTS, IMM)", "python-modules": [f"{_PKG}.hooks.alibaba"]},
            {"integration-name": "Tencent Cloud CI", "python-modules": [f"{_PKG}.hooks.tencent"]},
        ],
        "operators": [
            {"integration-name": "Alibaba Cloud Media (ICE, MTS, IMM)",
             "python-modules": [f"{_PKG}.operators.alibaba"]},
            {"integration-name": "Tencent Cloud CI", "python-modules": [f"{_PKG}.operators.tencent"]},
        ],
        "sensors": [
            {"integration-name": "Alibaba Cloud Media (ICE, MTS, IMM)", "python-modules": [f"{_PKG}.sensors.alibaba"]},
            {"integration-name": "Tencent Cloud CI", "python-modules": [f"{_PKG}.sensors.tencent"]},
        ],
        "triggers": [
            {"integration-name": "Alibaba Cloud Media (ICE, MTS, IMM)",
             "python-modules": [f"{_PKG}.triggers.alibaba"]},
            {"integration-name": "Tencent Cloud CI", "python-modules": [f"{_PKG}.triggers.tencent"]},
        ],
        "connection-types": [
            {
                "connection-type": "alibaba_cloud_media",
                "hook-class-name": f"{_PKG}.hooks.alibaba.AlibabaCloudMediaHook",
                "hook-name": "Alibaba Cloud Media (ICE, MTS, IMM)",
                "ui-field-behaviour": {
                    "hidden-fields": ["host", "schema", "port", "extra"],
                    "relabeling": {"login": "AccessKey ID", "password": "AccessKey Secret"},
                    "placeholders": {
                        "login": "LTAI5t...",
                        "password": "AccessKey secret",
                        "region": "cn-shanghai",
                        "endpoint_url": "https://{product}-vpc.cn-shanghai.aliyuncs.com",
                    },
                },
                "conn-fields": {
                    "region": {
                        "label": "Region",
                        "description": "Region id; requests go to {product}.{region}.aliyuncs.com.",
                        "schema": {"type": ["string", "null"], "default": "cn-shanghai"},
                    },
                    "security_token": {
                        "label": "STS security token",
                        "description": "Only for temporary (STS) credentials: stored as an extra, sent "
                        "with every request (x-acs-security-token header, or SecurityToken with v1) "
                        "and masked in logs.",
                        "schema": {"type": ["string", "null"], "format": "password"},
                    },
                    "endpoint_url": {
                        "label": "Endpoint URL",
                        "description": "Overrides the regional host: a VPC host, a proxy or the local "
                        "emulator. May contain {product} and {region}.",
                        "schema": {"type": ["string", "null"]},
                    },
                    "signature_version": {
                        "label": "Signature version",
                        "description": "v3 (ACS3-HMAC-SHA256, default) or v1 (HMAC-SHA1).",
                        "schema": {"type": ["string", "null"], "enum": ["v3", "v1"], "default": "v3"},
                    },
                    **_tuning_fields(),
                },
            },
            {
                "connection-type": "tencent_cloud_ci",
                "hook-class-name": f"{_PKG}.hooks.tencent.TencentCloudCIHook",
                "hook-name": "Tencent Cloud CI",
                "ui-field-behaviour": {
                    "hidden-fields": ["host", "schema", "port", "extra"],
                    "relabeling": {"login": "SecretId", "password": "SecretKey"},
                    "placeholders": {
                        "login": "AKID...",
                        "password": "SecretKey",
                        "region": "ap-beijing",
                        "bucket": "examplebucket-1250000000",
                        "endpoint_url": "http://127.0.0.1:8080 (emulator or proxy)",
                    },
                },
                "conn-fields": {
                    "region": {
                        "label": "Region",
                        "description": "Region id, e.g. ap-beijing.",
                        "schema": {"type": ["string", "null"], "default": "ap-beijing"},
                    },
                    "bucket": {
                        "label": "Bucket",
                        "description": "BucketName-APPID, e.g. examplebucket-1250000000 (required).",
                        # No "null": the form marks the field required.
                        "schema": {"type": "string", "minLength": 1},
                    },
                    "security_token": {
                        "label": "Security token",
                        "description": "Only for temporary credentials: stored as an extra, sent "
                        "(and signed) as the x-ci-security-token header, masked in logs.",
                        "schema": {"type": ["string", "null"], "format": "password"},
                    },
                    "endpoint_url": {
                        "label": "Endpoint URL",
                        "description": "Overrides {bucket}.ci.{region}.myqcloud.com: a proxy or the local "
                        "emulator.",
                        "schema": {"type": ["string", "null"]},
                    },
                    **_tuning_fields(),
                },
            },
        ],
    }
