"""A real multi-triggerer deployment: Airflow on PostgreSQL with a scheduler (LocalExecutor), an
API server, a DAG processor and two triggerers, each its own ``airflow`` process; a DAG run maps a
deferrable MTS sensor over 200 emulator jobs under an account cap (issue 16, part 6).

- both triggerers (capacity 120 each, so neither can hold all 200) run waits, every task
  succeeds exactly once, and the share of requests the account throttled is measured;
- with two fresh triggerers at the default capacity, the one holding more waits is SIGKILLed
  with every wait in flight: after Airflow's heartbeat timeout its triggers move to the other
  one, and every task still succeeds exactly once.

Every process is started here and stopped here by its process group, failed test or not; each
listens on 127.0.0.1 only (``--skip-serve-logs``), PostgreSQL too (``scripts.local_postgres``).
The figures measured, and each process's output, go to ``test-artifacts/distributed/``. Marked
``distributed``: it takes about five minutes, so ``make test`` leaves it to
``make test-distributed``."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import pytest

from airflow_provider_mediajobs.emulator.backend import JOB_KINDS
from airflow_provider_mediajobs.testing import EmulatorHandle, running_emulator
from scripts.local_airflow import AirflowProcess, airflow_env, copy_dags, free_port, migrate, run_airflow
from scripts.local_postgres import LocalPostgres, find_binary
from tests.helpers import ROOT, debian_package

pytestmark = [pytest.mark.e2e, pytest.mark.distributed]

DAG_FILE = Path(__file__).parent / "dags" / "e2e_multi_triggerer.py"
DAG_ID = DAG_FILE.stem
# One deferrable CI sensor, marked failed by the cancel test while it waits.
CANCEL_DAG_FILE = Path(__file__).parent / "dags" / "e2e_cancel_on_kill.py"
CANCEL_DAG_ID = CANCEL_DAG_FILE.stem
SENSOR = "wait"
WAITS = 200
#: The account's cap (requests per second per key pair, as MTS counts them). 200 waits at the
#: sensor's 2 s poke interval would ask for 100 req/s, the two triggerers' default budgets (50
#: each) allow 100: the cap is below both, so the adaptive limiters have to find it.
ACCOUNT_QPS = 40.0
#: How long every wait polls its running job before the test ends the jobs, in each phase.
POLL_WINDOW_S = 20.0
# A dead triggerer's triggers go to a live one once its job heartbeat is older than
# [triggerer] triggerer_health_check_threshold (Trigger.assign_unassigned picks triggers whose
# triggerer_id is not among the TriggererJob rows with a newer latest_heartbeat). The default (30 s)
# would only make the test slower; the heartbeat must stay well inside the threshold.
HEARTBEAT_S = 1
HEALTH_THRESHOLD_S = 10
#: Each triggerer's capacity in phase 1, so that neither can hold all 200 waits and both run some.
#: Airflow assigns a new trigger to whichever triggerer's loop looks first (up to
#: [triggerer] max_trigger_to_select_per_loop at a time), and a triggerer that just started triggers
#: is woken sooner by their first log records: left at the default capacity (1000), one of two
#: triggerers took 182 of 200 waits in one of our runs, and nothing stops it taking all of them.
#: Phase 2 runs at the default, so the survivor can take over every wait of the killed one.
PHASE1_CAPACITY = 120
ARTIFACTS = ROOT / "test-artifacts" / "distributed"
FIGURES: dict[str, Any] = {}


def _ensure_postgres() -> None:
    """Install the Debian ``postgresql`` server with apt when its binaries are missing (a clean CI
    machine whose image lacks it); skip, saying why, only where that is impossible."""
    debian_package("postgresql", lambda: all(find_binary(name) for name in ("initdb", "postgres", "pg_ctl")))


def _wait_for(what: str, check: Callable[[], Any], timeout: float, period: float = 0.5,
              alive: Callable[[], str | None] = lambda: None) -> Any:
    """Poll ``check()`` until it returns something true; return it.

    :param alive: returns why waiting is pointless (a process died), or None.
    :raises AssertionError: ``timeout`` seconds passed, or ``alive`` gave a reason.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        reason = alive()
        assert reason is None, f"while waiting for {what}: {reason}"
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f} s"
        time.sleep(period)


