"""What the fan-out benchmark (bench/fanout.py) showed and what keeps it fixed: the
badges of many managers are read in one transaction, with the same counts each would
read alone, and on SQLite a page that only reads never waits behind a writer."""

from __future__ import annotations

import threading
import time

import pytest
from persistence_support import ANA, BRUNO, FABIO, JOAO, LIVIA, MARCIA, Database
from sqlalchemy import event

from domain import approvals, auth, tickets
from domain.service import Services
from domain.views import TicketFilter
from persistence.uow import SqlUnitOfWork


def _request_on_ticket_of_joao(db: Database) -> int:
    return db.run(approvals.request_action, db.agent(BRUNO), 1, db.action_id("Reembolso"), "")


def test_counts_read_together_equal_the_counts_read_alone(database: Database) -> None:
    _request_on_ticket_of_joao(database)
    people = [database.customer(e) for e in (MARCIA, FABIO, JOAO, LIVIA)] + [database.agent(ANA)]
    together = database.run(approvals.pending_counts, people)
    assert together[database.customer(MARCIA)] == 1  # manager of the parent organization
    assert together[database.customer(FABIO)] == 1  # manager of the ticket's organization
    assert together[database.customer(JOAO)] == 0  # a customer, not a manager
    assert together[database.customer(LIVIA)] == 0
    assert together[database.agent(ANA)] == 0  # an agent has no badge
    for manager in (MARCIA, FABIO):
        assert together[database.customer(manager)] == database.run(approvals.pending_count, database.customer(manager))


def test_counts_read_together_use_a_fixed_number_of_statements(database: Database) -> None:
    _request_on_ticket_of_joao(database)
    managers = [database.customer(MARCIA), database.customer(FABIO)]
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        database.run(approvals.pending_counts, managers)
        for_two = len(statements)
        database.run(approvals.pending_counts, managers * 50)
        for_a_hundred = len(statements) - for_two
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert for_a_hundred == for_two


@pytest.mark.parametrize("read", ["pending_count", "whoami", "list_tickets"])
def test_a_page_read_does_not_wait_behind_a_writer_on_sqlite(database: Database, read: str) -> None:
    if database.kind != "sqlite":
        pytest.skip("PostgreSQL readers never wait for writers")
    marcia, bruno = database.customer(MARCIA), database.agent(BRUNO)  # before the writer: these wait
    writer_holds_lock = threading.Event()
    release = threading.Event()

    def writer() -> None:
        # A unit of work that took the write lock and is still working (the outbox worker
        # recording 2,000 messages, an agent's request…).
        with database.uow() as uow:
            uow.settings.get()
            assert uow.session is not None
            uow.session.connection()  # BEGIN IMMEDIATE: holds the write lock from here
            writer_holds_lock.set()
            release.wait(10)
            uow.rollback()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    assert writer_holds_lock.wait(10)
    try:
        calls = {
            "pending_count": lambda: database.run(approvals.pending_count, marcia),
            "whoami": lambda: database.run(auth.whoami, marcia),
            "list_tickets": lambda: database.run(tickets.list_tickets, bruno, TicketFilter()),
        }
        started = time.monotonic()
        calls[read]()
        waited = time.monotonic() - started
    finally:
        release.set()
        thread.join(10)
    assert waited < 2, f"{read} waited {waited:.1f} s for the writer's lock"


def test_a_use_case_not_marked_read_only_still_takes_the_write_lock(database: Database) -> None:
    if database.kind != "sqlite":
        pytest.skip("only SQLite has the database-wide write lock")
    seen: list[bool] = []

    class Probe(SqlUnitOfWork):
        def __enter__(self) -> SqlUnitOfWork:
            entered = super().__enter__()
            seen.append(self.read_only)
            return entered

    services = Services(lambda: Probe(database.session_factory, database.publish))
    services.run(approvals.pending_count, database.customer(MARCIA))
    services.run(tickets.reply, database.agent(BRUNO), 1, "resposta")
    assert seen == [True, False]
