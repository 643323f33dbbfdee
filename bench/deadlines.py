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

A scratch copy of the volume SQLite file is used (bench/.cache/deadlines.sqlite3); the
cached volume file stays as it is.

    .venv/bin/python -m bench.deadlines [--due 5000] [--awaiting 50000] [--lead 45]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import threading
import time
import urllib.request
from contextlib import closing
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from typing import Any

from sqlalchemy import event, text

from domain import admin, clock, reminders
from domain.access import Actor
from persistence.database import READ_ONLY

from . import volume_data
from .data_volume import SQLITE_FILE, prepare
from .support import CACHE, load, machine, open_database, percentile, save, sqlite_url, start_server, stop_on_sigterm

SCRATCH = CACHE / "deadlines.sqlite3"
FAR = timedelta(days=30)


def _copy_volume() -> str:
    db, _info = prepare("sqlite", regenerate=False)
    db.close()
    for suffix in ("", "-wal", "-shm"):
        SCRATCH.with_name(SCRATCH.name + suffix).unlink(missing_ok=True)
    with closing(sqlite3.connect(SQLITE_FILE)) as source, closing(sqlite3.connect(SCRATCH)) as copy:
        source.backup(copy)
    return sqlite_url(SCRATCH)


def grow(url: str, awaiting: int) -> dict[str, Any]:
    """`awaiting` requests awaiting approval, one per ticket (reopened where needed), all
    with a deadline 30 days ahead and a due-work row each, as `request_action` writes it."""
    db = open_database(url)
    started = time.perf_counter()
    now = datetime.now(UTC).replace(tzinfo=None)  # SQLite keeps naive UTC
    with db.engine.begin() as connection:
        have = connection.execute(
            text("SELECT count(*) FROM action_requests WHERE state = 'awaiting_approval'")
        ).scalar()
        missing = max(0, awaiting - int(have or 0))
        free = [row[0] for row in connection.execute(text(
            "SELECT t.id FROM tickets t WHERE t.in_trash = 0 AND NOT EXISTS (SELECT 1 FROM action_requests r"
            " WHERE r.ticket_id = t.id AND r.state = 'awaiting_approval') ORDER BY t.id LIMIT :n"
        ), {"n": missing})]
        connection.execute(text("UPDATE tickets SET status = 'open' WHERE id IN (SELECT value FROM json_each(:ids))"),
                           {"ids": str(free)})
        connection.execute(text(
            "INSERT INTO action_requests (ticket_id, action_id, action_name, action_description, note, state,"
            " requested_by_agent_id, requested_at, reason, version)"
            " SELECT t.id, 1, 'Reembolso', '', '', 'awaiting_approval', coalesce(t.assigned_agent_id, 1), :now, '', 1"
            " FROM tickets t WHERE t.id IN (SELECT value FROM json_each(:ids))"
        ), {"ids": str(free), "now": now})
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
        start = due_at.replace(tzinfo=None)
        rows = [{"id": rid, "at": start + timedelta(seconds=i * step)} for i, rid in enumerate(ids)]
        connection.execute(text("UPDATE action_requests SET deadline = :at WHERE id = :id"), rows)
        connection.execute(
            text("UPDATE due_work SET due_at = :at WHERE subject_id = :id AND kind = 'expire_request'"), rows
        )
    db.close()
    return ids


def expiry_phase(url: str, ids: list[int], due_at: datetime) -> dict[str, Any]:
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

        threads = [threading.Thread(target=hammer, args=(name,), daemon=True) for name in clients]
        for thread in threads:
            thread.start()
        db = open_database(url)
        reader = db.engine.connect().execution_options(**{READ_ONLY: True})  # no write lock
        last_deadline = due_at + timedelta(seconds=60)
        give_up = last_deadline + timedelta(seconds=120)
        expired = 0
        while datetime.now(UTC) < give_up:
            expired = int(reader.execute(text(
                "SELECT count(*) FROM action_requests"
                " WHERE state = 'expired' AND id IN (SELECT value FROM json_each(:ids))"
            ), {"ids": str(ids)}).scalar() or 0)
            reader.rollback()
            if expired == len(ids):
                break
            time.sleep(1)
        stop.set()
        for thread in threads:
            thread.join(60)
        reader.close()
        with db.engine.connect().execution_options(**{READ_ONLY: True}) as connection:
            rows = connection.execute(text(
                "SELECT deadline, decided_at FROM action_requests WHERE id IN (SELECT value FROM json_each(:ids))"
                " AND state = 'expired'"
            ), {"ids": str(ids)}).all()
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
    return {
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
            ), {"at": (noon - timedelta(minutes=1)).replace(tzinfo=None)})
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
    parser.add_argument("--awaiting", type=int, default=50_000)
    parser.add_argument("--due", type=int, default=5_000)
    parser.add_argument("--lead", type=float, default=120.0,
                        help="seconds from the data being ready to the first deadline (the app starts meanwhile)")
    parser.add_argument("--batch", type=int, default=50, help="reminder batch size")
    args = parser.parse_args()
    stop_on_sigterm()
    url = _copy_volume()
    grown = grow(url, args.awaiting)
    due_at = datetime.now(UTC) + timedelta(seconds=args.lead)
    ids = make_due(url, args.due, due_at)
    grown["due"] = len(ids)
    print(f"awaiting {grown['awaiting']}, due in one minute {grown['due']} (grown in {grown['seconds']} s)", flush=True)
    expiry = expiry_phase(url, ids, due_at)
    print(f"expired {expiry['expired']}/{expiry['of']}; lag {expiry['lag_s']}; pages {expiry['pages_during_expiry']}",
          flush=True)
    round_ = reminder_phase(url, args.batch)
    print(f"reminder round: {round_}", flush=True)
    path = save("deadlines", {"machine": machine(), "data": grown, "expiry": expiry, "reminders": round_,
                              "args": vars(args)})
    print(f"saved {path}")


if __name__ == "__main__":
    main()
