"""DAG-parse cost: what importing the provider's operators and sensors adds to ``import airflow.sdk``.

Measured with ``python -X importtime`` in fresh interpreters: after ``airflow.sdk`` and its base
classes are loaded, the cumulative import time of the provider's top-level modules (everything
they pull in that was not loaded yet is inside that figure). The difference of two interpreters'
totals would drown this in noise: ``airflow.sdk`` alone takes seconds and varies by a hundred
milliseconds between runs. The figure is the median over several rounds, measured with bytecode
caches written (as in any installed deployment), not while compiling sources.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

BASELINE = "import airflow.sdk\nfrom airflow.sdk import DAG, BaseOperator, BaseSensorOperator\n"

PROVIDER = BASELINE + textwrap.dedent(
    """
    from airflow_provider_mediajobs.operators.alibaba import (
        IceGetSmartHandleJobOperator, IceListLiveSnapshotJobsOperator, IceListSmartJobsOperator,
        ImmGetTaskOperator, ImmListTasksOperator, MtsQueryIProductionJobOperator,
        MtsSubmitIProductionJobOperator,
    )
    from airflow_provider_mediajobs.operators.tencent import (
        TencentCIGetJobsOperator, TencentCIListJobsOperator, TencentCISubmitJobOperator,
    )
    from airflow_provider_mediajobs.sensors.alibaba import IceSmartJobSensor, ImmTaskSensor, MtsIProductionJobSensor
    from airflow_provider_mediajobs.sensors.tencent import TencentCIJobSensor
    """
)

# Modules that must stay out of DAG parsing: heavy, and only needed when a task runs.
LAZY = ("aiohttp", "defusedxml", "requests", "airflow_provider_mediajobs.emulator")


def _import_times(code: str, env: dict[str, str] | None = None) -> list[tuple[str, int, bool]]:
    """``(module, cumulative microseconds, imported at top level)`` for each import ``code`` makes."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True,
        env=env or _ENV,
    )
    rows = []
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            rows.append((match.group(4), int(match.group(2)), len(match.group(3)) == 1))
    return rows


def _cumulative_us(code: str) -> tuple[int, set[str]]:
    """Total import time of ``code`` (its top-level imports cover the rest) and its modules."""
    rows = _import_times(code)
    return sum(us for _, us, top in rows if top), {m for m, _, _ in rows}


def _provider_us(code: str, env: dict[str, str] | None = None) -> tuple[int, set[str]]:
    """Cumulative time of the provider's own top-level imports in ``code``, and all modules."""
    rows = _import_times(code, env)
    total = sum(us for m, us, top in rows if top and m.startswith("airflow_provider_mediajobs"))
    return total, {m for m, _, _ in rows}


# An installed deployment imports from bytecode (.pyc); with PYTHONDONTWRITEBYTECODE set (as on
# some CI machines) every run would compile the sources again and measure the compiler instead.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(rounds: int = 7) -> dict[str, object]:
    """Median milliseconds the provider adds, the baseline for context, and leaked lazy modules."""
    # One unmeasured round writes the bytecode caches, as installing or a first parse would.
    _import_times(PROVIDER)
    base_runs, prov_runs = [], []
    leaked: set[str] = set()
    for _ in range(rounds):
        base, base_mods = _cumulative_us(BASELINE)
        prov, prov_mods = _provider_us(PROVIDER)
        base_runs.append(base)
        prov_runs.append(prov)
        leaked |= {m for m in prov_mods - base_mods if m.split(".")[0] in LAZY or m in LAZY}
    return {
        "baseline_ms": statistics.median(base_runs) / 1000,
        "provider_adds_ms": statistics.median(prov_runs) / 1000,
        "with_provider_ms": (statistics.median(base_runs) + statistics.median(prov_runs)) / 1000,
        "provider_adds_ms_max": max(prov_runs) / 1000,
        "lazy_modules_imported": sorted(leaked),
        "rounds": rounds,
    }


def compare(rev: str, rounds: int = 21) -> dict[str, float]:
    """Median milliseconds the provider adds at ``rev`` and in this tree, measured alternately in
    one run (each from its own source tree), so that both see the same machine."""
    from benchmarks.quota import ROOT, baseline_tree

    with baseline_tree(rev) as old:
        envs = {rev: dict(_ENV, PYTHONPATH=str(old)), "this tree": dict(_ENV, PYTHONPATH=str(ROOT))}
        for env in envs.values():
            _import_times(PROVIDER, env)  # bytecode caches first
        runs: dict[str, list[int]] = {name: [] for name in envs}
        for _ in range(rounds):
            for name, env in envs.items():
                runs[name].append(_provider_us(PROVIDER, env)[0])
    return {name: statistics.median(values) / 1000 for name, values in runs.items()}


def main() -> dict[str, object]:
    """Run and print the import-cost figures (``--against REV``: this tree and REV side by side)."""
    if "--against" in sys.argv:
        rev = sys.argv[sys.argv.index("--against") + 1]
        figures = compare(rev)
        print("; ".join(f"{name}: the provider adds {ms:.2f} ms (median of 21)" for name, ms in figures.items()))
        return dict(figures)
    result = measure()
    print(
        f"import cost: airflow.sdk alone {result['baseline_ms']:.0f} ms; every provider operator and sensor "
        f"adds {result['provider_adds_ms']:.1f} ms (median of {result['rounds']}, max "
        f"{result['provider_adds_ms_max']:.1f} ms; goal <= 30 ms); heavy modules imported at parse: "
        f"{result['lazy_modules_imported'] or 'none'}"
    )
    Path(__file__).with_name("results").mkdir(exist_ok=True)
    return result


if __name__ == "__main__":
    main()
