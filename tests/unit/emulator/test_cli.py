"""The ``mediajobs-emulator`` command prints the URL it bound, serves, and stops on SIGTERM."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys

from airflow_provider_mediajobs.emulator import EmulatorAdmin


def test_cli_prints_url_serves_and_stops_on_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "airflow_provider_mediajobs.emulator", "--port", "0", "--seed-jobs", "0"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.fullmatch(r"mediajobs-emulator listening on (http://127\.0\.0\.1:\d+)\n", line)
        assert match, line
        assert isinstance(EmulatorAdmin(match.group(1), timeout=10).counters(), dict)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_runs_a_command_with_both_connections_set() -> None:
    code = (
        "import json, os, sys\n"
        "a = json.loads(os.environ['AIRFLOW_CONN_ALIBABA_CLOUD_MEDIA_DEFAULT'])\n"
        "t = json.loads(os.environ['AIRFLOW_CONN_TENCENT_CLOUD_CI_DEFAULT'])\n"
        "url = os.environ['MEDIAJOBS_EMULATOR_URL']\n"
        "assert a['extra']['endpoint_url'] == url == t['extra']['endpoint_url'], (a, t, url)\n"
        "assert t['extra']['bucket'] and t['extra']['region'] and a['extra']['region']\n"
        "from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook\n"
        "assert TencentCloudCIHook().test_connection()[0]\n"
        "sys.exit(7)\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "airflow_provider_mediajobs.emulator", "--quiet", "--seed-jobs", "5", "--",
         sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False,
    )
    # The command's own exit code comes back, so a failing `airflow dags test` fails the caller.
    assert done.returncode == 7, done.stdout + done.stderr
    assert "listening on http://127.0.0.1:" in done.stdout


def test_cli_prints_the_environment_for_another_shell() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "airflow_provider_mediajobs.emulator", "--seed-jobs", "0", "--print-env", "--quiet"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(4)]
        assert lines[0].startswith("mediajobs-emulator listening on ")
        exports = dict(line.removeprefix("export ").rstrip("\n").split("=", 1) for line in lines[1:])
        assert set(exports) == {"AIRFLOW_CONN_ALIBABA_CLOUD_MEDIA_DEFAULT", "AIRFLOW_CONN_TENCENT_CLOUD_CI_DEFAULT",
                                "MEDIAJOBS_EMULATOR_URL"}
        import shlex

        conn = json.loads(shlex.split(exports["AIRFLOW_CONN_TENCENT_CLOUD_CI_DEFAULT"])[0])
        assert conn["conn_type"] == "tencent_cloud_ci"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


def test_cli_refuses_an_empty_command() -> None:
    done = subprocess.run([sys.executable, "-m", "airflow_provider_mediajobs.emulator", "--"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "give a command after --" in done.stderr
