"""Spec §3 and §4 under concurrency, on both engines, many rounds each:

(a) several agents request an action on the same ticket at the same moment: one request
    is created, the others are refused with AlreadyAwaiting — and the partial unique
    index holds even against a write that bypasses the application;
(b) two managers decide the same request at the same moment: one decision is kept, the
    other is refused with AlreadyDecided naming the winner, and the side effects
    (history, notifications, e-mails) exist once.

On SQLite writers queue on the database lock (BEGIN IMMEDIATE), so the loser reads the
winner's result. On PostgreSQL (READ COMMITTED) every racer is held at a barrier after
it has read the state and before its first write: the database constraints — the
partial unique index and the request's version column — must settle the race alone."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from persistence_support import ANA, BRUNO, CARLA, FABIO, JOAO, MARCIA, Database, RacingUnitOfWork, run_together
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from domain import approvals, tickets
from domain.access import Actor
from domain.errors import AlreadyAwaiting, AlreadyDecided, Conflict
from domain.events import ActionApproved, ActionRejected, ActionRequested
from domain.model import TicketStatus
from domain.ports import UnitOfWork

ROUNDS = 20


def _racers(db: Database, calls: list[Callable[[UnitOfWork], Any]]) -> tuple[list[Any], list[RacingUnitOfWork]]:
    """Starts every call at the same moment, each with its own unit of work."""
    barrier = threading.Barrier(len(calls), timeout=20)
    racing: list[RacingUnitOfWork] = []

    def start(call: Callable[[UnitOfWork], Any]) -> Callable[[], Any]:
        if db.kind == "postgresql":
            uow = RacingUnitOfWork(db, barrier)
            racing.append(uow)
            return lambda: call(uow)

        def queued() -> Any:
            barrier.wait()
            return call(db.uow())

        return queued

    return run_together(*[start(call) for call in calls]), racing


def _count(db: Database, sql: str, **params: Any) -> int:
    return int(db.scalar(sql, **params))


def test_simultaneous_requests_on_one_ticket_create_exactly_one(database: Database) -> None:
    agents = [database.agent(email) for email in (BRUNO, CARLA, ANA)]
    action = database.action_id("Reembolso")
    numbers = database.add_tickets(JOAO, ROUNDS)

    for number in numbers:
        results, racing = _racers(database, [
            lambda uow, agent=agent, number=number: approvals.request_action(uow, agent, number, action, "pressa")
            for agent in agents
        ])
        created = [r for r in results if isinstance(r, int)]
        refused = [r for r in results if isinstance(r, AlreadyAwaiting)]
        assert len(created) == 1 and len(refused) == len(agents) - 1, results
        # On PostgreSQL every racer had read "nothing awaiting" before anyone wrote.
        assert all(uow.reached_barrier for uow in racing)

        ticket_id = _count(database, "SELECT id FROM tickets WHERE number = :n", n=number)
        assert _count(database, "SELECT count(*) FROM action_requests WHERE ticket_id = :t", t=ticket_id) == 1
        assert _count(
            database,
            "SELECT count(*) FROM action_requests WHERE ticket_id = :t AND state = 'awaiting_approval'",
            t=ticket_id,
        ) == 1
        assert _count(
            database, "SELECT count(*) FROM history_entries WHERE ticket_id = :t AND kind = 'action_requested'",
            t=ticket_id,
        ) == 1
        # Fábio and Márcia: one e-mail each (no push: no browser of theirs allowed it), for
        # the one request only.
        assert _count(
            database, "SELECT count(*) FROM outbox_messages WHERE dedup_key LIKE :k", k=f"request:{created[0]}:%"
        ) == 2

    assert _count(database, "SELECT count(*) FROM outbox_messages") == 2 * ROUNDS
    requested = [e for e in database.events if isinstance(e, ActionRequested)]
    assert len(requested) == ROUNDS  # the losers published nothing


def test_the_partial_unique_index_refuses_a_second_awaiting_request(database: Database) -> None:
    """Whatever the application does, the database keeps one awaiting request per ticket."""
    request_id = database.run(approvals.request_action, database.agent(BRUNO), 1, database.action_id("Reembolso"))
    row = database.rows("SELECT ticket_id, action_id, requested_by_agent_id, requested_at FROM action_requests")[0]
    insert = text(
        "INSERT INTO action_requests (ticket_id, action_id, action_name, action_description, note, state, "
        "requested_by_agent_id, requested_at, reason, version) "
        "VALUES (:ticket, :action, 'Reembolso', '', '', :state, :agent, :at, '', 1)"
    )
    params = {"ticket": row[0], "action": row[1], "agent": row[2], "at": row[3]}

    with (
        pytest.raises(IntegrityError, match=r"uq_action_requests_one_awaiting|UNIQUE constraint failed"),
        database.engine.begin() as connection,
    ):
        connection.execute(insert, {**params, "state": "awaiting_approval"})

    # Decided requests are history: any number of them may sit beside the awaiting one.
    with database.engine.begin() as connection:
        connection.execute(insert, {**params, "state": "approved"})
        connection.execute(insert, {**params, "state": "rejected"})
    assert _count(database, "SELECT count(*) FROM action_requests") == 3

    # Once the awaiting one is decided, a new one may await.
    database.run(approvals.approve, database.customer(FABIO), request_id)
    with database.engine.begin() as connection:
        connection.execute(insert, {**params, "state": "awaiting_approval"})


def test_simultaneous_decisions_keep_exactly_one(database: Database) -> None:
    bruno, fabio, marcia = database.agent(BRUNO), database.customer(FABIO), database.customer(MARCIA)
    names = {fabio.id: "Fábio Gerente", marcia.id: "Márcia Gerente"}
    action = database.action_id("Reiniciar produção")
    numbers = database.add_tickets(JOAO, ROUNDS)
    winners: dict[str, int] = {"approved": 0, "rejected": 0}

    for number in numbers:
        request_id = database.run(approvals.request_action, bruno, number, action)
        results, racing = _racers(database, [
            lambda uow, request_id=request_id: approvals.approve(uow, fabio, request_id),
            lambda uow, request_id=request_id: approvals.reject(uow, marcia, request_id, "Agora não"),
        ])
        assert all(uow.reached_barrier for uow in racing)
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1 and isinstance(errors[0], AlreadyDecided), results

        state, evaluator, version = database.rows(
            "SELECT state, evaluated_by_customer_id, version FROM action_requests WHERE id = :id", id=request_id
        )[0]
        winner: Actor = fabio if state == "approved" else marcia
        assert (state, evaluator) == (("approved", fabio.id) if winner is fabio else ("rejected", marcia.id))
        assert results[0 if winner is fabio else 1] is None  # the winner's call succeeded
        assert version == 2  # requested (1), decided once (2)
        winners[state] += 1

        # The loser is told who decided first.
        loser_error = errors[0]
        assert loser_error.params.get("name") == names[winner.id], loser_error.params
        assert names[winner.id] in str(loser_error)
        assert ("approved" if winner is fabio else "rejected") in loser_error.message

        decision_kind = f"action_{state}"
        history = database.rows("SELECT kind FROM history_entries WHERE request_id = :id ORDER BY id", id=request_id)
        assert [h[0] for h in history] == ["action_requested", decision_kind]
        # Bruno is both the assignee and the requester: one hub entry, one e-mail.
        assert _count(database, "SELECT count(*) FROM agent_notifications WHERE request_id = :id", id=request_id) == 1
        emails = database.rows(
            "SELECT dedup_key FROM outbox_messages WHERE dedup_key LIKE :k AND kind = 'request_evaluated'",
            k=f"request:{request_id}:%",
        )
        assert [e[0] for e in emails] == [f"request:{request_id}:{state}:agent:{bruno.id}:email"]
        assert _count(
            database, "SELECT count(*) FROM outbox_messages WHERE dedup_key LIKE :k", k=f"request:{request_id}:%"
        ) == 3

    decided = [e for e in database.events if isinstance(e, ActionApproved | ActionRejected)]
    assert len(decided) == ROUNDS  # the losers published nothing
    assert sum(winners.values()) == ROUNDS


def test_closing_a_ticket_while_a_manager_approves_stays_consistent(database: Database) -> None:
    """Closing expires the pending request (spec §5). Racing an approval, either the
    approval lands first (and the close finds nothing to expire, or must be retried) or
    the expiry does (and the manager is told the action expired) — never both."""
    bruno, fabio = database.agent(BRUNO), database.customer(FABIO)
    action = database.action_id("Reembolso")
    numbers = database.add_tickets(JOAO, ROUNDS)

    for number in numbers:
        request_id = database.run(approvals.request_action, bruno, number, action)
        results, racing = _racers(database, [
            lambda uow, number=number: tickets.set_status(uow, bruno, number, TicketStatus.CLOSED),
            lambda uow, request_id=request_id: approvals.approve(uow, fabio, request_id),
        ])
        assert all(uow.reached_barrier for uow in racing)
        closed, approved = results
        # Whatever fails, fails as a conflict the UI can show — never as a crash.
        assert all(r is None or isinstance(r, Conflict) for r in results), results
        assert closed is None or approved is None, results

        state = database.scalar("SELECT state FROM action_requests WHERE id = :id", id=request_id)
        status = database.scalar("SELECT status FROM tickets WHERE number = :n", n=number)
        decisions = database.rows(
            "SELECT kind FROM history_entries WHERE request_id = :id AND kind <> 'action_requested'", id=request_id
        )
        assert len(decisions) == 1, decisions
        if approved is None:
            assert (state, decisions[0][0]) == ("approved", "action_approved")
        else:
            assert isinstance(approved, AlreadyDecided) and "expired" in approved.message
            assert (state, decisions[0][0]) == ("expired", "action_expired")
        assert status == ("closed" if closed is None else "open")
