"""Spec §13, the approval rules through the use cases: *Todos os gerentes*, *Pelo menos N*
and *Em etapas*; each answer kept once, the request moving once, the pending lists and
badges leaving out what a manager already answered. (*Qualquer gerente*, the default,
is the seed's rule: the lifecycle tests cover it unchanged.)"""

from __future__ import annotations

import pytest
from unit_desk import Desk

from domain import admin, approvals, reminders
from domain.access import Actor
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.events import ActionApproved, ActionRejected
from domain.model import ApprovalRule, RequestState

ACTION = "Reiniciar produção"


def _rule(desk: Desk, rule: ApprovalRule, count: int | None = None, action: str = ACTION) -> None:
    action_id = desk.action_id(action)
    current = desk.catalog_action(action_id)
    desk.run(
        admin.update_action, desk.ana, action_id, current.name, current.description, True, "keep", rule, count
    )


def _mails(desk: Desk, request_id: int, kind: str) -> list[int]:
    return [
        m.recipient_id
        for m in desk.outbox()
        if m.kind == kind and m.payload.get("request_id") == request_id and m.channel == "email"
    ]


def _pending(desk: Desk, manager: Actor) -> tuple[int, list[int]]:
    count = desk.run(approvals.pending_count, manager)
    listed = [row.id for row in desk.run(approvals.pending_approvals, manager).items]
    return count, listed


def test_all_managers_must_approve_and_each_answer_is_kept(desk: Desk) -> None:
    _rule(desk, ApprovalRule.ALL)
    request_id = desk.ask(1, action=ACTION)

    desk.run(approvals.approve, desk.fabio, request_id)

    request = desk.request(request_id)
    assert request.state == RequestState.AWAITING_APPROVAL
    assert (request.approvals_count, request.approvals_needed) == (1, 2)
    # Fábio answered: the request is no longer his to answer; Márcia still has it.
    assert _pending(desk, desk.fabio) == (0, [])
    assert _pending(desk, desk.marcia) == (1, [request_id])
    assert _mails(desk, request_id, "request_evaluated") == []  # nothing final yet

    with pytest.raises(Conflict, match="already answered"):
        desk.run(approvals.approve, desk.fabio, request_id)

    desk.run(approvals.approve, desk.marcia, request_id)

    request = desk.request(request_id)
    assert (request.state, request.evaluated_by_customer_id) == (RequestState.APPROVED, desk.marcia.id)
    assert len(desk.events_of(ActionApproved)) == 1
    assert len(_mails(desk, request_id, "request_evaluated")) == 1  # Bruno, once
    progress = desk.run(approvals.request_progress, desk.bruno, request_id)
    assert [(a.name, a.approved) for a in progress.answers] == [("Fábio Gerente", True), ("Márcia Gerente", True)]
    assert (progress.approvals, progress.needed) == (2, 2)


def test_under_all_managers_one_rejection_rejects(desk: Desk) -> None:
    _rule(desk, ApprovalRule.ALL)
    request_id = desk.ask(1, action=ACTION)
    desk.run(approvals.approve, desk.fabio, request_id)
    desk.run(approvals.reject, desk.marcia, request_id, "Agora não")

    request = desk.request(request_id)
    assert (request.state, request.reason) == (RequestState.REJECTED, "Agora não")
    assert len(desk.events_of(ActionRejected)) == 1
    assert _pending(desk, desk.fabio) == (0, [])


def test_at_least_n_rejects_only_once_n_is_out_of_reach(desk: Desk) -> None:
    gil = desk.new_customer("Gil Gerente", "Filial Norte", manager=True)
    _rule(desk, ApprovalRule.AT_LEAST, 2)
    request_id = desk.ask(1, action=ACTION)  # Fábio, Gil and Márcia: 2 of 3

    desk.run(approvals.reject, desk.fabio, request_id, "Não")
    assert desk.request(request_id).state == RequestState.AWAITING_APPROVAL  # 2 may still approve

    desk.run(approvals.approve, gil, request_id)
    assert desk.request(request_id).state == RequestState.AWAITING_APPROVAL  # 1 of 2

    desk.run(approvals.reject, desk.marcia, request_id, "Também não")
    request = desk.request(request_id)
    assert request.state == RequestState.REJECTED  # 2 can no longer be reached
    assert request.reason == "Também não"


def test_at_least_n_approves_at_the_nth_approval(desk: Desk) -> None:
    gil = desk.new_customer("Gil Gerente", "Filial Norte", manager=True)
    _rule(desk, ApprovalRule.AT_LEAST, 2)
    request_id = desk.ask(1, action=ACTION)
    desk.run(approvals.approve, gil, request_id)
    desk.run(approvals.approve, desk.marcia, request_id)

    assert desk.request(request_id).state == RequestState.APPROVED
    # Fábio never answered, and the request no longer awaits him either.
    assert _pending(desk, desk.fabio) == (0, [])


def test_at_least_n_more_than_the_managers_cannot_be_requested(desk: Desk) -> None:
    _rule(desk, ApprovalRule.AT_LEAST, 3)  # Fábio and Márcia only
    with pytest.raises(InvalidInput) as refused:
        desk.ask(1, action=ACTION)
    assert refused.value.params == {"needed": 3, "managers": 2}
    assert desk.requests_of(1) == []


