"""Sans-I/O paging: decides the next request and what to yield, the senders only send.

The sync hook and the async client drive the same :class:`Pager`, so every stop rule (empty or
repeated token, short page, total reached, ``max_items``) lives here once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_mediajobs.catalog.model import Operation, dig
from airflow_provider_mediajobs.catalog.params import invalid
from airflow_provider_mediajobs.exceptions import BadResponseError


class Pager:
    """Walk the pages of a listing operation.

    :param operation: a catalog operation with ``paging``.
    :param wire: the bound first-page parameters.
    :param max_items: stop after this many items (None: all).
    """

    def __init__(self, operation: Operation, wire: Mapping[str, str], max_items: int | None = None) -> None:
        if operation.paging is None:
            raise invalid("operation", f"a listing operation ({operation.name} does not page)", operation.name)
        if max_items is not None and (
            not isinstance(max_items, int) or isinstance(max_items, bool) or max_items < 1
        ):
            raise invalid("max_items", "a positive integer or None", max_items)
        self.operation = operation
        self.paging = operation.paging
        self.max_items = max_items
        self._params = dict(wire)
        self._seen_tokens: set[str] = set()
        self.count = 0
        self.pages = 0
        self.done = False

    def next_params(self) -> dict[str, str] | None:
        """The wire parameters of the next page, or None when the listing is over."""
        return None if self.done else dict(self._params)

    def feed(self, page: Mapping[str, Any]) -> list[Any]:
        """Take one parsed page; return its items (cut to ``max_items``) and plan the next.

        :raises BadResponseError: the page has no list where the vendor puts one.
        """
        # A path where the vendor nests the list (MTS ListJob: JobList/Job).
        items = dig(page, self.paging.items.split("/"))
        if items is None:
            items = []
        if not isinstance(items, list):
            raise BadResponseError(
                f"{self.operation.name} answered {self.paging.items} as {type(items).__name__}, not a list"
            )
        self.pages += 1
        if self.max_items is not None:
            items = items[: self.max_items - self.count]
        self.count += len(items)
        if not items or (self.max_items is not None and self.count >= self.max_items):
            self.done = True
        elif self.paging.style == "token":
            self._plan_token(page)
        else:
            self._plan_page(page, len(items))
        return items

    def _plan_token(self, page: Mapping[str, Any]) -> None:
        token = page.get(self.paging.token_key)
        # A token seen before would loop forever; an empty one marks the last page.
        if not isinstance(token, str | int) or str(token) == "" or str(token) in self._seen_tokens:
            self.done = True
            return
        self._seen_tokens.add(str(token))
        self._params[self.paging.token_param] = str(token)

    def _plan_page(self, page: Mapping[str, Any], got: int) -> None:
        number = int(self._params.get(self.paging.page_param, "1"))
        size = int(self._params.get(self.paging.size_param, "10"))
        total = page.get(self.paging.total_key)
        try:
            total_count = int(total) if total is not None else None
        except (TypeError, ValueError):
            total_count = None
        if got < size or (total_count is not None and number * size >= total_count):
            self.done = True
            return
        self._params[self.paging.page_param] = str(number + 1)
