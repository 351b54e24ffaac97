"""What differs between the Airflow minors this provider supports (3.1, 3.2, 3.3), in one place.

Each name is imported from where the newest Airflow keeps it, falling back to where the older
ones do; the features only newer minors have are probed here too, so the rest of the provider
asks one question ("does this Airflow have it?") instead of catching ``ImportError`` itself.
``docs/airflow-versions.md`` says what each minor gets.
"""

from __future__ import annotations

import sys
from typing import Any

import airflow.sdk
from airflow.sdk.exceptions import AirflowException

try:  # Airflow 3.2 moved these task exceptions into the Task SDK too (3.1: airflow.exceptions).
    from airflow.sdk.exceptions import AirflowFailException, AirflowSensorTimeout, AirflowSkipException, TaskDeferred
except ImportError:  # pragma: no cover - Airflow 3.1
    from airflow.exceptions import (  # type: ignore[no-redef,attr-defined,unused-ignore]
        AirflowFailException,
        AirflowSensorTimeout,
        AirflowSkipException,
        TaskDeferred,
    )

try:  # Airflow 3.3+: a retried task reattaches to the job its earlier try submitted.
    from airflow.sdk import ResumableJobMixin

    HAS_RESUMABLE_JOBS = True
except ImportError:  # pragma: no cover - Airflow 3.1 / 3.2
    ResumableJobMixin = None  # type: ignore[assignment,misc]
    HAS_RESUMABLE_JOBS = False

# Airflow 3.3+: task retry policies (AIP-105, a task's retry_policy=). Asked of airflow.sdk's public
# names, not imported: their module takes about 2 ms to import, which every DAG importing this
# provider would pay; airflow_provider_mediajobs.retries imports them, for the DAGs that use it.
HAS_RETRY_POLICIES = "RetryPolicy" in getattr(airflow.sdk, "__all__", ())


def airflow_version() -> str:
    """The running Airflow's version string."""
    from airflow import __version__

    return str(__version__)


def poke_return_value(done: bool, value: Any) -> Any:
    """A sensor's ``PokeReturnValue`` (its module moved between minors)."""
    try:
        from airflow.sdk import PokeReturnValue
    except ImportError:  # pragma: no cover - older layouts
        from airflow.sdk.bases.sensor import PokeReturnValue
    return PokeReturnValue(done, value)


def airflow_stats() -> Any:
    """Airflow's ``Stats`` (``incr``, ``timing``...), set up to send what ``[metrics]`` configures.

    Airflow 3.2 and 3.3 keep it in the Task SDK (``airflow.sdk.observability.stats``); 3.1 in
    ``airflow.stats``, which 3.2 and 3.3 deprecate. Each Airflow component sets it up when it starts
    (3.3 whenever ``airflow.sdk`` is imported), but 3.2's triggerer sets up the core's own copy
    (``airflow.observability.stats``) only, and a process that imports the SDK's before anything set
    it up sends nothing through it. So it is set up here when nothing did, from the same
    ``[metrics]`` options and with Airflow's own factory, as the OpenLineage provider does in its
    executor's processes. Imported on first use: DAG parsing never pays for it.
    """
    try:
        from airflow.sdk.observability.stats import Stats
    except ImportError:  # pragma: no cover - Airflow 3.1 sets its Stats up from [metrics] on first use
        from airflow.stats import Stats

        return Stats
    from airflow.sdk.observability.metrics import stats_utils

    state = sys.modules[Stats.__module__]
    if hasattr(state, "_factory"):  # 3.3: the factory is module state, None until set up
        if state._factory is None:
            from airflow.configuration import conf

            Stats.initialize(factory=stats_utils.get_stats_factory(),
                             export_legacy_names=conf.getboolean("metrics", "legacy_names_on", fallback=True))
    else:  # pragma: no cover - 3.2: a class attribute, None (or NoStatsLogger once used) until set up
        from airflow.sdk._shared.observability.metrics.base_stats_logger import NoStatsLogger

        if getattr(Stats, "factory", None) in (None, NoStatsLogger):
            Stats.initialize(factory=stats_utils.get_stats_factory(Stats))
    return Stats


__all__ = [
    "HAS_RESUMABLE_JOBS",
    "HAS_RETRY_POLICIES",
    "AirflowException",
    "AirflowFailException",
    "AirflowSensorTimeout",
    "AirflowSkipException",
    "ResumableJobMixin",
    "TaskDeferred",
    "airflow_stats",
    "airflow_version",
    "poke_return_value",
]
