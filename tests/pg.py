"""A throw-away PostgreSQL server for the tests: its own cluster in a temp folder, on a free port.

`make test` installs the Debian server where it is missing (tools/sysdeps.sh pg). Where none can be
started the PostgreSQL tests skip with a loud reason — except under CI (`CI` set), where they must run
and a missing server fails them instead.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

USER = "zhdesk"  # the cluster's superuser; trust authentication on loopback only


def _bindir() -> Path | None:
    """The newest installed server's bin folder (Debian keeps initdb off PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    folder: Path
    port: int
    bindir: Path
    run_as: str | None
    _names = itertools.count(1)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname="postgres", autocommit=True)

    def create(self, template: str | None = None, name: str | None = None) -> str:
        """A new empty database (or a copy of `template`), returning its SQLAlchemy URL."""
        name = name or f"t{os.getpid()}_{next(self._names)}"
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            extra = f' TEMPLATE "{template}"' if template else " TEMPLATE template0"
            conn.execute(f'CREATE DATABASE "{name}"{extra}')
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), *args]
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=check)

    def stop(self) -> None:
        """Stop at once (a test may stop it to see the app cope); `start` brings it back."""
        self._ctl("-m", "immediate", "-w", "stop", check=False)

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._ctl("-w", "-t", "60", "-l", str(self.folder / "server.log"), "-o", options, "start")

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> Server | str:
    """A running throw-away server, or the reason none could be started."""
    bindir = _bindir()
    if bindir is None:
        return "PostgreSQL server binaries (initdb) not found; Debian: apt-get install postgresql"
    run_as: str | None = None
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as the postgres system user
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' system user to own the test cluster"
        run_as = "postgres"
    folder = Path(tempfile.mkdtemp(prefix="zhdesk-pg-"))
    if run_as:
        shutil.chown(folder, user=run_as)
    initdb = [str(bindir / "initdb"), "-D", str(folder / "data"), "-U", USER, "-A", "trust", "-E", "UTF8",
              "--locale=C", "--no-sync"]  # fmt: skip
    if run_as:
        initdb = ["runuser", "-u", run_as, "--", *initdb]
    done = subprocess.run(initdb, capture_output=True, text=True, timeout=180, check=False)
    if done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        return f"initdb failed: {done.stderr.strip()[-300:]}"
    server = Server(folder=folder, port=_free_port(), bindir=bindir, run_as=run_as)
    try:
        server.start()
    except subprocess.CalledProcessError as exc:
        log = (folder / "server.log").read_text(errors="replace")[-500:] if (folder / "server.log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        return f"pg_ctl start failed: {exc.stderr.strip()[-300:]} {log}"
    for _ in range(100):
        try:
            server.admin().close()
            return server
        except psycopg.OperationalError:
            time.sleep(0.1)
    server.close()
    return "the test PostgreSQL server started but accepts no connection"
