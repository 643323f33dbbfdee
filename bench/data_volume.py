"""Data volume: the server time of the pages people open most, on a
database of 100,000 tickets, 10,000 organizations, 1,000,000 history entries and 50,000
action requests (bench/volume_data.py), on SQLite and on PostgreSQL.

Two measurements per engine:
- the use cases that build the pages, called in-process as a page calls them:
  `tickets.list_tickets` (/agent: first page, a status filter, "mine", a subject
  search, a deep page), `tickets.ticket_view` (/agent/tickets/{n}),
  `approvals.pending_approvals` (/portal/approvals, pages of 20: the first and the last)
  and `approvals.pending_count` (the badge in every portal page), for the big customer's
  manager (200 awaiting requests in scope) and for random managers;
- the whole page, HTTP GET through bench.app_server with a signed-in session: NiceGUI
  answers a page's GET once the page function has built it, so the time is the
  server's page build (use cases + elements + HTML).

The SQLite file is generated once into bench/.cache/volume.sqlite3 and the PostgreSQL
database `aval_bench` kept between runs (`--regenerate` makes them anew, `--drop` removes
the PostgreSQL one afterwards). Opening them applies any newer migration.

    .venv/bin/python -m bench.data_volume [--engines sqlite,postgresql] [--repeat 200] [--pages 50]
"""

from __future__ import annotations

import argparse
import random
import shutil
import time
import urllib.request
from collections.abc import Callable
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

from domain import approvals, tickets
from domain.access import Actor
from domain.model import TicketStatus
from domain.views import TicketFilter

from . import volume_data
from .support import (
    CACHE,
    Database,
    drop_postgres,
    load,
    open_database,
    postgres_exists,
    postgres_url,
    recreate_postgres,
    save,
    sqlite_url,
    start_server,
    stop_on_sigterm,
    timed,
)

SQLITE_FILE = CACHE / "volume.sqlite3"
PG_DATABASE = "aval_bench"


def prepare(
    engine: str, regenerate: bool, sqlite_file: Path = SQLITE_FILE, pg_database: str = PG_DATABASE
) -> tuple[Database, dict[str, Any]]:
    """Opens the volume database of `engine`, generating it when missing or incomplete."""
    if engine == "sqlite":
        url = sqlite_url(sqlite_file)
        exists = sqlite_file.exists()
    else:
        url = postgres_url(pg_database)
        exists = postgres_exists(pg_database)
    if exists and not regenerate:
        db = open_database(url)
        found = volume_data.counts(db.engine)
        if found == volume_data.EXPECTED:
            return db, {"generated": False, "counts": found}
        db.close()
    if engine == "sqlite":
        sqlite_file.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            sqlite_file.with_name(sqlite_file.name + suffix).unlink(missing_ok=True)
    else:
        recreate_postgres(pg_database)
    db = open_database(url)
    timings = volume_data.load(db.engine)
    return db, {"generated": True, "load": timings, "counts": volume_data.counts(db.engine)}


def live_numbers(db: Database, rng: random.Random, count: int) -> list[int]:
    """Random ticket numbers outside the trash (a trashed ticket's page says "not found")."""
    with db.engine.connect() as connection:
        trashed = {row[0] for row in connection.exec_driver_sql("SELECT number FROM tickets WHERE in_trash = true")}
    numbers: list[int] = []
    while len(numbers) < count:
        number = rng.randint(1, volume_data.TICKETS)
        if number not in trashed:
            numbers.append(number)
    return numbers


