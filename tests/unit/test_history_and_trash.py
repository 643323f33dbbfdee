"""Spec §8: every event of a request in the ticket history (who, when, reason), and the
trash: requests go with their ticket or customer, hidden and frozen, and come back as
they were."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

import pytest
from unit_desk import Desk

from domain import approvals, clock, tickets
from domain.errors import Conflict, NotFound
from domain.events import PendingVisibilityChanged
from domain.model import ActionRequest, HistoryEntry, HistoryKind, RequestState, TicketStatus

WHEN = datetime(2030, 3, 4, 5, 6, 7, tzinfo=UTC)


def stored(request: ActionRequest) -> dict[str, object]:
    return {f.name: getattr(request, f.name) for f in fields(request)}


def request_entries(desk: Desk, number: int, request_id: int) -> list[HistoryEntry]:
    return [h for h in desk.history(number) if h.request_id == request_id]


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr(clock, "now", lambda: WHEN)
    return WHEN


def test_request_is_in_history_with_who_when_and_note(desk: Desk, pinned: datetime) -> None:
    request_id = desk.ask(1, by=desk.carla, note="Cliente pediu estorno.")
    [entry] = request_entries(desk, 1, request_id)
    assert (entry.kind, entry.actor_name, entry.at, entry.body, entry.action_name) == (
        HistoryKind.ACTION_REQUESTED,
        "Carla Agente",
        pinned,
        "Cliente pediu estorno.",
        "Reembolso",
    )


def test_approval_is_in_history_with_who_and_when(desk: Desk, pinned: datetime) -> None:
    request_id = desk.ask(1)
    desk.run(approvals.approve, desk.marcia, request_id)
    entry = request_entries(desk, 1, request_id)[-1]
    assert (entry.kind, entry.actor_name, entry.at) == (HistoryKind.ACTION_APPROVED, "Márcia Gerente", pinned)


def test_rejection_is_in_history_with_who_when_and_reason(desk: Desk, pinned: datetime) -> None:
    request_id = desk.ask(1)
    desk.run(approvals.reject, desk.fabio, request_id, "  Fora do contrato.  ")
    entry = request_entries(desk, 1, request_id)[-1]
    assert (entry.kind, entry.actor_name, entry.at, entry.body) == (
        HistoryKind.ACTION_REJECTED,
        "Fábio Gerente",
        pinned,
        "Fora do contrato.",
    )
    assert desk.request(request_id).reason == "Fora do contrato."


def test_rejection_reason_is_optional(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(approvals.reject, desk.fabio, request_id)
    assert desk.request(request_id).state == RequestState.REJECTED
    assert request_entries(desk, 1, request_id)[-1].body == ""


def test_rejection_reason_is_shown_to_agents(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(approvals.reject, desk.fabio, request_id, "Sem verba")
    view = desk.run(tickets.ticket_view, desk.carla, 1)
    rows = [(r.id, r.reason, r.evaluated_by_name) for r in view.requests]
    assert rows == [(request_id, "Sem verba", "Fábio Gerente")]


@pytest.mark.parametrize(("who", "name"), [("bruno", "Bruno Agente"), ("marcia", "Márcia Gerente")])
def test_cancellation_is_in_history_with_who_and_when(desk: Desk, pinned: datetime, who: str, name: str) -> None:
    request_id = desk.ask(1)
    desk.run(approvals.cancel, getattr(desk, who), request_id)
    entry = request_entries(desk, 1, request_id)[-1]
    assert (entry.kind, entry.actor_name, entry.at) == (HistoryKind.ACTION_CANCELLED, name, pinned)
    assert desk.run(tickets.ticket_view, desk.bruno, 1).requests[0].cancelled_by_name == name


def test_expiry_is_in_history_with_who_and_when(desk: Desk, pinned: datetime) -> None:
    request_id = desk.ask(1)
    desk.run(tickets.set_status, desk.carla, 1, TicketStatus.CANCELLED)
    entry = request_entries(desk, 1, request_id)[-1]
    assert (entry.kind, entry.actor_name, entry.at) == (HistoryKind.ACTION_EXPIRED, "Carla Agente", pinned)


def test_history_keeps_every_event_in_order(desk: Desk) -> None:
    first = desk.ask(1)
    desk.run(approvals.reject, desk.fabio, first, "Não")
    second = desk.ask(1)
    desk.run(approvals.cancel, desk.bruno, second)
    third = desk.ask(1)
    desk.run(approvals.approve, desk.marcia, third)
    fourth = desk.ask(1)
    desk.run(tickets.set_status, desk.bruno, 1, TicketStatus.CLOSED)
    kinds = [(h.kind, h.request_id) for h in desk.run(tickets.ticket_view, desk.bruno, 1).history if h.request_id]
    assert kinds == [
        (HistoryKind.ACTION_REQUESTED, first),
        (HistoryKind.ACTION_REJECTED, first),
        (HistoryKind.ACTION_REQUESTED, second),
        (HistoryKind.ACTION_CANCELLED, second),
        (HistoryKind.ACTION_REQUESTED, third),
        (HistoryKind.ACTION_APPROVED, third),
        (HistoryKind.ACTION_REQUESTED, fourth),
        (HistoryKind.ACTION_EXPIRED, fourth),
    ]


def test_portal_ticket_view_shows_no_action_request(desk: Desk) -> None:
    request_id = desk.ask(1, note="nota interna")
    desk.run(approvals.reject, desk.fabio, request_id, "motivo")
    desk.run(tickets.reply, desk.bruno, 1, "Resposta ao cliente")
    _detail, history = desk.run(tickets.portal_ticket, desk.joao, 1)
    kinds = {h.kind for h in history}
    assert HistoryKind.REPLY in kinds
    assert not kinds & {
        HistoryKind.ACTION_REQUESTED,
        HistoryKind.ACTION_APPROVED,
        HistoryKind.ACTION_REJECTED,
        HistoryKind.ACTION_CANCELLED,
        HistoryKind.ACTION_EXPIRED,
    }


# --- trash -----------------------------------------------------------------------------


def test_trashing_a_ticket_keeps_its_request_unchanged(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(tickets.trash_ticket, desk.bruno, 1)
    assert desk.request(request_id).state == RequestState.AWAITING_APPROVAL
    assert [row.id for row in desk.run(tickets.list_trash, desk.bruno) if row.kind == "ticket"] == [1]


def test_request_of_trashed_ticket_hidden_from_portal(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(tickets.trash_ticket, desk.bruno, 1)
    for manager in (desk.fabio, desk.marcia):
        assert desk.run(approvals.pending_approvals, manager).items == []
        assert desk.run(approvals.pending_count, manager) == 0
        with pytest.raises(NotFound):
            desk.run(approvals.request_for_manager, manager, request_id)
    with pytest.raises(NotFound):
        desk.run(tickets.portal_ticket, desk.joao, 1)


def test_request_of_trashed_ticket_cannot_be_evaluated(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(tickets.trash_ticket, desk.bruno, 1)
    with pytest.raises(NotFound):
        desk.run(approvals.approve, desk.fabio, request_id)
    with pytest.raises(NotFound):
        desk.run(approvals.reject, desk.marcia, request_id, "")
    assert desk.request(request_id).state == RequestState.AWAITING_APPROVAL


def test_request_of_trashed_ticket_cannot_be_cancelled(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(tickets.trash_ticket, desk.bruno, 1)
    with pytest.raises(Conflict):
        desk.run(approvals.cancel, desk.bruno, request_id)
    with pytest.raises(NotFound):
        desk.run(approvals.cancel, desk.fabio, request_id)
    assert desk.request(request_id).state == RequestState.AWAITING_APPROVAL


def test_restored_ticket_brings_back_its_request_exactly_as_it_was(desk: Desk) -> None:
    pending = desk.ask(1, by=desk.carla, note="Nota")
    before = desk.request(pending)
    desk.run(tickets.trash_ticket, desk.bruno, 1)
    desk.run(tickets.restore_ticket, desk.bruno, 1)
    after = desk.request(pending)
    assert stored(after) == stored(before)
    assert [row.id for row in desk.run(approvals.pending_approvals, desk.fabio).items] == [pending]
    desk.run(approvals.approve, desk.fabio, pending)
    assert desk.request(pending).state == RequestState.APPROVED


def test_restored_ticket_keeps_its_decided_requests_decided(desk: Desk) -> None:
    rejected = desk.ask(1)
    desk.run(approvals.reject, desk.fabio, rejected, "Não")
    desk.run(tickets.trash_ticket, desk.bruno, 1)
    desk.run(tickets.restore_ticket, desk.bruno, 1)
    request = desk.request(rejected)
    assert (request.state, request.reason) == (RequestState.REJECTED, "Não")
    assert desk.run(approvals.pending_approvals, desk.fabio).items == []


def test_trashing_a_customer_takes_tickets_and_requests_along(desk: Desk) -> None:
    request_id = desk.ask(2)
    desk.run(tickets.trash_customer, desk.ana, desk.joao.id)
    assert all(desk.ticket(n).in_trash for n in (1, 2, 3))
    assert desk.request(request_id).state == RequestState.AWAITING_APPROVAL
    assert desk.run(approvals.pending_approvals, desk.marcia).items == []
    assert desk.run(approvals.pending_count, desk.fabio) == 0
    with pytest.raises(NotFound):
        desk.run(approvals.approve, desk.fabio, request_id)


def test_restoring_a_customer_brings_back_tickets_and_pending_request(desk: Desk) -> None:
    request_id = desk.ask(2)
    before = desk.request(request_id)
    desk.run(tickets.trash_customer, desk.ana, desk.joao.id)
    desk.run(tickets.restore_customer, desk.ana, desk.joao.id)
    assert not any(desk.ticket(n).in_trash for n in (1, 2, 3))
    assert stored(desk.request(request_id)) == stored(before)
    assert [row.id for row in desk.run(approvals.pending_approvals, desk.marcia).items] == [request_id]
    desk.run(approvals.reject, desk.marcia, request_id, "Não")
    assert desk.request(request_id).state == RequestState.REJECTED


def test_ticket_of_trashed_customer_cannot_be_restored_alone(desk: Desk) -> None:
    desk.run(tickets.trash_customer, desk.ana, desk.joao.id)
    with pytest.raises(Conflict):
        desk.run(tickets.restore_ticket, desk.bruno, 1)
    assert desk.ticket(1).in_trash


def test_ticket_deleted_on_its_own_stays_in_trash_when_its_customer_returns(desk: Desk) -> None:
    desk.run(tickets.trash_ticket, desk.bruno, 3)
    desk.run(tickets.trash_customer, desk.ana, desk.joao.id)
    desk.run(tickets.restore_customer, desk.ana, desk.joao.id)
    assert (desk.ticket(1).in_trash, desk.ticket(3).in_trash) == (False, True)


def test_trash_and_restore_are_in_ticket_history(desk: Desk) -> None:
    desk.run(tickets.trash_ticket, desk.carla, 1)
    desk.run(tickets.restore_ticket, desk.bruno, 1)
    entries = [(h.kind, h.actor_name) for h in desk.history(1)][-2:]
    assert entries == [(HistoryKind.TRASHED, "Carla Agente"), (HistoryKind.RESTORED, "Bruno Agente")]


def test_trash_and_restore_tell_managers_badges_to_refresh(desk: Desk) -> None:
    desk.ask(1)
    desk.events.clear()
    desk.run(tickets.trash_ticket, desk.bruno, 1)
    desk.run(tickets.restore_ticket, desk.bruno, 1)
    changes = desk.events_of(PendingVisibilityChanged)
    assert len(changes) == 2
    assert all(c.audience.manager_ids == {desk.fabio.id, desk.marcia.id} for c in changes)
