"""Spec §2: the approvals switch and the catalog of actions."""

from __future__ import annotations

import pytest
from unit_desk import Desk

from domain import admin, approvals, tickets
from domain.errors import DomainError, Forbidden, InvalidInput
from domain.model import RequestState, TicketStatus


def test_feature_is_off_by_default_for_a_new_account(empty_desk: Desk) -> None:
    root = empty_desk.agent_actor("root@example.test")
    assert empty_desk.run(admin.approvals_enabled, root) is False


def test_account_manager_turns_the_feature_on(empty_desk: Desk) -> None:
    root = empty_desk.agent_actor("root@example.test")
    empty_desk.run(admin.set_approvals_enabled, root, True)
    assert empty_desk.run(admin.approvals_enabled, root) is True


def test_only_the_account_manager_may_switch_the_feature(desk: Desk) -> None:
    with pytest.raises(Forbidden):
        desk.run(admin.set_approvals_enabled, desk.bruno, False)
    assert desk.run(admin.approvals_enabled, desk.bruno) is True


def test_turning_feature_off_hides_the_request_menu(desk: Desk) -> None:
    assert desk.run(tickets.ticket_view, desk.bruno, 1).eligibility.show
    desk.run(admin.set_approvals_enabled, desk.ana, False)
    assert not desk.run(tickets.ticket_view, desk.bruno, 1).eligibility.show
    with pytest.raises(Forbidden):
        desk.ask(1)


def test_turning_feature_off_keeps_requests_evaluable(desk: Desk) -> None:
    approved, rejected = desk.ask(1), desk.ask(2)
    desk.run(admin.set_approvals_enabled, desk.ana, False)
    desk.run(approvals.approve, desk.marcia, approved)
    desk.run(approvals.reject, desk.fabio, rejected, "Sem verba")
    assert desk.request(approved).state == RequestState.APPROVED
    assert desk.request(rejected).state == RequestState.REJECTED


def test_turning_feature_off_keeps_requests_cancellable(desk: Desk) -> None:
    by_agent, by_manager = desk.ask(1), desk.ask(2)
    desk.run(admin.set_approvals_enabled, desk.ana, False)
    desk.run(approvals.cancel, desk.bruno, by_agent)
    desk.run(approvals.cancel, desk.marcia, by_manager)
    assert desk.request(by_agent).state == RequestState.CANCELLED
    assert desk.request(by_manager).state == RequestState.CANCELLED


def test_turning_feature_off_deletes_nothing_and_keeps_states(desk: Desk) -> None:
    pending, approved = desk.ask(1), desk.ask(2)
    desk.run(approvals.approve, desk.marcia, approved)
    desk.run(admin.set_approvals_enabled, desk.ana, False)
    assert desk.request(pending).state == RequestState.AWAITING_APPROVAL
    assert desk.request(approved).state == RequestState.APPROVED
    assert [r.action_name for r in desk.run(approvals.pending_approvals, desk.marcia).items] == ["Reembolso"]
    assert len(desk.run(admin.list_catalog, desk.ana)) == 4  # the demo's four actions


def test_create_action_with_name_description_and_active_flag(desk: Desk) -> None:
    action_id = desk.run(admin.create_action, desk.ana, "  Trocar equipamento ", "Enviar um novo aparelho.", False)
    action = desk.catalog_action(action_id)
    assert (action.name, action.description, action.active) == ("Trocar equipamento", "Enviar um novo aparelho.", False)