@dataclass
class Deployment:
    """The running deployment the tests share."""

    env: dict[str, str]
    pg: LocalPostgres
    emulator: EmulatorHandle
    processes: dict[str, AirflowProcess]
    #: Where each process's output goes.
    base: Path
    #: TriggererJob id -> its process, of the triggerers now in use.
    triggerers: dict[int, AirflowProcess] = field(default_factory=dict)
    #: Names of the processes the test stopped or killed on purpose.
    stopped: set[str] = field(default_factory=set)

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        """Rows of ``sql`` on the metadata database."""
        conn = self.pg.connect()
        try:
            with conn.cursor() as cur:
                cur.execute(sql, args)
                return list(cur.fetchall())
        finally:
            conn.close()

    def dead(self) -> str | None:
        """Which started process (those stopped on purpose aside) has exited, with the end of its
        output."""
        for name, proc in self.processes.items():
            if not proc.running() and name not in self.stopped:
                return f"airflow {name} exited:\n{proc.tail()}"
        return None

    def trigger(self, job_ids: list[str]) -> str:
        """Trigger a run waiting for ``job_ids``; its run id."""
        run_id = f"multi-{time.time_ns()}"
        proc = run_airflow(["dags", "trigger", DAG_ID, "--run-id", run_id, "--conf", json.dumps({"job_ids": job_ids})],
                           self.env, timeout=300)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        return run_id

    def owners(self, run_id: str) -> dict[int, int]:
        """Map index -> triggerer job id, of the run's deferred waits whose trigger is assigned."""
        rows = self.query(
            "SELECT ti.map_index, t.triggerer_id FROM task_instance ti JOIN trigger t ON t.id = ti.trigger_id "
            "WHERE ti.dag_id = %s AND ti.run_id = %s AND ti.task_id = %s AND ti.state = 'deferred' "
            "AND t.triggerer_id IS NOT NULL", DAG_ID, run_id, SENSOR)
        return {int(index): int(owner) for index, owner in rows}

    def run_state(self, run_id: str) -> str | None:
        """The DAG run's state."""
        rows = self.query("SELECT state FROM dag_run WHERE dag_id = %s AND run_id = %s", DAG_ID, run_id)
        return str(rows[0][0]) if rows else None

    def wait_for_run(self, run_id: str, timeout: float) -> str:
        """Wait until the run ends; its final state."""
        def ended() -> str | None:
            state = self.run_state(run_id)
            return state if state in ("success", "failed") else None

        return str(_wait_for(f"run {run_id} to end", ended, timeout, period=2, alive=self.dead))

    def kill_triggerer(self, job_id: int) -> None:
        """SIGKILL the triggerer whose TriggererJob id is ``job_id`` (its whole process group)."""
        self.stopped.add(self._name(job_id))
        self.triggerers[job_id].kill()

    def _name(self, job_id: int) -> str:
        return next(n for n, proc in self.processes.items() if proc is self.triggerers[job_id])

    def start_triggerers(self, capacity: int | None = None) -> None:
        """Stop the triggerers in use (SIGTERM: they end their jobs) and start two new ones.

        :param capacity: each one's ``--capacity`` (None: Airflow's default).
        """
        for job_id, proc in self.triggerers.items():
            self.stopped.add(self._name(job_id))
            proc.stop()
        self.triggerers.clear()
        args = [] if capacity is None else ["--capacity", str(capacity)]
        for _ in range(2):
            _start_triggerer(self, f"triggerer-{sum(n.startswith('triggerer-') for n in self.processes) + 1}", args)

    def sensor_logs(self, run_id: str) -> Path:
        """The folder of the run's sensor logs: ``map_index=<n>/attempt=<try>.log`` (the worker's)
        and ``...log.trigger.<triggerer job id>.log`` (each triggerer's that ran the trigger)."""
        return Path(self.env["AIRFLOW_HOME"]) / "logs" / f"dag_id={DAG_ID}" / f"run_id={run_id}" / f"task_id={SENSOR}"

    def end_jobs(self, job_ids: list[str]) -> None:
        """Let every job finish now: pinned to the MTS success state."""
        for job_id in job_ids:
            self.emulator.client.set_state(job_id, JOB_KINDS["mts"].success)


