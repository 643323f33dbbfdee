"""Spec §7: the manager's 'Aprovar Ações (N)' list and count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from unit_desk import Desk

from domain import approvals, tickets
from domain.access import Actor
from domain.model import ActionRequest, TicketStatus


def pending_numbers(desk: Desk, manager: Actor) -> list[int]:
    return [row.ticket_number for row in desk.run(approvals.pending_approvals, manager).items]


def test_pending_list_of_parent_manager_covers_own_and_child_organizations(desk: Desk) -> None:
    own = desk.new_ticket(desk.new_customer("Teo Matriz", "Matriz Ltda"))
    desk.ask(1)
    desk.ask(own)
    assert sorted(pending_numbers(desk, desk.marcia)) == sorted([1, own])
    assert desk.run(approvals.pending_count, desk.marcia) == 2


def test_manager_of_child_org_does_not_see_requests_of_parent_own_tickets(desk: Desk) -> None:
    own = desk.new_ticket(desk.new_customer("Teo Matriz", "Matriz Ltda"))
    desk.ask(1)
    desk.ask(own)
    assert pending_numbers(desk, desk.fabio) == [1]
    assert desk.run(approvals.pending_count, desk.fabio) == 1


def test_manager_does_not_see_requests_of_a_sibling_organization(desk: Desk) -> None:
    desk.new_organization("Filial Sul", parent="Matriz Ltda")
    sibling = desk.new_ticket(desk.new_customer("Sara Sul", "Filial Sul"))
    desk.ask(sibling)
    assert pending_numbers(desk, desk.fabio) == []
    assert pending_numbers(desk, desk.marcia) == [sibling]


def test_manager_of_another_organization_has_an_empty_list(desk: Desk) -> None:
    desk.new_organization("Outra Empresa")
    other = desk.new_customer("Olga Gerente", "Outra Empresa", manager=True)
    desk.ask(1)
    assert desk.run(approvals.pending_approvals, other).items == []
    assert desk.run(approvals.pending_count, other) == 0


def test_plain_customer_has_an_empty_list(desk: Desk) -> None:
    desk.ask(1)
    assert desk.run(approvals.pending_approvals, desk.joao).items == []
    assert desk.run(approvals.pending_count, desk.joao) == 0


def test_pending_list_is_oldest_first(desk: Desk) -> None:
    third, first, second = desk.ask(3), desk.ask(1), desk.ask(2)
    base = datetime(2030, 1, 1, tzinfo=UTC)
    ages = {first: base, second: base + timedelta(hours=1), third: base + timedelta(hours=2)}

    def backdate(uow: object) -> None:
        for request_id, at in ages.items():
            request: ActionRequest = uow.requests.get(request_id)  # type: ignore[attr-defined]
            request.requested_at = at

    desk.change(backdate)
    assert [row.id for row in desk.run(approvals.pending_approvals, desk.fabio).items] == [first, second, third]


def test_pending_list_row_shows_what_the_manager_needs(desk: Desk) -> None:
    request_id = desk.ask(1, by=desk.carla, note="Urgente")
    [row] = desk.run(approvals.pending_approvals, desk.marcia).items
    assert (row.id, row.ticket_number, row.ticket_subject) == (
        request_id,
        1,
        "Cobrança em duplicidade na fatura de outubro",
    )
    assert (row.customer_name, row.organization_name) == ("João Cliente", "Filial Norte")
    assert (row.action_name, row.requested_by_name, row.note) == ("Reembolso", "Carla Agente", "Urgente")
    assert row.requested_at is not None


def test_only_awaiting_requests_are_listed(desk: Desk) -> None:
    extra, last = desk.new_ticket(desk.joao), desk.new_ticket(desk.joao)
    approved, rejected, cancelled, expired, pending = (desk.ask(n) for n in (1, 2, 3, extra, last))
    desk.run(approvals.approve, desk.fabio, approved)
    desk.run(approvals.reject, desk.fabio, rejected, "")
    desk.run(approvals.cancel, desk.bruno, cancelled)
    desk.run(tickets.set_status, desk.bruno, extra, TicketStatus.CLOSED)
    assert desk.request(expired).state.value == "expired"
    assert [row.id for row in desk.run(approvals.pending_approvals, desk.fabio).items] == [pending]
    assert desk.run(approvals.pending_count, desk.fabio) == 1


def test_count_matches_the_list(desk: Desk) -> None:
    for number in (1, 2, 3):
        desk.ask(number)
    for manager in (desk.fabio, desk.marcia):
        page = desk.run(approvals.pending_approvals, manager)
        assert desk.run(approvals.pending_count, manager) == len(page.items) == page.total == 3


def test_manager_who_becomes_inactive_has_no_list(desk: Desk) -> None:
    desk.ask(1)
    desk.set_customer(desk.fabio, is_manager=False)
    assert desk.run(approvals.pending_approvals, desk.fabio).items == []
    assert desk.run(approvals.pending_count, desk.fabio) == 0


def test_manager_sees_the_ticket_data_with_the_request(desk: Desk) -> None:
    request_id = desk.ask(1)
    detail, row = desk.run(approvals.request_for_manager, desk.marcia, request_id)
    assert (detail.subject, detail.description) == (
        "Cobrança em duplicidade na fatura de outubro",
        "Fui cobrado duas vezes este mês.",
    )
    assert (detail.customer_name, detail.organization_name, detail.parent_organization_name) == (
        "João Cliente",
        "Filial Norte",
        "Matriz Ltda",
    )
    assert (row.action_name, row.action_description) == ("Reembolso", "Devolver o valor cobrado ao cliente.")


def test_manager_still_opens_a_decided_request_of_their_scope(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(approvals.reject, desk.fabio, request_id, "Sem verba")
    _detail, row = desk.run(approvals.request_for_manager, desk.marcia, request_id)
    assert (row.state.value, row.reason, row.evaluated_by_name) == ("rejected", "Sem verba", "Fábio Gerente")


def test_manager_portal_ticket_list_covers_their_organizations(desk: Desk) -> None:
    numbers = {row.number for row in desk.run(tickets.portal_tickets, desk.marcia).items}
    assert numbers == {1, 2, 3}
    assert {row.number for row in desk.run(tickets.portal_tickets, desk.livia).items} == {4, 5}
