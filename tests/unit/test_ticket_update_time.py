"""A ticket's "Atualizado em" moves with every change its history shows, and the lists
sorted by it follow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from unit_desk import Desk

from domain import approvals, clock, tickets
from domain.views import TicketFilter

OPENED = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.at = OPENED

    def later(self) -> datetime:
        self.at += timedelta(minutes=10)
        return self.at


@pytest.fixture
def ticking(monkeypatch: pytest.MonkeyPatch) -> Clock:
    pinned = Clock()
    monkeypatch.setattr(clock, "now", lambda: pinned.at)
    return pinned


def updated(desk: Desk, number: int) -> datetime:
    return desk.run(tickets.ticket_view, desk.bruno, number).ticket.updated_at


def test_a_request_an_evaluation_and_a_reply_each_move_the_update_time(desk: Desk, ticking: Clock) -> None:
    number = desk.new_ticket(desk.joao, "Impressora parada", assigned=desk.bruno)
    assert updated(desk, number) == OPENED
    when = ticking.later()
    request_id = desk.ask(number, by=desk.bruno)
    assert updated(desk, number) == when
    when = ticking.later()
    desk.run(approvals.reject, desk.fabio, request_id, "Sem orçamento.")
    assert updated(desk, number) == when
    when = ticking.later()
    second = desk.ask(number, by=desk.bruno)
    when = ticking.later()
    desk.run(approvals.cancel, desk.bruno, second)
    assert updated(desk, number) == when
    when = ticking.later()
    desk.run(tickets.reply, desk.joao, number, "Ainda parada.")
    assert updated(desk, number) == when


def test_the_ticket_lists_put_the_latest_change_first(desk: Desk, ticking: Clock) -> None:
    older = desk.new_ticket(desk.joao, "Primeiro", assigned=desk.bruno)
    ticking.later()
    desk.new_ticket(desk.joao, "Segundo", assigned=desk.bruno)
    ticking.later()
    desk.run(approvals.approve, desk.fabio, desk.ask(older, by=desk.bruno))
    agent_list = desk.run(tickets.list_tickets, desk.bruno, TicketFilter())
    assert agent_list.items[0].number == older
    portal_list = desk.run(tickets.portal_tickets, desk.joao)
    assert portal_list.items[0].number == older
