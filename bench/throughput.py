"""Throughput: request + approve cycles per second through the use
cases, on SQLite and on PostgreSQL, with one thread and with several.

Each cycle is what an agent and a manager do: `approvals.request_action` (Bruno, on a
ticket of João of Filial Norte: two managers in scope, so four outbox messages) then
`approvals.approve` (Fábio). Every thread works its own ticket, so the figures measure
the engine and the code, not lost races. Units of work are wired as main.build wires
them (on PostgreSQL the relay's NOTIFY is part of each commit); the live fan-out to
browsers is not (see bench/fanout.py).

    .venv/bin/python -m bench.throughput [--seconds 10] [--threads 1,2,4] [--engines sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import threading
import time
from typing import Any

from domain import approvals, demo
from domain.access import Actor
from domain.model import Ticket

from .support import (
    CACHE,
    Database,
    PlainHasher,
    drop_postgres,
    fresh_sqlite,
    load,
    open_database,
    recreate_postgres,
    save,
    stop_on_sigterm,
    summary_ms,
    wait_for_quiet,
)

PG_DATABASE = "aval_bench_throughput"


def _actor(db: Database, table: str, email: str) -> int:
    return int(db.scalar(f"SELECT id FROM {table} WHERE email = :email", email=email))


def prepare(engine: str) -> Database:
    url = fresh_sqlite(CACHE / "throughput.sqlite3") if engine == "sqlite" else recreate_postgres(PG_DATABASE)
    db = open_database(url)
    db.run(demo.seed_demo, PlainHasher())
    return db


def add_tickets(db: Database, count: int) -> list[int]:
    joao = _actor(db, "customers", "joao.cliente@demo.test")
    bruno = _actor(db, "agents", "bruno.agente@demo.test")
    with db.uow() as uow:
        numbers = []
        for index in range(count):
            number = uow.settings.next_ticket_number()
            uow.tickets.add(Ticket(number, f"Throughput {index}", "", customer_id=joao, assigned_agent_id=bruno))
            numbers.append(number)
        uow.commit()
    return numbers


def run_config(db: Database, threads: int, seconds: float) -> dict[str, Any]:
    bruno = Actor.agent(_actor(db, "agents", "bruno.agente@demo.test"))
    fabio = Actor.customer(_actor(db, "customers", "fabio.gerente@demo.test"))
    action = int(db.scalar("SELECT id FROM catalog_actions WHERE name = 'Reembolso'"))
    numbers = add_tickets(db, threads)
    cycles: list[float] = []
    requests: list[float] = []
    decisions: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_line = threading.Barrier(threads + 1)
    stop_at = [0.0]

    def cycle(number: int) -> tuple[float, float]:
        started = time.perf_counter()
        request_id = db.run(approvals.request_action, bruno, number, action, "bench")
        requested = time.perf_counter()
        db.run(approvals.approve, fabio, request_id)
        return requested - started, time.perf_counter() - requested

    def worker(number: int) -> None:
        for _ in range(3):  # warm-up: caches, pool, prepared statements
            cycle(number)
        start_line.wait()
        while time.perf_counter() < stop_at[0]:
            try:
                asked, decided = cycle(number)
            except Exception as error:  # counted and shown: a benchmark must not hide failures
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")
                continue
            with lock:
                requests.append(asked)
                decisions.append(decided)
                cycles.append(asked + decided)

    pool = [threading.Thread(target=worker, args=(number,), daemon=True) for number in numbers]
    for thread in pool:
        thread.start()
    load_before = wait_for_quiet(limit=2.5, patience=30)
    stop_at[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start_line.wait()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - began
    return {
        "threads": threads,
        "seconds": round(elapsed, 2),
        "cycles": len(cycles),
        "cycles_per_second": round(len(cycles) / elapsed, 1),
        "cycle": summary_ms(cycles),
        "request_action": summary_ms(requests),
        "approve": summary_ms(decisions),
        "errors": len(errors),
        "first_errors": errors[:3],
        "load_before": load_before,
        "load_after": load(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per configuration")
    parser.add_argument("--threads", default="1,2,4", help="thread counts, comma-separated")
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    stop_on_sigterm()
    results: dict[str, list[dict[str, Any]]] = {}
    for engine in args.engines.split(","):
        db = prepare(engine)
        try:
            results[engine] = []
            for threads in (int(t) for t in args.threads.split(",")):
                figures = run_config(db, threads, args.seconds)
                print(f"{engine} threads={threads}: {figures['cycles_per_second']} cycles/s, "
                      f"cycle p50 {figures['cycle'].get('p50_ms')} ms p95 {figures['cycle'].get('p95_ms')} ms, "
                      f"errors {figures['errors']}, load {figures['load_after']}", flush=True)
                results[engine].append(figures)
        finally:
            db.close()
            if engine == "postgresql":
                drop_postgres(PG_DATABASE)
    save("throughput", {"results": results})


if __name__ == "__main__":
    main()
