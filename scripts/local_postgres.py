"""A throwaway PostgreSQL server on 127.0.0.1, for tests that need Airflow on a real database.

Repository tooling, not part of the provider's wheel (``scripts.local_postgres``). It runs the
Debian ``postgresql`` server binaries (``initdb``, ``postgres``, ``pg_ctl``) found on ``PATH`` or
under ``/usr/lib/postgresql/<version>/bin``::

    with LocalPostgres() as pg:
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = pg.url("postgresql+psycopg2")

Everything lives in one temporary directory (data directory, socket directory, password file),
removed on exit. The server listens on 127.0.0.1 only, on a free port, its Unix socket in that
directory rather than ``/var/run/postgresql``; the one role has a random password (scram), so
other users of the machine cannot use the server while it runs.

PostgreSQL refuses to run as root. Run as root (a CI container, usually), the server runs as an
unprivileged user: the ``postgres`` user the Debian package creates, else ``nobody``, else one
this module creates with ``useradd``, so that a clean machine needs no step by hand.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from scripts.local_airflow import free_port

#: Users the server may run as when this process is root, in order of preference.
SERVER_USERS = ("postgres", "nobody")
#: The user created with ``useradd`` when none of :data:`SERVER_USERS` exists.
CREATED_USER = "mediajobs-pg"
ROLE = "airflow"


def find_binary(name: str) -> str | None:
    """The path of PostgreSQL's ``name`` (``initdb``...): on ``PATH``, else the newest version
    under ``/usr/lib/postgresql``, where Debian puts them without linking them onto ``PATH``."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return candidates[-1] if candidates else None


def server_user() -> pwd.struct_passwd | None:
    """The user to run the server as: None when this process is not root (it runs as itself).

    :raises RuntimeError: root, none of :data:`SERVER_USERS` exists and ``useradd`` failed.
    """
    if os.geteuid() != 0:
        return None
    for name in (*SERVER_USERS, CREATED_USER):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    made = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", CREATED_USER],
                          capture_output=True, text=True, check=False)
    if made.returncode != 0:
        raise RuntimeError(f"no unprivileged user to run PostgreSQL as, and useradd failed: {made.stderr}")
    return pwd.getpwnam(CREATED_USER)


class LocalPostgres:
    """One PostgreSQL server in a temporary directory, started and stopped by its owner.

    :param database: the database created for the caller (owned by :data:`ROLE`).
    :param ready_timeout: seconds the server may take to accept connections.
    """

    def __init__(self, database: str = "airflow", ready_timeout: float = 60) -> None:
        self.database = database
        self.ready_timeout = ready_timeout
        self.port = free_port()
        self.password = secrets.token_urlsafe(24)
        self.user = server_user()
        self.base: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    # -- paths ----------------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        """The data directory (``initdb -D``)."""
        assert self.base is not None, "not started"
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        """Where the server's Unix socket is (``-k``)."""
        assert self.base is not None, "not started"
        return self.base / "socket"

    @property
    def log_path(self) -> Path:
        """The server's own log."""
        assert self.base is not None, "not started"
        return self.base / "postgres.log"

    def url(self, scheme: str = "postgresql") -> str:
        """The database's URL with ``scheme`` (``postgresql+psycopg2``...), on 127.0.0.1."""
        return f"{scheme}://{ROLE}:{self.password}@127.0.0.1:{self.port}/{self.database}"

    # -- start, stop ----------------------------------------------------------------------------
    def _as_server_user(self) -> dict[str, Any]:
        """``subprocess`` arguments that run a command as the server's user."""
        if self.user is None:
            return {}
        return {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}

    def _run(self, *command: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(command), capture_output=True, text=True, timeout=timeout, check=False,
                              cwd=self.base, env=self._env(), **self._as_server_user())

    def _env(self) -> dict[str, str]:
        # A clean locale: initdb refuses a locale the machine lacks, and C is always there.
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C", "LC_ALL": "C"}

    def start(self) -> None:
        """Create the cluster and the database and start the server.

        :raises RuntimeError: a binary is missing, or the server did not come up (its log attached).
        """
        binaries = {name: find_binary(name) for name in ("initdb", "postgres", "pg_ctl")}
        missing = [name for name, path in binaries.items() if path is None]
        if missing:
            raise RuntimeError(f"PostgreSQL server binaries not found: {', '.join(missing)}")
        # Straight in /tmp, not under pytest's base directory: that one is private to its owner
        # (0700), and the server's user must reach its data directory.
        self.base = Path(tempfile.mkdtemp(prefix="mediajobs-pg-"))
        self.socket_dir.mkdir()
        pwfile = self.base / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self.user is not None:
            for path in (self.base, self.socket_dir, pwfile):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
        init = self._run(str(binaries["initdb"]), "-D", str(self.data_dir), "-U", ROLE, f"--pwfile={pwfile}",
                         "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync")
        pwfile.unlink()
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{init.stdout[-2000:]}\n{init.stderr[-2000:]}")
        log = self.log_path.open("ab")
        # The server in its own session: stop() can signal its whole process group (postmaster
        # and backends) by the pid recorded here.
        self.proc = subprocess.Popen(
            [str(binaries["postgres"]), "-D", str(self.data_dir), "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-k", str(self.socket_dir),
             # A test database: durability is not wanted, speed is.
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
             "-c", "max_connections=300"],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.base, env=self._env(), start_new_session=True,
            **self._as_server_user(),
        )
        log.close()
        self._wait_ready(str(binaries["pg_ctl"]))
        self._create_database()

    def _wait_ready(self, pg_ctl: str) -> None:
        import psycopg2

        deadline = time.monotonic() + self.ready_timeout
        while True:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited at start:\n{self.tail()}")
            try:
                psycopg2.connect(host="127.0.0.1", port=self.port, user=ROLE, password=self.password,
                                 dbname="postgres", connect_timeout=2).close()
                return
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"postgres did not accept connections in {self.ready_timeout}s:\n"
                                       f"{self.tail()}") from None
                time.sleep(0.3)

    def _create_database(self) -> None:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user=ROLE, password=self.password,
                                dbname="postgres")
        try:
            conn.autocommit = True  # CREATE DATABASE cannot run in a transaction
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{self.database}" OWNER "{ROLE}"')
        finally:
            conn.close()

    def connect(self) -> Any:
        """A new psycopg2 connection to the database (autocommit: each query sees the latest rows)."""
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user=ROLE, password=self.password,
                                dbname=self.database)
        conn.autocommit = True
        return conn

    def tail(self, chars: int = 3000) -> str:
        """The end of the server's log."""
        if self.base is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        """Stop the server (``pg_ctl stop -m fast``, then SIGKILL to its process group if it is
        still there) and remove the temporary directory."""
        if self.proc is not None:
            pg_ctl = find_binary("pg_ctl")
            if pg_ctl and self.proc.poll() is None:
                self._run(pg_ctl, "stop", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "30", timeout=60)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(10)
            # Whatever is left of the server (a postmaster that ignored pg_ctl, orphaned backends).
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(10)
            self.proc = None
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None

    def __enter__(self) -> LocalPostgres:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
