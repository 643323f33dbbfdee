"""Spec §5 through the use cases: evaluations racing each other, and a pending request
that never blocks its ticket but expires with it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from unit_desk import Desk

from domain import approvals, clock, tickets
from domain.errors import AlreadyDecided, Conflict
from domain.events import ActionExpired, DomainEvent, TicketChanged
from domain.model import HistoryKind, RequestState, TicketStatus
from domain.service import Services
from persistence.uow import SqlUnitOfWork


def test_second_evaluation_reports_who_decided_first(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(2031, 5, 6, 7, 8, tzinfo=UTC))
    request_id = desk.ask(1)
    desk.run(approvals.approve, desk.marcia, request_id)
    with pytest.raises(AlreadyDecided) as late:
        desk.run(approvals.reject, desk.fabio, request_id, "Não")
    assert late.value.message == "This action was already approved by {name} at {when}."
    # The decider and the instant travel as data; each reader sees them in their own way.
    assert late.value.params == {"name": "Márcia Gerente", "when": datetime(2031, 5, 6, 7, 8, tzinfo=UTC)}
    request = desk.request(request_id)
    assert (request.state, request.evaluated_by_customer_id) == (RequestState.APPROVED, desk.marcia.id)


def test_second_evaluation_after_a_rejection_names_the_rejecter(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(approvals.reject, desk.fabio, request_id, "Sem verba")
    with pytest.raises(AlreadyDecided) as late:
        desk.run(approvals.approve, desk.marcia, request_id)
    assert late.value.message == "This action was already rejected by {name} at {when}."
    assert late.value.params["name"] == "Fábio Gerente"


def test_evaluation_after_cancellation_names_who_cancelled(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(approvals.cancel, desk.bruno, request_id)
    with pytest.raises(AlreadyDecided) as late:
        desk.run(approvals.approve, desk.marcia, request_id)
    assert late.value.message == "This action was already cancelled by {name} at {when}."
    assert late.value.params["name"] == "Bruno Agente"


def test_evaluation_after_expiry_says_the_ticket_was_closed(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(tickets.set_status, desk.bruno, 1, TicketStatus.CLOSED)
    with pytest.raises(AlreadyDecided) as late:
        desk.run(approvals.approve, desk.marcia, request_id)
    assert late.value.message == "This action expired at {when}: its ticket was closed or cancelled."


def test_second_cancellation_is_refused_and_changes_nothing(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(approvals.cancel, desk.fabio, request_id)
    with pytest.raises(AlreadyDecided):
        desk.run(approvals.cancel, desk.bruno, request_id)
    request = desk.request(request_id)
    assert (request.cancelled_by_customer_id, request.cancelled_by_agent_id) == (desk.fabio.id, None)
    assert [h.kind for h in desk.history(1)].count(HistoryKind.ACTION_CANCELLED) == 1


def test_two_managers_evaluating_at_once_exactly_one_wins(desk: Desk) -> None:
    request_id = desk.ask(1)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def evaluate(name: str, decide: Callable[[], Any]) -> None:
        start.wait()
        try:
            decide()
            outcomes[name] = "won"
        except AlreadyDecided:
            outcomes[name] = "told"

    marcia, fabio = desk.marcia, desk.fabio
    racers = [
        threading.Thread(target=evaluate, args=("marcia", lambda: desk.run(approvals.approve, marcia, request_id))),
        threading.Thread(target=evaluate, args=("fabio", lambda: desk.run(approvals.reject, fabio, request_id))),
    ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=30)
    assert sorted(outcomes.values()) == ["told", "won"]
    decided = [h for h in desk.history(1) if h.kind in (HistoryKind.ACTION_APPROVED, HistoryKind.ACTION_REJECTED)]
    assert len(decided) == 1
    assert len([m for m in desk.outbox() if m.kind == "request_evaluated"]) == 1


class RacedUnitOfWork(SqlUnitOfWork):
    """A competing decision commits between this one's reads and its commit, the way a
    second server does on PostgreSQL, where the version column then refuses the stale
    write. (SQLite's BEGIN IMMEDIATE never lets the race get this far, so it is staged:
    drop this transaction, let the competitor commit, fail as the stale write would.)"""

    competitor: Callable[[], None] | None = None

    def _commit(self) -> None:
        competitor, RacedUnitOfWork.competitor = RacedUnitOfWork.competitor, None
        if competitor is None:
            super()._commit()
            return
        assert self.session is not None
        self.session.rollback()
        competitor()
        raise Conflict("Someone changed this at the same moment; reload and try again.")


def test_losing_a_race_at_commit_reports_the_winner(desk: Desk) -> None:
    request_id = desk.ask(1)
    factory = desk.session_factory
    assert factory is not None
    raced = Services(lambda: RacedUnitOfWork(factory))
    RacedUnitOfWork.competitor = lambda: desk.run(approvals.approve, desk.marcia, request_id)
    with pytest.raises(AlreadyDecided) as late:
        raced.run(approvals.reject, desk.fabio, request_id, "Não")
    assert late.value.params["name"] == "Márcia Gerente"
    assert desk.request(request_id).state == RequestState.APPROVED
    assert [h.kind for h in desk.history(1)].count(HistoryKind.ACTION_REJECTED) == 0


def test_pending_request_never_blocks_the_ticket(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(tickets.reply, desk.bruno, 1, "Estamos verificando.")
    desk.run(tickets.reply, desk.joao, 1, "Obrigado.")
    desk.run(tickets.assign, desk.bruno, 1, desk.carla.id)
    desk.run(tickets.set_status, desk.carla, 1, TicketStatus.IN_PROGRESS)
    assert desk.ticket(1).assigned_agent_id == desk.carla.id
    assert desk.ticket(1).status == TicketStatus.IN_PROGRESS
    assert desk.request(request_id).state == RequestState.AWAITING_APPROVAL


@pytest.mark.parametrize("status", [TicketStatus.CLOSED, TicketStatus.CANCELLED])
def test_pending_request_never_blocks_closing(desk: Desk, status: TicketStatus) -> None:
    desk.ask(1)
    desk.run(tickets.set_status, desk.bruno, 1, status)
    assert desk.ticket(1).status == status


def test_pending_request_never_blocks_deleting(desk: Desk) -> None:
    desk.ask(1)
    desk.run(tickets.trash_ticket, desk.bruno, 1)
    assert desk.ticket(1).in_trash


@pytest.mark.parametrize("status", [TicketStatus.CLOSED, TicketStatus.CANCELLED])
def test_closing_or_cancelling_expires_pending_request(desk: Desk, status: TicketStatus) -> None:
    request_id = desk.ask(1)
    desk.run(tickets.set_status, desk.carla, 1, status)
    request = desk.request(request_id)
    assert request.state == RequestState.EXPIRED
    assert request.decided_at is not None
    expired = [h for h in desk.history(1) if h.kind == HistoryKind.ACTION_EXPIRED]
    assert [(h.actor_name, h.request_id, h.action_name) for h in expired] == [("Carla Agente", request_id, "Reembolso")]


class FailingCommit(SqlUnitOfWork):
    def _commit(self) -> None:
        raise Conflict("the database went away")


def test_closing_expires_pending_request_in_same_transaction(desk: Desk) -> None:
    request_id = desk.ask(1)
    factory = desk.session_factory
    assert factory is not None
    commits: list[list[DomainEvent]] = []

    class CountingCommits(SqlUnitOfWork):
        def _commit(self) -> None:
            commits.append(list(self.events))
            super()._commit()

    Services(lambda: CountingCommits(factory)).run(tickets.set_status, desk.bruno, 1, TicketStatus.CLOSED)
    assert len(commits) == 1
    assert {type(event) for event in commits[0]} == {ActionExpired, TicketChanged}
    assert desk.request(request_id).state == RequestState.EXPIRED


def test_failed_close_leaves_the_request_pending(desk: Desk) -> None:
    request_id = desk.ask(1)
    factory = desk.session_factory
    assert factory is not None
    failing = Services(lambda: FailingCommit(factory))
    with pytest.raises(Conflict):
        failing.run(tickets.set_status, desk.bruno, 1, TicketStatus.CLOSED)
    # Nothing of the failed close may remain: the ticket open and the request pending, together.
    assert desk.ticket(1).status == TicketStatus.OPEN
    assert desk.request(request_id).state == RequestState.AWAITING_APPROVAL
    desk.run(tickets.set_status, desk.bruno, 1, TicketStatus.CLOSED)
    assert (desk.ticket(1).status, desk.request(request_id).state) == (TicketStatus.CLOSED, RequestState.EXPIRED)


def test_reopening_does_not_revive_an_expired_request(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(tickets.set_status, desk.bruno, 1, TicketStatus.CLOSED)
    desk.run(tickets.set_status, desk.bruno, 1, TicketStatus.OPEN)
    assert desk.request(request_id).state == RequestState.EXPIRED
    assert desk.run(approvals.pending_count, desk.marcia) == 0


@pytest.mark.parametrize("final", ["approve", "reject", "cancel"])
def test_closing_leaves_a_decided_request_as_it_is(desk: Desk, final: str) -> None:
    request_id = desk.ask(1)
    if final == "approve":
        desk.run(approvals.approve, desk.marcia, request_id)
    elif final == "reject":
        desk.run(approvals.reject, desk.marcia, request_id, "")
    else:
        desk.run(approvals.cancel, desk.bruno, request_id)
    state = desk.request(request_id).state
    desk.run(tickets.set_status, desk.bruno, 1, TicketStatus.CLOSED)
    assert desk.request(request_id).state == state
    assert HistoryKind.ACTION_EXPIRED not in [h.kind for h in desk.history(1)]


def test_cancelled_request_is_no_longer_pending_anywhere(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(approvals.cancel, desk.ana, request_id)
    assert desk.request(request_id).state == RequestState.CANCELLED
    assert desk.run(approvals.pending_approvals, desk.fabio).items == []
    assert desk.run(tickets.ticket_view, desk.bruno, 1).eligibility.enabled is True
