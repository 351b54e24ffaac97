"""Every trigger argument is checked when the trigger is built (a trigger is also rebuilt from the
database): refused with a :class:`MediaJobsValidationError` naming the argument; the ids follow
the catalog's rules."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_mediajobs.triggers.alibaba import MtsIProductionJobTrigger
from airflow_provider_mediajobs.triggers.tencent import TencentCIJobTrigger
from tests.helpers import TEMPLATE, refused


@pytest.mark.parametrize(("arg", "value"), [
    ("poll_interval", "60s"), ("poll_interval", 0), ("not_found_grace", "x"), ("max_transient_errors", 2.5),
    ("max_transient_errors", -1), ("coalesce", "yes"), ("credentials_grace", None), ("conn_id", TEMPLATE),
    ("conn_id", ""), ("job_ids", "j1"),
])
def test_trigger_arguments(arg: str, value: Any) -> None:
    kwargs: dict[str, Any] = {"conn_id": "c", "job_ids": {"job_id": "j1"}, arg: value}
    refused(lambda: MtsIProductionJobTrigger(**kwargs), arg)


@pytest.mark.parametrize("job_ids", [{"job_ids": "j1,j2"}, {"job_ids": TEMPLATE}, {"job_ids": "j 1"}, {}])
def test_trigger_job_ids_follow_the_catalog(job_ids: dict[str, Any]) -> None:
    refused(lambda: TencentCIJobTrigger(conn_id="c", job_ids=job_ids), "job_ids")
