"""An expired request's history entry says why it expired: the ticket was closed, the
ticket was cancelled, or (once deadlines exist) its deadline passed. Entries written
before the reason was kept still read sensibly."""

from __future__ import annotations

import pytest
from unit_desk import Desk

from domain import tickets
from domain.model import ExpiryReason, HistoryEntry, HistoryKind, TicketStatus
from ui.labels import history_text


def expiry_of(desk: Desk, number: int) -> HistoryEntry:
    [entry] = [h for h in desk.history(number) if h.kind == HistoryKind.ACTION_EXPIRED]
    return entry


@pytest.mark.parametrize(
    ("status", "reason", "text"),
    [
        (TicketStatus.CLOSED, ExpiryReason.TICKET_CLOSED, "fechou o chamado: a ação “Reembolso” expirou"),
        (TicketStatus.CANCELLED, ExpiryReason.TICKET_CANCELLED, "cancelou o chamado: a ação “Reembolso” expirou"),
    ],
)
def test_the_history_says_whether_the_ticket_was_closed_or_cancelled(
    desk: Desk, status: TicketStatus, reason: ExpiryReason, text: str
) -> None:
    desk.ask(1)
    desk.run(tickets.set_status, desk.bruno, 1, status)
    entry = expiry_of(desk, 1)
    assert entry.expiry_reason == reason
    assert history_text(entry) == text


def test_a_deadline_has_its_own_words() -> None:
    entry = HistoryEntry(
        ticket_id=1, kind=HistoryKind.ACTION_EXPIRED, actor_name="Aval", body="deadline_passed", action_name="Reembolso"
    )
    assert entry.expiry_reason == ExpiryReason.DEADLINE_PASSED
    assert history_text(entry) == "a ação “Reembolso” expirou: prazo esgotado"


def test_an_entry_written_before_reasons_were_kept_still_reads() -> None:
    entry = HistoryEntry(ticket_id=1, kind=HistoryKind.ACTION_EXPIRED, actor_name="Bruno", action_name="Reembolso")
    assert entry.expiry_reason is None
    assert history_text(entry) == "fechou ou cancelou o chamado: a ação “Reembolso” expirou"
