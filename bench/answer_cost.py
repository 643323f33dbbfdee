"""The cost of one answer under *Todos os gerentes* (spec §13) as answers pile up: an
organization tree (a parent with 500 managers, its child with 500) and one request to all
1,000; one more answer is timed, and its SQL statements counted (a `before_cursor_execute`
listener), after 0, 10, 100, 500 and 999 answers already given, on SQLite and PostgreSQL.

Two series, in process through the use cases (`approvals.approve` / `reject`), no server.
For each sample a fresh request is made and given its first k approvals in bulk (the rows
and counters k answers through the use case leave: a non-final answer writes nothing else;
not timed), then one answer is measured:
- **approval** by the (k+1)-th manager: after 0–500 it only counts; after 999 it is the
  last and approves the request (history, the agents' hub entries and their evaluation
  e-mail listing the latest answers, every manager's badge count);
- **rejection**: final at every checkpoint, so the evaluation e-mail's read of the answers
  so far is compared with itself as they pile up.
`--window` samples per checkpoint and round, the checkpoints taken in turn; the first round
warms up and is not kept.

    .venv/bin/python -m bench.answer_cost [--managers 1000] [--rounds 3] [--window 5]
                                          [--engines sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, insert, update

from domain import approvals
from domain.access import Actor
from persistence.tables import (
    account_settings,
    action_requests,
    agents,
    catalog_actions,
    customers,
    email_links,
    organizations,
    outbox_messages,
    request_answers,
    tickets,
)

from .support import (
    CACHE,
    Database,
    continue_ids_after_rows,
    drop_postgres,
    fresh_sqlite,
    load,
    open_database,
    recreate_postgres,
    save,
    stop_on_sigterm,
)

WORK = CACHE / "answer_cost"
PG_DATABASE = "aval_bench_answer_cost"
AGENT_ID, PARENT_ID, CHILD_ID, CUSTOMER_ID, ACTION_ID, TICKET_NUMBER = 1, 1, 2, 1, 1, 1
FIRST_MANAGER_ID = 2
CHECKPOINTS = (0, 10, 100, 500)  # and managers - 1: the last answer (999 of 1,000)


def seed(engine: str, managers: int) -> str:
    """A parent organization and its child, half the managers in each, a customer of the
    child, an agent, one action under *Todos os gerentes*, one ticket."""
    url = fresh_sqlite(WORK / "answer_cost.sqlite3") if engine == "sqlite" else recreate_postgres(PG_DATABASE)
    db = open_database(url)
    now = datetime.now(UTC)
    with db.engine.begin() as connection:
        connection.execute(insert(account_settings), [{"id": 1, "approvals_enabled": True, "last_ticket_number": 1}])
        connection.execute(insert(agents), [{"id": AGENT_ID, "name": "Agente Bench", "email": "agente@bench.test",
                                             "password_hash": "x", "role": "admin", "active": True}])
        connection.execute(insert(organizations), [{"id": PARENT_ID, "name": "Matriz Bench"}])
        connection.execute(insert(organizations), [{"id": CHILD_ID, "name": "Filial Bench", "parent_id": PARENT_ID}])
        people = [{"id": CUSTOMER_ID, "name": "Cliente Bench", "email": "cliente@bench.test", "password_hash": "x",
                   "organization_id": CHILD_ID, "is_manager": False, "active": True, "in_trash": False}]
        people += [{"id": FIRST_MANAGER_ID + index, "name": f"Gerente {index:04d}",
                    "email": f"gerente{index:04d}@bench.test", "password_hash": "x",
                    "organization_id": CHILD_ID if index % 2 else PARENT_ID, "is_manager": True, "active": True,
                    "in_trash": False}
                   for index in range(managers)]
        connection.execute(insert(customers), people)
        connection.execute(insert(catalog_actions), [{"id": ACTION_ID, "name": "Rescindir contrato",
                                                      "name_key": "rescindir contrato", "description": "",
                                                      "active": True, "rule": "all"}])
        connection.execute(insert(tickets), [{"id": 1, "number": TICKET_NUMBER, "subject": "Chamado das respostas",
                                              "description": "", "customer_id": CUSTOMER_ID,
                                              "assigned_agent_id": AGENT_ID, "status": "open", "in_trash": False,
                                              "trashed_with_customer": False, "created_at": now, "updated_at": now}])
    if engine == "postgresql":
        with db.engine.begin() as connection:
            continue_ids_after_rows(connection, ("agents", "organizations", "customers", "catalog_actions", "tickets"))
    db.close()
    return url


class Counter:
    """The statements the engine sends while `measure` runs, and the time taken."""

    def __init__(self, db: Database) -> None:
        self.statements: list[str] = []
        self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._count)

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)

    def measure(self, call: Callable[..., object], *args: object) -> dict[str, Any]:
        self.statements.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        call(*args)
        return {
            "ms": (time.perf_counter() - wall) * 1000,
            "cpu_ms": (time.process_time() - cpu) * 1000,
            "statements": len(self.statements),
            "first_words": [" ".join(s.split()[:4]) for s in self.statements],
        }

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def _summary(samples: list[dict[str, Any]]) -> dict[str, Any]:
    times = sorted(s["ms"] for s in samples)
    counts = sorted({s["statements"] for s in samples})
    return {
        "n": len(samples),
        "median_ms": round(statistics.median(times), 2),
        "min_ms": round(times[0], 2),
        "max_ms": round(times[-1], 2),
        "median_cpu_ms": round(statistics.median(s["cpu_ms"] for s in samples), 2),
        "statements": counts[0] if len(counts) == 1 else counts,
    }


def give_answers(db: Database, request_id: int, given: int) -> None:
    """The request as `given` approvals through the use case leave it (not timed): one
    answer row per manager and the request's counters — all a non-final answer writes."""
    now = datetime.now(UTC)
    with db.engine.begin() as connection:
        if given:
            connection.execute(
                insert(request_answers),
                [{"request_id": request_id, "customer_id": FIRST_MANAGER_ID + index,
                  "slot_id": FIRST_MANAGER_ID + index,  # each manager in their own place
                  "approved": True, "reason": "", "at": now - timedelta(seconds=given - index)}
                 for index in range(given)],
            )
        connection.execute(
            update(action_requests).where(action_requests.c.id == request_id)
            .values(answers_count=given, approvals_count=given)
        )