def test_in_stages_the_parent_is_asked_and_told_only_after_the_organization(desk: Desk) -> None:
    _rule(desk, ApprovalRule.STAGES)
    request_id = desk.ask(1, action=ACTION)

    assert _mails(desk, request_id, "request_created") == [desk.fabio.id]
    assert _pending(desk, desk.marcia) == (0, [])
    assert _pending(desk, desk.fabio) == (1, [request_id])
    with pytest.raises(Forbidden, match="organization's managers first"):
        desk.run(approvals.approve, desk.marcia, request_id)

    desk.run(approvals.approve, desk.fabio, request_id)

    request = desk.request(request_id)
    assert (request.state, request.stage) == (RequestState.AWAITING_APPROVAL, 2)
    assert _mails(desk, request_id, "request_created") == [desk.fabio.id, desk.marcia.id]
    assert _pending(desk, desk.fabio) == (0, [])
    assert _pending(desk, desk.marcia) == (1, [request_id])

    desk.run(approvals.approve, desk.marcia, request_id)
    assert desk.request(request_id).state == RequestState.APPROVED


def test_in_stages_a_rejection_at_the_first_stage_tells_no_one_further(desk: Desk) -> None:
    _rule(desk, ApprovalRule.STAGES)
    request_id = desk.ask(1, action=ACTION)
    desk.run(approvals.reject, desk.fabio, request_id, "Não")

    assert desk.request(request_id).state == RequestState.REJECTED
    assert _mails(desk, request_id, "request_created") == [desk.fabio.id]
    assert _pending(desk, desk.marcia) == (0, [])


def test_in_stages_a_stage_without_a_manager_is_skipped(desk: Desk) -> None:
    desk.new_organization("Filial Sul", parent="Matriz Ltda")  # no manager of its own
    sara = desk.new_customer("Sara Cliente", "Filial Sul")
    number = desk.new_ticket(sara)
    _rule(desk, ApprovalRule.STAGES)
    request_id = desk.ask(number, action=ACTION)

    request = desk.request(request_id)
    assert (request.stage, request.approvals_needed) == (2, 1)
    assert _mails(desk, request_id, "request_created") == [desk.marcia.id]
    desk.run(approvals.approve, desk.marcia, request_id)
    assert desk.request(request_id).state == RequestState.APPROVED


def test_a_rule_change_does_not_rewrite_a_pending_request(desk: Desk) -> None:
    _rule(desk, ApprovalRule.ALL)
    request_id = desk.ask(1, action=ACTION)
    _rule(desk, ApprovalRule.ANY)
    gil = desk.new_customer("Gil Gerente", "Filial Norte", manager=True)

    desk.run(approvals.approve, desk.fabio, request_id)
    assert desk.request(request_id).state == RequestState.AWAITING_APPROVAL  # still "all", of two
    with pytest.raises(Forbidden, match="not among the managers"):
        desk.run(approvals.approve, gil, request_id)  # a manager since: not asked
    assert _pending(desk, gil) == (0, [])


def test_an_approver_no_longer_a_manager_cannot_answer(desk: Desk) -> None:
    _rule(desk, ApprovalRule.ALL)
    request_id = desk.ask(1, action=ACTION)
    desk.set_customer(desk.fabio, is_manager=False)
    with pytest.raises(NotFound):  # as for anyone who is not a manager in scope
        desk.run(approvals.approve, desk.fabio, request_id)
    desk.run(approvals.approve, desk.marcia, request_id)
    # Fábio was asked when the request was made: *Todos* still waits for him (or a
    # rejection, a cancellation, the deadline).
    assert desk.request(request_id).state == RequestState.AWAITING_APPROVAL


@pytest.mark.parametrize("count", [0, -1, 1001, None, True])
def test_at_least_n_needs_a_sensible_n(desk: Desk, count: int | None) -> None:
    action_id = desk.action_id(ACTION)
    with pytest.raises(InvalidInput):
        desk.run(admin.update_action, desk.ana, action_id, ACTION, "", True, "keep", ApprovalRule.AT_LEAST, count)
    assert desk.catalog_action(action_id).rule == ApprovalRule.ANY


def test_an_unknown_rule_is_refused(desk: Desk) -> None:
    with pytest.raises(InvalidInput):
        desk.run(admin.create_action, desk.ana, "Nova", "", True, None, "majority", None)


def test_lembrar_gerentes_reminds_only_the_approvers_who_have_not_answered(desk: Desk) -> None:
    _rule(desk, ApprovalRule.ALL)
    request_id = desk.ask(1, action=ACTION)
    desk.run(approvals.approve, desk.fabio, request_id)
    desk.run(reminders.remind_managers, desk.bruno, request_id)
    assert _mails(desk, request_id, "request_reminder") == [desk.marcia.id]


def test_in_stages_a_reminder_goes_to_the_stage_asked_now(desk: Desk) -> None:
    _rule(desk, ApprovalRule.STAGES)
    request_id = desk.ask(1, action=ACTION)
    desk.run(reminders.remind_managers, desk.bruno, request_id)
    assert _mails(desk, request_id, "request_reminder") == [desk.fabio.id]
