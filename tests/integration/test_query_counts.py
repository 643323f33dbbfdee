"""The list and detail views cost a fixed number of SQL statements: ten times the data
must not mean ten times the queries (no N+1)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from persistence_support import BRUNO, FABIO, JOAO, MARCIA, Database
from sqlalchemy import event

from domain import approvals, tickets
from domain.model import ActionRequest, HistoryEntry, HistoryKind, RequestState
from domain.views import TicketFilter


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _grow(db: Database, ticket_count: int, rounds_on_first: int) -> int:
    """`ticket_count` more tickets of João, each with an action awaiting approval; the
    first one also gets `rounds_on_first` replies and decided requests. Returns its number."""
    numbers = db.add_tickets(JOAO, ticket_count)
    bruno = db.agent(BRUNO).id
    action = db.action_id("Reembolso")
    fabio = db.customer(FABIO).id
    with db.uow() as uow:
        for position, number in enumerate(numbers):
            ticket = uow.tickets.by_number(number)
            assert ticket is not None and ticket.id is not None
            for index in range(rounds_on_first if position == 0 else 0):
                uow.history.add(HistoryEntry(ticket.id, HistoryKind.REPLY, "Bruno Agente", f"resposta {index}"))
                uow.requests.add(ActionRequest(ticket.id, action, "Reembolso", "", bruno, state=RequestState.REJECTED,
                                               evaluated_by_customer_id=fabio, reason="não"))
            uow.requests.add(ActionRequest(ticket.id, action, "Reembolso", "", bruno))
        uow.commit()
    return numbers[0]


def _statements_per_view(db: Database, detail_number: int) -> dict[str, int]:
    bruno, fabio, marcia = db.agent(BRUNO), db.customer(FABIO), db.customer(MARCIA)
    views: dict[str, Callable[[], Any]] = {
        "list_tickets": lambda: db.run(tickets.list_tickets, bruno, TicketFilter(per_page=200)),
        "ticket_view": lambda: db.run(tickets.ticket_view, bruno, detail_number),
        # As /portal/approvals reads it (pages of 20), a later page (past the end with 5 rows:
        # the last one), and every row in one page.
        "pending_approvals(fabio) page 1": lambda: db.run(approvals.pending_approvals, fabio, 1, 20),
        "pending_approvals(fabio) page 3": lambda: db.run(approvals.pending_approvals, fabio, 3, 20),
        "pending_approvals(marcia) all": lambda: db.run(approvals.pending_approvals, marcia, 1, 200),
        "pending_count": lambda: db.run(approvals.pending_count, marcia),
        "portal_tickets": lambda: db.run(tickets.portal_tickets, marcia, 1, 200),
    }
    counts = {}
    for name, view in views.items():
        with counting(db) as statements:
            result = view()
        counts[name] = len(statements)
        assert result is not None
    return counts


def test_views_issue_the_same_number_of_statements_for_5_or_50_rows(database: Database) -> None:
    small_detail = _grow(database, 5, rounds_on_first=5)
    small = _statements_per_view(database, small_detail)
    assert database.run(approvals.pending_count, database.customer(MARCIA)) == 5

    big_detail = _grow(database, 45, rounds_on_first=50)
    big = _statements_per_view(database, big_detail)

    # The data really grew under the views measured.
    assert database.run(approvals.pending_count, database.customer(MARCIA)) == 50
    everything = database.run(approvals.pending_approvals, database.customer(FABIO), 1, 200)
    assert (len(everything.items), everything.total) == (50, 50)
    assert len(database.run(approvals.pending_approvals, database.customer(FABIO), 3, 20).items) == 10
    assert len(database.run(tickets.list_tickets, database.agent(BRUNO), TicketFilter(per_page=200)).items) == 55
    view = database.run(tickets.ticket_view, database.agent(BRUNO), big_detail)
    assert len(view.requests) == 51 and len(view.history) == 50

    # Past the end (5 rows, page 3) the rows carry no total: the count and the last page
    # are read besides; with 50 rows page 3 exists and is one statement like any other.
    past_end = "pending_approvals(fabio) page 3"
    assert small[past_end] == big[past_end] + 2
    assert big == {**small, past_end: big[past_end]}
    # And each view is a handful of statements, not a loop in disguise.
    assert all(count <= 15 for count in big.values()), big
