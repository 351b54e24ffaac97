"""``make demo``: the example pipelines end to end, with a real Airflow, against the emulator.

Run from the repository root as ``python -m scripts.run_demo`` (what ``make demo`` does).

1. starts the emulator on 127.0.0.1 (a free port) with jobs that finish in a few seconds;
2. creates a throwaway Airflow (SQLite) under ``.airflow-demo/`` and points the default
   connections at the emulator;
3. runs every example DAG with ``airflow dags test`` (deferrable sensors run their triggers);
4. prints a summary (jobs listed, jobs waited for, final states, time taken), stops the emulator
   and exits 0 only if every DAG run succeeded.

``--ui`` instead keeps ``airflow standalone`` running (API server on 127.0.0.1) until Ctrl-C, so
a person can watch the DAGs in the browser.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from airflow_provider_mediajobs.emulator import connections_for
from airflow_provider_mediajobs.emulator.admin import EmulatorAdmin
from airflow_provider_mediajobs.testing import find_secrets
from scripts.local_airflow import Standalone, airflow_env, copy_dags, dags_test, lineage_events, migrate

ROOT = Path(__file__).resolve().parent.parent

DAGS = sorted((ROOT / "dags_examples").glob("example_*.py"))

#: How long the demo's jobs stay queued: example_operating's half-second deadline passes while its
#: job is still queued (the shared poller's first look may take its 1 s batch window).
DEMO_QUEUE_SECONDS = 3.0


def start_emulator(log: Path) -> tuple[subprocess.Popen[str], str]:
    """Start ``mediajobs-emulator`` on a free loopback port; return it and its URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "airflow_provider_mediajobs.emulator", "--host", "127.0.0.1", "--port", "0",
         "--seed-jobs", "200", "--queue-seconds", str(DEMO_QUEUE_SECONDS), "--run-seconds", "4",
         "--failure-ratio", "0"],
        stdout=subprocess.PIPE, stderr=log.open("w"), text=True, start_new_session=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if match:
            return proc, match.group(1)
        if proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError(f"the emulator did not start; see {log}")


def scan_for_secrets(work: Path, secrets: list[str]) -> tuple[int, list[str]]:
    """Search every file the demo left (logs, the SQLite database) for any form of the secrets."""
    files = [p for p in sorted(work.rglob("*")) if p.is_file() and p.suffix != ".py"]
    hits = []
    for path in files:
        found = find_secrets([path.read_bytes().decode("utf-8", "replace")], secrets)
        hits += [f"{path.relative_to(work)}: {hit}" for hit in found]
    return len(files), hits


def xcoms(home: Path, dag_id: str, key: str = "return_value") -> list[tuple[str, int, Any]]:
    """(task_id, map_index, value) of the newest run's XComs under ``key``, from the SQLite database."""
    db = sqlite3.connect(home / "airflow.db")
    try:
        rows = db.execute(
            "SELECT task_id, map_index, value FROM xcom WHERE dag_id = ? AND key = ? "
            "AND run_id = (SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1)",
            (dag_id, key, dag_id),
        ).fetchall()
    finally:
        db.close()
    out = []
    for task_id, map_index, value in rows:
        try:
            decoded = json.loads(value) if isinstance(value, str | bytes) else value
        except ValueError:
            decoded = value
        out.append((task_id, map_index, decoded))
    return out


def summarize(dag_id: str, state: str, seconds: float, values: list[tuple[str, int, Any]]) -> list[str]:
    """Readable lines for one DAG run."""
    lines = [f"{dag_id}: {state.upper()} in {seconds:.1f}s"]
    listed = waited = 0
    states: dict[str, int] = {}
    for task_id, map_index, value in sorted(values, key=lambda v: (v[0], v[1])):
        label = task_id if map_index < 0 else f"{task_id}[{map_index}]"
        if isinstance(value, list):
            if task_id.startswith("list"):
                listed += len(value)
                lines.append(f"  {label}: listed {len(value)} jobs")
            else:
                lines.append(f"  {label}: {len(value)} items")
        elif isinstance(value, dict):
            job_state = _job_state(value)
            if task_id.startswith("wait"):
                waited += 1
            if job_state:
                states[job_state] = states.get(job_state, 0) + 1
                lines.append(f"  {label}: job state {job_state}")
            else:  # no job in it: a result of the DAG's own (a manifest, a cancel's empty answer)
                lines.append(f"  {label}: {', '.join(sorted(value)) or 'an empty answer'}")
        elif value is not None:
            lines.append(f"  {label}: {value}")
    lines.append(f"  jobs listed {listed}, jobs waited for {waited}, final states {states or '-'}")
    return lines


def _job_state(value: Any, depth: int = 0) -> str | None:
    """The state of the (first) job in an answer: at its top (``State``, ``Status``) or where the
    vendor nests its jobs (``JobsDetail``, ``JobList/Job``, ``MediaProducingJob``, ``Job``...)."""
    if depth > 3:
        return None
    if isinstance(value, list):
        return next((s for s in (_job_state(item, depth + 1) for item in value) if s), None)
    if not isinstance(value, dict):
        return None
    for key in ("State", "Status", "status"):
        if isinstance(value.get(key), str) and value[key]:
            return str(value[key])
    return next((s for s in (_job_state(v, depth + 1) for v in value.values() if isinstance(v, dict | list)) if s),
                None)


