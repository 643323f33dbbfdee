"""Spec §12, deadlines, with the clock pinned: the deadline a request gets (the action's
default, the agent's choice, none), what is refused, and the expiry once it passes —
exactly once, told to the agents as an evaluation, never over a decision."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from unit_desk import Desk

from domain import admin, approvals, clock, due_work, tickets
from domain.errors import AlreadyDecided, InvalidInput
from domain.events import ActionExpired, AgentNotificationCreated
from domain.model import ExpiryReason, HistoryKind, NotificationKind, RequestState, TicketStatus

START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = START
        monkeypatch.setattr(clock, "now", lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def with_default(desk: Desk, hours: int | None, action: str = "Reembolso") -> int:
    action_id = desk.action_id(action)
    current = desk.catalog_action(action_id)
    desk.run(admin.update_action, desk.ana, action_id, current.name, current.description, True, hours)
    return action_id


def ask(desk: Desk, deadline: object = "catalog default", number: int = 1) -> int:
    return desk.run(approvals.request_action, desk.bruno, number, desk.action_id("Reembolso"), "", deadline)


def test_a_request_gets_its_action_s_default_deadline(desk: Desk, pinned: Clock) -> None:
    with_default(desk, 3)
    request_id = desk.ask(1)
    assert desk.request(request_id).deadline == START + timedelta(hours=3)
    assert desk.run(due_work.next_due) == START + timedelta(hours=3)


def test_no_default_and_no_choice_means_no_deadline_as_in_the_seed(desk: Desk, pinned: Clock) -> None:
    request_id = desk.ask(1)
    assert desk.request(request_id).deadline is None
    assert desk.run(due_work.next_due) is None


def test_the_agent_changes_or_clears_the_suggested_deadline(desk: Desk, pinned: Clock) -> None:
    with_default(desk, 3)
    chosen = START + timedelta(days=2)
    first = ask(desk, chosen)
    assert desk.request(first).deadline == chosen
    desk.run(approvals.cancel, desk.bruno, first)
    second = ask(desk, None)
    assert desk.request(second).deadline is None


@pytest.mark.parametrize(
    ("deadline", "message"),
    [
        (START, "The deadline must be in the future."),
        (START - timedelta(minutes=1), "The deadline must be in the future."),
        (START + timedelta(days=90, seconds=1), "The deadline may be at most 90 days ahead."),
        (datetime(2026, 12, 1, 12, 0), "The deadline needs a time zone."),
    ],
)
def test_a_deadline_in_the_past_or_too_far_is_refused_and_nothing_is_made(
    desk: Desk, pinned: Clock, deadline: datetime, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        ask(desk, deadline)
    assert refused.value.message == message
    assert desk.requests_of(1) == []
    assert desk.run(due_work.next_due) is None


def test_ninety_days_ahead_is_still_fine(desk: Desk, pinned: Clock) -> None:
    request_id = ask(desk, START + timedelta(days=90))
    assert desk.request(request_id).deadline == START + timedelta(days=90)


@pytest.mark.parametrize("hours", [0, -1, 2161, 1.5, True])
def test_the_catalog_default_is_whole_hours_up_to_ninety_days(desk: Desk, hours: object) -> None:
    action_id = desk.action_id("Reembolso")
    with pytest.raises(InvalidInput):
        with_default(desk, hours)  # type: ignore[arg-type]
    assert desk.catalog_action(action_id).deadline_hours is None
    with pytest.raises(InvalidInput):
        desk.run(admin.create_action, desk.ana, "Nova", "", True, hours)


def test_nothing_expires_before_its_deadline(desk: Desk, pinned: Clock) -> None:
    with_default(desk, 1)
    request_id = desk.ask(1)
    pinned.advance(minutes=59, seconds=59)
    assert desk.run(approvals.expire_overdue) == 0
    assert desk.request(request_id).state == RequestState.AWAITING_APPROVAL


def test_at_its_deadline_the_request_expires_once_and_the_agents_are_told(desk: Desk, pinned: Clock) -> None:
    with_default(desk, 1)
    carla = desk.carla
    request_id = desk.run(approvals.request_action, carla, 1, desk.action_id("Reembolso"), "")
    desk.events.clear()
    pinned.advance(hours=1)
    assert desk.run(approvals.expire_overdue) == 1
    request = desk.request(request_id)
    assert (request.state, request.decided_at) == (RequestState.EXPIRED, START + timedelta(hours=1))
    expiry = [entry for entry in desk.history(1) if entry.kind == HistoryKind.ACTION_EXPIRED]
    assert [(e.expiry_reason, e.request_id) for e in expiry] == [(ExpiryReason.DEADLINE_PASSED, request_id)]
    # The ticket's agent (Bruno) and the requester (Carla): hub, one e-mail each, live events.
    for agent in (desk.bruno, carla):
        assert [n.kind for n in desk.hub(agent)] == [NotificationKind.EXPIRED]
    mails = [m for m in desk.outbox() if m.kind == "request_evaluated"]
    assert sorted(m.recipient_email for m in mails) == ["bruno.agente@demo.test", "carla.agente@demo.test"]
    assert {m.payload["state"] for m in mails} == {"expired"}
    assert len(desk.events_of(ActionExpired)) == 1
    assert len(desk.events_of(AgentNotificationCreated)) == 2
    # Exactly once: later rounds find nothing.
    pinned.advance(minutes=5)
    assert desk.run(approvals.expire_overdue) == 0
    assert len([m for m in desk.outbox() if m.kind == "request_evaluated"]) == 2
    assert desk.run(due_work.next_due) is None


def test_a_request_decided_in_time_does_not_expire(desk: Desk, pinned: Clock) -> None:
    with_default(desk, 1)
    request_id = desk.ask(1)
    pinned.advance(minutes=30)
    desk.run(approvals.approve, desk.fabio, request_id)
    pinned.advance(hours=1)
    desk.run(approvals.expire_overdue)
    assert desk.request(request_id).state == RequestState.APPROVED
    assert desk.run(due_work.next_due) is None  # the due row went with the round


def test_approving_after_the_deadline_expired_it_says_so(desk: Desk, pinned: Clock) -> None:
    with_default(desk, 1)
    request_id = desk.ask(1)
    pinned.advance(hours=2)
    desk.run(approvals.expire_overdue)
    with pytest.raises(AlreadyDecided) as late:
        desk.run(approvals.approve, desk.marcia, request_id)
    assert late.value.message == "This action expired at {when}: its approval deadline passed."
    assert late.value.params["when"] == START + timedelta(hours=2)


def test_a_trashed_ticket_s_request_waits_and_expires_once_it_is_back(desk: Desk, pinned: Clock) -> None:
    with_default(desk, 1)
    request_id = desk.ask(1)
    desk.run(tickets.trash_ticket, desk.ana, 1)
    pinned.advance(hours=2)
    desk.run(approvals.expire_overdue)
    assert desk.request(request_id).state == RequestState.AWAITING_APPROVAL  # unchanged in the trash (§8)
    desk.run(tickets.restore_ticket, desk.ana, 1)
    pinned.advance(minutes=1)
    desk.run(approvals.expire_overdue)
    assert desk.request(request_id).state == RequestState.EXPIRED


def test_closing_the_ticket_says_closed_not_deadline(desk: Desk, pinned: Clock) -> None:
    with_default(desk, 1)
    request_id = desk.ask(1)
    desk.run(tickets.set_status, desk.bruno, 1, TicketStatus.CLOSED)
    expiry: Callable[[], list[object]] = lambda: [  # noqa: E731
        e.expiry_reason for e in desk.history(1) if e.kind == HistoryKind.ACTION_EXPIRED
    ]
    assert expiry() == [ExpiryReason.TICKET_CLOSED]
    pinned.advance(hours=2)
    desk.run(approvals.expire_overdue)
    assert expiry() == [ExpiryReason.TICKET_CLOSED]
    assert desk.request(request_id).state == RequestState.EXPIRED
