"""The key pair's request limiter: every attempt takes a token, and the rate follows the vendor."""

from __future__ import annotations

import pytest

from airflow_provider_mediajobs.exceptions import ThrottledError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.base import AsyncJobClient
from airflow_provider_mediajobs.quota import AdaptiveLimiter, limiter_for
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.transport import RetryPolicy


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_throttling_answer_lowers_the_rate_once_per_cooldown() -> None:
    clock = Clock()
    limiter = AdaptiveLimiter(50.0, clock=clock)
    limiter.answered(throttled=True)
    assert limiter.rate == pytest.approx(35.0)
    limiter.answered(throttled=True)  # an answer to the same burst: no second decrease
    assert limiter.rate == pytest.approx(35.0)
    clock.now += 1.0
    limiter.answered(throttled=True)
    assert limiter.rate == pytest.approx(24.5)
    assert (limiter.throttled, limiter.decreases) == (3, 2)


def test_answers_without_throttling_raise_the_rate_slowly_to_the_ceiling() -> None:
    clock = Clock()
    limiter = AdaptiveLimiter(50.0, clock=clock)
    limiter.answered(throttled=True)
    clock.now += 1.0
    limiter.answered(throttled=False)  # the first answer after the cooldown starts the climb
    start = limiter.rate
    clock.now += 1.0
    limiter.answered(throttled=False)
    assert limiter.rate == pytest.approx(start + 50.0 * limiter.increase)  # +2% of the ceiling per second
    clock.now += 1000.0
    limiter.answered(throttled=False)
    assert limiter.rate == 50.0


def test_the_rate_never_falls_below_the_floor() -> None:
    clock = Clock()
    limiter = AdaptiveLimiter(50.0, clock=clock)
    for _ in range(100):
        clock.now += 1.0
        limiter.answered(throttled=True)
    assert limiter.rate == limiter.floor > 0


async def test_one_limiter_per_key_pair_and_loop_and_the_lowest_budget_wins() -> None:
    first = limiter_for("alibaba_cloud_media:AK1", 50.0)
    assert limiter_for("alibaba_cloud_media:AK1", 80.0) is first
    assert first.ceiling == 50.0
    assert limiter_for("alibaba_cloud_media:AK1", 20.0).ceiling == 20.0
    assert limiter_for("alibaba_cloud_media:AK2", 50.0) is not first


async def test_every_attempt_takes_a_token_retries_included(mediajobs_connections: EmulatorHandle) -> None:
    mediajobs_connections.admin("POST", "faults", {"kind": "throttling", "rate": 1.0})
    client = await AsyncJobClient.create(AlibabaCloudMediaHook.api, "alibaba_cloud_media_default",
                                         retry_policy=RetryPolicy(attempts=3, initial=0.01, max_wait=0.02))
    limiter = client.limiter
    assert isinstance(limiter, AdaptiveLimiter)
    before = (limiter.acquired, limiter.throttled, mediajobs_connections.counters().get("requests", 0))
    try:
        with pytest.raises(ThrottledError):
            await client.call("QueryIProductionJob", job_id="j1")
    finally:
        await client.close()
    after = (limiter.acquired, limiter.throttled, mediajobs_connections.counters().get("requests", 0))
    # Three attempts: three tokens, three throttling answers reported, three requests sent.
    assert [a - b for a, b in zip(after, before, strict=True)] == [3, 3, 3]
    assert limiter.rate < limiter.ceiling


async def test_the_shared_poller_and_a_lone_trigger_of_one_key_pair_share_a_limiter(
    mediajobs_connections: EmulatorHandle,
) -> None:
    from airflow_provider_mediajobs.triggers import coalesce

    poller = await coalesce.acquire(AlibabaCloudMediaHook.api, "alibaba_cloud_media_default")
    lone = await AsyncJobClient.create(AlibabaCloudMediaHook.api, "alibaba_cloud_media_default")
    try:
        assert poller.client.limiter is lone.limiter is poller.bucket
    finally:
        await lone.close()
        await coalesce.release(poller)
