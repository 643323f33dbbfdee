"""Spec §3: when a ticket is eligible, when 'Mais > Solicitar Ação' shows, and what a
request records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from unit_desk import Desk

from domain import admin, approvals, clock, tickets
from domain.errors import AlreadyAwaiting, Forbidden, InvalidInput, NotFound
from domain.model import ActionRequest, RequestState, TicketStatus
from domain.views import Eligibility


def menu(desk: Desk, number: int) -> Eligibility:
    return desk.run(tickets.ticket_view, desk.bruno, number).eligibility


def test_menu_shows_for_an_eligible_ticket(desk: Desk) -> None:
    assert menu(desk, 1) == Eligibility(show=True, enabled=True)


def test_menu_absent_when_feature_is_off(desk: Desk) -> None:
    desk.run(admin.set_approvals_enabled, desk.ana, False)
    assert menu(desk, 1).show is False


def test_menu_absent_when_customer_has_no_organization(desk: Desk) -> None:
    assert menu(desk, 4).show is False
    assert menu(desk, 4).reason == approvals.REASON_NO_ORGANIZATION
    with pytest.raises(Forbidden):
        desk.ask(4)


def test_menu_absent_when_organization_and_parent_have_no_manager(desk: Desk) -> None:
    desk.new_organization("Sem Gerente")
    customer = desk.new_customer("Rui Sozinho", "Sem Gerente")
    number = desk.new_ticket(customer)
    assert menu(desk, number).show is False
    assert menu(desk, number).reason == approvals.REASON_NO_MANAGER
    with pytest.raises(Forbidden):
        desk.ask(number)


def test_own_organization_manager_makes_ticket_eligible(desk: Desk) -> None:
    desk.new_organization("Loja Sul")
    desk.new_customer("Gil Gerente", "Loja Sul", manager=True)
    number = desk.new_ticket(desk.new_customer("Ivo Cliente", "Loja Sul"))
    assert menu(desk, number).show is True


def test_parent_organization_manager_makes_ticket_eligible(desk: Desk) -> None:
    # Filial Norte's own manager leaves; Márcia, of the parent Matriz Ltda, still answers.
    desk.set_customer(desk.fabio, is_manager=False)
    assert menu(desk, 1).show is True
    desk.ask(1)


def test_child_organization_manager_does_not_make_parent_ticket_eligible(desk: Desk) -> None:
    desk.set_customer(desk.marcia, is_manager=False)
    number = desk.new_ticket(desk.new_customer("Teo Matriz", "Matriz Ltda"))
    assert menu(desk, number).show is False


def test_deactivated_manager_does_not_make_ticket_eligible(desk: Desk) -> None:
    desk.set_customer(desk.fabio, active=False)
    desk.set_customer(desk.marcia, active=False)
    assert menu(desk, 1).show is False
    with pytest.raises(Forbidden):
        desk.ask(1)


def test_trashed_manager_does_not_make_ticket_eligible(desk: Desk) -> None:
    desk.run(tickets.trash_customer, desk.ana, desk.fabio.id)
    desk.run(tickets.trash_customer, desk.ana, desk.marcia.id)
    assert menu(desk, 1).show is False
    with pytest.raises(Forbidden):
        desk.ask(1)


def test_customer_not_flagged_manager_does_not_make_ticket_eligible(desk: Desk) -> None:
    desk.new_organization("Loja Sul")
    desk.new_customer("Gil Comum", "Loja Sul")
    number = desk.new_ticket(desk.new_customer("Ivo Cliente", "Loja Sul"))
    assert menu(desk, number).show is False


def test_manager_of_another_organization_does_not_make_ticket_eligible(desk: Desk) -> None:
    desk.new_organization("Loja Sul")
    desk.new_organization("Outra Empresa")
    desk.new_customer("Olga Gerente", "Outra Empresa", manager=True)
    number = desk.new_ticket(desk.new_customer("Ivo Cliente", "Loja Sul"))
    assert menu(desk, number).show is False


@pytest.mark.parametrize("status", [TicketStatus.CLOSED, TicketStatus.CANCELLED])
def test_menu_absent_on_closed_or_cancelled_ticket(desk: Desk, status: TicketStatus) -> None:
    desk.run(tickets.set_status, desk.bruno, 1, status)
    assert menu(desk, 1).show is False
    with pytest.raises(Forbidden):
        desk.ask(1)


def test_in_progress_ticket_is_eligible(desk: Desk) -> None:
    desk.run(tickets.set_status, desk.bruno, 1, TicketStatus.IN_PROGRESS)
    assert menu(desk, 1).show is True


def test_ticket_in_trash_cannot_get_a_request(desk: Desk) -> None:
    desk.run(tickets.trash_ticket, desk.bruno, 1)
    with pytest.raises(NotFound):
        desk.ask(1)
    desk.run(tickets.restore_ticket, desk.bruno, 1)
    assert desk.requests_of(1) == []


def test_reopened_ticket_is_eligible_again(desk: Desk) -> None:
    desk.run(tickets.set_status, desk.bruno, 1, TicketStatus.CLOSED)
    desk.run(tickets.set_status, desk.bruno, 1, TicketStatus.OPEN)
    assert menu(desk, 1).show is True


def test_menu_disabled_with_reason_while_one_request_awaits(desk: Desk) -> None:
    request_id = desk.ask(1)
    assert menu(desk, 1) == Eligibility(
        show=True, enabled=False, reason=approvals.REASON_ALREADY_AWAITING, pending_request_id=request_id
    )


def test_request_is_created_awaiting_and_stamped_with_agent_and_time(desk: Desk) -> None:
    before = datetime.now(UTC)
    request = desk.request(desk.ask(1, by=desk.carla, note="  Cliente pediu estorno.  "))
    assert request.state == RequestState.AWAITING_APPROVAL
    assert request.requested_by_agent_id == desk.carla.id
    assert before - timedelta(seconds=1) <= request.requested_at <= datetime.now(UTC)
    assert request.note == "Cliente pediu estorno."


def test_request_time_comes_from_the_domain_clock(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    pinned = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: pinned)
    assert desk.request(desk.ask(1)).requested_at == pinned


def test_request_note_is_optional(desk: Desk) -> None:
    assert desk.request(desk.ask(1)).note == ""


def test_unknown_action_cannot_be_requested(desk: Desk) -> None:
    with pytest.raises(InvalidInput):
        desk.run(approvals.request_action, desk.bruno, 1, 9999, "")
    assert desk.requests_of(1) == []


def test_only_one_request_awaiting_per_ticket(desk: Desk) -> None:
    desk.ask(1)
    with pytest.raises(AlreadyAwaiting) as refused:
        desk.ask(1, by=desk.carla, action="Reiniciar produção")
    assert refused.value.message == "This ticket already has an action awaiting approval."
    assert len(desk.requests_of(1)) == 1


def test_database_refuses_a_second_awaiting_request_on_a_ticket(desk: Desk) -> None:
    """Two agents clicking at once both pass the use case's check; the database decides."""
    desk.ask(1)
    ticket_id = desk.ticket(1).id
    assert ticket_id is not None

    def second_request(uow: object) -> None:
        uow.requests.add(  # type: ignore[attr-defined]
            ActionRequest(
                ticket_id=ticket_id,
                action_id=desk.action_id("Reiniciar produção"),
                action_name="Reiniciar produção",
                action_description="",
                requested_by_agent_id=desk.carla.id,
            )
        )

    with pytest.raises(AlreadyAwaiting):
        desk.change(second_request)
    assert len(desk.requests_of(1)) == 1


