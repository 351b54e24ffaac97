"""A client of the emulator's admin API (``/_emulator/``), for tests, scripts and benchmarks.

Standard library only (no aiohttp, no Airflow), so it is cheap to import::

    admin = EmulatorAdmin(url)
    job_id = admin.create_job("mts", queue_s=0, run_s=0)["job_id"]
    admin.add_fault("503", rate=0.3)
    admin.counters()["requests"]

Each method sends one admin call and returns the server's JSON answer. What the routes accept, and
their defaults, are the server's (``server.ADMIN_ROUTES``); a field left out here is not sent. A call
the server refuses raises :class:`EmulatorAdminError`, which carries the server's answer.
"""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

ADMIN_PATH = "/_emulator/"
DEFAULT_TIMEOUT = 60.0  # seconds; creating 100,000 jobs in one call takes a while


def admin_url(url: str, action: str) -> str:
    """The URL of admin ``action`` (``jobs``, ``counters``...) on the emulator at ``url``."""
    return f"{url.rstrip('/')}{ADMIN_PATH}{action}"


class EmulatorAdminError(urllib.error.HTTPError):
    """The admin API answered an HTTP error. ``code`` is its status, ``answer`` its text, and
    ``str()`` names the call and the answer. An ``HTTPError``, so ``read()`` gives the body again."""

    def __init__(self, method: str, url: str, err: urllib.error.HTTPError) -> None:
        body = err.read()
        self.answer = body.decode("utf-8", "replace")
        super().__init__(url, err.code, f"{method} {url}: {self.answer or err.reason}", err.headers, io.BytesIO(body))


class EmulatorAdmin:
    """The admin API of the emulator at ``url``.

    :param url: the emulator's base URL (``http://127.0.0.1:PORT``).
    :param timeout: seconds each call may take.
    """

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = url
        self.timeout = timeout

    def call(self, method: str, action: str, body: Mapping[str, Any] | bytes | None = None) -> Any:
        """Send ``method`` to ``action`` with ``body`` (a JSON object, raw bytes, or none); return
        the JSON answer.

        :raises EmulatorAdminError: the server answered an HTTP error.
        """
        data = body if isinstance(body, bytes) or body is None else json.dumps(dict(body)).encode()
        url = admin_url(self.url, action)
        request = urllib.request.Request(  # noqa: S310 - the caller's emulator, plain HTTP on loopback
            url, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            raise EmulatorAdminError(method, url, err) from None

    # -- jobs ---------------------------------------------------------------------------------------
    def create_job(self, kind: str, **fields: Any) -> dict[str, Any]:
        """``POST jobs``: one job of ``kind`` with ``fields`` (``queue_s``, ``run_s``, ``succeed``,
        ``created`` and the kind's attributes); returns ``job_id``, ``done_at``, ``attributes``."""
        answer: dict[str, Any] = self.call("POST", "jobs", {"kind": kind, **fields})
        return answer

    def create_jobs(self, kind: str, count: int, **fields: Any) -> dict[str, Any]:
        """``POST jobs`` with ``count``: alike jobs; returns ``job_ids``, ``done_at``, ``attributes``."""
        return self.create_job(kind, count=count, **fields)

    def set_state(self, job_id: str, state: str | None) -> dict[str, Any]:
        """``POST jobs/{id}/state``: pin a job's state (``None`` releases it)."""
        answer: dict[str, Any] = self.call("POST", f"jobs/{job_id}/state", {"state": state})
        return answer

    # -- faults, limits, credentials, clock ---------------------------------------------------------
    def add_fault(self, kind: str, rate: float = 1.0, operation: str | None = None) -> dict[str, Any]:
        """``POST faults``: inject fault ``kind`` into a share ``rate`` of requests (of ``operation``
        only, when given)."""
        body: dict[str, Any] = {"kind": kind, "rate": rate}
        if operation is not None:
            body["operation"] = operation
        answer: dict[str, Any] = self.call("POST", "faults", body)
        return answer

    def clear_faults(self) -> dict[str, Any]:
        """``DELETE faults``: remove every fault."""
        answer: dict[str, Any] = self.call("DELETE", "faults")
        return answer

    def set_qps(self, limit: float | None) -> dict[str, Any]:
        """``POST qps``: throttle each key above ``limit`` requests a second (``None``: no limit)."""
        answer: dict[str, Any] = self.call("POST", "qps", {"limit": limit})
        return answer

    def issue_sts(self, vendor: str | None = None, ttl: float | None = None,
                  key_id: str | None = None) -> dict[str, Any]:
        """``POST sts``: an STS token; returns ``token``, ``key_id``, ``secret``. Left out, the
        server's defaults apply."""
        fields = {"vendor": vendor, "ttl": ttl, "key_id": key_id}
        answer: dict[str, Any] = self.call("POST", "sts", {k: v for k, v in fields.items() if v is not None})
        return answer

    def set_clock(self, offset: float | None = None, skew_limit: float | None = None) -> dict[str, Any]:
        """``POST clock``: shift the emulator's clock by ``offset`` seconds and/or change the
        allowed skew; returns both."""
        fields = {"offset": offset, "skew_limit": skew_limit}
        answer: dict[str, Any] = self.call("POST", "clock", {k: v for k, v in fields.items() if v is not None})
        return answer

    # -- counters, reset ----------------------------------------------------------------------------
    def counters(self) -> dict[str, int]:
        """``GET counters``: ``requests``, ``op:<name>``, ``status:<code>``, ``throttled``, ``fault:<kind>``."""
        answer: dict[str, int] = self.call("GET", "counters")
        return answer

    def reset(self, seed_jobs: int | None = None) -> dict[str, Any]:
        """``POST reset``: forget jobs, faults, limits and counters, and seed again."""
        answer: dict[str, Any] = self.call("POST", "reset", {} if seed_jobs is None else {"seed_jobs": seed_jobs})
        return answer
