"""Paging for the caller: NextToken and PageNo styles, every stop rule, max_items, laziness."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests_mock

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.catalog.paging import Pager
from airflow_provider_mediajobs.exceptions import BadResponseError, MediaJobsValidationError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.transport import RetryPolicy


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> AlibabaCloudMediaHook:
    conn = {"conn_type": "alibaba_cloud_media", "login": "LTAIpagingKEY", "password": "paging-secret-1"}
    monkeypatch.setenv("AIRFLOW_CONN_ALI_PAGING", json.dumps(conn))
    return AlibabaCloudMediaHook("ali_paging", retry_policy=RetryPolicy(attempts=1))


@pytest.fixture
def http() -> Iterator[requests_mock.Mocker]:
    with requests_mock.Mocker() as mocker:
        yield mocker


Pages = Callable[[list[dict[str, Any]]], None]


@pytest.fixture
def pages(http: requests_mock.Mocker) -> Pages:
    def serve(bodies: list[dict[str, Any]]) -> None:
        http.register_uri(requests_mock.ANY, requests_mock.ANY, [{"json": b} for b in bodies])

    return serve


def sent(http: requests_mock.Mocker) -> list[dict[str, str]]:
    return [dict(parse_qsl(urlsplit(r.url).query, keep_blank_values=True)) for r in http.request_history]


def jobs(*ids: str) -> list[dict[str, str]]:
    return [{"JobId": i} for i in ids]


def test_next_token_paging_follows_the_token_until_it_is_empty(
    hook: AlibabaCloudMediaHook, http: requests_mock.Mocker, pages: Pages
) -> None:
    pages([
        {"SmartJobList": jobs("a", "b"), "NextToken": "t1"},
        {"SmartJobList": jobs("c", "d"), "NextToken": "t 2/+"},
        {"SmartJobList": jobs("e"), "NextToken": ""},
        {"SmartJobList": jobs("never")},
    ])
    got = hook.list_smart_jobs(job_state="Finished", page_size=2)
    assert [j["JobId"] for j in got] == ["a", "b", "c", "d", "e"]
    queries = sent(http)
    assert [q.get("NextToken") for q in queries] == [None, "t1", "t 2/+"]
    assert all(q["JobState"] == "Finished" and q["MaxResults"] == "2" for q in queries)


def test_a_missing_token_ends_the_listing(hook: AlibabaCloudMediaHook, http: requests_mock.Mocker,
                                          pages: Pages) -> None:
    pages([{"Tasks": [{"TaskId": "1"}]}, {"Tasks": [{"TaskId": "never"}]}])
    assert hook.list_tasks(project_name="p") == [{"TaskId": "1"}]
    assert http.call_count == 1


def test_a_repeated_token_ends_the_listing(hook: AlibabaCloudMediaHook, http: requests_mock.Mocker,
                                           pages: Pages) -> None:
    pages([
        {"Tasks": [{"TaskId": "1"}], "NextToken": "same"},
        {"Tasks": [{"TaskId": "2"}], "NextToken": "same"},
        {"Tasks": [{"TaskId": "never"}], "NextToken": "other"},
    ])
    assert [t["TaskId"] for t in hook.list_tasks(project_name="p")] == ["1", "2"]
    assert http.call_count == 2
    assert [q.get("NextToken") for q in sent(http)] == [None, "same"]


def test_an_empty_page_ends_the_listing(hook: AlibabaCloudMediaHook, http: requests_mock.Mocker,
                                        pages: Pages) -> None:
    pages([{"SmartJobList": [], "NextToken": "t1"}, {"SmartJobList": jobs("never")}])
    assert hook.list_smart_jobs() == []
    assert http.call_count == 1


def test_page_number_paging_stops_on_a_short_page(hook: AlibabaCloudMediaHook, http: requests_mock.Mocker,
                                                  pages: Pages) -> None:
    pages([
        {"JobList": jobs("a", "b"), "PageNo": 1},
        {"JobList": jobs("c", "d"), "PageNo": 2},
        {"JobList": jobs("e"), "PageNo": 3},
        {"JobList": jobs("never")},
    ])
    got = hook.list_live_snapshot_jobs(page_size=2, status="started")
    assert [j["JobId"] for j in got] == ["a", "b", "c", "d", "e"]
    assert [q.get("PageNo") for q in sent(http)] == [None, "2", "3"]
    assert all(q["PageSize"] == "2" and q["Status"] == "started" for q in sent(http))


def test_page_number_paging_stops_when_total_count_is_reached(
    hook: AlibabaCloudMediaHook, http: requests_mock.Mocker, pages: Pages
) -> None:
    pages([
        {"JobList": jobs("a", "b"), "TotalCount": 4},
        {"JobList": jobs("c", "d"), "TotalCount": 4},
        {"JobList": jobs("never")},
    ])
    assert len(hook.list_live_snapshot_jobs(page_size=2)) == 4
    assert http.call_count == 2


def test_page_number_paging_with_the_vendor_default_size(hook: AlibabaCloudMediaHook, http: requests_mock.Mocker,
                                                         pages: Pages) -> None:
    pages([{"JobList": jobs(*map(str, range(10))), "TotalCount": "11"}, {"JobList": jobs("x")}])
    assert len(hook.list_live_snapshot_jobs()) == 11
    assert [q.get("PageNo") for q in sent(http)] == [None, "2"]


@pytest.mark.parametrize(("max_items", "requests_made"), [(1, 1), (2, 1), (3, 2), (4, 2), (100, 3)])
def test_max_items_is_honoured_without_an_extra_request(
    hook: AlibabaCloudMediaHook, http: requests_mock.Mocker, pages: Pages, max_items: int, requests_made: int
) -> None:
    pages([
        {"SmartJobList": jobs("a", "b"), "NextToken": "t1"},
        {"SmartJobList": jobs("c", "d"), "NextToken": "t2"},
        {"SmartJobList": jobs("e"), "NextToken": ""},
    ])
    got = hook.list_smart_jobs(max_items=max_items)
    assert [j["JobId"] for j in got] == ["a", "b", "c", "d", "e"][:max_items]
    assert http.call_count == requests_made


def test_max_items_with_page_numbers(hook: AlibabaCloudMediaHook, http: requests_mock.Mocker, pages: Pages) -> None:
    pages([{"JobList": jobs("a", "b")}, {"JobList": jobs("c", "d")}, {"JobList": jobs("never")}])
    assert len(hook.list_live_snapshot_jobs(page_size=2, max_items=4)) == 4
    assert http.call_count == 2


def test_iteration_is_lazy(hook: AlibabaCloudMediaHook, http: requests_mock.Mocker, pages: Pages) -> None:
    pages([
        {"SmartJobList": jobs("a"), "NextToken": "t1"},
        {"SmartJobList": jobs("b"), "NextToken": "t2"},
        {"SmartJobList": jobs("c"), "NextToken": ""},
    ])
    iterator = iter(hook.iter_smart_jobs(page_size=1))
    assert http.call_count == 0
    assert next(iterator) == jobs("a")
    assert http.call_count == 1
    assert next(iterator) == jobs("b")
    assert http.call_count == 2
    assert next(iterator) == jobs("c")
    with pytest.raises(StopIteration):
        next(iterator)
    assert http.call_count == 3


def test_iter_pages_of_imm_and_live_snapshots_are_lazy(hook: AlibabaCloudMediaHook, http: requests_mock.Mocker,
                                                       pages: Pages) -> None:
    pages([{"Tasks": [{"TaskId": "1"}], "NextToken": "t"}, {"Tasks": [{"TaskId": "2"}]}])
    iterator = iter(hook.iter_tasks(project_name="p"))
    assert http.call_count == 0
    next(iterator)
    assert http.call_count == 1
    pages([{"JobList": jobs("a", "b")}, {"JobList": jobs("c")}])
    iterator = iter(hook.iter_live_snapshot_jobs(page_size=2))
    before = http.call_count
    next(iterator)
    assert http.call_count == before + 1


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "3"])
def test_bad_max_items_is_refused_before_any_request(hook: AlibabaCloudMediaHook, http: requests_mock.Mocker,
                                                     bad: Any) -> None:
    with pytest.raises(MediaJobsValidationError, match="max_items"):
        hook.list_smart_jobs(max_items=bad)
    assert http.call_count == 0


def test_items_that_are_not_a_list_are_a_bad_response(hook: AlibabaCloudMediaHook, pages: Pages) -> None:
    pages([{"SmartJobList": {"JobId": "a"}}])
    with pytest.raises(BadResponseError, match="SmartJobList"):
        hook.list_smart_jobs()


def test_pager_is_sans_io_and_refuses_operations_that_do_not_page() -> None:
    with pytest.raises(ValueError, match="does not page"):
        Pager(cat.GET_TASK, {})
    pager = Pager(cat.LIST_TASKS, {"ProjectName": "p"}, max_items=3)
    assert pager.next_params() == {"ProjectName": "p"}
    assert pager.feed({"Tasks": [1, 2], "NextToken": "n"}) == [1, 2]
    assert pager.next_params() == {"ProjectName": "p", "NextToken": "n"}
    assert pager.feed({"Tasks": [3, 4], "NextToken": "m"}) == [3]
    assert pager.next_params() is None
    assert (pager.count, pager.pages) == (3, 2)