class OwnerWatch:
    """Samples which triggerer each deferred wait of a run is assigned to, every ``period`` s, in a
    thread, for as long as the ``with`` block lasts.

    Why sample: a ``trigger`` row is deleted once its task has resumed, and nothing else in the
    metadata database keeps ``trigger.triggerer_id`` (``task_instance`` keeps ``trigger_id`` only
    while deferred; ``task_instance_history`` and ``log`` have no triggerer column). The per-
    triggerer trigger log files (``attempt=1.log.trigger.<job id>.log``) are the second witness.

    :param deployment: the deployment.
    :param run_id: the DAG run.
    :param period: seconds between samples.
    """

    def __init__(self, deployment: Deployment, run_id: str, period: float = 0.5) -> None:
        self.deployment = deployment
        self.run_id = run_id
        self.period = period
        #: Map index -> [(monotonic time, triggerer job id)], one entry per change of owner.
        self.history: dict[int, list[tuple[float, int]]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        # The test samples too (to wait for a state): one sample at a time keeps each history in
        # time order.
        self._lock = threading.Lock()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.period)

    def sample(self) -> dict[int, int]:
        """Take one sample now; the owners it saw."""
        with self._lock:
            now = time.monotonic()
            owners = self.deployment.owners(self.run_id)
            for index, owner in owners.items():
                seen = self.history.setdefault(index, [])
                if not seen or seen[-1][1] != owner:
                    seen.append((now, owner))
            return owners

    def ran_on(self) -> dict[int, set[int]]:
        """Triggerer job id -> map indexes of the waits it was assigned at some point."""
        ran: dict[int, set[int]] = {}
        for index, seen in self.history.items():
            for _, owner in seen:
                ran.setdefault(owner, set()).add(index)
        return ran

    def __enter__(self) -> OwnerWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)


def _start_triggerer(deployment: Deployment, name: str, args: list[str]) -> int:
    """Start one ``airflow triggerer ARGS`` and return its TriggererJob id.

    The ``job`` table has no pid column and both triggerers share a host name, so a job id is told
    to belong to a process by starting the triggerers one at a time: the new TriggererJob row is
    this process's.
    """
    known = {row[0] for row in deployment.query("SELECT id FROM job WHERE job_type = 'TriggererJob'")}
    proc = AirflowProcess(["triggerer", "--skip-serve-logs", *args], deployment.env,
                          deployment.base / f"{name}.log").start()
    deployment.processes[name] = proc
    rows = _wait_for(
        f"{name}'s TriggererJob row",
        lambda: [row[0] for row in deployment.query(
            "SELECT id FROM job WHERE job_type = 'TriggererJob' AND state = 'running'") if row[0] not in known],
        timeout=180, alive=deployment.dead)
    assert len(rows) == 1, rows
    deployment.triggerers[int(rows[0])] = proc
    return int(rows[0])


def _listening_addresses(groups: set[int]) -> set[str]:
    """Every ``ip:port`` on which a process of the process groups ``groups`` listens (TCP)."""
    found = set()
    for proc in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(proc.pid) not in groups:
                continue
            for conn in proc.net_connections(kind="inet"):
                if conn.status == psutil.CONN_LISTEN:
                    found.add(f"{conn.laddr.ip}:{conn.laddr.port}")
        except (psutil.Error, ProcessLookupError, PermissionError):
            continue
    return found


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """PostgreSQL, the emulator and the Airflow components but the triggerers (each test starts
    its own: :meth:`Deployment.start_triggerers`), each started here and stopped here."""
    _ensure_postgres()
    base = tmp_path_factory.mktemp("multi-triggerer")
    dags = copy_dags([DAG_FILE, CANCEL_DAG_FILE], base / "dags")
    started = time.monotonic()
    # The emulator logs every request it answers (INFO): pytest would hold tens of thousands of lines.
    emulator_log = logging.getLogger("airflow_provider_mediajobs.emulator.server")
    level = emulator_log.level
    emulator_log.setLevel(logging.WARNING)
    try:
        with running_emulator(seed_jobs=0) as emulator, LocalPostgres() as pg:
            yield from _airflow(base, dags, emulator, pg, started)
    finally:
        emulator_log.setLevel(level)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "figures.json").write_text(json.dumps(FIGURES, indent=2, sort_keys=True) + "\n")


