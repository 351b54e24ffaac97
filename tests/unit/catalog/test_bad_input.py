"""Bad input the catalog forgives because it is harmless: spaces after the commas of a list."""

from __future__ import annotations

from airflow_provider_mediajobs.catalog import alibaba as ali
from airflow_provider_mediajobs.catalog import tencent as ci

IMM = {"project_name": "media-archive"}


def test_spaces_after_commas_are_still_forgiven() -> None:
    assert ci.GET_JOBS.bind({"job_ids": "j1, j2"}) == {"jobIds": "j1,j2"}
    assert ali.LIST_TASKS.bind({"task_types": "FaceClustering, VideoLabelClassification", **IMM})["TaskTypes"] == (
        '["FaceClustering","VideoLabelClassification"]')
