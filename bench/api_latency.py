"""The API at data volume: `GET /api/v1/approvals` (the manager's pending approvals) and
`POST /api/v1/requests/{id}/approve`, over HTTP against Aval started as `main.py` does,
on the data-volume database of bench.data_volume (100,000 tickets, 10,000 organizations,
1,000,000 history entries, 50,000 requests), as the big customer's manager with 200
requests awaiting in scope. Target: p95 ≤ 50 ms of server time.

Server time is what the API reports in its `Server-Timing: app;dur=…` header (from the
request's arrival at the API to its answer); the client's round trip on loopback is
reported beside it. Each approval is a real decision (history, e-mails to the outbox,
live events, webhooks), on a copy of the SQLite volume file or on a PostgreSQL database
made from the volume one as a template, so bench.data_volume's data stays as generated.

    .venv/bin/python -m bench.api_latency [--engines sqlite,postgresql] [--repeat 150]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import time
from typing import Any

import httpx

from domain import tokens
from domain.access import Actor

from . import volume_data
from .data_volume import PG_DATABASE, prepare
from .support import (
    CACHE,
    drop_postgres,
    load,
    open_database,
    postgres_url,
    save,
    sqlite_url,
    start_server,
    stop_on_sigterm,
    summary_ms,
)

COPY_DATABASE = "aval_bench_api"


def working_copy(engine: str) -> str:
    """A throwaway copy of the volume database (approving changes it)."""
    db, _prepared = prepare(engine, regenerate=False)
    source_url = db.url
    db.close()
    if engine == "sqlite":
        source = source_url.removeprefix("sqlite:///")
        target = CACHE / "api-latency" / "volume-copy.sqlite3"
        target.parent.mkdir(parents=True, exist_ok=True)
        for leftover in target.parent.glob(target.name + "*"):
            leftover.unlink()
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        return sqlite_url(target)
    from sqlalchemy import create_engine

    drop_postgres(COPY_DATABASE)
    admin = create_engine(postgres_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{COPY_DATABASE}" TEMPLATE "{PG_DATABASE}"')
    admin.dispose()
    return postgres_url(COPY_DATABASE)


def server_ms(answer: httpx.Response) -> float:
    timing = answer.headers["server-timing"]
    return float(timing.split("dur=")[1].split(";")[0]) / 1000


def measure(engine: str, repeat: int) -> dict[str, Any]:
    url = working_copy(engine)
    db = open_database(url)
    manager_token = db.run(tokens.create_token, Actor.customer(volume_data.BIG_MANAGER_ID), "bench").secret
    db.close()
    workdir = CACHE / "api-latency" / engine
    shutil.rmtree(workdir, ignore_errors=True)
    server = start_server(
        "bench.app_server",
        workdir,
        {"AVAL_DATABASE_URL": url, "AVAL_DEMO": "0", "AVAL_API_RATE_LIMIT": "100000/minute",
         "AVAL_API_RATE_LIMIT_PER_ADDRESS": "100000/minute"},
        "/healthz",
    )
    try:
        headers = {"Authorization": f"Bearer {manager_token}"}
        with httpx.Client(base_url=server.base + "/api/v1", headers=headers, timeout=60) as http:
            def pending() -> httpx.Response:
                answer = http.get("/approvals", params={"per_page": 20})
                answer.raise_for_status()
                return answer

            for _ in range(5):
                pending()
            listing_server, listing_client = [], []
            before_listing = http.get(server.base + "/bench/stats").json()
            for _ in range(repeat):
                started = time.perf_counter()
                answer = pending()
                listing_client.append(time.perf_counter() - started)
                listing_server.append(server_ms(answer))
            after_listing = http.get(server.base + "/bench/stats").json()
            awaiting = pending().json()["total"]
            approve_server, approve_client = [], []
            approve_cpu, approve_statements = 0.0, 0
            while len(approve_server) < min(repeat, awaiting - 1):
                request_id = pending().json()["items"][0]["id"]
                before = http.get(server.base + "/bench/stats").json()
                started = time.perf_counter()
                answer = http.post(f"/requests/{request_id}/approve")
                approve_client.append(time.perf_counter() - started)
                answer.raise_for_status()
                approve_server.append(server_ms(answer))
                after = http.get(server.base + "/bench/stats").json()
                approve_cpu += after["cpu_s"] - before["cpu_s"]
                approve_statements += after["statements"] - before["statements"]
        return {
            "awaiting_in_scope_at_start": awaiting,
            "GET /api/v1/approvals": {
                "server": summary_ms(listing_server),
                "client": summary_ms(listing_client),
                # The server's CPU and SQL per call: what the call costs whatever the load
                # (the stats calls themselves add ~0 statements and well under 1 ms).
                "server_cpu_ms_per_call": round((after_listing["cpu_s"] - before_listing["cpu_s"]) / repeat * 1000, 2),
                "statements_per_call": (after_listing["statements"] - before_listing["statements"]) / repeat,
            },
            "POST /api/v1/requests/{id}/approve": {
                "server": summary_ms(approve_server),
                "client": summary_ms(approve_client),
                # Includes what the approval sets off in the same process meanwhile (live
                # events, the outbox worker's first round may overlap).
                "server_cpu_ms_per_call": round(approve_cpu / max(1, len(approve_server)) * 1000, 2),
                "statements_per_call": approve_statements / max(1, len(approve_server)),
            },
            "load": load(),
        }
    finally:
        server.stop()
        if engine == "postgresql":
            drop_postgres(COPY_DATABASE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=150, help="calls of each endpoint (approvals: at most 199)")
    args = parser.parse_args()
    stop_on_sigterm()
    results: dict[str, Any] = {"target": "p95 <= 50 ms server time"}
    for engine in args.engines.split(","):
        print(f"{engine}:", flush=True)
        results[engine] = measure(engine, args.repeat)
        for name in ("GET /api/v1/approvals", "POST /api/v1/requests/{id}/approve"):
            figures = results[engine][name]
            print(f"  {name}: server p50 {figures['server']['p50_ms']} ms, p95 {figures['server']['p95_ms']} ms; "
                  f"client p95 {figures['client']['p95_ms']} ms; server CPU {figures['server_cpu_ms_per_call']} ms"
                  f" and {figures['statements_per_call']} statements per call", flush=True)
    save("api_latency", results)


if __name__ == "__main__":
    main()
