"""Trigger for Tencent Cloud CI jobs."""

from __future__ import annotations

import defusedxml.ElementTree  # noqa: F401 - loaded now, not on first use inside the event loop

from airflow_provider_mediajobs.catalog import tencent as cat
from airflow_provider_mediajobs.hooks.tencent import API
from airflow_provider_mediajobs.triggers.base import MediaJobTrigger


class TencentCIJobTrigger(MediaJobTrigger):
    """Wait for a CI job (GET /jobs/{id}): ``Success``; ``Failed`` / ``Cancel``. Batched with the
    other waits of the connection when ``coalesce`` is on."""

    vendor = API
    kind = cat.TENCENT_CI_JOB
