"""``mediajobs-emulator``: run the emulator in the foreground until SIGINT / SIGTERM, or around one
command (``mediajobs-emulator -- airflow dags test my_dag``) that then sees both default
connections pointing at it."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import signal
import subprocess
import sys
from typing import Any

from airflow_provider_mediajobs.emulator.backend import (
    DEFAULT_FAILURE_RATIO,
    DEFAULT_QUEUE_SECONDS,
    DEFAULT_RUN_SECONDS,
    DEFAULT_SEED_JOBS,
    DEFAULT_STALL_SECONDS,
    connections_for,
)


def connection_env(url: str) -> dict[str, str]:
    """``AIRFLOW_CONN_*`` variables for both default connections, pointing at the emulator at
    ``url`` with its keys, regions and bucket, and ``MEDIAJOBS_EMULATOR_URL``."""
    env = {f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(conn) for conn_id, conn in connections_for(url).items()}
    env["MEDIAJOBS_EMULATOR_URL"] = url
    return env


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mediajobs-emulator", description=__doc__,
        epilog="Anything after -- is a command run with the connections set; the emulator stops when it exits "
               "and its exit code is returned.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one and prints it")
    parser.add_argument("--seed-jobs", type=int, default=DEFAULT_SEED_JOBS,
                        help="jobs seeded per kind (default %(default)s)")
    parser.add_argument("--queue-seconds", type=float, default=DEFAULT_QUEUE_SECONDS,
                        help="how long new jobs stay queued")
    parser.add_argument("--run-seconds", type=float, default=DEFAULT_RUN_SECONDS, help="how long new jobs run")
    parser.add_argument("--failure-ratio", type=float, default=DEFAULT_FAILURE_RATIO,
                        help="share of new jobs that fail (0..1)")
    parser.add_argument("--stall-seconds", type=float, default=DEFAULT_STALL_SECONDS,
                        help="how long an injected stall fault holds a request (default %(default)g)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request to stderr")
    parser.add_argument("--qps-limit", type=float, default=None, help="throttle each key above this QPS")
    parser.add_argument("--print-env", action="store_true",
                        help="print `export AIRFLOW_CONN_...` lines for both default connections once listening")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, start the emulator, print its URL; serve until stopped, or run a command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command: list[str] = []
    dashdash = "--" in argv
    if dashdash:
        at = argv.index("--")
        argv, command = argv[:at], argv[at + 1 :]
    parser = _parser()
    args = parser.parse_args(argv)

    import logging

    from airflow_provider_mediajobs.emulator.server import LOOPBACK_HOSTS, EmulatorServer

    if args.host not in LOOPBACK_HOSTS:
        parser.error("--host must be a loopback address")
    if dashdash and not command:
        parser.error("give a command after --")

    # One line per request (vendor, operation, status) on stderr; never headers or query strings.
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    options: dict[str, Any] = {"stall_seconds": args.stall_seconds, "seed_jobs": args.seed_jobs,
                               "queue_seconds": args.queue_seconds, "run_seconds": args.run_seconds,
                               "failure_ratio": args.failure_ratio}

    def announce(url: str) -> None:
        print(f"mediajobs-emulator listening on {url}", flush=True)
        if args.print_env:
            for name, value in connection_env(url).items():
                print(f"export {name}={shlex.quote(value)}", flush=True)

    if command:
        # Around a command: the server runs in a thread, the command in the foreground.
        with EmulatorServer(args.port, args.host, **options) as server:
            server.backend.qps_limit = args.qps_limit
            announce(server.url)
            try:
                return subprocess.call(command, env={**os.environ, **connection_env(server.url)})
            except FileNotFoundError:
                print(f"mediajobs-emulator: command not found: {command[0]}", file=sys.stderr)
                return 127

    async def serve() -> None:
        server = EmulatorServer(args.port, args.host, **options)
        server.backend.qps_limit = args.qps_limit
        announce(await server.start_async())
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await server.stop_async()

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
