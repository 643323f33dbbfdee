"""Fan-out: how long one request takes to reach every connected
manager, and what each connected manager costs in server memory.

1,000 managers of one organization are seeded (SQLAlchemy Core) into a fresh database;
Aval (bench.app_server) serves them. For 100, 300 and 1,000 clients, each client signs
in through the bench server's login route (the session cookie a browser would get from
the login form), loads /portal and connects its Socket.IO socket as nicegui.js does
(bench/page_clients.py). Then, several rounds of: one `request_action` through the
bench route → time until every client has received its badge's new text
("Aprovar Ações (1)"); then the request is cancelled → time until every badge is back.

The same clients, in the same run, open the framework's floor (bench.hello_server: a
label following a `nicegui.Event`) and time one emit reaching all of them.

Memory per client = what the clients opened at a size added to the server's VmRSS, divided
by their number (at 100: all of them, from before any; at 300: the 200 new ones), each read
right after a gc.collect() in the server, before that size's rounds. The cumulative figure
(VmRSS with N clients − before any, / N) also counts the messages that the earlier clients
still hold from the earlier rounds.

    .venv/bin/python -m bench.fanout [--sizes 100,300,1000] [--rounds 5] [--engine sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import insert

from persistence.tables import (
    account_settings,
    agents,
    catalog_actions,
    customers,
    organizations,
    tickets,
)

from .page_clients import Acknowledger, PageClient, http_session
from .support import (
    CACHE,
    Server,
    continue_ids_after_rows,
    drop_postgres,
    fresh_sqlite,
    load,
    open_database,
    recreate_postgres,
    save,
    start_server,
    stop_on_sigterm,
    summary_ms,
)

WORK = CACHE / "fanout"
PG_DATABASE = "aval_bench_fanout"
BADGE = re.compile(r"^(Aprovar Ações|Approve actions) \(\d+\)$")
COUNT = re.compile(r"^count \d+$")
AGENT_ID, ORGANIZATION_ID, CUSTOMER_ID, ACTION_ID, TICKET_NUMBER = 1, 1, 1, 1, 1
FIRST_MANAGER_ID = 2
WARM_UP_CLIENTS = 24


def seed(engine: str, managers: int, sqlite_path: Path | None = None, pg_database: str = PG_DATABASE) -> str:
    """One organization with `managers` managers, a customer, an agent, an action, a ticket."""
    sqlite_file = sqlite_path or WORK / "aval.sqlite3"
    url = fresh_sqlite(sqlite_file) if engine == "sqlite" else recreate_postgres(pg_database)
    db = open_database(url)
    now = datetime.now(UTC)
    with db.engine.begin() as connection:
        connection.execute(insert(account_settings), [{"id": 1, "approvals_enabled": True, "last_ticket_number": 1}])
        connection.execute(insert(agents), [{"id": AGENT_ID, "name": "Agente Bench", "email": "agente@bench.test",
                                             "password_hash": "x", "role": "admin", "active": True}])
        connection.execute(insert(organizations), [{"id": ORGANIZATION_ID, "name": "Organização Bench"}])
        people = [{"id": CUSTOMER_ID, "name": "Cliente Bench", "email": "cliente@bench.test", "password_hash": "x",
                   "organization_id": ORGANIZATION_ID, "is_manager": False, "active": True, "in_trash": False}]
        people += [{"id": FIRST_MANAGER_ID + index, "name": f"Gerente {index:04d}",
                    "email": f"gerente{index:04d}@bench.test", "password_hash": "x",
                    "organization_id": ORGANIZATION_ID, "is_manager": True, "active": True, "in_trash": False}
                   for index in range(managers)]
        connection.execute(insert(customers), people)
        connection.execute(insert(catalog_actions), [{"id": ACTION_ID, "name": "Reembolso", "name_key": "reembolso",
                                                      "description": "Devolver o valor.", "active": True}])
        connection.execute(insert(tickets), [{"id": 1, "number": TICKET_NUMBER, "subject": "Chamado da fan-out",
                                              "description": "", "customer_id": CUSTOMER_ID,
                                              "assigned_agent_id": AGENT_ID, "status": "open", "in_trash": False,
                                              "trashed_with_customer": False, "created_at": now, "updated_at": now}])
    if engine == "postgresql":
        with db.engine.begin() as connection:
            continue_ids_after_rows(connection, ("agents", "organizations", "customers", "catalog_actions", "tickets"))
    db.close()
    return url


class Clients:
    def __init__(self, server: Server, http: aiohttp.ClientSession, app: str) -> None:
        self.server, self.http, self.app = server, http, app
        self.clients: list[PageClient] = []
        self.acknowledger = Acknowledger(self.clients)

    async def grow(self, size: int, parallel: int = 8) -> float:
        """Opens clients until there are `size`; returns the seconds it took."""
        started = time.monotonic()
        gate = asyncio.Semaphore(parallel)

        async def one(index: int) -> PageClient:
            async with gate:
                client = PageClient(self.server.base, self.http)
                if self.app == "aval":
                    await client.sign_in(f"/bench/login/customer/{FIRST_MANAGER_ID + index}")
                    await client.open("/portal", BADGE.match)  # type: ignore[arg-type]
                else:
                    await client.open("/", COUNT.match)  # type: ignore[arg-type]
                return client

        self.clients.extend(await asyncio.gather(*(one(i) for i in range(len(self.clients), size))))
        return time.monotonic() - started

    async def memory(self) -> dict[str, int]:
        async with self.http.get(self.server.base + "/bench/memory") as response:
            return dict(await response.json())

    async def reach(self, trigger: Callable[[], Awaitable[dict[str, Any]]], timeout: float = 90) -> dict[str, Any]:
        """Fires `trigger` and waits until every client saw its watched text change."""
        before = {id(c): c.changes for c in self.clients}
        everyone = asyncio.Event()
        waiting = {id(c) for c in self.clients}

        def arrived(client: PageClient) -> None:
            waiting.discard(id(client))
            if not waiting:
                everyone.set()

        for client in self.clients:
            client.on_change.append(arrived)
        started = time.monotonic()
        answer = await trigger()
        try:
            await asyncio.wait_for(everyone.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            for client in self.clients:
                client.on_change.remove(arrived)
        reached = [c.changed_at - started for c in self.clients if c.changes > before[id(c)]]
        committed = answer.get("committed")
        return {
            "clients": len(self.clients),
            "reached": len(reached),
            "all_reached_ms": round(max(reached) * 1000, 1) if reached else None,
            "per_client": summary_ms(reached),
            # The server's clock is the same monotonic clock: the share of the use case itself.
            "commit_ms": round((committed - started) * 1000, 1) if committed else None,
            "disconnected": sum(1 for c in self.clients if c.disconnects),
            "reasons": sorted({r for c in self.clients for r in c.disconnects})[:5],
            "missed": [
                {"text": c.text, "messages": c.messages, "connected": bool(c.sio and c.sio.connected)}
                for c in self.clients if c.changes == before[id(c)]
            ][:3],
        }

    async def outbox_idle(self, patience: float = 300) -> None:
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            async with self.http.get(f"{self.server.base}/bench/outbox-pending?agent={AGENT_ID}") as response:
                if (await response.json())["pending"] == 0:
                    return
            await asyncio.sleep(0.5)

    async def post(self, path: str) -> dict[str, Any]:
        async with self.http.post(self.server.base + path) as response:
            response.raise_for_status()
            return dict(await response.json())

    async def close(self) -> None:
        await self.acknowledger.stop()
        await asyncio.gather(*(c.close() for c in self.clients), return_exceptions=True)


async def measure(app: str, server: Server, sizes: list[int], rounds: int) -> dict[str, Any]:
    results: dict[str, Any] = {"app": app, "sizes": []}
    async with http_session() as http:
        # Warm up with as many page builds at once as the clients will open (8 in
        # parallel): the worker threads and database connections that concurrency starts
        # are the process's, not the clients', and would otherwise be counted per client
        # (most at 100 clients).
        warm = Clients(server, http, app)
        await warm.grow(WARM_UP_CLIENTS)
        await warm.close()
        await asyncio.sleep(5)  # NiceGUI drops a disconnected client after its reconnect timeout (3 s)
        clients = Clients(server, http, app)
        clients.acknowledger.start()
        baseline = await clients.memory()
        results["baseline_rss_kib"] = baseline["rss_kib"]
        try:
            before = baseline
            for size in sizes:
                added = size - len(clients.clients)
                opened_in = await clients.grow(size)
                await asyncio.sleep(4)  # let page builds, first acks and timers settle
                memory = await clients.memory()
                # Per client: what the clients opened at this size added, at rest. The
                # earlier clients also keep the messages of the earlier rounds (NiceGUI
                # holds a client's sent messages for a reconnect and drops them only as it
                # sends the next), which the cumulative figure counts as well.
                per_client = (memory["rss_kib"] - before["rss_kib"]) / added
                cumulative = (memory["rss_kib"] - baseline["rss_kib"]) / size
                figure: dict[str, Any] = {
                    "clients": size,
                    "opened_in_s": round(opened_in, 1),
                    "rss_kib": memory["rss_kib"],
                    "server_clients": memory["clients"],
                    "rss_per_client_kib": round(per_client, 1),
                    "rss_per_client_cumulative_kib": round(cumulative, 1),
                    "load": load(),
                    "rounds": [],
                }
                for _ in range(rounds):
                    if app == "aval":
                        # Each request queues 2 messages per manager; measure one request,
                        # not one queued behind the delivery of the last.
                        await clients.outbox_idle()
                        request: dict[str, Any] = {}

                        async def ask(request: dict[str, Any] = request) -> dict[str, Any]:
                            answer = await clients.post(
                                f"/bench/request?ticket={TICKET_NUMBER}&agent={AGENT_ID}&action={ACTION_ID}"
                            )
                            request.update(answer)
                            return answer

                        asked = await clients.reach(ask)
                        await clients.outbox_idle()
                        cancelled = await clients.reach(
                            lambda request=request: clients.post(  # type: ignore[misc]
                                f"/bench/cancel?request_id={request['request_id']}&agent={AGENT_ID}"
                            )
                        )
                        figure["rounds"].append({"request": asked, "cancel": cancelled})
                    else:
                        figure["rounds"].append({"emit": await clients.reach(lambda: clients.post("/bench/emit"))})
                    await asyncio.sleep(1)
                if app == "aval":
                    async with http.get(server.base + "/bench/gc") as response:
                        figure["garbage_collections"] = (await response.json())["collections"]
                key = "request" if app == "aval" else "emit"
                times = [r[key]["all_reached_ms"] for r in figure["rounds"] if r[key]["all_reached_ms"] is not None]
                figure["all_reached_ms"] = summary_ms([t / 1000 for t in times])
                print(f"{app} {size} clients: all reached p50 {figure['all_reached_ms'].get('p50_ms')} ms, "
                      f"max {figure['all_reached_ms'].get('max_ms')} ms; "
                      f"{figure['rss_per_client_kib']} KiB/client "
                      f"({figure['rss_per_client_cumulative_kib']} with all before); load {figure['load']}", flush=True)
                results["sizes"].append(figure)
                await asyncio.sleep(1)  # the last round's messages out
                before = await clients.memory()
        finally:
            await clients.close()
    return results


def run_app(app: str, url: str | None, sizes: list[int], rounds: int) -> dict[str, Any]:
    workdir = WORK / app
    shutil.rmtree(workdir, ignore_errors=True)
    if app == "aval":
        assert url is not None
        server = start_server("bench.app_server", workdir, {"AVAL_DATABASE_URL": url, "AVAL_DEMO": "0"}, "/healthz")
    else:
        server = start_server("bench.hello_server", workdir)
    try:
        return asyncio.run(measure(app, server, sizes, rounds))
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,300,1000")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--engine", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--apps", default="aval,hello", help="which servers to measure")
    args = parser.parse_args()
    stop_on_sigterm()
    sizes = [int(s) for s in args.sizes.split(",")]
    url = seed(args.engine, max(sizes))
    results: dict[str, Any] = {"engine": args.engine, "load_before": load()}
    try:
        for app in args.apps.split(","):
            results[app] = run_app(app, url, sizes, args.rounds)
    finally:
        if args.engine == "postgresql":
            drop_postgres(PG_DATABASE)
    if "aval" in results and "hello" in results:
        results["ratios"] = [
            {
                "clients": a["clients"],
                "reach_p50_ratio": round(a["all_reached_ms"]["p50_ms"] / h["all_reached_ms"]["p50_ms"], 2),
                "memory_ratio": round(a["rss_per_client_kib"] / h["rss_per_client_kib"], 2),
                "memory_ratio_cumulative": round(
                    a["rss_per_client_cumulative_kib"] / h["rss_per_client_cumulative_kib"], 2
                ),
            }
            for a, h in zip(results["aval"]["sizes"], results["hello"]["sizes"], strict=True)
            if a["all_reached_ms"].get("n") and h["all_reached_ms"].get("n")
        ]
    results["load_after"] = load()
    save("fanout", results)


if __name__ == "__main__":
    main()
