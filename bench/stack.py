"""The platform as a benchmark runs it: fresh databases, real server and worker processes.

Every measurement runs against processes started exactly as in production (gunicorn serving
``tracehub.wsgi``, ``tracehub worker``), each on a database of its own created for the run and
removed afterwards: a fresh SQLite file in a temporary directory, or a fresh PostgreSQL database
``tracehub_bench_<random>`` dropped at the end. Memory is read from /proc (VmHWM is the kernel's
own peak-RSS record of a process, so no sample can miss a peak).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BIN = Path(sys.executable).parent
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


class BenchError(RuntimeError):
    """A benchmark could not measure what it set out to (a failed capture, a dead server …)."""


# -- databases ---------------------------------------------------------------------------------


@dataclass
class Database:
    """One fresh database: its Django DATABASE_URL and how to connect to it directly."""

    kind: str  # "sqlite" or "postgresql"
    url: str
    path: Path | None = None  # SQLite file
    name: str = ""  # PostgreSQL database name

    @property
    def label(self) -> str:
        return "PostgreSQL" if self.kind == "postgresql" else "SQLite"


def postgres_admin_url() -> str:
    return os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def postgres_status(admin_url: str) -> tuple[str | None, str]:
    """(server version, "") when PostgreSQL answers, else (None, why not)."""
    try:
        import psycopg

        with psycopg.connect(admin_url, connect_timeout=5) as conn:
            return conn.execute("SHOW server_version").fetchone()[0], ""
    except Exception as exc:  # any failure means: measure SQLite only, and say why
        lines = str(exc).strip().splitlines()
        return None, f"{type(exc).__name__}: {lines[0] if lines else ''}"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@contextlib.contextmanager
def postgres_database(admin_url: str, suffix: str = ""):
    """A fresh PostgreSQL database for the duration of the block, dropped afterwards."""
    import psycopg

    name = f"tracehub_bench_{secrets.token_hex(4)}{suffix}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Database(kind="postgresql", url=_with_database(admin_url, name), name=name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlite_database(directory: Path, name: str = "tracehub.sqlite3") -> Database:
    path = directory / name
    return Database(kind="sqlite", url=f"sqlite:///{path}", path=path)


# -- TraceHub processes ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Platform:
    """TraceHub on one database: management commands, a gunicorn server, background workers."""

    database: Database
    data_dir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    port: int = 0
    key: str = ""
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tracehub.settings",
            "DATABASE_URL": self.database.url,
            "TRACEHUB_DATA_DIR": str(self.data_dir),
            "DEBUG": "false",
            "SECRET_KEY": self.secret_key,
            # Request logging would cost the server time the benchmark then charges to capture.
            "LOG_LEVEL": "WARNING",
        }

    def manage(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [str(BIN / "tracehub"), *args], env=self.env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise BenchError(f"tracehub {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def prepare(self) -> None:
        """Migrate the fresh database and create the API key the benchmark sends."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.manage("migrate", "--noinput", "-v0")
        self.key = self.manage("create_api_key", "bench").strip().splitlines()[-1]

    def start_server(self, *, workers: int, threads: int) -> None:
        self.port = free_port()
        self._spawn(
            "server",
            [
                str(BIN / "gunicorn"),
                "tracehub.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--timeout",
                "600",
            ],
        )
        self._wait_ready()

    def start_worker(self) -> None:
        self._spawn("worker", [str(BIN / "tracehub"), "worker", "--interval", "0.2"])

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.data_dir / f"{name}.log", "wb")  # noqa: SIM115 - the child owns it
        self.processes[name] = subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        log.close()

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.data_dir / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes["server"].poll() is not None:
                raise BenchError(f"the server exited at start:\n{self.log_tail('server')}")
            try:
                status, _ = self.request("GET", "/epcis/capture?perPage=1")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"the server did not answer within {timeout:.0f} s:\n{self.log_tail('server')}")

    def connection(self, timeout: float = 600.0) -> http.client.HTTPConnection:
        # A large block size: http.client reads file bodies in 8 KiB pieces otherwise.
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout, blocksize=1 << 20)

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, bytes]:
        conn = self.connection(timeout=30)
        try:
            conn.request(method, path, body=body, headers={**self.auth, **(headers or {})})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()


# -- memory ------------------------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        # Field 4 (ppid) follows the command name, which is in parentheses and may hold spaces.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def process_tree(pid: int, children: dict[int, list[int]] | None = None) -> list[int]:
    """``pid`` and all its descendants (``children`` from one scan of /proc, or a fresh scan)."""
    if children is None:
        children = _children_map()
    tree, stack = [], [pid]
    while stack:
        current = stack.pop()
        tree.append(current)
        stack.extend(children.get(current, ()))
    return tree


def status_kib(pid: int, key: str) -> int:
    """A /proc/<pid>/status memory field (VmRSS, VmHWM …) in KiB; 0 if the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemoryWatch(threading.Thread):
    """Samples the summed RSS of named process trees; reads each process's VmHWM at the end.

    The sum over a tree (gunicorn master plus its workers) is sampled every ``interval`` s; the
    per-process peak is the kernel's VmHWM, exact however short the peak was. One scan of /proc
    per sample serves every tree: the client shares the two cores with what it measures.
    """

    def __init__(self, roots: dict[str, int], interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.roots = roots
        self.interval = interval
        self.peak_total_kib = dict.fromkeys(roots, 0)
        self.pids: dict[str, set[int]] = {name: set() for name in roots}
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            children = _children_map()
            for name, root in self.roots.items():
                tree = process_tree(root, children)
                self.pids[name].update(tree)
                total = sum(status_kib(pid, "VmRSS") for pid in tree)
                self.peak_total_kib[name] = max(self.peak_total_kib[name], total)
            self._stop_event.wait(self.interval)

    def finish(self) -> dict[str, dict[str, int]]:
        """Stop sampling; per tree: the sampled peak of the sum and the largest process VmHWM."""
        self._stop_event.set()
        self.join()
        result = {}
        for name, root in self.roots.items():
            pids = self.pids[name] | set(process_tree(root))
            result[name] = {
                "total_kib": self.peak_total_kib[name],
                "largest_hwm_kib": max((status_kib(pid, "VmHWM") for pid in pids), default=0),
                "processes": len(pids),
            }
        return result