def _airflow(base: Path, dags: Path, emulator: EmulatorHandle, pg: LocalPostgres,
             started: float) -> Iterator[Deployment]:
    """Start the Airflow components on ``pg``, yield the deployment, stop every process it has
    (the triggerers the tests started included)."""
    port = free_port()
    env = airflow_env(base / "home", dags, emulator.connections(), {
        # The provider under test is this tree, whichever copy the venv has installed.
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        # Two cores run this in CI: more workers at once only make each one slower.
        "AIRFLOW__CORE__PARALLELISM": "16",
        # Airflow 3.3 derives the async URL (postgresql+asyncpg://...) from this one.
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": pg.url("postgresql+psycopg2"),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        # Every process signs or checks the Execution API's tokens: one secret for all of them.
        "AIRFLOW__API_AUTH__JWT_SECRET": os.urandom(24).hex(),
        "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": str(HEARTBEAT_S),
        "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": str(HEALTH_THRESHOLD_S),
        # The cancel test marks a task failed through the REST API, as the UI does: a token for
        # the asking (the API server listens on 127.0.0.1 only).
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
    })
    migrate(env)
    deployment = Deployment(env, pg, emulator, {}, base)
    try:
        for name, args in (("api-server", ["api-server", "--host", "127.0.0.1", "--port", str(port),
                                           "--workers", "2"]),
                           ("dag-processor", ["dag-processor"]),
                           # --skip-serve-logs: no log server on every interface.
                           ("scheduler", ["scheduler", "--skip-serve-logs"])):
            deployment.processes[name] = AirflowProcess(args, env, base / f"{name}.log").start()
        for dag_id in (DAG_ID, CANCEL_DAG_ID):
            _wait_for(f"{dag_id} parsed and unpaused",
                      lambda dag_id=dag_id: deployment.query(  # type: ignore[misc]
                          "SELECT 1 FROM dag WHERE dag_id = %s AND NOT is_paused", dag_id),
                      timeout=180, alive=deployment.dead)
        FIGURES["startup_s"] = round(time.monotonic() - started, 1)
        yield deployment
    finally:
        # The reverse of the start: triggerers and scheduler first, the API server they call last.
        for proc in reversed(list(deployment.processes.values())):
            proc.stop()
        # Each process's output, for a failure's post-mortem (pytest prunes its old temp dirs).
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for proc in deployment.processes.values():
            shutil.copy(proc.log_path, ARTIFACTS / proc.log_path.name)
        # And the cancel DAG's task and trigger logs (the 200-wait DAG's are too many to keep).
        shutil.rmtree(ARTIFACTS / "logs", ignore_errors=True)
        for path in (Path(env["AIRFLOW_HOME"]) / "logs").glob(f"dag_id={CANCEL_DAG_ID}/**/*"):
            if path.is_file():
                target = ARTIFACTS / "logs" / path.relative_to(Path(env["AIRFLOW_HOME"]) / "logs")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)


def _check_exactly_once(deployment: Deployment, run_id: str) -> None:
    """Every task of the run succeeded, in its first and only try, and concluded its wait once."""
    rows = deployment.query(
        "SELECT task_id, map_index, state, try_number FROM task_instance WHERE dag_id = %s AND run_id = %s",
        DAG_ID, run_id)
    waits = [r for r in rows if r[0] == SENSOR]
    assert len(waits) == WAITS
    assert len(rows) == WAITS + 1  # and the task that reads the job ids
    assert sorted(r[1] for r in waits) == list(range(WAITS))
    not_once = [r for r in rows if r[2] != "success" or r[3] != 1]
    assert not_once == [], not_once[:10]
    # A second try, or a try cleared and run again, leaves its earlier try here.
    history = deployment.query("SELECT count(*) FROM task_instance_history WHERE dag_id = %s AND run_id = %s",
                               DAG_ID, run_id)
    assert history[0][0] == 0
    # The workers' side: each wait's one task log says once that its job succeeded.
    logs = deployment.sensor_logs(run_id)
    concluded = {}
    for index in range(WAITS):
        # attempt=<n>.log, the worker's log of try n (a trigger log adds .trigger.<job id>.log).
        tries = sorted(p.name for p in (logs / f"map_index={index}").iterdir()
                       if re.fullmatch(r"attempt=\d+\.log", p.name))
        assert tries == ["attempt=1.log"], (index, tries)
        events = _log_events(logs / f"map_index={index}" / "attempt=1.log")
        concluded[index] = sum(1 for e in events if re.fullmatch(r"mts_iproduction \S+ succeeded", e))
    assert set(concluded.values()) == {1}, {k: v for k, v in concluded.items() if v != 1}
    # The triggerers' side: over every triggerer, each wait's trigger fired once.
    fired = _fired(deployment, run_id)
    assert fired == dict.fromkeys(range(WAITS), 1), {k: v for k, v in fired.items() if v != 1}


