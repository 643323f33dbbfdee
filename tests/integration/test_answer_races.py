"""Spec §13 under concurrency, on both engines, many rounds each: several managers answer
the same *Todos os gerentes* or *Pelo menos 2* request at the same moment. The request
reaches its final state once, the agents get one evaluation e-mail, and every answer
given before that state is kept (one row per manager).

On PostgreSQL every racer is held at a barrier after it has read the request and before
its first write (see test_approval_races.py): the request's version column alone must
order the answers."""

from __future__ import annotations

import pytest
from persistence_support import ANA, BRUNO, FABIO, JOAO, MARCIA, Database, PlainHasher
from test_approval_races import ROUNDS, _racers

from domain import admin, approvals
from domain.access import Actor
from domain.admin import CustomerFields
from domain.errors import AlreadyDecided
from domain.events import ActionApproved
from domain.model import ApprovalRule

ACTION = "Reiniciar produção"


def _managers(database: Database, extra: int) -> list[Actor]:
    """Fábio and Márcia, and `extra` more managers of Filial Norte."""
    ana = database.agent(ANA)
    filial = int(database.scalar("SELECT id FROM organizations WHERE name = 'Filial Norte'"))
    added = [
        Actor.customer(
            database.run(
                admin.create_customer,
                ana,
                PlainHasher(),
                CustomerFields(f"Gerente {i}", f"gerente{i}@example.test", filial, True, True, password="secret-123"),
            )
        )
        for i in range(extra)
    ]
    return [database.customer(FABIO), database.customer(MARCIA), *added]


def _set_rule(database: Database, rule: ApprovalRule, count: int | None = None) -> int:
    action = database.action_id(ACTION)
    database.run(admin.update_action, database.agent(ANA), action, ACTION, "", True, "keep", rule, count)
    return action


def _evaluation_mails(database: Database, request_id: int) -> int:
    return int(
        database.scalar(
            "SELECT count(*) FROM outbox_messages WHERE kind = 'request_evaluated' AND dedup_key LIKE :k",
            k=f"request:{request_id}:%",
        )
    )


def test_all_managers_answering_at_once_approve_once_and_every_answer_is_kept(database: Database) -> None:
    managers = _managers(database, 3)  # five managers concerned
    action = _set_rule(database, ApprovalRule.ALL)
    bruno = database.agent(BRUNO)

    for round_number, number in enumerate(database.add_tickets(JOAO, ROUNDS)):
        racing_now = 2 + round_number % 4  # 2 to 5 answer together; the others answered before
        request_id = database.run(approvals.request_action, bruno, number, action)
        for early in managers[racing_now:]:
            database.run(approvals.approve, early, request_id)
        results, racing = _racers(database, [
            lambda uow, manager=manager, request_id=request_id: approvals.approve(uow, manager, request_id)
            for manager in managers[:racing_now]
        ])
        assert all(uow.reached_barrier for uow in racing)
        assert results == [None] * racing_now, results  # nobody's answer was lost

        state, approvals_count, answers = database.rows(
            "SELECT state, approvals_count, answers_count FROM action_requests WHERE id = :id", id=request_id
        )[0]
        assert (state, approvals_count, answers) == ("approved", 5, 5)
        kept = database.rows("SELECT customer_id FROM request_answers WHERE request_id = :id", id=request_id)
        assert sorted(k[0] for k in kept) == sorted(m.id for m in managers)
        history = database.rows("SELECT kind FROM history_entries WHERE request_id = :id ORDER BY id", id=request_id)
        assert [h[0] for h in history] == ["action_requested", "action_approved"]
        assert _evaluation_mails(database, request_id) == 1

    assert len([e for e in database.events if isinstance(e, ActionApproved)]) == ROUNDS


@pytest.mark.parametrize("reject_first", [False, True])
def test_at_least_two_answered_at_once_settles_once(database: Database, reject_first: bool) -> None:
    managers = _managers(database, 3)
    action = _set_rule(database, ApprovalRule.AT_LEAST, 2)
    bruno = database.agent(BRUNO)

    for round_number, number in enumerate(database.add_tickets(JOAO, ROUNDS)):
        racing_now = 2 + round_number % 4
        request_id = database.run(approvals.request_action, bruno, number, action)
        if reject_first:  # three rejections already: two more rejections make 2 of 5 unreachable
            for early in managers[racing_now:]:
                database.run(approvals.reject, early, request_id, "Não")

        def answer(uow: object, manager: Actor, request_id: int = request_id) -> None:
            if reject_first:
                approvals.reject(uow, manager, request_id, "Não")  # type: ignore[arg-type]
            else:
                approvals.approve(uow, manager, request_id)  # type: ignore[arg-type]

        results, racing = _racers(database, [
            lambda uow, manager=manager: answer(uow, manager) for manager in managers[:racing_now]
        ])
        assert all(uow.reached_barrier for uow in racing)
        assert all(r is None or isinstance(r, AlreadyDecided) for r in results), results

        state, approvals_count, answers = database.rows(
            "SELECT state, approvals_count, answers_count FROM action_requests WHERE id = :id", id=request_id
        )[0]
        kept = int(database.scalar("SELECT count(*) FROM request_answers WHERE request_id = :id", id=request_id))
        assert kept == answers == sum(1 for r in results if r is None) + (5 - racing_now if reject_first else 0)
        if reject_first:
            assert state == "rejected" and kept == 4  # the 4th rejection made 2 approvals unreachable
        else:
            assert (state, approvals_count, kept) == ("approved", 2, 2)
        history = database.rows(
            "SELECT kind FROM history_entries WHERE request_id = :id AND kind <> 'action_requested'", id=request_id
        )
        assert len(history) == 1, history
        assert _evaluation_mails(database, request_id) == 1


def test_one_manager_answering_twice_at_once_is_kept_once(database: Database) -> None:
    fabio = database.customer(FABIO)
    action = _set_rule(database, ApprovalRule.ALL)
    bruno = database.agent(BRUNO)

    for number in database.add_tickets(JOAO, ROUNDS):
        request_id = database.run(approvals.request_action, bruno, number, action)
        results, _racing = _racers(database, [
            lambda uow, request_id=request_id: approvals.approve(uow, fabio, request_id),
            lambda uow, request_id=request_id: approvals.approve(uow, fabio, request_id),
        ])
        refused = [r for r in results if r is not None]
        assert len(refused) == 1 and "already answered" in refused[0].message, results
        kept = database.rows("SELECT customer_id FROM request_answers WHERE request_id = :id", id=request_id)
        assert kept == [(fabio.id,)]
        state, answers = database.rows(
            "SELECT state, answers_count FROM action_requests WHERE id = :id", id=request_id
        )[0]
        assert (state, answers) == ("awaiting_approval", 1)  # 1 of 2: Márcia still to answer
