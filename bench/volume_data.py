"""The data-volume database (bench/data_volume.py), bulk-loaded with SQLAlchemy Core
(executemany on SQLite, COPY on PostgreSQL), never through use cases.

100,000 tickets, 10,000 organizations (1,000 parents with 9 children each), 30,000
customers (per organization one manager and two customers), 20 agents, 1,000,000
history entries (10 per ticket), 50,000 action requests (5,000 awaiting approval, at most
one per ticket, on open tickets outside the trash). Organization 1, "Matriz Grande", and
its children are the big customer: 2,000 of the tickets and 200 of the awaiting
requests, which is the list its manager (`BIG_MANAGER_ID`) opens. Deterministic
(seeded), so every run measures the same data."""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, insert

from persistence.migrate import refresh_statistics
from persistence.tables import (
    account_settings,
    action_requests,
    agents,
    catalog_actions,
    customers,
    history_entries,
    organizations,
    tickets,
)
from persistence.ticket_tallies import fold_now

from .support import continue_ids_after_rows

ORGANIZATIONS = 10_000
CHILDREN_PER_PARENT = 9
TICKETS = 100_000
HISTORY_PER_TICKET = 10
REQUESTS = 50_000
AWAITING = 5_000
AGENTS = 20
BIG_TICKETS = 2_000  # of the big customer's organizations
BIG_AWAITING = 200
BIG_MANAGER_ID = 1  # manager of organization 1, the big customer's parent
ADMIN_ID = 1
EXPECTED = {"tickets": TICKETS, "organizations": ORGANIZATIONS, "history_entries": TICKETS * HISTORY_PER_TICKET,
            "action_requests": REQUESTS}

WORDS = ("fatura", "servidor", "acesso", "relatório", "senha", "impressora", "backup", "contrato", "nota fiscal",
         "lentidão", "e-mail", "VPN", "licença", "cobrança", "atualização", "integração")
STATUSES = ["open"] * 30 + ["in_progress"] * 20 + ["closed"] * 40 + ["cancelled"] * 10
DECIDED = ("approved", "rejected", "cancelled", "expired")
ACTIONS = (("Reembolso", "reembolso"), ("Reiniciar produção", "reiniciar producao"), ("Horas extras", "horas extras"))
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def _organization_rows() -> list[dict[str, Any]]:
    parents = ORGANIZATIONS // (CHILDREN_PER_PARENT + 1)
    rows = []
    for parent in range(parents):
        parent_id = parent * (CHILDREN_PER_PARENT + 1) + 1
        name = "Matriz Grande" if parent == 0 else f"Matriz {parent:04d}"
        rows.append({"id": parent_id, "name": name, "parent_id": None})
        rows += [{"id": parent_id + child, "name": f"Filial {parent:04d}-{child}", "parent_id": parent_id}
                 for child in range(1, CHILDREN_PER_PARENT + 1)]
    return rows


def _customer_rows() -> list[dict[str, Any]]:
    rows = []
    for organization in range(1, ORGANIZATIONS + 1):
        for slot in range(3):
            person = (organization - 1) * 3 + slot + 1
            rows.append({
                "id": person, "name": f"{'Gerente' if slot == 0 else 'Cliente'} {person:05d}",
                "email": f"pessoa{person:05d}@volume.test", "password_hash": "x", "organization_id": organization,
                "is_manager": slot == 0, "active": True, "in_trash": False, "trashed_at": None, "locale": None,
            })
    return rows


def _ticket_customer(rng: random.Random, index: int) -> int:
    """Non-manager customers; the first BIG_TICKETS belong to the big customer's 10 organizations."""
    organization = 1 + index % (CHILDREN_PER_PARENT + 1) if index < BIG_TICKETS else rng.randint(1, ORGANIZATIONS)
    return (organization - 1) * 3 + rng.choice((2, 3))