def _fired(deployment: Deployment, run_id: str) -> dict[int, int]:
    """Map index -> how many "Trigger fired event" records the triggerers logged for the wait.

    A trigger's records go to its trigger log (``attempt=1.log.trigger.<job id>.log``), except
    those that reach the triggerer after it closed that log when the trigger finished: Airflow
    3.3.2 writes these to the triggerer's own output. Each record is in one of the two, so both
    are counted.
    """
    logs = deployment.sensor_logs(run_id)
    fired = dict.fromkeys(range(WAITS), 0)
    for path in logs.glob("map_index=*/attempt=1.log.trigger.*.log"):
        fired[int(path.parent.name.split("=", 1)[1])] += _log_events(path).count("Trigger fired event")
    own = re.compile(rf"Trigger fired event .*name='{re.escape(DAG_ID)}/{re.escape(run_id)}/{SENSOR}/(\d+)/")
    triggerers = [proc for name, proc in deployment.processes.items() if name.startswith("triggerer-")]
    for proc in triggerers:
        for match in own.finditer(proc.tail(chars=50_000_000)):
            fired[int(match.group(1))] += 1
    return fired


def _log_events(path: Path) -> list[str]:
    """The ``event`` of each record of a JSON-lines Airflow log file (task or trigger log)."""
    events = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("event"), str):
            events.append(record["event"])
    return events


def _trigger_logs(deployment: Deployment, run_id: str) -> dict[int, set[int]]:
    """Triggerer job id -> map indexes of the waits it wrote a trigger log for."""
    logs = deployment.sensor_logs(run_id)
    found: dict[int, set[int]] = {}
    for path in logs.glob("map_index=*/attempt=1.log.trigger.*.log"):
        index = int(path.parent.name.split("=", 1)[1])
        found.setdefault(int(path.name.split(".")[-2]), set()).add(index)
    return found


def _all_deferred(deployment: Deployment, watch: OwnerWatch, timeout: float) -> dict[int, int]:
    """Wait until every wait of the run is deferred with an assigned trigger; the owners then."""
    return dict(_wait_for("every wait deferred and assigned to a triggerer",
                          lambda: (o := watch.sample()) and len(o) == WAITS and o,
                          timeout, period=2, alive=deployment.dead))


def _share(before: dict[str, int], after: dict[str, int], seconds: float | None = None) -> dict[str, Any]:
    """Requests and throttled answers between two emulator counter readings."""
    requests = after.get("requests", 0) - before.get("requests", 0)
    throttled = after.get("throttled", 0) - before.get("throttled", 0)
    figures: dict[str, Any] = {"requests": requests, "throttled": throttled,
                               "throttled_share": round(throttled / max(requests, 1), 4)}
    if seconds:
        figures.update(seconds=seconds, req_per_s=round(requests / seconds, 1))
    return figures


def _start_run(deployment: Deployment, capacity: int | None) -> tuple[list[str], float, dict[str, int], str]:
    """Start two triggerers (``capacity`` each; None: Airflow's default), cap the account, make the
    jobs and trigger the DAG; return the job ids, when it started, the counters then, the run id."""
    deployment.start_triggerers(capacity=capacity)
    deployment.emulator.client.set_qps(ACCOUNT_QPS)
    job_ids = _new_jobs(deployment)
    started, at_start = time.monotonic(), deployment.emulator.counters()
    return job_ids, started, at_start, deployment.trigger(job_ids)


def _new_jobs(deployment: Deployment) -> list[str]:
    """:data:`WAITS` MTS jobs that run until the test ends them (:meth:`Deployment.end_jobs`).

    The test, not a run time, decides when the jobs end: the 200 deferrals take a minute or more
    on two cores, and every wait must be in flight before any job ends (in phase 2, running on the
    triggerer that is killed). Ending them only after that also keeps clear of an Airflow 3.3.2
    race that fails a task whose trigger fires before the worker's exit is reported
    (docs/reliability.md).
    """
    answer = deployment.emulator.client.create_jobs("mts", WAITS, queue_s=0, run_s=24 * 3600,
                                                    output="oss://out/multi.mp4")
    return [str(job_id) for job_id in answer["job_ids"]]


