"""Listing 10,000 jobs: the provider's hooks against the official SDKs' own paging loops.

Both sides list the same 10,000 finished jobs from one emulator (in its own process), 100 per page:

- Tencent CI ``GET /jobs``: ``TencentCloudCIHook.list_jobs`` against a loop over
  cos-python-sdk-v5 ``CosS3Client.ci_list_media_jobs`` following ``NextToken``;
- ICE ``ListSmartJobs``: ``AlibabaCloudMediaHook.list_smart_jobs`` against a loop over the tea
  SDK's ``Client.list_smart_jobs`` following ``NextToken``.

Wall time is the median of several alternating rounds (without tracing). Peak memory is measured in
a separate traced round per side with :mod:`tracemalloc` (Python allocations made while listing,
the returned jobs included).
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from airflow_provider_mediajobs.extras import QPS_BUDGET
from benchmarks import harness

JOBS = 10_000
PAGE = 100
ROUNDS = 5


def _sdk_tencent(url: str) -> Callable[[], int]:
    from qcloud_cos import CosConfig, CosS3Client

    from airflow_provider_mediajobs.emulator import TENCENT_BUCKET, TENCENT_KEY

    client = CosS3Client(CosConfig(Region=TENCENT_BUCKET[1], SecretId=TENCENT_KEY[0], SecretKey=TENCENT_KEY[1],
                                   Scheme="http", Proxies={"http": url}))

    def run() -> int:
        jobs: list[Any] = []
        token = ""
        while True:
            page = client.ci_list_media_jobs(Bucket=TENCENT_BUCKET[0], Tag="Translation", Size=PAGE, NextToken=token)
            detail = page.get("JobsDetail") or []
            jobs += detail if isinstance(detail, list) else [detail]
            token = page.get("NextToken") or ""
            if not token:
                return len(jobs)

    return run


def _sdk_ice(url: str) -> Callable[[], int]:
    from alibabacloud_ice20201109.client import Client
    from alibabacloud_ice20201109.models import ListSmartJobsRequest
    from alibabacloud_tea_openapi.models import Config

    from airflow_provider_mediajobs.emulator import ALIBABA_KEY

    client = Client(Config(endpoint=url.split("://", 1)[1], protocol="http", access_key_id=ALIBABA_KEY[0],
                           access_key_secret=ALIBABA_KEY[1], region_id="cn-shanghai"))

    def run() -> int:
        jobs: list[Any] = []
        token = None
        while True:
            body = client.list_smart_jobs(ListSmartJobsRequest(max_results=PAGE, next_token=token)).body
            jobs += body.smart_job_list or []
            token = body.next_token
            if not token:
                return len(jobs)

    return run


def _hook_tencent() -> Callable[[], int]:
    from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook

    hook = TencentCloudCIHook(harness.CONN_IDS["tencent"])
    return lambda: len(hook.list_jobs(tag="Translation", size=PAGE))


def _hook_ice() -> Callable[[], int]:
    from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook

    hook = AlibabaCloudMediaHook(harness.CONN_IDS["mts"])
    return lambda: len(hook.list_smart_jobs(page_size=PAGE))


def _time(run: Callable[[], int]) -> float:
    gc.collect()
    started = time.perf_counter()
    count = run()
    elapsed = time.perf_counter() - started
    if count != JOBS:
        raise AssertionError(f"listed {count} jobs, expected {JOBS}")
    return elapsed


def _peak_bytes(run: Callable[[], int]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run() -> list[dict[str, Any]]:
    """Measure both APIs, hook and SDK side by side; return one row per API."""
    harness.prepare_airflow_home()
    with harness.EmulatorProcess() as emulator:
        # The hooks' sync requests take tokens of the key pair's qps_budget (50 by default, 2 s for
        # these 100 pages); the SDKs have no such limit. The highest budget measures the hooks' own cost.
        harness.set_connections(emulator.url, qps_budget=QPS_BUDGET.high)
        # 10,000 finished jobs of each kind, a day old, in the connection's bucket and one tag.
        created = time.time() - 86400
        emulator.admin.create_jobs("tencent", JOBS, created=created, queue_s=1, run_s=1,
                                   bucket="examplebucket-1250000000", tag="Translation")
        emulator.admin.create_jobs("ice_smart", JOBS, created=created, queue_s=1, run_s=1, job_type="ASR")
        sides = {
            "Tencent CI GET /jobs": (_hook_tencent(), _sdk_tencent(emulator.url),
                                     "cos-python-sdk-v5 ci_list_media_jobs"),
            "ICE ListSmartJobs": (_hook_ice(), _sdk_ice(emulator.url), "tea SDK Client.list_smart_jobs"),
        }
        rows = []
        for api, (hook, sdk, sdk_name) in sides.items():
            hook(), sdk()  # warm both: connections, imports, first-use caches
            hook_times, sdk_times = [], []
            for _ in range(ROUNDS):
                hook_times.append(_time(hook))
                sdk_times.append(_time(sdk))
            hook_s, sdk_s = statistics.median(hook_times), statistics.median(sdk_times)
            rows.append({
                "api": api, "sdk": sdk_name, "jobs": JOBS, "rounds": ROUNDS,
                "hook_seconds": hook_s, "sdk_seconds": sdk_s, "time_ratio": hook_s / sdk_s,
                "hook_peak_mb": _peak_bytes(hook) / 2**20, "sdk_peak_mb": _peak_bytes(sdk) / 2**20,
            })
            row = rows[-1]
            print(f"  {api:<22} hook {hook_s:6.2f} s, SDK {sdk_s:6.2f} s, ratio {row['time_ratio']:.2f}; "
                  f"peak {row['hook_peak_mb']:.1f} MB vs {row['sdk_peak_mb']:.1f} MB", flush=True)
    return rows


if __name__ == "__main__":
    run()
    sys.exit(0)
