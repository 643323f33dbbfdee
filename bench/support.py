"""What every benchmark shares: the machine and its load, percentiles, databases opened
like main.build opens them, and the result files docs/benchmarks.md is written from.

Benchmarks are measurements, not tests: nothing here asserts on time."""

from __future__ import annotations

import json
import math
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from domain.admin import PasswordHasher
from domain.events import DomainEvent
from domain.ports import UnitOfWork
from domain.service import Services
from persistence.database import make_engine, make_session_factory
from persistence.migrate import upgrade
from persistence.tables import start_mappers
from persistence.uow import SqlUnitOfWork

P = ParamSpec("P")
R = TypeVar("R")

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
RESULTS = CACHE / "results"
PYTHON = sys.executable
# The server the PostgreSQL variants run on (trust auth); each benchmark makes its own
# throwaway database there.
POSTGRES_SERVER = os.environ.get("AVAL_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
ENGINES = ("sqlite", "postgresql")


class PlainHasher(PasswordHasher):
    """Argon2 is slow on purpose; benchmark people sign in through the bench server's
    own route, never with a password."""

    def hash(self, password: str) -> str:
        return f"plain:{password}"

    def verify(self, password: str, password_hash: str) -> bool:
        return password_hash == f"plain:{password}"


# --- the machine ---------------------------------------------------------------------------


def load() -> str:
    """The 1/5/15-minute load averages: the machine is shared, so each figure carries them."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def wait_for_quiet(limit: float = 1.5, patience: float = 120.0) -> str:
    """Waits (at most `patience` seconds) until the 1-minute load is under `limit`, so
    a figure is not taken while other work saturates the 2 cores. Returns the load."""
    deadline = time.monotonic() + patience
    while os.getloadavg()[0] > limit and time.monotonic() < deadline:
        time.sleep(5)
    return load()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def postgres_version() -> str:
    try:
        engine = create_engine(POSTGRES_SERVER)
        with engine.connect() as connection:
            version = str(connection.exec_driver_sql("SHOW server_version").scalar())
        engine.dispose()
        return version
    except Exception as error:  # the SQLite figures are still worth having without a server
        return f"unreachable ({type(error).__name__})"


def machine() -> dict[str, Any]:
    import nicegui
    import sqlalchemy

    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(_memory_gib(), 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "nicegui": nicegui.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version(),
    }


def chromium_version() -> str:
    try:
        done = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True, timeout=30)
        return done.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


# --- figures -------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def summary_ms(seconds: Iterable[float]) -> dict[str, float]:
    """p50 / p95 / max / mean in milliseconds of durations given in seconds."""
    values = [s * 1000 for s in seconds]
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "max_ms": round(max(values), 2),
        "mean_ms": round(statistics.fmean(values), 2),
    }


def timed(call: Callable[[], Any], repeat: int, warmup: int = 3) -> dict[str, float]:
    for _ in range(warmup):
        call()
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        durations.append(time.perf_counter() - start)
    return summary_ms(durations)


def save(name: str, result: dict[str, Any]) -> Path:
    """Writes the result as JSON under bench/.cache/results/ and prints it."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{name}-{stamp}.json"
    document = {
        "benchmark": name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(PYTHON).name, *sys.argv]),
        "machine": machine(),
        **result,
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False, default=str))
    print(json.dumps(document, indent=2, ensure_ascii=False, default=str))
    print(f"saved {path.relative_to(ROOT)}")
    return path


# --- databases -----------------------------------------------------------------------------


def postgres_url(database: str) -> str:
    return make_url(POSTGRES_SERVER).set(database=database).render_as_string(hide_password=False)


def recreate_postgres(database: str) -> str:
    """Drops and creates a throwaway database on the bench server; returns its URL."""
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{database}"')
    admin.dispose()
    return postgres_url(database)


def drop_postgres(database: str) -> None:
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    admin.dispose()


def postgres_exists(database: str) -> bool:
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": database}).scalar()
    admin.dispose()
    return bool(found)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def fresh_sqlite(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return sqlite_url(path)


@dataclass
class Database:
    """A migrated database and the services over it, wired as main.build wires them
    (the PostgreSQL relay's NOTIFY included: it is part of every commit there)."""

    url: str
    engine: Engine
    session_factory: sessionmaker[Session]
    events: int = 0
    before_commit: Any = field(default=None)

    @property
    def kind(self) -> str:
        return self.engine.dialect.name

    def publish(self, events: list[DomainEvent]) -> None:
        self.events += len(events)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.session_factory, self.publish, self.before_commit)

    @property
    def services(self) -> Services:
        return Services(self.uow)

    def run(self, use_case: Callable[Concatenate[UnitOfWork, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
        return self.services.run(use_case, *args, **kwargs)

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()

    def close(self) -> None:
        self.engine.dispose()


def continue_ids_after_rows(connection: Any, tables: Sequence[str]) -> None:
    """PostgreSQL: after rows written with explicit ids, the tables' sequences go on
    after the highest id, so the app's own inserts do not collide with them."""
    for table in tables:
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )


def open_database(url: str) -> Database:
    engine = make_engine(url)
    upgrade(engine)
    start_mappers()
    db = Database(url=url, engine=engine, session_factory=make_session_factory(engine))
    if engine.dialect.name == "postgresql":
        from persistence.event_relay import PostgresEventRelay

        db.before_commit = PostgresEventRelay(engine.url, lambda _events: None).notify
    return db


def stop_on_sigterm() -> None:
    """A terminated benchmark still runs its `finally` blocks, which stop its servers."""
    import signal

    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))


# --- servers -------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A benchmark server in its own process (bench.app_server or bench.hello_server)."""

    module: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_kib(self) -> int:
        """VmRSS of the server process, from /proc (psutil is not a dependency)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def start_server(module: str, workdir: Path, env: dict[str, str] | None = None, ready_path: str = "/") -> Server:
    """Starts `python -m <module>` on a free loopback port with its own data and NiceGUI
    storage folders under `workdir`, and waits until it answers `ready_path`."""
    import urllib.request

    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    environment = {
        **os.environ,
        "AVAL_BENCH_ROUTES": "1",
        "AVAL_HOST": "127.0.0.1",
        "AVAL_PORT": str(port),
        "AVAL_DATA_DIR": str(workdir / "data"),
        "NICEGUI_STORAGE_PATH": str(workdir / "nicegui"),
        "AVAL_LOG_LEVEL": "warning",
        **(env or {}),
    }
    for name in ("AVAL_SMTP_HOST", "NICEGUI_REDIS_URL"):
        environment.pop(name, None)
    log = workdir / f"{module.rsplit('.', 1)[-1]}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [PYTHON, "-m", module], cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    server = Server(module, port, process, log)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{module} exited with {process.returncode}; see {log}")
            try:
                with urllib.request.urlopen(server.base + ready_path, timeout=5) as response:
                    if response.status == 200:
                        return server
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{module} did not answer on {server.base}{ready_path}; see {log}")
    except BaseException:  # not ready, or the benchmark was stopped meanwhile
        server.stop()
        raise