@pytest.mark.parametrize("ending", ["approve", "reject", "cancel", "expire"])
def test_new_request_allowed_once_the_first_is_no_longer_awaiting(desk: Desk, ending: str) -> None:
    first = desk.ask(1)
    if ending == "approve":
        desk.run(approvals.approve, desk.marcia, first)
    elif ending == "reject":
        desk.run(approvals.reject, desk.marcia, first, "")
    elif ending == "cancel":
        desk.run(approvals.cancel, desk.bruno, first)
    else:
        desk.run(tickets.set_status, desk.bruno, 1, TicketStatus.CLOSED)
        desk.run(tickets.set_status, desk.bruno, 1, TicketStatus.OPEN)
    second = desk.ask(1, action="Reiniciar produção")
    assert desk.request(second).state == RequestState.AWAITING_APPROVAL
    assert menu(desk, 1).enabled is False


def test_requests_on_different_tickets_do_not_block_each_other(desk: Desk) -> None:
    desk.ask(1)
    desk.ask(2)
    assert len(desk.run(approvals.pending_approvals, desk.fabio).items) == 2


def test_refused_request_changes_nothing(desk: Desk) -> None:
    history_before = len(desk.history(4))
    with pytest.raises(Forbidden):
        desk.ask(4)
    assert len(desk.history(4)) == history_before
    assert desk.outbox() == []
    assert desk.events == []
