"""The connection extras users tune, declared once: their defaults, bounds and help text.

The connection forms (Airflow 3.3's ``conn-fields`` and 3.1's widgets, both from
``get_provider_info()``) show them, and :class:`~airflow_provider_mediajobs.hooks.base.ConnectionFields`
checks them against the same bounds when a connection is read.
"""

from __future__ import annotations

from typing import Any, NamedTuple

# Imported by get_provider_info(), which Airflow calls while it starts: nothing here may import
# Airflow, or this provider's modules that do.

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_TOTAL_TIMEOUT = 60.0
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
MIN_RESPONSE_BYTES = 1024
"""Below this no vendor error body fits (the provider's own bound, not a vendor's)."""
MAX_RESPONSE_BYTES = 1 << 30

DEFAULT_QPS_BUDGET = 50.0
"""Half of the 100 QPS per account MTS documents for QueryIProductionJob and SubmitIProductionJob
(MTS API pages): room for other clients of the same account. Tencent documents no QPS limit."""
DEFAULT_BATCH_WINDOW = 1.0
"""Seconds an id waits for company before a partial batch is sent (extra ``batch_window``)."""
MAX_BATCH_SIZE = 10
"""The most ids any batched vendor call here takes: Tencent ``GET /jobs/{ids}`` (DescribeMediaJob
page) and MTS ``QueryJobList`` (SDK docstring) both stop at 10. Each vendor's catalog states its
own cap (``MAX_IDS_PER_CALL``); a test checks this bound is not above them."""


def number_text(value: float) -> str:
    """``16777216`` rather than ``1.67772e+07``; ``0.1`` as is."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class Tunable(NamedTuple):
    """One numeric extra.

    :param name: the extra's key.
    :param label: the form's label.
    :param description: the form's help text (the bounds are added to it).
    :param default: used when the extra is unset or empty.
    :param low: the smallest accepted value.
    :param high: the largest accepted value.
    :param integer: whole numbers only.
    """

    name: str
    label: str
    description: str
    default: float
    low: float
    high: float
    integer: bool = False

    def help(self) -> str:
        """The description with the bounds and the default, as the form shows it."""
        low, high, default = (number_text(v) for v in (self.low, self.high, self.default))
        return f"{self.description} {low} to {high}; default {default}."

    def conn_field(self) -> dict[str, Any]:
        """The ``conn-fields`` entry: a number input with its bounds (null: the default)."""
        kind = "integer" if self.integer else "number"
        return {
            "label": self.label,
            "description": self.help(),
            "schema": {"type": [kind, "null"], "default": self.default, "minimum": self.low, "maximum": self.high},
        }


CONNECT_TIMEOUT = Tunable("connect_timeout", "Connect timeout (s)", "Seconds to open a connection.",
                          DEFAULT_CONNECT_TIMEOUT, 0.1, 300)
READ_TIMEOUT = Tunable("read_timeout", "Read timeout (s)", "Seconds to wait for the next bytes of an answer.",
                       DEFAULT_READ_TIMEOUT, 0.1, 600)
TOTAL_TIMEOUT = Tunable("total_timeout", "Total timeout (s)",
                        "Seconds one attempt may take in all, however the server trickles its answer.",
                        DEFAULT_TOTAL_TIMEOUT, 0.1, 3600)
MAX_RESPONSE = Tunable("max_response_bytes", "Largest answer (bytes)",
                       "A larger answer is refused without being read into memory.",
                       float(DEFAULT_MAX_RESPONSE_BYTES), float(MIN_RESPONSE_BYTES), float(MAX_RESPONSE_BYTES),
                       integer=True)
QPS_BUDGET = Tunable("qps_budget", "QPS budget",
                     "Requests per second, retries included, one process (a triggerer's waits, a worker's "
                     "tasks) makes with this key pair at most (less while the vendor throttles); with a "
                     "shared budget in Redis, every process together.",
                     DEFAULT_QPS_BUDGET, 0.1, 10000)
BATCH_SIZE = Tunable("batch_size", "Batch size",
                     "Most job ids one batched status call asks for (the vendor takes at most 10).",
                     float(MAX_BATCH_SIZE), 1, float(MAX_BATCH_SIZE), integer=True)
BATCH_WINDOW = Tunable("batch_window", "Batch window (s)",
                       "Seconds a wait may be held back so that its status call carries other ids too.",
                       DEFAULT_BATCH_WINDOW, 0.0, 30.0)



class Choice(NamedTuple):
    """One extra taking one of a few words.

    :param name: the extra's key.
    :param label: the form's label.
    :param description: the form's help text.
    :param values: the accepted words.
    :param default: used when the extra is unset or empty.
    """

    name: str
    label: str
    description: str
    values: tuple[str, ...]
    default: str

    def conn_field(self) -> dict[str, Any]:
        """The ``conn-fields`` entry: a choice among :attr:`values` (null: the default)."""
        return {
            "label": self.label,
            "description": f"{self.description} Default {self.default}.",
            "schema": {"type": ["string", "null"], "enum": list(self.values), "default": self.default},
        }


LIST_SWEEPS = Choice("list_sweeps", "List sweeps",
                     "auto: deferred waits of a kind the vendor lists (ICE smart jobs, IMM tasks, Tencent CI "
                     "jobs) are answered by list pages whenever that takes fewer requests than looking at "
                     "each job; off: each job is looked at directly.",
                     ("auto", "off"), "auto")

CHOICES: tuple[Choice, ...] = (LIST_SWEEPS,)

TUNABLES: tuple[Tunable, ...] = (
    QPS_BUDGET, BATCH_SIZE, BATCH_WINDOW, CONNECT_TIMEOUT, READ_TIMEOUT, TOTAL_TIMEOUT, MAX_RESPONSE,
)

QPS_BUDGET_REDIS_URL = "qps_budget_redis_url"
"""The extra naming the Redis that holds a key pair's shared, exact ``qps_budget``."""
SHARED_BUDGET_FIELD: dict[str, Any] = {
    "label": "Shared QPS budget (Redis URL)",
    "description": "Optional: redis://[:password@]host[:port][/db] (or rediss://). Every triggerer and worker "
    "whose connection for this key pair names the same Redis draws from one qps_budget there, retries "
    "included, instead of one budget each. Needs the provider's redis extra; masked in logs.",
    # A password field: the URL may carry the Redis password.
    "schema": {"type": ["string", "null"], "format": "password"},
}
