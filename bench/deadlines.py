"""Deadlines and reminders at volume (spec §12), on the data-volume database
(bench/volume_data.py) grown to 50,000 awaiting requests, each with a deadline:

1. expiry: 5,000 of them fall due in the same minute while the app runs (bench.app_server,
   its due worker exactly as in production). Measured: how late each one expired after
   its deadline (decided_at − deadline), and the server time of GET /agent and GET
   /portal/approvals (the big customer's manager) asked for without pause by two clients
   while the expiries run;
2. reminders: one reminder round over the awaiting requests, in-process, in batches of 50:
   the SQL statements each batch costs (constant: no statement per request or manager)
   and the time of the round. The clock is pinned to noon in São Paulo, nobody's night.

Besides the GETs (each a new page whose browser never connects), `--open-pages` tabs of
each page stay open and connected (Socket.IO, as a browser tab) through the burst: they
follow it live. The server's CPU seconds and SQL statements over the expiry minute come
from its /bench/stats route: figures that do not depend on the machine's load.

A scratch copy of the volume database is used (bench/.cache/deadlines.sqlite3, the
PostgreSQL database aval_bench_deadlines); the cached volume stays as it is.

    .venv/bin/python -m bench.deadlines [--engines sqlite,postgresql] [--due 5000] [--awaiting 50000]
        [--open-pages 4] [--lead 120]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import closing
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import create_engine, event, text

from domain import admin, clock, reminders
from domain.access import Actor
from persistence.database import READ_ONLY

from . import volume_data
from .data_volume import PG_DATABASE, SQLITE_FILE, prepare
from .page_clients import Acknowledger, PageClient, http_session
from .support import (
    CACHE,
    drop_postgres,
    load,
    machine,
    open_database,
    percentile,
    postgres_url,
    save,
    sqlite_url,
    start_server,
    stop_on_sigterm,
)

SCRATCH = CACHE / "deadlines.sqlite3"
PG_SCRATCH = "aval_bench_deadlines"
FAR = timedelta(days=30)


def _copy_volume(engine: str) -> str:
    db, _info = prepare(engine, regenerate=False)
    db.close()
    if engine == "postgresql":
        drop_postgres(PG_SCRATCH)
        admin = create_engine(postgres_url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{PG_SCRATCH}" TEMPLATE "{PG_DATABASE}"')
        admin.dispose()
        return postgres_url(PG_SCRATCH)
    for suffix in ("", "-wal", "-shm"):
        SCRATCH.with_name(SCRATCH.name + suffix).unlink(missing_ok=True)
    with closing(sqlite3.connect(SQLITE_FILE)) as source, closing(sqlite3.connect(SCRATCH)) as copy:
        source.backup(copy)
    return sqlite_url(SCRATCH)


def _moment(url: str, moment: datetime) -> datetime:
    """SQLite keeps naive UTC; PostgreSQL's columns carry the zone."""
    return moment.replace(tzinfo=None) if url.startswith("sqlite") else moment.astimezone(UTC)


def _among(url: str, column: str) -> str:
    """`column` is one of the ids bound as :ids (a list), in the engine's own way."""
    if url.startswith("sqlite"):
        return f"{column} IN (SELECT value FROM json_each(:ids))"
    return f"{column} = ANY(:ids)"


def _ids(url: str, ids: list[int]) -> Any:
    return str(ids) if url.startswith("sqlite") else ids


def grow(url: str, awaiting: int) -> dict[str, Any]:
    """`awaiting` requests awaiting approval, one per ticket (reopened where needed), all
    with a deadline 30 days ahead and a due-work row each, as `request_action` writes it."""
    db = open_database(url)
    started = time.perf_counter()
    now = _moment(url, datetime.now(UTC))
    free = (
        "SELECT t.id FROM tickets t WHERE t.in_trash = false AND NOT EXISTS (SELECT 1 FROM action_requests r"
        " WHERE r.ticket_id = t.id AND r.state = 'awaiting_approval') ORDER BY t.id LIMIT :n"
    )
    with db.engine.begin() as connection:
        have = connection.execute(
            text("SELECT count(*) FROM action_requests WHERE state = 'awaiting_approval'")
        ).scalar()
        missing = max(0, awaiting - int(have or 0))
        free_ids = [row[0] for row in connection.execute(text(free), {"n": missing})]
        connection.execute(text(f"UPDATE tickets SET status = 'open' WHERE {_among(url, 'id')}"),
                           {"ids": _ids(url, free_ids)})
        connection.execute(text(
            "INSERT INTO action_requests (ticket_id, action_id, action_name, action_description, note, state,"
            " requested_by_agent_id, requested_at, reason, version, organization_id)"
            " SELECT t.id, 1, 'Reembolso', '', '', 'awaiting_approval', coalesce(t.assigned_agent_id, 1), :now, '', 1,"
            " c.organization_id"
            f" FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE {_among(url, 't.id')}"
        ), {"ids": _ids(url, free_ids), "now": now})
        connection.execute(text("DELETE FROM due_work"))
        connection.execute(text(
            "UPDATE action_requests SET deadline = :far WHERE state = 'awaiting_approval'"
        ), {"far": now + FAR})
        connection.execute(text(
            "INSERT INTO due_work (kind, subject_id, due_at, runs) SELECT 'expire_request', id, deadline, 0"
            " FROM action_requests WHERE state = 'awaiting_approval'"
        ))
        total = int(connection.execute(text(
            "SELECT count(*) FROM action_requests WHERE state = 'awaiting_approval'"
        )).scalar() or 0)
    if not url.startswith("sqlite"):
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE action_requests")
            connection.exec_driver_sql("ANALYZE due_work")
            connection.exec_driver_sql("ANALYZE tickets")
    db.close()
    return {"awaiting": total, "seconds": round(time.perf_counter() - started, 1)}