def use_case_timings(db: Database, repeat: int) -> dict[str, Any]:
    rng = random.Random(11)
    agent = Actor.agent(volume_data.ADMIN_ID)
    big_manager = Actor.customer(volume_data.BIG_MANAGER_ID)
    managers = [Actor.customer(rng.randint(0, volume_data.ORGANIZATIONS - 1) * 3 + 1) for _ in range(repeat)]
    numbers = live_numbers(db, rng, repeat)
    heavy = int(db.scalar(
        "SELECT t.number FROM action_requests r JOIN tickets t ON t.id = r.ticket_id WHERE t.in_trash = false"
        " GROUP BY t.number ORDER BY count(*) DESC, t.number LIMIT 1"
    ))
    searches = ["fatura", "servidor", "vpn", "nota fiscal", str(numbers[0])]

    def cycling(make: Callable[[int], Callable[[], Any]]) -> Callable[[], Any]:
        state = {"i": 0}

        def call() -> Any:
            state["i"] += 1
            return make(state["i"])()

        return call

    cases: dict[str, Callable[[], Any]] = {
        "list_tickets (/agent, page 1)": lambda: db.run(tickets.list_tickets, agent, TicketFilter()),
        "list_tickets status=open": lambda: db.run(
            tickets.list_tickets, agent, TicketFilter(status=TicketStatus.OPEN)
        ),
        "list_tickets mine": lambda: db.run(tickets.list_tickets, agent, TicketFilter(assigned_agent_id=agent.id)),
        "list_tickets search": cycling(lambda i: lambda: db.run(
            tickets.list_tickets, agent, TicketFilter(search=searches[i % len(searches)])
        )),
        "list_tickets page 200": lambda: db.run(tickets.list_tickets, agent, TicketFilter(page=200)),
        "ticket_view (random tickets)": cycling(lambda i: lambda: db.run(
            tickets.ticket_view, agent, numbers[i % len(numbers)]
        )),
        "ticket_view (most requests)": lambda: db.run(tickets.ticket_view, agent, heavy),
        "pending_approvals (big customer)": lambda: db.run(approvals.pending_approvals, big_manager, 1, 20),
        "pending_approvals last page (big customer)": lambda: db.run(approvals.pending_approvals, big_manager, 10, 20),
        "pending_approvals (random managers)": cycling(lambda i: lambda: db.run(
            approvals.pending_approvals, managers[i % len(managers)], 1, 20
        )),
        "pending_count (big customer)": lambda: db.run(approvals.pending_count, big_manager),
        "pending_count (random managers)": cycling(lambda i: lambda: db.run(
            approvals.pending_count, managers[i % len(managers)]
        )),
        "portal_tickets (big customer)": lambda: db.run(tickets.portal_tickets, big_manager, 1, 20),
    }
    results = {}
    for name, case in cases.items():
        results[name] = {**timed(case, repeat), "load": load()}
        print(f"  {name}: p50 {results[name]['p50_ms']} ms, p95 {results[name]['p95_ms']} ms", flush=True)
    return results


def page_timings(db: Database, engine: str, pages: int) -> dict[str, Any]:
    workdir = CACHE / "volume-server" / engine
    shutil.rmtree(workdir, ignore_errors=True)
    server = start_server("bench.app_server", workdir, {"AVAL_DATABASE_URL": db.url, "AVAL_DEMO": "0"}, "/healthz")
    rng = random.Random(5)
    try:
        def opener(kind: str, person: int) -> urllib.request.OpenerDirector:
            browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
            browser.open(f"{server.base}/bench/login/{kind}/{person}", timeout=60).read()
            return browser

        agent = opener("agent", volume_data.ADMIN_ID)
        manager = opener("customer", volume_data.BIG_MANAGER_ID)
        numbers = live_numbers(db, rng, pages)

        def get(browser: urllib.request.OpenerDirector, path: Callable[[int], str]) -> Callable[[], None]:
            state = {"i": 0}

            def call() -> None:
                state["i"] += 1
                with browser.open(server.base + path(state["i"]), timeout=60) as response:
                    body = response.read()
                    if response.status != 200 or b"parseElements" not in body:
                        raise RuntimeError(f"{path(state['i'])}: not a built page")

            return call

        cases = {
            "GET /agent": get(agent, lambda _i: "/agent"),
            "GET /agent/tickets/{n}": get(agent, lambda i: f"/agent/tickets/{numbers[i % len(numbers)]}"),
            "GET /portal/approvals (big customer)": get(manager, lambda _i: "/portal/approvals"),
            "GET /portal (big customer)": get(manager, lambda _i: "/portal"),
        }
        results = {}
        for name, case in cases.items():
            results[name] = {**timed(case, pages), "load": load()}
            print(f"  {name}: p50 {results[name]['p50_ms']} ms, p95 {results[name]['p95_ms']} ms", flush=True)
        return results
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=200, help="calls per use case")
    parser.add_argument("--pages", type=int, default=50, help="GETs per page (0: skip the HTTP part)")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--drop", action="store_true", help="drop the PostgreSQL database at the end")
    args = parser.parse_args()
    stop_on_sigterm()
    results: dict[str, Any] = {}
    for engine in args.engines.split(","):
        started = time.perf_counter()
        db, prepared = prepare(engine, args.regenerate)
        print(f"{engine}: {prepared}", flush=True)
        try:
            results[engine] = {
                "database": prepared,
                "prepare_s": round(time.perf_counter() - started, 1),
                "use_cases": use_case_timings(db, args.repeat),
            }
            if args.pages:
                results[engine]["pages"] = page_timings(db, engine, args.pages)
        finally:
            db.close()
    if args.drop and "postgresql" in args.engines:
        drop_postgres(PG_DATABASE)
    results["target"] = "p95 <= 100 ms"
    results["summary"] = {
        engine: {name: figure["p95_ms"] for part in ("use_cases", "pages") for name, figure in r.get(part, {}).items()}
        for engine, r in results.items() if isinstance(r, dict) and "use_cases" in r
    }
    save("data_volume", results)


if __name__ == "__main__":
    main()
