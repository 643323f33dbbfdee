"""The agents' ticket list: paging, filters, search, scopes and the trash, as queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from persistence_support import ANA, BRUNO, CARLA, FABIO, JOAO, LIVIA, Database

from domain import approvals, clock, tickets
from domain.model import TicketStatus
from domain.views import TicketFilter


def _numbers(db: Database, **criteria: object) -> list[int]:
    page = db.run(tickets.list_tickets, db.agent(BRUNO), TicketFilter(per_page=200, **criteria))  # type: ignore[arg-type]
    return [row.number for row in page.items]


def test_pages_are_newest_first_with_the_right_total(database: Database) -> None:
    database.add_tickets(JOAO, 25)  # #6..#30
    bruno = database.agent(BRUNO)

    first = database.run(tickets.list_tickets, bruno, TicketFilter(page=1, per_page=10))
    assert [row.number for row in first.items] == list(range(30, 20, -1))
    assert (first.total, first.pages) == (30, 3)
    last = database.run(tickets.list_tickets, bruno, TicketFilter(page=3, per_page=10))
    assert [row.number for row in last.items] == list(range(10, 0, -1))
    beyond = database.run(tickets.list_tickets, bruno, TicketFilter(page=4, per_page=10))
    assert beyond.items == [] and beyond.total == 30

    clamped = database.run(tickets.list_tickets, bruno, TicketFilter(page=0, per_page=10_000))
    assert (clamped.page, clamped.per_page, len(clamped.items)) == (1, 200, 30)


def test_a_ticket_that_changes_moves_to_the_top(database: Database) -> None:
    database.run(tickets.reply, database.agent(BRUNO), 2, "Olá")
    assert _numbers(database)[:2] == [2, 5]


def test_rows_carry_the_names_and_the_pending_flag(database: Database) -> None:
    bruno = database.agent(BRUNO)
    request_id = database.run(approvals.request_action, bruno, 1, database.action_id("Reembolso"))
    rows = {row.number: row for row in database.run(tickets.list_tickets, bruno, TicketFilter()).items}
    assert rows[1].has_pending_request is True
    assert not any(rows[n].has_pending_request for n in (2, 3, 4, 5))
    assert (rows[1].customer_name, rows[1].organization_name, rows[1].assigned_agent_name) == (
        "João Cliente", "Filial Norte", "Bruno Agente",
    )
    assert rows[4].organization_name is None  # Lívia belongs to no organization
    assert rows[1].status is TicketStatus.OPEN
    assert rows[1].updated_at.tzinfo is UTC

    database.run(approvals.approve, database.customer(FABIO), request_id)
    rows = {row.number: row for row in database.run(tickets.list_tickets, bruno, TicketFilter()).items}
    assert rows[1].has_pending_request is False


def test_status_and_agent_filters(database: Database) -> None:
    bruno = database.agent(BRUNO)
    database.run(tickets.set_status, bruno, 2, TicketStatus.CLOSED)
    database.run(tickets.set_status, bruno, 4, TicketStatus.CLOSED)
    database.run(tickets.assign, bruno, 3, database.agent(CARLA).id)

    assert sorted(_numbers(database, status=TicketStatus.CLOSED)) == [2, 4]
    assert sorted(_numbers(database, status=TicketStatus.OPEN)) == [1, 3, 5]
    assert _numbers(database, status=TicketStatus.CANCELLED) == []
    assert _numbers(database, assigned_agent_id=database.agent(CARLA).id) == [3]
    assert sorted(_numbers(database, status=TicketStatus.OPEN, assigned_agent_id=database.agent(BRUNO).id)) == [1, 5]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("duplicidade", [1]),
        ("SERVIDOR", [2]),
        ("  relatório ", [3]),
        ("cobrança", [1, 5]),
        ("#4", [4]),
        ("5", [5]),
        ("nada disso", []),
        ("%", []),
    ],
)
def test_search_by_subject_or_number(database: Database, search: str, expected: list[int]) -> None:
    assert sorted(_numbers(database, search=search)) == expected


def test_customer_and_organization_scopes(database: Database) -> None:
    joao, livia = database.customer(JOAO).id, database.customer(LIVIA).id
    filial = database.scalar("SELECT id FROM organizations WHERE name = 'Filial Norte'")
    matriz = database.scalar("SELECT id FROM organizations WHERE name = 'Matriz Ltda'")

    assert sorted(_numbers(database, customer_ids=frozenset({livia}))) == [4, 5]
    assert sorted(_numbers(database, organization_ids=frozenset({filial}))) == [1, 2, 3]
    assert _numbers(database, organization_ids=frozenset({matriz})) == []  # nobody of Matriz opened one
    assert sorted(_numbers(database, customer_ids=frozenset({livia}), organization_ids=frozenset({filial}))) == [
        1, 2, 3, 4, 5,
    ]
    assert sorted(_numbers(database, customer_ids=frozenset({joao}))) == [1, 2, 3]
    # An empty scope is nobody's tickets, not everybody's.
    assert _numbers(database, customer_ids=frozenset(), organization_ids=frozenset()) == []


def test_portal_lists_a_managers_organization_but_only_their_own_for_a_customer(database: Database) -> None:
    fabio_page = database.run(tickets.portal_tickets, database.customer(FABIO))
    assert sorted(row.number for row in fabio_page.items) == [1, 2, 3]
    livia_page = database.run(tickets.portal_tickets, database.customer(LIVIA))
    assert sorted(row.number for row in livia_page.items) == [4, 5]


def test_trash_is_listed_apart_newest_first(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    bruno, ana = database.agent(BRUNO), database.agent(ANA)
    start = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: start)
    database.run(tickets.trash_ticket, bruno, 2)
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(hours=1))
    database.run(tickets.trash_customer, ana, database.customer(LIVIA).id)

    assert sorted(_numbers(database)) == [1, 3]
    assert sorted(_numbers(database, in_trash=True)) == [2, 4, 5]

    trash = database.run(tickets.list_trash, bruno)
    assert {(row.kind, row.id) for row in trash[:3]} == {
        ("customer", database.customer(LIVIA).id), ("ticket", 4), ("ticket", 5),
    }
    assert (trash[3].kind, trash[3].id, trash[3].detail) == ("ticket", 2, "João Cliente")
    assert len(trash) == 4
    assert trash[0].trashed_at == start + timedelta(hours=1)
    assert trash[0].trashed_at is not None and trash[0].trashed_at.tzinfo is UTC

    database.run(tickets.restore_customer, ana, database.customer(LIVIA).id)
    assert [(row.kind, row.id) for row in database.run(tickets.list_trash, bruno)] == [("ticket", 2)]
    assert sorted(_numbers(database)) == [1, 3, 4, 5]