def make_due(url: str, due: int, due_at: datetime) -> list[int]:
    """`due` of the awaiting requests fall due within one minute starting at `due_at`."""
    db = open_database(url)
    with db.engine.begin() as connection:
        ids = [row[0] for row in connection.execute(text(
            "SELECT id FROM action_requests WHERE state = 'awaiting_approval' ORDER BY id LIMIT :n"
        ), {"n": due})]
        step = 60.0 / max(due, 1)
        start = _moment(url, due_at)
        rows = [{"id": rid, "at": start + timedelta(seconds=i * step)} for i, rid in enumerate(ids)]
        connection.execute(text("UPDATE action_requests SET deadline = :at WHERE id = :id"), rows)
        connection.execute(
            text("UPDATE due_work SET due_at = :at WHERE subject_id = :id AND kind = 'expire_request'"), rows
        )
    db.close()
    return ids


class OpenTabs:
    """Tabs that stay open through the burst, connected as a browser's are, in a thread
    of their own (bench/page_clients.py)."""

    def __init__(self, base: str, count: int) -> None:
        self.base, self.count = base, count
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.clients: list[PageClient] = []
        self.http: aiohttp.ClientSession | None = None
        self.acknowledger: Acknowledger | None = None

    def open(self) -> None:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._open(), self.loop).result(120)

    async def _open(self) -> None:
        self.http = http_session()
        for kind, person, path in (("agent", volume_data.ADMIN_ID, "/agent"),
                                   ("customer", volume_data.BIG_MANAGER_ID, "/portal/approvals")):
            for _ in range(self.count):
                client = PageClient(self.base, self.http)
                await client.sign_in(f"/bench/login/{kind}/{person}")
                await client.open(path, lambda _text: True)
                self.clients.append(client)
        self.acknowledger = Acknowledger(self.clients)
        self.acknowledger.start()

    def close(self) -> dict[str, Any]:
        async def _close() -> dict[str, Any]:
            if self.acknowledger is not None:
                await self.acknowledger.stop()
            messages = [client.messages for client in self.clients]
            disconnects = sum(len(client.disconnects) for client in self.clients)
            for client in self.clients:
                await client.close()
            if self.http is not None:
                await self.http.close()
            return {"tabs": len(self.clients), "updates_received": messages, "disconnects": disconnects,
                    "reasons": sorted({r for client in self.clients for r in client.disconnects}),
                    "disconnected_at": sorted(t for client in self.clients for t in client.disconnected_at)}

        try:
            return asyncio.run_coroutine_threadsafe(_close(), self.loop).result(60)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)


def _stats(base: str) -> dict[str, Any] | None:
    """None when the server does not answer within 5 minutes (it is that stalled)."""
    try:
        with urllib.request.urlopen(f"{base}/bench/stats", timeout=300) as response:
            return dict(json.loads(response.read()))
    except OSError:
        return None


def _objects(base: str) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(f"{base}/bench/objects", timeout=120) as response:
            return dict(json.loads(response.read()))
    except OSError:
        return {}


def _collections(base: str) -> list[dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"{base}/bench/gc", timeout=60) as response:
            return list(json.loads(response.read())["collections"])
    except OSError:
        return []