def generate() -> dict[str, list[dict[str, Any]] | Iterator[tuple[Any, ...]]]:
    """Everything but the history, which `history_rows` streams."""
    rng = random.Random(7)
    ticket_rows: list[dict[str, Any]] = []
    for index in range(TICKETS):
        created = EPOCH + timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        status = rng.choice(STATUSES)
        in_trash = rng.random() < 0.02
        ticket_rows.append({
            "id": index + 1, "number": index + 1,
            "subject": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} #{index + 1}",
            "description": "Descrição do problema relatado pelo cliente. " * 3,
            "customer_id": _ticket_customer(rng, index), "assigned_agent_id": rng.choice([None, *range(1, AGENTS + 1)]),
            "status": status, "in_trash": in_trash, "trashed_at": created + timedelta(days=1) if in_trash else None,
            "trashed_with_customer": False, "created_at": created,
            "updated_at": created + timedelta(minutes=rng.randint(0, 60 * 24 * 30)),
        })
    open_tickets = [t for t in ticket_rows if t["status"] in ("open", "in_progress") and not t["in_trash"]]
    big_open = [t for t in open_tickets if t["id"] <= BIG_TICKETS]
    other_open = [t for t in open_tickets if t["id"] > BIG_TICKETS]
    awaiting_on = big_open[:BIG_AWAITING] + rng.sample(other_open, AWAITING - BIG_AWAITING)
    request_rows: list[dict[str, Any]] = []
    for position in range(REQUESTS):
        awaiting = position < AWAITING
        ticket = awaiting_on[position] if awaiting else ticket_rows[rng.randrange(TICKETS)]
        action_id = rng.randint(1, 2)
        manager = ((ticket["customer_id"] - 1) // 3) * 3 + 1
        requested = ticket["created_at"] + timedelta(hours=rng.randint(1, 48))
        state = "awaiting_approval" if awaiting else rng.choice(DECIDED)
        request_rows.append({
            "id": position + 1, "ticket_id": ticket["id"], "action_id": action_id,
            "action_name": ACTIONS[action_id - 1][0], "action_description": "", "note": "Nota do agente.",
            "state": state, "requested_by_agent_id": ticket["assigned_agent_id"] or ADMIN_ID,
            "requested_at": requested, "decided_at": None if awaiting else requested + timedelta(hours=3),
            "evaluated_by_customer_id": manager if state in ("approved", "rejected") else None,
            "reason": "Fora do contrato." if state == "rejected" else "",
            "cancelled_by_agent_id": ADMIN_ID if state == "cancelled" else None,
            "cancelled_by_customer_id": None, "version": 1 if awaiting else 2,
            "organization_id": (ticket["customer_id"] - 1) // 3 + 1,
        })
    return {"tickets": ticket_rows, "action_requests": request_rows}


def history_rows(ticket_rows: Sequence[dict[str, Any]], request_rows: Sequence[dict[str, Any]]) -> Iterator[
        tuple[Any, ...]]:
    """(id, ticket_id, kind, actor_name, body, request_id, action_name, at): 10 per ticket,
    the first a creation, then the request events of the ticket, then replies."""
    requests_of: dict[int, list[dict[str, Any]]] = {}
    for request in request_rows:
        requests_of.setdefault(request["ticket_id"], []).append(request)
    entry_id = 0
    for ticket in ticket_rows:
        events: list[tuple[str, int | None, str | None, datetime]] = [("created", None, None, ticket["created_at"])]
        for request in requests_of.get(ticket["id"], [])[:4]:
            events.append(("action_requested", request["id"], request["action_name"], request["requested_at"]))
            if request["decided_at"] is not None:
                kind = f"action_{request['state']}"
                events.append((kind, request["id"], request["action_name"], request["decided_at"]))
        events = events[:HISTORY_PER_TICKET]
        step = 0
        while len(events) < HISTORY_PER_TICKET:
            step += 1
            kind = "reply" if step % 2 else "customer_reply"
            events.append((kind, None, None, ticket["created_at"] + timedelta(hours=step * 5)))
        for kind, request_id, action_name, at in events:
            entry_id += 1
            body = "Resposta com alguns detalhes do atendimento." if kind.endswith("reply") else ""
            yield (entry_id, ticket["id"], kind, "Pessoa", body, request_id, action_name, at)


HISTORY_COLUMNS = ("id", "ticket_id", "kind", "actor_name", "body", "request_id", "action_name", "at")


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _copy(engine: Engine, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def load(engine: Engine) -> dict[str, float]:
    """Fills an empty, migrated database. Returns seconds per step."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    data = generate()
    ticket_rows = data["tickets"]
    request_rows = data["action_requests"]
    assert isinstance(ticket_rows, list) and isinstance(request_rows, list)
    timings["generate_s"] = time.perf_counter() - started
    base: list[tuple[Table, list[dict[str, Any]]]] = [
        (account_settings, [{"id": 1, "approvals_enabled": True, "last_ticket_number": TICKETS}]),
        (agents, [{"id": n, "name": f"Agente {n:02d}", "email": f"agente{n:02d}@volume.test", "password_hash": "x",
                   "role": "admin" if n == ADMIN_ID else "agent", "active": True, "locale": None}
                  for n in range(1, AGENTS + 1)]),
        (catalog_actions, [{"id": n + 1, "name": name, "name_key": key, "description": "", "active": n < 2}
                           for n, (name, key) in enumerate(ACTIONS)]),
        (organizations, _organization_rows()),
        (customers, _customer_rows()),
        (tickets, ticket_rows),
        (action_requests, request_rows),
    ]
    postgres = engine.dialect.name == "postgresql"
    for table, rows in base:
        step = time.perf_counter()
        if postgres:
            columns = list(rows[0])
            _copy(engine, table, columns, ([row[c] for c in columns] for row in rows))
        else:
            with engine.begin() as connection:
                for chunk in _chunks(rows, 20_000):
                    connection.execute(insert(table), chunk)
        timings[f"{table.name}_s"] = time.perf_counter() - step
    step = time.perf_counter()
    history = history_rows(ticket_rows, request_rows)
    if postgres:
        _copy(engine, history_entries, HISTORY_COLUMNS, history)
    else:
        with engine.begin() as connection:
            for chunk in _chunks(history, 50_000):
                connection.execute(insert(history_entries), [dict(zip(HISTORY_COLUMNS, row, strict=True))
                                                             for row in chunk])
    timings["history_entries_s"] = time.perf_counter() - step
    step = time.perf_counter()
    # The tickets' triggers added a tally row per ticket on SQLite; the app's due worker
    # folds them at its start, and a benchmark calling use cases in process has none.
    fold_now(engine)
    with engine.begin() as connection:
        if postgres:
            continue_ids_after_rows(connection, ("agents", "organizations", "customers", "catalog_actions", "tickets",
                                                 "action_requests", "history_entries"))
        else:
            # What the app does at its next start (persistence.migrate.upgrade): the
            # statistics gathered when the schema was created describe empty tables.
            refresh_statistics(connection)
    if postgres:
        # Autovacuum would vacuum and analyze the freshly loaded tables a moment later (since
        # PostgreSQL 13 inserts alone trigger it); do it now. Without the vacuum the
        # visibility map is empty and counting the 100,000 tickets reads the whole table
        # instead of an index (/agent's count: 12 → 4 ms), which no installation of that size
        # would see. VACUUM cannot run inside a transaction.
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    timings["analyze_s"] = time.perf_counter() - step
    timings["total_s"] = time.perf_counter() - started
    return {name: round(value, 1) for name, value in timings.items()}


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table: int(connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() or 0)
                for table in EXPECTED}
