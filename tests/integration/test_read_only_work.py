"""A use case marked read-only ends its transaction with a COMMIT that writes nothing: on
PostgreSQL the connection then keeps the statements psycopg prepared (a ROLLBACK makes it
forget them, and every page read was planned anew), and nothing it changed by mistake is
ever written."""

from __future__ import annotations

import pytest
from persistence_support import BRUNO, Database

from domain import tickets
from domain.ports import UnitOfWork
from domain.service import read_only
from domain.views import TicketFilter


@read_only
def _renaming_by_mistake(uow: UnitOfWork, agent_id: int) -> str:
    with uow:
        agent = uow.agents.get(agent_id)
        assert agent is not None
        agent.name = "Renomeado"
        uow.tickets.page(TicketFilter())  # a query after the change: no autoflush writes it
        return agent.name


def test_what_a_read_only_use_case_changes_is_never_written(database: Database) -> None:
    bruno = database.agent(BRUNO)
    before = database.scalar("SELECT name FROM agents WHERE id = :id", id=bruno.id)
    assert database.run(_renaming_by_mistake, bruno.id) == "Renomeado"
    assert database.scalar("SELECT name FROM agents WHERE id = :id", id=bruno.id) == before


def test_the_pages_reads_stay_prepared_on_postgresql(database: Database) -> None:
    if database.kind != "postgresql":
        pytest.skip("SQLite has no server-side plans to keep")
    database.engine.dispose()  # one connection, reused by every call below
    bruno = database.agent(BRUNO)
    for _ in range(8):  # psycopg prepares a statement at its 6th run on a connection
        database.run(tickets.list_tickets, bruno, TicketFilter())
    with database.engine.connect() as connection:
        prepared = [row[0] for row in connection.exec_driver_sql("SELECT statement FROM pg_prepared_statements")]
    assert any("FROM tickets" in statement for statement in prepared), prepared
