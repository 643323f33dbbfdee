"""The ticket lists' totals come from the tickets' triggers (migration 0014): they must
say what counting the tickets says, through every change, fold and migration, and
writers at once must neither wait on one another for them nor lose one."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from alembic import command
from persistence_support import ANA, BRUNO, JOAO, LIVIA, Database, run_together

from domain import tickets
from domain.model import TicketStatus
from domain.views import TicketFilter
from persistence.migrate import alembic_config, upgrade
from persistence.ticket_tallies import fold, fold_now

LISTS = [TicketFilter(), TicketFilter(in_trash=True)] + [TicketFilter(status=status) for status in TicketStatus]


def _totals(db: Database) -> list[int]:
    """What the agents' list says above each list, unfiltered, per status and in the trash."""
    return [db.run(tickets.list_tickets, db.agent(BRUNO), query).total for query in LISTS]


def _counted(db: Database) -> list[int]:
    """The same totals, counted from the tickets themselves."""
    found = [db.scalar("SELECT count(*) FROM tickets WHERE in_trash = false"),
             db.scalar("SELECT count(*) FROM tickets WHERE in_trash = true")]
    found += [db.scalar("SELECT count(*) FROM tickets WHERE in_trash = false AND status = :s", s=status.value)
              for status in TicketStatus]
    return found


def test_the_totals_follow_every_change_of_a_ticket(database: Database) -> None:
    bruno, ana = database.agent(BRUNO), database.agent(ANA)
    assert _totals(database) == _counted(database) and _totals(database)[0] == 5
    database.add_tickets(JOAO, 3)
    number = database.run(tickets.create_ticket, database.customer(LIVIA), "Impressora", "Não imprime")
    assert _totals(database) == _counted(database) and _totals(database)[0] == 9

    database.run(tickets.set_status, bruno, number, TicketStatus.IN_PROGRESS)
    database.run(tickets.set_status, bruno, 1, TicketStatus.CLOSED)
    database.run(tickets.reply, bruno, 2, "Olá")  # changes neither status nor trash
    assert _totals(database) == _counted(database)

    database.run(tickets.trash_ticket, bruno, number)
    assert _totals(database)[:2] == [8, 1] and _totals(database) == _counted(database)
    joao = database.customer(JOAO).id
    database.run(tickets.trash_customer, ana, joao)  # with all of João's tickets
    trashed = _totals(database)
    assert trashed == _counted(database) and trashed[1] > 1
    database.run(tickets.restore_customer, ana, joao)
    database.run(tickets.restore_ticket, bruno, number)
    assert _totals(database) == _counted(database) and _totals(database)[:2] == [9, 0]

    with database.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM history_entries WHERE ticket_id = (SELECT max(id) FROM tickets)")
        connection.exec_driver_sql("DELETE FROM tickets WHERE id = (SELECT max(id) FROM tickets)")
    assert _totals(database) == _counted(database) and _totals(database)[0] == 8


def test_a_fold_leaves_a_row_per_pair_and_every_total_as_it_was(database: Database) -> None:
    database.add_tickets(JOAO, 30)
    for number in range(6, 16):
        database.run(tickets.set_status, database.agent(BRUNO), number, TicketStatus.CLOSED)
    before = _totals(database)
    rows = database.scalar("SELECT count(*) FROM ticket_tallies")
    assert fold_now(database.engine) == 0  # too few rows to be worth a write
    with database.engine.begin() as connection:
        assert fold(connection, at_least=0) == rows
    pairs = database.scalar("SELECT count(DISTINCT status || '/' || CAST(in_trash AS VARCHAR)) FROM tickets")
    assert database.scalar("SELECT count(*) FROM ticket_tallies") == pairs
    assert _totals(database) == before == _counted(database)


def test_an_existing_desk_is_counted_when_it_migrates(database: Database) -> None:
    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0013")
    database.add_tickets(JOAO, 4)  # written while no trigger counted them
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE tickets SET status = 'closed' WHERE number IN (1, 6)")

    upgrade(database.engine)

    assert _totals(database) == _counted(database) and _totals(database)[0] == 9


def _writers(database: Database, round_number: int, numbers: list[int]) -> list[Callable[[], object]]:
    """A round: two tickets created, one closed, one trashed, and two folds, all released
    at once by a barrier."""
    bruno, livia = database.agent(BRUNO), database.customer(LIVIA)
    barrier = threading.Barrier(6)

    def together(step: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            barrier.wait()
            return step()
        return run

    def folding() -> int:
        with database.engine.begin() as connection:
            return fold(connection, at_least=0)

    return [
        together(lambda: database.run(tickets.create_ticket, livia, f"Rodada {round_number}", "")),
        together(lambda: database.run(tickets.set_status, bruno, numbers[0], TicketStatus.CLOSED)),
        together(lambda: database.run(tickets.trash_ticket, bruno, numbers[1])),
        together(lambda: database.run(tickets.create_ticket, livia, f"Rodada {round_number}b", "")),
        together(folding),
        together(folding),
    ]


def test_writers_at_once_neither_wait_on_each_other_nor_lose_a_count(database: Database) -> None:
    """On PostgreSQL, tickets created, closed and trashed by four writers at once while two
    folds run: no deadlock, no lost or doubled count (20 rounds)."""
    if database.kind != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    numbers = database.add_tickets(JOAO, 40)
    for round_number in range(20):
        results = run_together(*_writers(database, round_number, numbers[round_number * 2: round_number * 2 + 2]))
        assert [r for r in results if isinstance(r, Exception)] == []
        assert _totals(database) == _counted(database), f"round {round_number}"
