"""Apache Airflow provider for the media-processing job APIs of Alibaba Cloud and Tencent Cloud CI.

Importing this package is cheap: it imports nothing from Airflow or any HTTP library, so the
provider manager and DAG parsing pay nothing for it.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_mediajobs.extras import CHOICES, QPS_BUDGET_REDIS_URL, SHARED_BUDGET_FIELD, TUNABLES
from airflow_provider_mediajobs.vendors import ALIBABA, TENCENT, VENDORS

__version__ = "0.1.0"

# Named, not imported: Airflow's providers manager imports it when it first needs the asset URI
# handlers (an Asset with a scheme other than file), never with this package.
_ASSETS = f"{__name__}.assets"


def _tuning_fields() -> dict[str, Any]:
    """The tunable extras (QPS budget and where it is shared, batching, list sweeps, timeouts, size
    cap) as form fields, from the one declaration the hooks check them against."""
    return {**{t.name: t.conn_field() for t in TUNABLES}, QPS_BUDGET_REDIS_URL: SHARED_BUDGET_FIELD,
            **{c.name: c.conn_field() for c in CHOICES}}


def get_provider_info() -> dict[str, Any]:
    """Describe the provider to Airflow's provider manager (entry point ``apache_airflow_provider``)."""
    return {
        "package-name": "airflow-provider-mediajobs",
        "name": "Media Jobs (Alibaba Cloud ICE/MTS/IMM, Tencent Cloud CI)",
        "description": "List, fetch, submit and wait for media-processing jobs on Alibaba Cloud "
        "(ICE, MTS, IMM) and Tencent Cloud CI, with deferrable sensors and a local emulator.",
        "versions": [__version__],
        "integrations": [{"integration-name": v.integration, "tags": ["service"]} for v in VENDORS],
        **{
            layer: [{"integration-name": v.integration, "python-modules": [v.module(layer)]} for v in VENDORS]
            for layer in ("hooks", "operators", "sensors", "triggers")
        },
        # Airflow normalises every oss:// and cos:// asset with these, and the OpenLineage provider
        # names them as datasets (airflow_provider_mediajobs.assets): no other provider registers
        # either scheme.
        "asset-uris": [
            {
                "schemes": [scheme],
                "handler": f"{_ASSETS}.sanitize_uri",
                "factory": f"{_ASSETS}.create_{scheme}_asset",
                "to_openlineage_converter": f"{_ASSETS}.convert_asset_to_openlineage",
            }
            for scheme in ("oss", "cos")
        ],
        # Named, not imported: links.py imports Airflow. The one class every console link is.
        "extra-links": [f"{__package__}.links.ConsoleLink"],
        "connection-types": [
            {
                "connection-type": ALIBABA.conn_type,
                "hook-class-name": ALIBABA.hook_path,
                "hook-name": ALIBABA.integration,
                "ui-field-behaviour": {
                    "hidden-fields": ["host", "schema", "port", "extra"],
                    "relabeling": {"login": "AccessKey ID", "password": "AccessKey Secret"},
                    "placeholders": {
                        "login": "LTAI5t...",
                        "password": "AccessKey secret",
                        "region": ALIBABA.default_region,
                        "endpoint_url": f"https://{{product}}-vpc.{ALIBABA.default_region}.aliyuncs.com",
                    },
                },
                "conn-fields": {
                    "region": {
                        "label": "Region",
                        "description": "Region id; requests go to {product}.{region}.aliyuncs.com.",
                        "schema": {"type": ["string", "null"], "default": ALIBABA.default_region},
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
                "connection-type": TENCENT.conn_type,
                "hook-class-name": TENCENT.hook_path,
                "hook-name": TENCENT.integration,
                "ui-field-behaviour": {
                    "hidden-fields": ["host", "schema", "port", "extra"],
                    "relabeling": {"login": "SecretId", "password": "SecretKey"},
                    "placeholders": {
                        "login": "AKID...",
                        "password": "SecretKey",
                        "region": TENCENT.default_region,
                        "bucket": "examplebucket-1250000000",
                        "endpoint_url": "http://127.0.0.1:8080 (emulator or proxy)",
                    },
                },
                "conn-fields": {
                    "region": {
                        "label": "Region",
                        "description": f"Region id, e.g. {TENCENT.default_region}.",
                        "schema": {"type": ["string", "null"], "default": TENCENT.default_region},
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