class StatsdListener:
    """A UDP socket on 127.0.0.1 that Airflow's statsd sends to, counting what arrives (in a
    thread, for as long as the ``with`` block lasts; the socket is closed on the way out)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.packets: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            self.packets += data.decode("utf-8", "replace").splitlines()

    def __enter__(self) -> StatsdListener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()

    def families(self) -> Counter[str]:
        """Events per metric of the provider (the tagged names, ``airflow.mediajobs.<family>``)."""
        from airflow_provider_mediajobs import metrics

        names = {f"airflow.{family.metric}" for family in metrics.FAMILIES}
        counts: Counter[str] = Counter()
        for packet in self.packets:
            name = packet.split(":", 1)[0].split(",", 1)[0]
            if name in names:
                counts[name.removeprefix("airflow.")] += 1
        return counts


def operating(home: Path, dag_id: str, output: str) -> list[str]:
    """What the run shows of operating in production: console links, lineage, cancels."""
    stored = [str(value) for _, _, value in xcoms(home, dag_id, "_link_ConsoleLink") if value]
    links = sorted(set(stored))
    events = [e for e in lineage_events(output) if e.get("eventType") == "COMPLETE"]
    datasets = sorted({f"{d['namespace']}/{d['name']}" for e in events for side in ("inputs", "outputs")
                       for d in e.get(side) or []})
    lines = [f"  console links: {len(stored)} tasks, {len(links)} pages" + (f", e.g. {links[0]}" if links else "")]
    lines.append(f"  lineage: {len(events)} COMPLETE events naming {len(datasets)} datasets"
                 + (f", e.g. {datasets[0]}" if datasets else ""))
    # The trigger's log line of a cancel (lineage events quote the task's error too: not those).
    cancelled = [line.strip() for line in output.splitlines()
                 if "Cancelled " in line and "(the wait's deadline passed)" in line and "openlineage" not in line]
    if cancelled:
        lines.append("  deadline: " + cancelled[0][cancelled[0].index("Cancelled "):][:120])
    return lines


def main() -> int:
    """Run the demo; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ui", action="store_true", help="keep airflow standalone running for the UI")
    args = parser.parse_args()

    work = ROOT / ".airflow-demo"
    shutil.rmtree(work, ignore_errors=True)
    home, dags = work / "home", copy_dags(DAGS, work / "dags")
    emulator, url = start_emulator(work / "emulator.log")
    print(f"emulator: {url}")
    conns = connections_for(url)
    # Temporary credentials too, so the secret scan below also looks for a security token.
    token = EmulatorAdmin(url, timeout=30).issue_sts(vendor="alibaba", ttl=3600)["token"]
    conns["alibaba_cloud_media_default"]["extra"]["security_token"] = token  # type: ignore[index]
    secrets = [str(conns[c]["password"]) for c in conns] + [token]
    statsd = StatsdListener()
    # OpenLineage's console transport: the events land in each run's output, which the summary
    # reads. Statsd to the demo's own listener, with tags (influxdb style) so each event is one
    # name the summary can count.
    env = airflow_env(home, dags, conns, extra={
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps({"type": "console"}),
        "AIRFLOW__METRICS__STATSD_ON": "True",
        "AIRFLOW__METRICS__STATSD_HOST": "127.0.0.1",
        "AIRFLOW__METRICS__STATSD_PORT": str(statsd.port),
        "AIRFLOW__METRICS__STATSD_PREFIX": "airflow",
        "AIRFLOW__METRICS__STATSD_INFLUXDB_ENABLED": "True",
    })
    started = time.monotonic()
    statsd.__enter__()
    try:
        migrate(env)
        if args.ui:
            return run_ui(env)
        report: list[str] = []
        ok = True
        for dag_file in DAGS:
            dag_id = dag_file.stem
            t0 = time.monotonic()
            state, proc = dags_test(dag_id, env)
            (work / f"{dag_id}.log").write_text(proc.stdout + proc.stderr)
            ok &= state == "success"
            report += summarize(dag_id, state, time.monotonic() - t0, xcoms(home, dag_id))
            report += operating(home, dag_id, proc.stdout + proc.stderr)
            if state != "success":
                report.append(f"  see {work / (dag_id + '.log')}")
        seen = statsd.families()
        report.append(f"metrics: {sum(seen.values())} events of {len(seen)} provider metrics reached statsd on "
                      f"127.0.0.1: " + ", ".join(f"{name} {count}" for name, count in sorted(seen.items())))
        ok &= bool(seen.get("mediajobs.request")) and bool(seen.get("mediajobs.wait.ended"))
        files, hits = scan_for_secrets(work, secrets)
        hits += [f"statsd packet: {hit}" for hit in find_secrets(statsd.packets, secrets)]
        ok &= not hits
        report.append(f"secret scan: {files} files (task logs, emulator log, Airflow database with XCom, "
                      f"serialized triggers and rendered fields): {len(hits)} hits")
        report += [f"  LEAK: {hit}" for hit in hits]
        print("\n".join(["", "Demo summary", "============", *report]))
        print(f"\nall DAGs {'succeeded' if ok else 'did NOT all succeed'}; {time.monotonic() - started:.1f}s in all")
        return 0 if ok else 1
    finally:
        statsd.__exit__()
        emulator.send_signal(signal.SIGTERM)
        try:
            emulator.wait(timeout=10)
        except subprocess.TimeoutExpired:
            emulator.kill()


def run_ui(env: dict[str, str]) -> int:
    """Keep airflow standalone running until Ctrl-C."""
    with Standalone(env, port=8080) as airflow:
        print(f"Airflow UI: {airflow.url}  (user admin; password in {env['AIRFLOW_HOME']}/"
              "simple_auth_manager_passwords.json.generated). Ctrl-C stops everything.")
        for dag_file in DAGS:
            airflow.trigger(dag_file.stem)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            print("stopping")
    return 0


if __name__ == "__main__":
    sys.exit(main())
