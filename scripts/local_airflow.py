"""Run a real, throwaway Airflow on this machine, for the demo and the end-to-end tests.

Repository tooling, not part of the provider's wheel: import it as ``scripts.local_airflow`` from
the repository root (``python -m scripts.run_demo``; the tests get the root on their path from the
pytest configuration).

Everything lives under one directory (``AIRFLOW_HOME``, with a SQLite database unless told
otherwise); connections are passed as ``AIRFLOW_CONN_*`` environment variables, so nothing is
written to a shared Airflow.

``airflow standalone`` starts log servers that bind every interface. It runs its components as
``airflow <component>`` from ``PATH``, so :class:`Standalone` puts a small shim first on ``PATH``
that adds ``--skip-serve-logs`` to the scheduler and the triggerer: the only listening socket left
is the API server, on 127.0.0.1.

:class:`AirflowProcess` runs one component (``airflow scheduler``, ``airflow triggerer``...) on its
own instead, for a deployment laid out by hand: the multi-triggerer test runs two triggerers
against PostgreSQL (``scripts.local_postgres``) that way.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

AIRFLOW = str(Path(sys.executable).with_name("airflow"))


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def airflow_env(
    home: Path,
    dags_folder: Path,
    connections: Mapping[str, Mapping[str, Any]] | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of an isolated Airflow.

    :param home: ``AIRFLOW_HOME`` (created).
    :param dags_folder: where the DAG files are.
    :param connections: conn id to connection dict (``conn_type``, ``login``, ``extra``...).
    :param extra: more variables, applied last.
    """
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_"))}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
            "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "2",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "NO_COLOR": "1",
        }
    )
    for conn_id, conn in (connections or {}).items():
        env[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(dict(conn))
    env.update(extra or {})
    return env


def run_airflow(args: list[str], env: Mapping[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``airflow ARGS`` and return the completed process (output captured)."""
    return subprocess.run(
        [AIRFLOW, *args], env=dict(env), capture_output=True, text=True, timeout=timeout, check=False
    )


def migrate(env: Mapping[str, str]) -> None:
    """Create the SQLite metadata database.

    :raises RuntimeError: migration failed (its output attached).
    """
    proc = run_airflow(["db", "migrate"], env, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


def dags_test(
    dag_id: str, env: Mapping[str, str], timeout: float = 600
) -> tuple[str, subprocess.CompletedProcess[str]]:
    """Run ``airflow dags test DAG_ID`` (triggers run inline) and return the run's final state."""
    proc = run_airflow(["dags", "test", dag_id], env, timeout=timeout)
    return run_state(dag_id, env) or "unknown", proc


def lineage_events(output: str) -> list[dict[str, Any]]:
    """The OpenLineage events a run's output holds, with the console transport
    (``AIRFLOW__OPENLINEAGE__TRANSPORT='{"type": "console"}'``): each is a JSON document in a log
    line of ``openlineage.client.transport.console``."""
    decoder = json.JSONDecoder()
    events = []
    for line in output.splitlines():
        if "openlineage.client.transport.console" in line and "{" in line:
            event, _ = decoder.raw_decode(line[line.index("{"):])
            events.append(event)
    return events


def run_state(dag_id: str, env: Mapping[str, str]) -> str | None:
    """The state of the newest run of ``dag_id``, or None when there is none."""
    proc = run_airflow(["dags", "list-runs", dag_id, "-o", "json"], env, timeout=120)
    # Log lines (``[warning ] ...``) may precede the JSON: take the line that is the JSON array.
    lines = [line for line in proc.stdout.splitlines() if line.startswith(("[{", "[]"))]
    if proc.returncode != 0 or not lines:
        return None
    runs = json.loads(lines[-1])
    if not runs:
        return None
    newest = max(runs, key=lambda r: r.get("run_after") or r.get("start_date") or "")
    return str(newest.get("state"))


class Standalone:
    """``airflow standalone`` (scheduler, triggerer, dag processor, API server, LocalExecutor,
    SQLite) on 127.0.0.1, started and stopped by its owner.

    :param env: the environment from :func:`airflow_env`.
    :param port: the API server's port (default: a free one).
    :param log_path: where the combined output goes.
    """

    def __init__(self, env: Mapping[str, str], port: int | None = None, log_path: Path | None = None) -> None:
        self.port = port or free_port()
        home = Path(env["AIRFLOW_HOME"])
        self.log_path = log_path or home / "standalone.log"
        shim = home / "shim"
        shim.mkdir(parents=True, exist_ok=True)
        wrapper = shim / "airflow"
        wrapper.write_text(
            "#!/bin/sh\n"
            "# Keep the log servers of airflow standalone off the network (see scripts/local_airflow.py).\n"
            'case "$1" in\n'
            f'  scheduler|triggerer) exec {AIRFLOW} "$@" --skip-serve-logs ;;\n'
            f'  *) exec {AIRFLOW} "$@" ;;\n'
            "esac\n"
        )
        wrapper.chmod(0o755)
        self.env = dict(env)
        self.env.update(
            {
                "PATH": f"{shim}{os.pathsep}{env.get('PATH', '')}",
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(self.port),
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.port}/execution/",
                "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{self.port}",
            }
        )
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The API server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_timeout: float = 180) -> None:
        """Start and wait until the API server answers and a triggerer runs."""
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [AIRFLOW, "standalone"], env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"airflow standalone exited early:\n{self.tail()}")
            text = self.log_path.read_text(errors="replace")
            if "triggerer" in text and self._port_open():
                return
            time.sleep(1)
        self.stop()
        raise RuntimeError(f"airflow standalone did not become ready in {ready_timeout}s:\n{self.tail()}")

    def _port_open(self) -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def tail(self, chars: int = 4000) -> str:
        """The end of the combined log."""
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def trigger(self, dag_id: str) -> None:
        """Unpause and trigger ``dag_id`` (waiting until the DAG processor has seen it)."""
        deadline = time.monotonic() + 180
        while True:
            run_airflow(["dags", "reserialize"], self.env, timeout=300)
            unpause = run_airflow(["dags", "unpause", dag_id], self.env, timeout=120)
            if unpause.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{dag_id} never appeared: {unpause.stdout[-2000:]}{unpause.stderr[-2000:]}")
            time.sleep(3)
        proc = run_airflow(["dags", "trigger", dag_id], self.env, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"could not trigger {dag_id}: {proc.stdout[-2000:]}{proc.stderr[-2000:]}")

    def wait_for_run(self, dag_id: str, timeout: float = 300) -> str:
        """Wait until the newest run of ``dag_id`` ends; return its state."""
        deadline = time.monotonic() + timeout
        state = None
        while time.monotonic() < deadline:
            state = run_state(dag_id, self.env)
            if state in ("success", "failed"):
                return state
            time.sleep(3)
        return state or "unknown"

    def stop(self) -> None:
        """Stop every process it started: the whole process group, children included."""
        if self.proc is None:
            return
        stop_group(self.proc)
        self.proc = None

    def __enter__(self) -> Standalone:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_group(proc: subprocess.Popen[bytes], term_grace: float = 30.0) -> None:
    """Stop the process group ``proc`` leads (started with ``start_new_session=True``): SIGTERM,
    then SIGKILL to what is left after ``term_grace`` seconds; the leader is reaped.

    :param proc: the group's leader.
    :param term_grace: seconds the group has to exit after SIGTERM.
    """
    group = proc.pid
    for sig, grace in ((signal.SIGTERM, term_grace), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _group_alive(group):
            proc.poll()  # reap the leader so it does not linger as a zombie
            time.sleep(0.3)
        if not _group_alive(group):
            break
    proc.poll()


class AirflowProcess:
    """One ``airflow ARGS`` process (``scheduler``, ``triggerer``...) in its own session, so that
    it and every child it forks can be signalled together by its pid.

    :param args: the arguments after ``airflow``.
    :param env: the environment from :func:`airflow_env`.
    :param log_path: where its output goes (appended).
    """

    def __init__(self, args: list[str], env: Mapping[str, str], log_path: Path) -> None:
        self.args = args
        self.env = dict(env)
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The process id (also its process group's)."""
        assert self.proc is not None, "not started"
        return self.proc.pid

    def start(self) -> AirflowProcess:
        """Start it; returns itself."""
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen([AIRFLOW, *self.args], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        return self

    def running(self) -> bool:
        """Whether it has not exited."""
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group at once, as a lost machine would leave it: no shutdown
        code runs, nothing is told (the leader is reaped)."""
        assert self.proc is not None, "not started"
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _group_alive(self.proc.pid):
            self.proc.poll()
            time.sleep(0.1)
        self.proc.poll()

    def stop(self) -> None:
        """Stop it and its children (see :func:`stop_group`); nothing when not started, or when
        it has exited and left no child behind (a killed one)."""
        if self.proc is None or (self.proc.poll() is not None and not _group_alive(self.proc.pid)):
            return
        stop_group(self.proc)

    def tail(self, chars: int = 4000) -> str:
        """The end of its output."""
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def copy_dags(files: list[Path], target: Path) -> Path:
    """Copy DAG files into ``target`` (created) and return it."""
    target.mkdir(parents=True, exist_ok=True)
    for file in files:
        shutil.copy(file, target / file.name)
    return target