@pytest.mark.timeout(1200)
def test_two_triggerers_share_the_waits_under_one_account_cap(deployment: Deployment) -> None:
    emulator = deployment.emulator
    job_ids, started, at_start, run_id = _start_run(deployment, PHASE1_CAPACITY)
    with OwnerWatch(deployment, run_id) as watch:
        owners = _all_deferred(deployment, watch, timeout=900)
        FIGURES["phase1_all_deferred_s"] = round(time.monotonic() - started, 1)
        # Nothing a process of the deployment listens on is beyond loopback (the log servers are
        # off), PostgreSQL included; the LocalExecutor's workers exist by now.
        assert deployment.pg.proc is not None
        listening = _listening_addresses({p.pid for p in deployment.processes.values()} | {deployment.pg.proc.pid})
        assert listening
        assert all(a.startswith("127.0.0.1:") for a in listening), listening
        # Every wait polls its running job under the cap for a while, then the jobs end.
        before = emulator.counters()
        time.sleep(POLL_WINDOW_S)
        window = _share(before, emulator.counters(), POLL_WINDOW_S)
        deployment.end_jobs(job_ids)
        state = deployment.wait_for_run(run_id, timeout=900)
    FIGURES["phase1_run_s"] = round(time.monotonic() - started, 1)
    assert state == "success", deployment.processes["scheduler"].tail()
    _check_exactly_once(deployment, run_id)

    # Both triggerers ran waits: from the metadata database while deferred, and from the trigger
    # log files each one writes under its own job id.
    ran_on = watch.ran_on()
    assert set(ran_on) == set(deployment.triggerers), (set(ran_on), deployment.triggerers)
    assert set().union(*ran_on.values()) == set(range(WAITS))
    assert set(_trigger_logs(deployment, run_id)) == set(deployment.triggerers)
    FIGURES["phase1_triggers_per_triggerer"] = {
        str(job): sum(1 for owner in owners.values() if owner == job) for job in deployment.triggerers}
    FIGURES["phase1_poll_window"] = window
    FIGURES["phase1_whole_run"] = _share(at_start, emulator.counters())
    print("multi-triggerer phase 1:", json.dumps(FIGURES))
    # The waits polled (each at least once), the two triggerers together held near the cap, and
    # the adaptive limiters kept the throttled share low: fixed 50 req/s budgets, as before them,
    # would have had more than half of 100 req/s refused by a 40 req/s account.
    assert window["requests"] >= WAITS
    assert window["req_per_s"] <= ACCOUNT_QPS * 1.5, window
    assert window["throttled_share"] < 0.10, window


