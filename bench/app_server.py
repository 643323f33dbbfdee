"""Aval as `python main.py` serves it, plus routes only benchmarks have.

The benchmarks need signed-in managers by the thousand and a request made at a known
moment. Signing in through the login form is a UI interaction with an argon2 check per
person, so this process adds (and only this process: the routes live in bench/, never
in the product) a route that puts a person into the caller's session the way the login
form does (`ui.session.sign_in`), and routes that run the approval use cases as an agent
would. It refuses to start unless AVAL_BENCH_ROUTES=1 and it listens on loopback only.

    AVAL_BENCH_ROUTES=1 AVAL_DATABASE_URL=... AVAL_PORT=... python -m bench.app_server
"""

from __future__ import annotations

import gc
import inspect
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from fastapi import HTTPException
from nicegui import app, run, ui
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.engine import Engine

import main as aval
from config import Config
from domain import approvals, push, tickets
from domain.access import Actor
from domain.errors import DomainError
from domain.events import RequestEvent
from ui.context import AppContext
from ui.session import sign_in

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def add_bench_routes(context: AppContext) -> None:
    services = context.services
    # When each committed request event reached the event loop (wall clock, as the
    # browsers' performance.timeOrigin + now): splits a latency into before and after it.
    emitted: list[dict[str, Any]] = []
    context.live.event.subscribe(
        lambda event: emitted.append({"event": type(event).__name__, "at": time.time() * 1000})
        if isinstance(event, RequestEvent) else None
    )

    # Every SQL statement this process runs, by its first words: load-independent figures
    # of what a benchmark phase cost (GET /bench/stats before and after it).
    statements: Counter[str] = Counter()

    def counted(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements[" ".join(statement.split())[:90]] += 1

    sqlalchemy_event.listen(Engine, "before_cursor_execute", counted)

    @app.get("/bench/stats")
    def stats() -> dict[str, Any]:
        """CPU seconds of this process so far and the statements it ran."""
        from nicegui import Client

        return {
            "cpu_s": time.process_time(),
            "statements": statements.total(),
            "top_statements": statements.most_common(12),
            "clients": len(Client.instances),
            "connected": sum(1 for c in Client.instances.values() if c.has_socket_connection),
        }

    @app.get("/bench/emitted")
    def emitted_events() -> list[dict[str, Any]]:
        return emitted[-200:]

    @app.get("/bench/login/{kind}/{person_id}")
    async def login(kind: str, person_id: int) -> dict[str, Any]:
        if kind not in ("agent", "customer"):
            raise HTTPException(404)
        sign_in(Actor(kind, person_id))  # type: ignore[arg-type]
        return {"signed_in": kind, "id": person_id}

    @app.post("/bench/request")
    async def request(ticket: int, agent: int, action: int) -> dict[str, Any]:
        received = time.monotonic()
        try:
            request_id = await run.io_bound(
                services.run, approvals.request_action, Actor.agent(agent), ticket, action, "bench"
            )
        except DomainError as error:
            raise HTTPException(409, error.message) from error
        return {"request_id": request_id, "received": received, "committed": time.monotonic()}

    @app.post("/bench/cancel")
    async def cancel(request_id: int, agent: int) -> dict[str, Any]:
        received = time.monotonic()
        try:
            await run.io_bound(services.run, approvals.cancel, Actor.agent(agent), request_id)
        except DomainError as error:
            raise HTTPException(409, error.message) from error
        return {"received": received, "committed": time.monotonic()}

    @app.post("/bench/cancel-pending")
    async def cancel_pending(ticket: int, agent: int) -> dict[str, Any]:
        """Frees a ticket for the next request: cancels the one awaiting approval, if any."""
        view = await run.io_bound(services.run, tickets.ticket_view, Actor.agent(agent), ticket)
        request_id = view.eligibility.pending_request_id
        if request_id is not None:
            await run.io_bound(services.run, approvals.cancel, Actor.agent(agent), request_id)
        return {"cancelled": request_id}

    @app.get("/bench/outbox-pending")
    async def outbox_pending(agent: int) -> dict[str, Any]:
        """How many messages the delivery worker still has to handle (an admin's view)."""
        messages = await run.io_bound(services.run, push.outbox, Actor.agent(agent), "pending")
        return {"pending": len(messages)}

    @app.get("/bench/memory")
    def memory() -> dict[str, Any]:
        gc.collect()
        from nicegui import Client

        return {"rss_kib": rss_kib(), "clients": len(Client.instances)}

    collections: list[dict[str, Any]] = []
    started: dict[str, float] = {}

    def timed_collection(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started["at"] = time.perf_counter()
        elif "at" in started:
            took = (time.perf_counter() - started.pop("at")) * 1000
            if info["generation"] == 2 or took > 20:
                collections.append({"generation": info["generation"], "ms": round(took, 1), "at": time.time(),
                                    "collected": info.get("collected", 0)})

    gc.callbacks.append(timed_collection)

    @app.get("/bench/gc")
    def garbage_collections() -> dict[str, Any]:
        """The garbage collector's full (or long) collections so far: pauses of the event loop."""
        return {"collections": collections[-100:], "threshold": gc.get_threshold(), "counts": gc.get_count()}

    @app.get("/bench/objects")
    def objects(top: int = 25) -> dict[str, Any]:
        """What the garbage collector tracks, by generation, and the commonest kinds of
        the oldest generation (a full collection's cost is their number)."""
        from collections import Counter

        oldest = gc.get_objects(generation=2)
        kinds = Counter(type(o).__module__ + "." + type(o).__qualname__ for o in oldest)
        return {
            "per_generation": [len(gc.get_objects(generation=g)) for g in range(3)],
            "frozen": gc.get_freeze_count(),
            "oldest_kinds": kinds.most_common(top),
        }

    @app.get("/bench/garbage")
    def garbage(top: int = 30) -> dict[str, Any]:
        """The cyclic garbage since the last call, by kind, and the functions in it by
        name: what only a full collection frees (its pauses' cost)."""
        from collections import Counter

        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            found = gc.collect()
            kinds = Counter(type(o).__module__ + "." + type(o).__qualname__ for o in gc.garbage)
            functions = Counter(
                f"{o.__module__}.{o.__qualname__}" for o in gc.garbage if inspect.isfunction(o)
            )
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
        return {"collected": found, "kinds": kinds.most_common(top), "functions": functions.most_common(top)}

    @app.get("/bench/census")
    def census() -> dict[str, Any]:
        """What the connected pages are made of: elements per page, by kind (memory per
        client is mostly these)."""
        from collections import Counter

        from nicegui import Client

        kinds: Counter[str] = Counter()
        pages = [c for c in Client.instances.values() if c.has_socket_connection]
        for client in pages:
            kinds.update(type(element).__name__ for element in client.elements.values())
        per_page = {kind: round(count / max(1, len(pages)), 1) for kind, count in kinds.most_common()}
        total = round(kinds.total() / max(1, len(pages)), 1)
        return {"pages": len(pages), "elements_per_page": total, "kinds": per_page}

    snapshots: list[Any] = []

    @app.get("/bench/tracemalloc")
    def trace_memory(group: str = "lineno", top: int = 40) -> list[str]:
        """With PYTHONTRACEMALLOC set: the allocations grown since the previous call."""
        import tracemalloc

        gc.collect()
        if not tracemalloc.is_tracing():
            return ["start the server with PYTHONTRACEMALLOC=1"]
        snapshot = tracemalloc.take_snapshot()
        previous = snapshots[-1] if snapshots else None
        snapshots.append(snapshot)
        if previous is None:
            return []
        return [str(stat) for stat in snapshot.compare_to(previous, group)[:top]]

    @app.get("/bench/clients")
    def clients() -> dict[str, Any]:
        from nicegui import Client

        return {
            client_id: {
                "connected": client.has_socket_connection,
                "next_message_id": client.outbox.next_message_id,
                "pending_updates": len(client.outbox.updates),
                "pending_messages": len(client.outbox.messages),
            }
            for client_id, client in Client.instances.items()
        }


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    config = Config.from_env()
    if os.environ.get("AVAL_BENCH_ROUTES") != "1" or config.host not in LOOPBACK:
        sys.exit("bench.app_server needs AVAL_BENCH_ROUTES=1 and a loopback AVAL_HOST")
    if os.environ.get("AVAL_BENCH_NO_LINKS") == "1":
        # The same run without the one-decision links of request mails: the fan-out
        # measured both ways on the same machine at the same time (docs/benchmarks.md).
        from domain import link_tokens

        link_tokens.issue_links = lambda *_args, **_kwargs: {}  # type: ignore[assignment]
    context = aval.build(config)
    add_bench_routes(context)
    aval.tune_serving_process()
    ui.run(
        host=config.host,
        port=config.port,
        title="Aval",
        storage_secret=config.secret("storage"),
        reload=False,
        show=False,
        language="pt-BR" if config.locale == "pt_BR" else "en-US",
        favicon="✅",
        uvicorn_logging_level=os.environ.get("AVAL_LOG_LEVEL", "warning"),
    )


if __name__ in {"__main__", "__mp_main__"}:
    main()
