"""A local emulator of the Alibaba Cloud (ICE, MTS, IMM) and Tencent Cloud CI job APIs.

Start it with ``mediajobs-emulator`` (or :class:`EmulatorServer` from code). It verifies both
vendors' signatures, keeps jobs whose states move over time, pages and filters like the vendors,
answers errors in their formats, and has an admin API under ``/_emulator/`` for faults, a QPS
limit, STS tokens, forced states and request counters. See ``docs/emulator.md``.

This package only re-exports: its submodules never import it. The server (and with it aiohttp) is
imported when :class:`EmulatorServer` or :func:`build_app` is first used, so that the admin client
(:mod:`.admin`) and the backend stay cheap to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_mediajobs.emulator.admin import EmulatorAdmin, EmulatorAdminError
from airflow_provider_mediajobs.emulator.backend import (
    ALIBABA_KEY,
    TENCENT_BUCKET,
    TENCENT_KEY,
    Backend,
    connections_for,
)

if TYPE_CHECKING:
    from airflow_provider_mediajobs.emulator.server import EmulatorServer, build_app

_FROM_SERVER = ("EmulatorServer", "build_app")


def __getattr__(name: str) -> Any:
    if name in _FROM_SERVER:
        from airflow_provider_mediajobs.emulator import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ALIBABA_KEY", "TENCENT_BUCKET", "TENCENT_KEY", "Backend", "EmulatorAdmin", "EmulatorAdminError", "EmulatorServer",
    "build_app", "connections_for",
]
