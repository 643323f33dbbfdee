"""The managers' 'Aprovar Ações (N)' list and badge: which pending requests reach whom."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from persistence_support import ANA, BRUNO, FABIO, JOAO, LIVIA, MARCIA, Database

from domain import approvals, clock, tickets
from domain.model import ActionRequest, Customer, Organization, TicketStatus


def _add_customer(db: Database, name: str, email: str, organization: str | None, *, manager: bool = False) -> int:
    with db.uow() as uow:
        organization_id = None
        if organization is not None:
            found = [o for o in uow.organizations.list() if o.name == organization]
            if found:
                organization_id = found[0].id
            else:
                created = Organization(organization)
                uow.organizations.add(created)
                uow.flush()
                organization_id = created.id
        customer = Customer(name, email, "x", organization_id, is_manager=manager)
        uow.customers.add(customer)
        uow.commit()
        assert customer.id is not None
        return customer.id


@pytest.fixture
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """Each read of the clock is a minute after the last: 'oldest first' is checkable."""
    ticks = [datetime(2026, 2, 1, 12, 0, tzinfo=UTC)]

    def now() -> datetime:
        ticks.append(ticks[-1] + timedelta(minutes=1))
        return ticks[-1]

    monkeypatch.setattr(clock, "now", now)
    return ticks


def _pending(db: Database, email: str) -> tuple[list[int], int]:
    actor = db.customer(email)
    rows = db.run(approvals.pending_approvals, actor).items
    return [row.ticket_number for row in rows], db.run(approvals.pending_count, actor)


def test_each_manager_sees_their_organization_and_its_children_oldest_first(
    database: Database, pinned_clock: list[datetime]
) -> None:
    bruno = database.agent(BRUNO)
    action = database.action_id("Reembolso")
    mateus = _add_customer(database, "Mateus Matriz", "mateus@example.test", "Matriz Ltda")
    _add_customer(database, "Olga Gerente", "olga@example.test", "Outra SA", manager=True)
    olivia = _add_customer(database, "Olívia Outra", "olivia@example.test", "Outra SA")
    (matriz_ticket,) = database.add_tickets("mateus@example.test", 1)
    (other_ticket,) = database.add_tickets("olivia@example.test", 1)
    assert mateus and olivia

    for number in (2, matriz_ticket, 1, other_ticket):
        database.run(approvals.request_action, bruno, number, action, f"nota {number}")

    # Fábio manages Filial Norte only; Márcia manages Matriz and, through it, Filial Norte.
    assert _pending(database, FABIO) == ([2, 1], 2)
    assert _pending(database, MARCIA) == ([2, matriz_ticket, 1], 3)
    assert _pending(database, "olga@example.test") == ([other_ticket], 1)
    assert _pending(database, JOAO) == ([], 0)  # a customer who is not a manager
    assert _pending(database, LIVIA) == ([], 0)

    row = database.run(approvals.pending_approvals, database.customer(FABIO)).items[0]
    assert (row.ticket_number, row.customer_name, row.organization_name, row.action_name, row.note) == (
        2, "João Cliente", "Filial Norte", "Reembolso", "nota 2",
    )
    assert row.requested_by_name == "Bruno Agente"
    assert row.requested_at.tzinfo is UTC


def test_decided_and_trashed_requests_leave_the_list(database: Database) -> None:
    bruno, ana = database.agent(BRUNO), database.agent(ANA)
    action = database.action_id("Reembolso")
    ids = {n: database.run(approvals.request_action, bruno, n, action) for n in (1, 2, 3)}
    assert _pending(database, MARCIA)[1] == 3

    database.run(approvals.reject, database.customer(MARCIA), ids[1], "não")
    assert sorted(_pending(database, MARCIA)[0]) == [2, 3]

    database.run(tickets.trash_ticket, bruno, 2)
    assert _pending(database, FABIO) == ([3], 1)
    database.run(tickets.restore_ticket, bruno, 2)
    assert sorted(_pending(database, FABIO)[0]) == [2, 3]

    # A customer in the trash takes their tickets' requests out of every list.
    database.run(tickets.trash_customer, ana, database.customer(JOAO).id)
    assert _pending(database, FABIO) == ([], 0)
    assert _pending(database, MARCIA) == ([], 0)
    database.run(tickets.restore_customer, ana, database.customer(JOAO).id)
    assert _pending(database, MARCIA)[1] == 2

    database.run(tickets.set_status, bruno, 3, TicketStatus.CLOSED)  # closing expires the request
    assert _pending(database, MARCIA) == ([2], 1)


def test_a_deactivated_manager_sees_nothing(database: Database) -> None:
    database.run(approvals.request_action, database.agent(BRUNO), 1, database.action_id("Reembolso"))
    fabio = database.customer(FABIO)
    with database.uow() as uow:
        manager = uow.customers.get(fabio.id)
        assert manager is not None
        manager.is_manager = False
        uow.commit()
    assert database.run(approvals.pending_approvals, fabio).items == []
    assert database.run(approvals.pending_count, fabio) == 0
    assert _pending(database, MARCIA) == ([1], 1)


def test_the_list_is_read_page_by_page_oldest_first(database: Database) -> None:
    numbers = database.add_tickets(JOAO, 25)
    bruno, action = database.agent(BRUNO).id, database.action_id("Reembolso")
    base = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    with database.uow() as uow:
        for position, number in enumerate(numbers):
            ticket = uow.tickets.by_number(number)
            assert ticket is not None and ticket.id is not None
            # Pairs share a time: the id settles the order, so no request shows on two pages
            # and none on neither.
            at = base + timedelta(minutes=position // 2)
            uow.requests.add(ActionRequest(ticket.id, action, "Reembolso", "", bruno, requested_at=at))
        uow.commit()
    fabio = database.customer(FABIO)

    def page(number: int) -> tuple[int, list[int], int]:
        got = database.run(approvals.pending_approvals, fabio, number, 20)
        return got.page, [row.ticket_number for row in got.items], got.total

    assert page(1) == (1, numbers[:20], 25)
    assert page(2) == (2, numbers[20:], 25)
    assert page(9) == (2, numbers[20:], 25)  # gone: the last page instead
    assert page(0) == (1, numbers[:20], 25)

    # Someone decides the whole second page: asking for it now gives the first.
    requests = database.run(approvals.pending_approvals, fabio, 2, 20).items
    for row in requests:
        database.run(approvals.approve, database.customer(MARCIA), row.id)
    assert page(2) == (1, numbers[:20], 20)
