"""The shared poller: batching, single-flight, token bucket, cancellation and lifetime."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from airflow_provider_mediajobs.catalog.model import JobKind, Operation, Service, cannot_cancel
from airflow_provider_mediajobs.catalog.params import IdList, Str
from airflow_provider_mediajobs.exceptions import NotFoundError, ServerError
from airflow_provider_mediajobs.triggers.coalesce import SharedPoller, TokenBucket

SVC = Service("tencent", "ci")
GET_MANY = Operation("GetMany", SVC, "GET", params=(IdList("job_ids", "ids", max_items=50),))
GET_ONE = Operation("GetOne", SVC, "GET", params=(Str("job_id", "id"),))


def _pick(response: Any, job_id: str) -> Any:
    return next((j for j in response["jobs"] if j["JobId"] == job_id), None)


BATCH_KIND = JobKind(
    "batchy", GET_MANY, ("job_ids",), ("State",), frozenset({"Success"}), frozenset({"Failed"}),
    frozenset({"Running"}), cannot_cancel("a test kind"), extract=_pick, job_id_arg="job_ids",
)
SINGLE_KIND = JobKind(
    "single", GET_ONE, ("job_id",), ("State",), frozenset({"Success"}), frozenset({"Failed"}),
    frozenset({"Running"}), cannot_cancel("a test kind"),
)


class FakeClient:
    """Stands in for AsyncJobClient: records calls, answers from a dict of known jobs."""

    def __init__(self, known: set[str], fail: Exception | None = None, delay: float = 0.01) -> None:
        self.known = known
        self.fail = fail
        self.delay = delay
        self.calls: list[Any] = []
        self.closed = False

    async def call(self, operation: Operation, **arguments: Any) -> dict[str, Any]:
        self.calls.append(arguments)
        await asyncio.sleep(self.delay)
        if self.fail:
            raise self.fail
        ids = arguments["job_ids"]
        return {"jobs": [{"JobId": i, "State": "Running"} for i in ids if i in self.known]}

    async def get_job(self, kind: JobKind, **ids: Any) -> dict[str, Any]:
        self.calls.append(ids)
        await asyncio.sleep(self.delay)
        if ids["job_id"] not in self.known:
            raise NotFoundError("nope")
        return {"JobId": ids["job_id"], "State": "Running"}

    async def close(self) -> None:
        self.closed = True


def _poller(client: FakeClient, rate: float = 1000.0, batch: int = 50, window: float = 0.05) -> SharedPoller:
    return SharedPoller(client, TokenBucket(rate, burst=rate), batch, window)  # type: ignore[arg-type]


async def test_batches_many_waits_into_few_calls() -> None:
    ids = [f"j{i}" for i in range(120)]
    client = FakeClient(set(ids[:-1]))
    poller = _poller(client, batch=50)
    results = await asyncio.gather(*(poller.fetch(BATCH_KIND, {"job_ids": i}) for i in ids))
    assert len(client.calls) == 3  # 50 + 50 + 20
    assert sorted(len(c["job_ids"]) for c in client.calls) == [20, 50, 50]
    assert results[0] == {"JobId": "j0", "State": "Running"}
    assert results[-1] is None  # the vendor listed it as not existing


async def test_a_full_batch_goes_at_once_and_a_partial_one_waits_for_company() -> None:
    client = FakeClient({f"j{i}" for i in range(60)})
    poller = _poller(client, batch=50, window=0.5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    first = [asyncio.create_task(poller.fetch(BATCH_KIND, {"job_ids": f"j{i}"})) for i in range(55)]
    await asyncio.sleep(0.1)
    # The full batch was sent without waiting out the window; the 5 left over were not.
    assert [len(c["job_ids"]) for c in client.calls] == [50]
    # Late arrivals within the window join the partial batch instead of costing a call each.
    late = [asyncio.create_task(poller.fetch(BATCH_KIND, {"job_ids": f"j{i}"})) for i in range(55, 60)]
    await asyncio.gather(*first, *late)
    assert [len(c["job_ids"]) for c in client.calls] == [50, 10]
    assert loop.time() - started >= 0.5


async def test_duplicate_waits_share_one_slot_in_a_batch() -> None:
    client = FakeClient({"a"})
    poller = _poller(client)
    results = await asyncio.gather(*(poller.fetch(BATCH_KIND, {"job_ids": "a"}) for _ in range(10)))
    assert len(client.calls) == 1
    assert client.calls[0]["job_ids"] == ["a"]
    assert all(r == {"JobId": "a", "State": "Running"} for r in results)


async def test_batch_error_reaches_every_waiter_of_that_batch() -> None:
    client = FakeClient({"a", "b"}, fail=ServerError("boom"))
    poller = _poller(client)
    results = await asyncio.gather(
        poller.fetch(BATCH_KIND, {"job_ids": "a"}), poller.fetch(BATCH_KIND, {"job_ids": "b"}),
        return_exceptions=True,
    )
    assert all(isinstance(r, ServerError) for r in results)


async def test_cancelled_waiter_leaves_cleanly() -> None:
    client = FakeClient({"a", "b"}, delay=0.05)
    poller = _poller(client)
    doomed = asyncio.create_task(poller.fetch(BATCH_KIND, {"job_ids": "a"}))
    await asyncio.sleep(0)
    doomed.cancel()
    survivor = await poller.fetch(BATCH_KIND, {"job_ids": "b"})
    assert survivor == {"JobId": "b", "State": "Running"}
    assert doomed.cancelled()
    # The cancelled id was never asked for: it left before its batch was sent.
    assert all("a" not in c["job_ids"] for c in client.calls)


async def test_single_flight_shares_identical_waits() -> None:
    client = FakeClient({"x"})
    poller = _poller(client)
    results = await asyncio.gather(*(poller.fetch(SINGLE_KIND, {"job_id": "x"}) for _ in range(25)))
    assert len(client.calls) == 1
    assert results[0] == {"JobId": "x", "State": "Running"}
    assert await poller.fetch(SINGLE_KIND, {"job_id": "missing"}) is None


async def test_single_flight_survives_one_waiter_cancelled() -> None:
    client = FakeClient({"x"}, delay=0.05)
    poller = _poller(client)
    first = asyncio.create_task(poller.fetch(SINGLE_KIND, {"job_id": "x"}))
    second = asyncio.create_task(poller.fetch(SINGLE_KIND, {"job_id": "x"}))
    await asyncio.sleep(0.01)
    first.cancel()
    assert await second == {"JobId": "x", "State": "Running"}
    assert len(client.calls) == 1


async def test_token_bucket_spreads_calls() -> None:
    bucket = TokenBucket(rate=50.0, burst=1.0)
    start = time.monotonic()
    for _ in range(11):
        await bucket.acquire()
    elapsed = time.monotonic() - start
    # 10 waits of 1/50 s each at the least; an upper bound would be a timed assertion.
    assert elapsed >= 10 / 50 * 0.95
    assert bucket.acquired == 11


def test_token_bucket_refuses_nonsense_rate() -> None:
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(0)


async def test_close_closes_the_session() -> None:
    client = FakeClient({"a"})
    poller = _poller(client)
    await poller.fetch(BATCH_KIND, {"job_ids": "a"})
    await poller.close()
    assert client.closed


async def test_while_the_vendor_is_down_one_waiter_probes_and_an_answer_wakes_the_rest() -> None:
    client = FakeClient({"a"}, fail=ServerError("503", status=503))
    poller = _poller(client)
    with pytest.raises(ServerError):
        await poller.fetch(BATCH_KIND, {"job_ids": "a"})
    assert not poller.vendor_up
    probe = asyncio.create_task(poller.pause("probe", delay=60.0, probe_every=0.05))
    await asyncio.sleep(0)
    others = [asyncio.create_task(poller.pause(f"w{i}", delay=60.0, probe_every=0.05)) for i in range(20)]
    await asyncio.wait_for(probe, 5)  # the probe looks again after probe_every, not its 60 s backoff
    await asyncio.sleep(0.1)
    assert not any(task.done() for task in others)  # the others sleep on: the vendor is still down
    client.fail = None
    assert await poller.fetch(BATCH_KIND, {"job_ids": "a"}) is not None  # the probe's look is answered
    assert poller.vendor_up
    await asyncio.wait_for(asyncio.gather(*others), 5)  # and everybody wakes, long before 60 s
    assert poller.probes == 1


async def test_throttling_is_not_an_outage() -> None:
    from airflow_provider_mediajobs.exceptions import ThrottledError

    poller = _poller(FakeClient({"a"}, fail=ThrottledError("slow down")))
    with pytest.raises(ThrottledError):
        await poller.fetch(BATCH_KIND, {"job_ids": "a"})
    assert poller.vendor_up  # each waiter backs off on its own; the limiter slows everybody down


async def test_a_failed_answer_is_not_replayed_to_the_next_look() -> None:
    class FailsOnce(FakeClient):
        async def get_job(self, kind: JobKind, **ids: Any) -> dict[str, Any]:
            if not self.calls:
                self.calls.append(ids)
                raise ServerError("503", status=503)
            return await super().get_job(kind, **ids)

    client = FailsOnce({"x"})
    poller = _poller(client)
    with pytest.raises(ServerError):
        await poller.fetch(SINGLE_KIND, {"job_id": "x"})
    # Within the share window a success would be shared; a failure is not: the next look asks again.
    assert await poller.fetch(SINGLE_KIND, {"job_id": "x"}) == {"JobId": "x", "State": "Running"}
    assert len(client.calls) == 2
    assert poller.vendor_up