@pytest.mark.timeout(1200)
def test_killed_triggerer_hands_its_waits_to_the_other(deployment: Deployment) -> None:
    emulator = deployment.emulator
    # Fresh triggerers at the default capacity: the survivor can hold every wait.
    job_ids, started, at_start, run_id = _start_run(deployment, None)
    with OwnerWatch(deployment, run_id) as watch:
        owners = _all_deferred(deployment, watch, timeout=900)
        # The victim: the triggerer holding more of this run's waits (at least half of them).
        counts = {job: sum(1 for owner in owners.values() if owner == job) for job in deployment.triggerers}
        victim = max(counts, key=lambda job: counts[job])
        survivor = next(job for job in deployment.triggerers if job != victim)
        moved = {index for index, owner in owners.items() if owner == victim}
        # Assigned is not yet running: the victim starts a trigger a moment after claiming it, and
        # its trigger log appears with the trigger's first record ("... starting", written through).
        _wait_for("the victim running every wait it holds",
                  lambda: moved <= _trigger_logs(deployment, run_id).get(victim, set()),
                  timeout=120, alive=deployment.dead)
        killed_at, killed_wall = time.monotonic(), datetime.now(UTC)
        deployment.kill_triggerer(victim)
        last_heartbeat = deployment.query("SELECT latest_heartbeat FROM job WHERE id = %s", victim)[0][0]

        def all_on_survivor() -> bool:
            now = watch.sample()
            return len(now) == WAITS and set(now.values()) == {survivor}

        _wait_for("the killed triggerer's waits on the other triggerer", all_on_survivor,
                  timeout=HEALTH_THRESHOLD_S + 120, period=0.2, alive=deployment.dead)
        after_kill = [next(t for t, owner in watch.history[index] if owner == survivor) - killed_at
                      for index in moved]
        # The survivor polls every wait, its own and those it took over, before the jobs end.
        before = emulator.counters()
        time.sleep(POLL_WINDOW_S)
        window = _share(before, emulator.counters(), POLL_WINDOW_S)
        deployment.end_jobs(job_ids)
        state = deployment.wait_for_run(run_id, timeout=900)
    heartbeat_age = (killed_wall - last_heartbeat).total_seconds()
    FIGURES["phase2_run_s"] = round(time.monotonic() - started, 1)
    FIGURES["phase2_kill"] = {
        "victim": victim, "survivor": survivor, "triggers_before_kill": {str(k): v for k, v in counts.items()},
        "moved": len(moved), "heartbeat_age_at_kill_s": round(heartbeat_age, 1),
        "reassigned_after_kill_s": [round(min(after_kill), 1), round(max(after_kill), 1)],
        "reassigned_after_last_heartbeat_s": [round(heartbeat_age + min(after_kill), 1),
                                              round(heartbeat_age + max(after_kill), 1)],
        "health_check_threshold_s": HEALTH_THRESHOLD_S,
    }
    FIGURES["phase2_survivor_poll_window"] = window
    FIGURES["phase2_whole_run"] = _share(at_start, emulator.counters())
    print("multi-triggerer phase 2:", json.dumps(FIGURES))
    assert state == "success", deployment.processes["scheduler"].tail()
    _check_exactly_once(deployment, run_id)
    # Reassigned after Airflow's heartbeat timeout, not before: the dead triggerer told nobody.
    # (Sampling can only see a move late, and every process reads the same clock.)
    assert heartbeat_age + min(after_kill) >= HEALTH_THRESHOLD_S - 0.2, FIGURES["phase2_kill"]
    # The waits that moved ran on both triggerers (database and trigger logs); the survivor's
    # own never left it.
    assert all({owner for _, owner in watch.history[index]} == {victim, survivor} for index in moved)
    assert all({owner for _, owner in watch.history[index]} == {survivor} for index in set(range(WAITS)) - moved)
    logs = _trigger_logs(deployment, run_id)
    assert moved <= logs.get(survivor, set()), {k: len(v) for k, v in logs.items()}
    # One triggerer holding all 200 waits, budget 50 req/s, against the same 40 req/s account.
    assert window["throttled_share"] < 0.10, window


