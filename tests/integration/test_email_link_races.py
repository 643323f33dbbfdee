"""Spec §11 under concurrency, on both engines, many rounds each: two confirmations of the
same link (two tabs, a replayed form), and a link confirmation against another manager's
decision in the portal, make exactly one decision — one history entry, one evaluation
mail, the token consumed at most once.

As in test_approval_races: on PostgreSQL every racer is held at a barrier after it read
the link and the request and before its first write, so the database alone (the
request's version column, the conditional UPDATE of the token) settles the race."""

from __future__ import annotations

from typing import Any

from email_link_support import links_of
from persistence_support import BRUNO, FABIO, JOAO, MARCIA, Database
from test_approval_races import _racers

from domain import approvals, email_links
from domain.errors import AlreadyDecided
from domain.events import ActionApproved, ActionRejected

ROUNDS = 20


def _one_decision(db: Database, request_id: int) -> tuple[str, str | None]:
    decisions = db.rows(
        "SELECT kind, via FROM history_entries WHERE request_id = :r AND kind <> 'action_requested'", r=request_id
    )
    assert len(decisions) == 1, decisions
    assert db.scalar(
        "SELECT count(*) FROM outbox_messages WHERE kind = 'request_evaluated' AND dedup_key LIKE :k",
        k=f"request:{request_id}:%",
    ) == 1  # Bruno, assignee and requester: one mail
    assert db.scalar("SELECT count(*) FROM agent_notifications WHERE request_id = :r", r=request_id) == 1
    assert db.scalar("SELECT version FROM action_requests WHERE id = :r", r=request_id) == 2
    return decisions[0][0], decisions[0][1]


def _results_are_one_win(results: list[Any]) -> None:
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], AlreadyDecided), results


def test_two_confirmations_of_one_link_decide_once(database: Database) -> None:
    bruno = database.agent(BRUNO)
    action = database.action_id("Reembolso")
    for number in database.add_tickets(JOAO, ROUNDS):
        request_id = database.run(approvals.request_action, bruno, number, action)
        token = links_of(database, request_id, FABIO)["approve"]
        results, racing = _racers(database, [
            lambda uow, token=token: email_links.confirm_link(uow, token),
            lambda uow, token=token: email_links.confirm_link(uow, token),
        ])
        assert all(uow.reached_barrier for uow in racing)
        _results_are_one_win(results)
        assert _one_decision(database, request_id) == ("action_approved", "email")
        assert database.scalar(
            "SELECT count(*) FROM email_links WHERE request_id = :r AND used_at IS NOT NULL", r=request_id
        ) == 1
    assert len([e for e in database.events if isinstance(e, ActionApproved)]) == ROUNDS


def test_a_link_against_another_managers_portal_decision_decides_once(database: Database) -> None:
    bruno, fabio = database.agent(BRUNO), database.customer(FABIO)
    action = database.action_id("Reembolso")
    outcomes = {"email": 0, "portal": 0}
    for number in database.add_tickets(JOAO, ROUNDS):
        request_id = database.run(approvals.request_action, bruno, number, action)
        token = links_of(database, request_id, MARCIA)["reject"]
        results, racing = _racers(database, [
            lambda uow, token=token: email_links.confirm_link(uow, token, "Não"),
            lambda uow, request_id=request_id: approvals.approve(uow, fabio, request_id),
        ])
        assert all(uow.reached_barrier for uow in racing)
        _results_are_one_win(results)
        kind, via = _one_decision(database, request_id)
        if isinstance(results[0], AlreadyDecided):  # the portal won: the token stays unused
            assert (kind, via) == ("action_approved", "portal")
            assert "Fábio Gerente" in str(results[0])
            assert database.scalar("SELECT count(*) FROM email_links WHERE used_at IS NOT NULL "
                                   "AND request_id = :r", r=request_id) == 0
        else:
            assert (kind, via) == ("action_rejected", "email")
            assert database.scalar("SELECT count(*) FROM email_links WHERE used_at IS NOT NULL "
                                   "AND request_id = :r", r=request_id) == 1
        outcomes[via or "portal"] += 1
    assert sum(outcomes.values()) == ROUNDS
    decided = [e for e in database.events if isinstance(e, ActionApproved | ActionRejected)]
    assert len(decided) == ROUNDS