def _difference(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    if before is None or after is None:
        return {"unanswered": True}
    counts_before = dict((name, count) for name, count in before["top_statements"])
    return {
        "cpu_s": round(after["cpu_s"] - before["cpu_s"], 2),
        "statements": after["statements"] - before["statements"],
        "top_statements_after": [
            (name, count - counts_before.get(name, 0)) for name, count in after["top_statements"]
        ],
        "clients_at_end": after["clients"],
        "connected_at_end": after["connected"],
    }


def expiry_phase(
    url: str, ids: list[int], due_at: datetime, open_pages: int, profile: str | None = None
) -> dict[str, Any]:
    workdir = CACHE / "deadlines-server"
    shutil.rmtree(workdir, ignore_errors=True)
    server = start_server("bench.app_server", workdir, {"AVAL_DATABASE_URL": url, "AVAL_DEMO": "0"}, "/healthz")
    latencies: dict[str, list[tuple[float, float]]] = {"GET /agent": [], "GET /portal/approvals": []}
    stop = threading.Event()
    try:
        def opener(kind: str, person: int) -> urllib.request.OpenerDirector:
            browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
            browser.open(f"{server.base}/bench/login/{kind}/{person}", timeout=60).read()
            return browser

        clients = {
            "GET /agent": (opener("agent", volume_data.ADMIN_ID), "/agent"),
            "GET /portal/approvals": (opener("customer", volume_data.BIG_MANAGER_ID), "/portal/approvals"),
        }

        def hammer(name: str) -> None:
            browser, path = clients[name]
            while not stop.is_set():
                began = time.time()
                try:
                    with browser.open(server.base + path, timeout=120) as response:
                        response.read()
                except OSError:
                    pass  # counted with its full time: a page that never came is the worst latency
                latencies[name].append((began, time.time() - began))

        tabs = OpenTabs(server.base, open_pages)
        tabs.open()
        threads = [threading.Thread(target=hammer, args=(name,), daemon=True) for name in clients]
        for thread in threads:
            thread.start()
        db = open_database(url)
        reader = db.engine.connect().execution_options(**{READ_ONLY: True})  # no write lock
        last_deadline = due_at + timedelta(seconds=60)
        give_up = last_deadline + timedelta(seconds=120)
        expired = 0
        before: dict[str, Any] | None = None
        asked = False
        while datetime.now(UTC) < give_up:
            if not asked and datetime.now(UTC) >= due_at - timedelta(seconds=3):
                before, asked = _stats(server.base), True  # just before the burst
                if profile:  # py-spy (the `bench` extra) over the expiry minute
                    subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record", "-p", str(server.pid),
                                      "-r", "100", "-d", "75", "-f", "raw", "-o", profile, "--nonblocking"])
            expired = int(reader.execute(text(
                f"SELECT count(*) FROM action_requests WHERE state = 'expired' AND {_among(url, 'id')}"
            ), {"ids": _ids(url, ids)}).scalar() or 0)
            reader.rollback()
            if expired == len(ids):
                break
            time.sleep(1)
        burst = _difference(before, _stats(server.base))
        pauses = _collections(server.base)
        tracked = _objects(server.base)
        stop.set()
        for thread in threads:
            thread.join(60)
        tabs_seen = tabs.close()
        reader.close()
        with db.engine.connect().execution_options(**{READ_ONLY: True}) as connection:
            rows = connection.execute(text(
                f"SELECT deadline, decided_at FROM action_requests WHERE {_among(url, 'id')} AND state = 'expired'"
            ), {"ids": _ids(url, ids)}).all()
        db.close()
    finally:
        stop.set()
        server.stop()

    def as_utc(value: Any) -> datetime:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment

    lags = [(as_utc(decided) - as_utc(deadline)).total_seconds() for deadline, decided in rows]
    window = (due_at.timestamp(), (due_at + timedelta(seconds=90)).timestamp())
    pages = {}
    for name, samples in latencies.items():
        during = [seconds * 1000 for began, seconds in samples if window[0] <= began <= window[1]]
        pages[name] = {
            "count": len(during),
            "p50_ms": round(percentile(during, 50), 1) if during else None,
            "p95_ms": round(percentile(during, 95), 1) if during else None,
            "max_ms": round(max(during), 1) if during else None,
        }
    # Which slow loads a pause of the collector explains: a load over 100 ms that was
    # running while a collection (a full one, or any over 20 ms) held the process.
    held = [(pause["at"] - pause["ms"] / 1000, pause["at"]) for pause in pauses]
    for name, samples in latencies.items():
        slow = [(began, seconds) for began, seconds in samples if window[0] <= began <= window[1] and seconds > 0.1]
        pages[name]["over_100ms"] = len(slow)
        pages[name]["over_100ms_in_a_collection"] = sum(
            1 for began, seconds in slow if any(start < began + seconds and end > began for start, end in held)
        )
    slowest = sorted(
        ((began, seconds, name) for name, samples in latencies.items() for began, seconds in samples
         if window[0] <= began <= window[1]),
        key=lambda sample: -sample[1],
    )[:8]
    return {
        # When the slowest page loads began (seconds after the first deadline), beside the
        # garbage collector's long pauses over the same window: a stall's cause shows in both.
        "slowest_during_expiry": [
            {"page": name, "began_s": round(began - window[0], 1), "ms": round(seconds * 1000)}
            for began, seconds, name in slowest
        ],
        "gc_pauses_during_expiry": [
            {"generation": pause["generation"], "ms": pause["ms"], "at_s": round(pause["at"] - window[0], 1),
             "collected": pause.get("collected")}
            for pause in pauses if window[0] <= pause["at"] <= window[1] + 60
        ],
        "tracked_objects_after": tracked,
        "samples": {name: len(samples) for name, samples in latencies.items()},
        "all_p95_ms": {
            name: round(percentile([seconds * 1000 for _b, seconds in samples], 95), 1) if samples else None
            for name, samples in latencies.items()
        },
        "expired": len(rows),
        "of": len(ids),
        "lag_s": {
            "median": round(statistics.median(lags), 2) if lags else None,
            "p95": round(percentile(lags, 95), 2) if lags else None,
            "max": round(max(lags), 2) if lags else None,
            "within_30s": sum(1 for lag in lags if lag <= 30),
        },
        "pages_during_expiry": pages,
        "server_during_expiry": burst,
        "open_tabs": {**tabs_seen, "disconnected_at": [round(t - window[0], 1) for t in tabs_seen["disconnected_at"]]},
        "load": load(),
    }