def test_only_the_account_manager_keeps_the_catalog(desk: Desk) -> None:
    with pytest.raises(Forbidden):
        desk.run(admin.create_action, desk.bruno, "Trocar equipamento", "")
    with pytest.raises(Forbidden):
        desk.run(admin.update_action, desk.bruno, desk.action_id("Reembolso"), "Estorno", "", True)
    with pytest.raises(Forbidden):
        desk.run(admin.set_action_active, desk.bruno, desk.action_id("Reembolso"), False)
    assert desk.catalog_action(desk.action_id("Reembolso")).active


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_blank_action_name_refused(desk: Desk, blank: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        desk.run(admin.create_action, desk.ana, blank, "Sem nome")
    assert refused.value.message == "{field} is required."
    assert len(desk.run(admin.list_catalog, desk.ana)) == 4  # the demo's four actions


def test_blank_action_name_refused_on_edit(desk: Desk) -> None:
    action_id = desk.action_id("Reembolso")
    with pytest.raises(InvalidInput):
        desk.run(admin.update_action, desk.ana, action_id, " ", "", True)
    assert desk.catalog_action(action_id).name == "Reembolso"


@pytest.mark.parametrize("same_name", ["Reembolso", "reembolso", "REEMBÓLSO", " reembólso ", "Reiniciar Producao"])
def test_duplicate_action_name_refused_case_and_accent_insensitive(desk: Desk, same_name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        desk.run(admin.create_action, desk.ana, same_name, "")
    assert refused.value.message == "An action named “{name}” already exists."
    assert len(desk.run(admin.list_catalog, desk.ana)) == 4  # the demo's four actions


def test_renaming_an_action_onto_another_name_refused(desk: Desk) -> None:
    with pytest.raises(InvalidInput):
        desk.run(admin.update_action, desk.ana, desk.action_id("Horas extras"), "reembolso", "", True)
    assert desk.catalog_action(desk.action_id("Horas extras")).name == "Horas extras"


def test_action_can_be_edited_and_deactivated(desk: Desk) -> None:
    action_id = desk.action_id("Reembolso")
    desk.run(admin.update_action, desk.ana, action_id, "Reembolso parcial", "Devolver parte do valor.", True)
    desk.run(admin.set_action_active, desk.ana, action_id, False)
    action = desk.catalog_action(action_id)
    assert (action.name, action.description, action.active) == ("Reembolso parcial", "Devolver parte do valor.", False)
    assert action_id not in [a[0] for a in desk.run(approvals.catalog_for_request, desk.bruno)]


def test_edit_keeping_own_name_with_other_case_is_accepted(desk: Desk) -> None:
    action_id = desk.action_id("Reembolso")
    desk.run(admin.update_action, desk.ana, action_id, "REEMBOLSO", "", True)
    assert desk.catalog_action(action_id).name == "REEMBOLSO"


def test_inactive_action_cannot_be_requested(desk: Desk) -> None:
    with pytest.raises(InvalidInput):
        desk.ask(1, action="Horas extras")
    assert desk.requests_of(1) == []


def test_request_snapshots_action_name_and_description(desk: Desk) -> None:
    request = desk.request(desk.ask(1))
    assert (request.action_name, request.action_description) == (
        "Reembolso",
        "Devolver o valor cobrado ao cliente.",
    )


def test_catalog_edit_does_not_rewrite_request_history(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(admin.update_action, desk.ana, desk.action_id("Reembolso"), "Estorno", "Outro texto.", False)
    request = desk.request(request_id)
    assert (request.action_name, request.action_description) == (
        "Reembolso",
        "Devolver o valor cobrado ao cliente.",
    )
    view = desk.run(tickets.ticket_view, desk.bruno, 1)
    assert [r.action_name for r in view.requests] == ["Reembolso"]
    assert [h.action_name for h in view.history if h.request_id == request_id] == ["Reembolso"]


def test_deactivating_an_action_keeps_its_pending_request_evaluable(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(admin.set_action_active, desk.ana, desk.action_id("Reembolso"), False)
    desk.run(approvals.approve, desk.fabio, request_id)
    assert desk.request(request_id).state == RequestState.APPROVED


def test_feature_off_refusal_is_a_domain_error_with_a_message(desk: Desk) -> None:
    desk.run(admin.set_approvals_enabled, desk.ana, False)
    with pytest.raises(DomainError) as refused:
        desk.ask(1)
    assert refused.value.message == approvals.REASON_FEATURE_OFF
    assert desk.ticket(1).status == TicketStatus.OPEN