def forget_mail(db: Database) -> None:
    """Each request queues 2,000 outbox rows and 2,000 links: dropped between samples (not
    timed) so that every sample writes into tables of the same size."""
    with db.engine.begin() as connection:
        connection.execute(delete(email_links))
        connection.execute(delete(outbox_messages))


def settle(db: Database) -> None:
    """SQLite: fold the setup's writes into the database file now (not timed), or the
    measured commit may be the one that crosses the WAL's checkpoint threshold."""
    if db.kind == "sqlite":
        # Outside SQLAlchemy: its connections open a transaction first, inside which
        # SQLite refuses a checkpoint.
        with closing(sqlite3.connect(db.engine.url.database or "")) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def measure(engine: str, managers: int, rounds: int, window: int) -> dict[str, Any]:
    url = seed(engine, managers)
    db = open_database(url)
    agent = Actor.agent(AGENT_ID)
    people = [Actor.customer(FIRST_MANAGER_ID + index) for index in range(managers)]
    checkpoints = sorted({k for k in CHECKPOINTS if k < managers - 1} | {managers - 1})
    counter = Counter(db)
    series: dict[str, dict[int, list[dict[str, Any]]]] = {"approval": {}, "rejection": {}}
    shown: dict[str, list[str]] = {}
    last_mail: Any = None
    try:
        for _round in range(rounds + 1):  # the first round warms up and is not kept
            # Checkpoints interleaved: a drift of the machine's load touches them all alike.
            for _sample in range(window):
                for name in ("approval", "rejection"):
                    for k in checkpoints:
                        request_id = db.run(approvals.request_action, agent, TICKET_NUMBER, ACTION_ID, "bench")
                        give_answers(db, request_id, k)
                        settle(db)
                        if name == "approval":
                            sample = counter.measure(db.run, approvals.approve, people[k], request_id)
                        else:
                            sample = counter.measure(db.run, approvals.reject, people[k], request_id, "Não.")
                        state = db.scalar("SELECT state FROM action_requests WHERE id = :i", i=request_id)
                        assert state == ("rejected" if name == "rejection" else
                                         "approved" if k == managers - 1 else "awaiting_approval"), (name, k, state)
                        if state == "awaiting_approval":
                            db.run(approvals.cancel, agent, request_id)
                        else:
                            last_mail = db.scalar(
                                "SELECT payload FROM outbox_messages WHERE kind = 'request_evaluated' LIMIT 1"
                            )
                        forget_mail(db)
                        if _round:
                            series[name].setdefault(k, []).append(sample)
                            shown.setdefault(f"{name} after {k}", sample["first_words"])
            print(f"{engine}: round {_round} done", "(warm-up)" if not _round else "", flush=True)
        figures: dict[str, Any] = {
            name: {f"after {k}": _summary(samples) for k, samples in by_k.items()} for name, by_k in series.items()
        }
        figures["statements_of"] = shown
        mail = json.loads(last_mail) if isinstance(last_mail, str) else last_mail or {}
        progress = mail.get("progress") or {}
        figures["last_evaluation_mail"] = {
            "payload_bytes": len(json.dumps(mail)),
            "answers_counted": progress.get("answers_count"),
            "answers_named": len(progress.get("answers") or []),
        }
    finally:
        counter.close()
        db.close()
        if engine == "postgresql":
            drop_postgres(PG_DATABASE)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--managers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--window", type=int, default=5, help="answers measured from each checkpoint on")
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    stop_on_sigterm()
    result: dict[str, Any] = {"managers": args.managers, "rounds": args.rounds, "window": args.window,
                              "load_before": load()}
    for engine in args.engines.split(","):
        result[engine] = measure(engine, args.managers, args.rounds, args.window)
        for series in ("approval", "rejection"):
            for checkpoint, figures in result[engine][series].items():
                print(f"{engine:10} {series:9} {checkpoint:>9}: {figures}", flush=True)
    result["load_after"] = load()
    print("load", result["load_before"], "→", result["load_after"])
    save("answer_cost", result)


if __name__ == "__main__":
    main()