def reminder_phase(url: str, batch: int) -> dict[str, Any]:
    db = open_database(url)
    noon = datetime.now(UTC).replace(hour=15, minute=0, second=0, microsecond=0)  # 12:00 in São Paulo
    real_now = clock.now
    clock.now = lambda: noon  # type: ignore[assignment]
    try:
        db.run(admin.set_reminders, Actor.agent(volume_data.ADMIN_ID), 1, 3)
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO due_work (kind, subject_id, due_at, runs) SELECT 'remind_request', id, :at, 0"
                " FROM action_requests WHERE state = 'awaiting_approval'"
            ), {"at": _moment(url, noon - timedelta(minutes=1))})
        per_batch: list[int] = []
        current: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            current.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        started = time.perf_counter()
        taken_total = 0
        while True:
            current.clear()
            taken = db.run(reminders.send_reminders, batch)
            if not taken:
                break
            taken_total += taken
            per_batch.append(len(current))
        seconds = time.perf_counter() - started
        event.remove(db.engine, "before_cursor_execute", count)
        mails = int(db.scalar("SELECT count(*) FROM outbox_messages WHERE kind = 'request_reminder'"))
    finally:
        clock.now = real_now  # type: ignore[assignment]
        db.close()
    return {
        "requests": taken_total,
        "batches": len(per_batch),
        "statements_per_batch": sorted(set(per_batch)),
        "outbox_rows": mails,
        "seconds": round(seconds, 1),
        "load": load(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--awaiting", type=int, default=50_000)
    parser.add_argument("--due", type=int, default=5_000)
    parser.add_argument("--lead", type=float, default=120.0,
                        help="seconds from the data being ready to the first deadline (the app starts meanwhile)")
    parser.add_argument("--open-pages", type=int, default=4,
                        help="connected tabs of /agent and of /portal/approvals held open through the burst")
    parser.add_argument("--batch", type=int, default=50, help="reminder batch size")
    parser.add_argument("--no-reminders", action="store_true", help="only the expiry burst")
    parser.add_argument("--profile", help="py-spy raw profile of the server over the burst, to PROFILE-<engine>.txt")
    args = parser.parse_args()
    stop_on_sigterm()
    results: dict[str, Any] = {"machine": machine(), "args": vars(args)}
    for engine in args.engines.split(","):
        url = _copy_volume(engine)
        try:
            grown = grow(url, args.awaiting)
            due_at = datetime.now(UTC) + timedelta(seconds=args.lead)
            ids = make_due(url, args.due, due_at)
            grown["due"] = len(ids)
            print(f"{engine}: awaiting {grown['awaiting']}, due in one minute {grown['due']}"
                  f" (grown in {grown['seconds']} s)", flush=True)
            profile = f"{args.profile}-{engine}.txt" if args.profile else None
            expiry = expiry_phase(url, ids, due_at, args.open_pages, profile)
            print(f"{engine}: expired {expiry['expired']}/{expiry['of']}; lag {expiry['lag_s']};"
                  f" pages {expiry['pages_during_expiry']}; server {expiry['server_during_expiry']};"
                  f" tabs {expiry['open_tabs']}", flush=True)
            round_ = None if args.no_reminders else reminder_phase(url, args.batch)
            if round_ is not None:
                print(f"{engine}: reminder round: {round_}", flush=True)
            results[engine] = {"data": grown, "expiry": expiry, "reminders": round_}
        finally:
            if engine == "postgresql":
                drop_postgres(PG_SCRATCH)
    path = save("deadlines", results)
    print(f"saved {path}")


if __name__ == "__main__":
    main()
