"""``mediajobs-emulator``: run the emulator in the foreground until SIGINT / SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, start the emulator, print its URL, serve until stopped."""
    parser = argparse.ArgumentParser(prog="mediajobs-emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one and prints it")
    parser.add_argument("--seed-jobs", type=int, default=1000, help="jobs seeded per kind (default 1000)")
    parser.add_argument("--queue-seconds", type=float, default=2.0, help="how long new jobs stay queued")
    parser.add_argument("--run-seconds", type=float, default=5.0, help="how long new jobs run")
    parser.add_argument("--failure-ratio", type=float, default=0.0, help="share of new jobs that fail (0..1)")
    parser.add_argument("--stall-seconds", type=float, default=35.0,
                        help="how long an injected stall fault holds a request (default 35)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request to stderr")
    parser.add_argument("--qps-limit", type=float, default=None, help="throttle each key above this QPS")
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--host must be a loopback address")

    import logging

    from airflow_provider_mediajobs.emulator.server import EmulatorServer

    # One line per request (vendor, operation, status) on stderr; never headers or query strings.
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")

    async def serve() -> None:
        server = EmulatorServer(args.port, args.host, stall_seconds=args.stall_seconds, seed_jobs=args.seed_jobs,
                                queue_seconds=args.queue_seconds, run_seconds=args.run_seconds,
                                failure_ratio=args.failure_ratio)
        server.backend.qps_limit = args.qps_limit
        url = await server.start_async()
        print(f"mediajobs-emulator listening on {url}", flush=True)
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
