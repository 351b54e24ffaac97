"""A local emulator of the Alibaba Cloud (ICE, MTS, IMM) and Tencent Cloud CI job APIs.

Start it with ``mediajobs-emulator`` (or :class:`EmulatorServer` from code). It verifies both
vendors' signatures, keeps jobs whose states move over time, pages and filters like the vendors,
answers errors in their formats, and has an admin API under ``/_emulator/`` for faults, a QPS
limit, STS tokens, forced states and request counters. See ``docs/emulator.md``.
"""

from airflow_provider_mediajobs.emulator.backend import Backend
from airflow_provider_mediajobs.emulator.server import EmulatorServer, build_app

ALIBABA_KEY = ("LTAIemulatorKEY", "emulator-secret")
TENCENT_KEY = ("AKIDemulatorKEY", "emulator-secret")
TENCENT_BUCKET = ("examplebucket-1250000000", "ap-beijing")


def connections_for(url: str) -> dict[str, dict[str, object]]:
    """Connection dicts for both default conn ids, pointing at the emulator at ``url``."""
    return {
        "alibaba_cloud_media_default": {
            "conn_type": "alibaba_cloud_media",
            "login": ALIBABA_KEY[0],
            "password": ALIBABA_KEY[1],
            "extra": {"region": "cn-shanghai", "endpoint_url": url},
        },
        "tencent_cloud_ci_default": {
            "conn_type": "tencent_cloud_ci",
            "login": TENCENT_KEY[0],
            "password": TENCENT_KEY[1],
            "extra": {"region": TENCENT_BUCKET[1], "bucket": TENCENT_BUCKET[0], "endpoint_url": url},
        },
    }


__all__ = ["ALIBABA_KEY", "TENCENT_BUCKET", "TENCENT_KEY", "Backend", "EmulatorServer", "build_app", "connections_for"]