def _api(deployment: Deployment, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Call the API server's REST API as the UI would, with a token of the all-admins auth manager."""
    import urllib.request

    base = deployment.env["AIRFLOW__API__BASE_URL"]
    with urllib.request.urlopen(f"{base}/auth/token", timeout=30) as answer:
        token = json.load(answer)["access_token"]
    request = urllib.request.Request(
        f"{base}{path}", method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer)


def _deferred_ci_wait(deployment: Deployment) -> tuple[str, str]:
    """Start a run of the cancel DAG on a CI job that stays queued; its job id and run id, once
    the wait is deferred and its trigger assigned to a triggerer."""
    if not any(proc.running() for proc in deployment.triggerers.values()):
        deployment.start_triggerers()
    job_id = deployment.emulator.client.create_job("tencent", queue_s=3600, run_s=3600)["job_id"]
    run_id = f"cancel-{time.time_ns()}"
    proc = run_airflow(["dags", "trigger", CANCEL_DAG_ID, "--run-id", run_id, "--conf", json.dumps({"job_id": job_id})],
                       deployment.env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    def deferred() -> bool:
        state = deployment.query("SELECT state FROM task_instance WHERE dag_id = %s AND run_id = %s",
                                 CANCEL_DAG_ID, run_id)
        assert not state or state[0][0] not in ("failed", "success"), f"the wait ended {state[0][0]} before deferring"
        return _ci_wait_owner(deployment, run_id) is not None

    _wait_for("the wait deferred to a triggerer", deferred, timeout=180, alive=deployment.dead)
    return job_id, run_id


def _ci_wait_owner(deployment: Deployment, run_id: str) -> int | None:
    """The triggerer job id the cancel DAG's deferred wait is assigned to (None: none)."""
    rows = deployment.query(
        "SELECT t.triggerer_id FROM task_instance ti JOIN trigger t ON t.id = ti.trigger_id WHERE ti.dag_id = %s "
        "AND ti.run_id = %s AND ti.state = 'deferred' AND t.triggerer_id IS NOT NULL", CANCEL_DAG_ID, run_id)
    return int(rows[0][0]) if rows else None


def _ci_logs(deployment: Deployment) -> str:
    """The triggerers' output and the cancel DAG's task and trigger logs."""
    texts = [p.read_text(errors="replace") for p in deployment.base.glob("triggerer-*.log")]
    texts += [p.read_text(errors="replace") for p in (Path(deployment.env["AIRFLOW_HOME"]) / "logs").rglob("*")
              if p.is_file() and CANCEL_DAG_ID in str(p)]
    return "\n".join(texts)


def _mark_failed(deployment: Deployment, run_id: str) -> None:
    _api(deployment, "PATCH", f"/api/v2/dags/{CANCEL_DAG_ID}/dagRuns/{run_id}/taskInstances/wait",
         {"new_state": "failed"})


def _wait_cancelled(deployment: Deployment, job_id: str) -> None:
    backend = deployment.emulator.server.backend
    try:
        _wait_for(f"job {job_id} cancelled", lambda: backend.jobs[job_id].state(time.time()) == "Cancel",
                  timeout=60, alive=deployment.dead)
    except AssertionError as err:
        lines = [line for line in _ci_logs(deployment).splitlines()
                 if job_id in line or "on_kill" in line or "cancel" in line]
        raise AssertionError(f"{err}; the logs say:\n" + "\n".join(lines[-40:])) from None


def test_marking_a_deferred_wait_failed_cancels_its_job(deployment: Deployment) -> None:
    """Airflow 3.3 runs the trigger's on_kill when a user marks its task failed: the job, still
    queued, is cancelled, once, and the triggerer says so with the job id."""
    job_id, run_id = _deferred_ci_wait(deployment)
    before = deployment.emulator.counters().get("op:CancelJob", 0)
    _mark_failed(deployment, run_id)
    _wait_cancelled(deployment, job_id)
    assert deployment.emulator.counters().get("op:CancelJob", 0) == before + 1
    assert f"Cancelled tencent_ci_job {job_id} (its task was marked failed)" in _ci_logs(deployment)
    assert deployment.run_state(run_id) != "success"


def test_a_trigger_that_moves_to_another_triggerer_leaves_its_job_alone(deployment: Deployment) -> None:
    """A triggerer frozen past the health threshold loses its trigger to the other one; when it
    runs again, Airflow 3.3 cancels its copy of the trigger as if a user had (on_kill,
    apache/airflow#73454). The task is still deferred, so the job is not cancelled; then a user's
    mark-failed does cancel it."""
    deployment.start_triggerers()
    job_id, run_id = _deferred_ci_wait(deployment)
    owner = _ci_wait_owner(deployment, run_id)
    assert owner is not None
    # Assigned is not yet running: freeze it once its trigger log says it started the trigger.
    logs = Path(deployment.env["AIRFLOW_HOME"]) / "logs" / f"dag_id={CANCEL_DAG_ID}" / f"run_id={run_id}"
    _wait_for("the owner running the trigger", lambda: any(
        "starting" in p.read_text(errors="replace") for p in logs.rglob(f"*.log.trigger.{owner}.log")),
        timeout=120, alive=deployment.dead)
    frozen = deployment.triggerers[owner]
    before = deployment.emulator.counters().get("op:CancelJob", 0)
    os.killpg(frozen.pid, signal.SIGSTOP)
    try:
        _wait_for("the wait taken over by the other triggerer",
                  lambda: _ci_wait_owner(deployment, run_id) not in (None, owner),
                  timeout=HEALTH_THRESHOLD_S + 120, alive=deployment.dead)
    finally:
        os.killpg(frozen.pid, signal.SIGCONT)
    # The thawed triggerer syncs within a few seconds and drops its copy of the trigger.
    said = "(moved to another triggerer): not cancelling the job"
    _wait_for("the thawed triggerer dropping its copy", lambda: said in _ci_logs(deployment),
              timeout=90, alive=deployment.dead)
    assert job_id in next(line for line in _ci_logs(deployment).splitlines() if said in line)
    assert deployment.emulator.counters().get("op:CancelJob", 0) == before
    assert deployment.emulator.server.backend.jobs[job_id].state(time.time()) == "Submitted"
    assert _ci_wait_owner(deployment, run_id) not in (None, owner)  # still waiting, on the other one
    _mark_failed(deployment, run_id)
    _wait_cancelled(deployment, job_id)
    assert deployment.emulator.counters().get("op:CancelJob", 0) == before + 1
