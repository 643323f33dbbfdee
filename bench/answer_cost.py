"""The cost of one answer under *Todos os gerentes* (spec §13) as answers pile up: an
organization tree (a parent with 500 managers, its child with 500) and one request to all
1,000; one more answer is timed, and its SQL statements counted (a `before_cursor_execute`
listener), after 0, 10, 100, 500 and 999 answers already given, on SQLite and PostgreSQL.

Two series, in process through the use cases (`approvals.approve` / `reject`), no server:
- **approval**: one request per round answered by every manager in turn; the answers right
  after each checkpoint are measured (`--window` of them, fewer at the end). The one after
  999 is the last: it approves the request (history, the agents' hub entries and their
  evaluation e-mail listing the latest answers, every manager's badge count);
- **rejection**: for each checkpoint a fresh request given that many approvals (not timed),
  then one rejection — a final answer at every checkpoint, so the evaluation e-mail's read of
  the answers so far is compared with itself.

    .venv/bin/python -m bench.answer_cost [--managers 1000] [--rounds 3] [--window 5]
                                          [--engines sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert

from domain import approvals
from domain.access import Actor
from persistence.tables import account_settings, agents, catalog_actions, customers, organizations, tickets

from .support import CACHE, Database, drop_postgres, fresh_sqlite, load, open_database, recreate_postgres, save

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
            for table in ("agents", "organizations", "customers", "catalog_actions", "tickets"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
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


def measure(engine: str, managers: int, rounds: int, window: int) -> dict[str, Any]:
    url = seed(engine, managers)
    db = open_database(url)
    agent = Actor.agent(AGENT_ID)
    people = [Actor.customer(FIRST_MANAGER_ID + index) for index in range(managers)]
    checkpoints = sorted({k for k in CHECKPOINTS if k < managers - 1} | {managers - 1})
    counter = Counter(db)
    approval: dict[int, list[dict[str, Any]]] = {k: [] for k in checkpoints}
    rejection: dict[int, list[dict[str, Any]]] = {k: [] for k in checkpoints}
    shown: dict[str, list[str]] = {}
    try:
        for _round in range(rounds + 1):  # the first round warms up and is not kept
            keep = _round > 0
            request_id = db.run(approvals.request_action, agent, TICKET_NUMBER, ACTION_ID, "bench")
            for given, manager in enumerate(people):
                sample = counter.measure(db.run, approvals.approve, manager, request_id)
                checkpoint = next((k for k in checkpoints if k <= given < k + window), None)
                if keep and checkpoint is not None and (given < managers - 1 or checkpoint == given):
                    approval[checkpoint].append(sample)
                    shown.setdefault(f"approval after {given}", sample["first_words"])
            assert db.scalar("SELECT state FROM action_requests WHERE id = :i", i=request_id) == "approved"
            for k in checkpoints:
                request_id = db.run(approvals.request_action, agent, TICKET_NUMBER, ACTION_ID, "bench")
                for manager in people[:k]:
                    db.run(approvals.approve, manager, request_id)
                sample = counter.measure(db.run, approvals.reject, people[k], request_id, "Não.")
                if keep:
                    rejection[k].append(sample)
                    shown.setdefault(f"rejection after {k}", sample["first_words"])
            print(f"{engine}: round {_round} done", "(warm-up)" if not keep else "", flush=True)
        mail = db.scalar(
            "SELECT payload FROM outbox_messages WHERE kind = 'request_evaluated' ORDER BY id DESC LIMIT 1"
        )
        figures: dict[str, Any] = {
            "approval": {f"after {k}": _summary(v) for k, v in approval.items() if v},
            "rejection": {f"after {k}": _summary(v) for k, v in rejection.items() if v},
            "statements_of": shown,
            "last_evaluation_mail_bytes": len(str(mail)),
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
