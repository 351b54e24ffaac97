"""The Alibaba hook and the emulator agree (real HTTP through the pytest plugin's fixtures)."""

from __future__ import annotations

import pytest

from airflow_provider_mediajobs.testing import EmulatorHandle


def test_submit_then_query_iproduction(mediajobs_connections: EmulatorHandle) -> None:
    from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook

    hook = AlibabaCloudMediaHook()
    job_id = hook.submit_iproduction_job(function_name="VideoQualityEnhancement",
                                         input="oss://b/in.mp4", output="oss://b/out.mp4")["JobId"]
    job = hook.query_iproduction_job(job_id)
    assert job["JobId"] == job_id
    assert job["State"] in {"Queuing", "Analysing", "Success", "Fail"}


def test_smart_jobs_paging_and_state_filter(mediajobs_connections: EmulatorHandle) -> None:
    from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook

    pages = list(AlibabaCloudMediaHook().iter_smart_jobs(job_state="Finished", page_size=10, max_items=25))
    jobs = [job for page in pages for job in page]
    assert len(jobs) == 25
    assert {job["JobState"] for job in jobs} == {"Finished"}
    assert len({job["JobId"] for job in jobs}) == 25


def test_unknown_job_is_typed_not_found(mediajobs_connections: EmulatorHandle) -> None:
    from airflow_provider_mediajobs.exceptions import MediaJobsError
    from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook

    with pytest.raises(MediaJobsError) as err:
        AlibabaCloudMediaHook().query_iproduction_job("0" * 32)
    assert err.value.status == 404
    assert (err.value.code or "").endswith("NotFound")
