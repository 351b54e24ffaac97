"""The pytest plugin is opt-in: installing the provider does not put its fixtures into every pytest
run; ``-p airflow_provider_mediajobs.testing`` or ``pytest_plugins`` in a conftest.py does.

Each case runs pytest in a subprocess (this interpreter) in its own directory, with its own
rootdir and ini file, so neither this repository's conftest.py nor its pytest settings apply.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PLUGIN = "airflow_provider_mediajobs.testing"

USES_THE_FIXTURES = textwrap.dedent(
    """
    import json
    import os


    def test_connections_point_at_the_emulator(mediajobs_connections):
        conn = json.loads(os.environ["AIRFLOW_CONN_ALIBABA_CLOUD_MEDIA_DEFAULT"])
        assert conn["extra"]["endpoint_url"] == mediajobs_connections.url
        assert mediajobs_connections.url.startswith("http://127.0.0.1:")
        assert isinstance(mediajobs_connections.counters(), dict)
    """
)


def _run_pytest(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (where / "pytest.ini").write_text("[pytest]\n")
    (where / "test_uses_fixtures.py").write_text(USES_THE_FIXTURES)
    # PYTEST_ADDOPTS, PYTEST_PLUGINS and PYTEST_DISABLE_PLUGIN_AUTOLOAD would load or hide plugins.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(where), *args,
         "test_uses_fixtures.py"],
        cwd=where, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def test_installing_the_provider_does_not_load_the_plugin(tmp_path: Path) -> None:
    proc = _run_pytest(tmp_path)
    stale = [f"{ep.name} = {ep.value}" for ep in importlib.metadata.entry_points(group="pytest11")
             if ep.value.startswith("airflow_provider_mediajobs")]
    assert "fixture 'mediajobs_connections' not found" in proc.stdout, (
        f"the plugin loaded without opting in; pytest11 entry points naming the provider: {stale or 'none'} "
        f"(an install made before the entry point was removed keeps it: reinstall)\n{proc.stdout[-3000:]}"
    )
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]


@pytest.mark.parametrize("opt_in", ["-p", "conftest"])
def test_opting_in_gives_the_fixtures(tmp_path: Path, opt_in: str) -> None:
    if opt_in == "-p":
        proc = _run_pytest(tmp_path, "-p", PLUGIN)
    else:
        (tmp_path / "conftest.py").write_text(f"pytest_plugins = [{PLUGIN!r}]\n")
        proc = _run_pytest(tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "1 passed" in proc.stdout
