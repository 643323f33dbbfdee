"""Spec §6: who must be told of a request's change, and by which channel — the outbox
rows, the agents' notification hub, and the events the live pages listen to."""

from __future__ import annotations

import pytest
from unit_desk import Desk

from domain import approvals, hub, push, tickets
from domain.access import Actor
from domain.errors import Conflict
from domain.events import (
    ActionApproved,
    ActionCancelled,
    ActionExpired,
    ActionRejected,
    ActionRequested,
    AgentNotificationCreated,
    RequestEvent,
)
from domain.model import Channel, NotificationKind, OutboxMessage, TicketStatus
from domain.service import Services
from persistence.uow import SqlUnitOfWork


class FailingCommit(SqlUnitOfWork):
    def _commit(self) -> None:
        raise Conflict("the database went away")


def told(messages: list[OutboxMessage], kind: str) -> set[tuple[str, int, Channel]]:
    return {(m.recipient_kind, m.recipient_id, m.channel) for m in messages if m.kind == kind}


def manager_rows(*actors: Actor, pushable: tuple[Actor, ...] = ()) -> set[tuple[str, int, Channel]]:
    """An e-mail for each manager; a Web Push too for those who allowed it in a browser."""
    return {("customer", a.id, Channel.EMAIL) for a in actors} | {("customer", a.id, Channel.PUSH) for a in pushable}


def allow_push(desk: Desk, manager: Actor) -> None:
    desk.run(
        push.subscribe,
        manager,
        f"https://push.example.com/send/{manager.id}",
        "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
        "tBHItJI5svbpez7KI4CCXg",
    )


# --- request created -------------------------------------------------------------------


def test_request_created_emails_managers_of_organization_and_parent(desk: Desk) -> None:
    desk.ask(1)
    assert told(desk.outbox(), "request_created") == manager_rows(desk.fabio, desk.marcia)


def test_request_created_pushes_only_to_managers_who_allowed_it_in_a_browser(desk: Desk) -> None:
    allow_push(desk, desk.marcia)
    desk.ask(1)
    assert told(desk.outbox(), "request_created") == manager_rows(desk.fabio, desk.marcia, pushable=(desk.marcia,))


def test_request_created_message_addresses_the_manager_and_links_the_request(desk: Desk) -> None:
    request_id = desk.ask(1, note="Cobrança dupla")
    email = next(m for m in desk.outbox() if m.recipient_id == desk.fabio.id and m.channel == Channel.EMAIL)
    assert email.recipient_email == "fabio.gerente@demo.test"
    assert email.payload["path"] == f"/portal/approvals/{request_id}"
    assert (email.payload["ticket_number"], email.payload["action_name"], email.payload["note"]) == (
        1,
        "Reembolso",
        "Cobrança dupla",
    )
    assert email.payload["requested_by_name"] == "Bruno Agente"


def test_request_created_tells_no_inactive_or_trashed_manager(desk: Desk) -> None:
    inactive = desk.new_customer("Dora Inativa", "Filial Norte", manager=True, active=False)
    trashed = desk.new_customer("Tito Lixeira", "Matriz Ltda", manager=True)
    desk.run(tickets.trash_customer, desk.ana, trashed.id)
    desk.ask(1)
    recipients = {m.recipient_id for m in desk.outbox()}
    assert inactive.id not in recipients
    assert trashed.id not in recipients
    assert told(desk.outbox(), "request_created") == manager_rows(desk.fabio, desk.marcia)


def test_request_created_tells_no_manager_of_another_organization(desk: Desk) -> None:
    desk.new_organization("Outra Empresa")
    other = desk.new_customer("Olga Gerente", "Outra Empresa", manager=True)
    desk.ask(1)
    assert other.id not in {m.recipient_id for m in desk.outbox()}


def test_request_created_tells_no_plain_customer_and_no_agent(desk: Desk) -> None:
    desk.ask(1)
    assert {m.recipient_kind for m in desk.outbox()} == {"customer"}
    assert desk.joao.id not in {m.recipient_id for m in desk.outbox()}


def test_request_on_parent_ticket_tells_only_parent_managers(desk: Desk) -> None:
    number = desk.new_ticket(desk.new_customer("Teo Matriz", "Matriz Ltda"))
    desk.outbox()  # nothing queued by creating the ticket
    desk.ask(number)
    assert told(desk.outbox(), "request_created") == manager_rows(desk.marcia)


def test_request_created_sends_nothing_to_agents_hub(desk: Desk) -> None:
    desk.ask(1)
    assert desk.hub(desk.bruno) == []


# --- request evaluated -----------------------------------------------------------------


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_evaluation_emails_assigned_agent_and_requester(desk: Desk, decision: str) -> None:
    request_id = desk.ask(1, by=desk.carla)
    if decision == "approve":
        desk.run(approvals.approve, desk.marcia, request_id)
    else:
        desk.run(approvals.reject, desk.marcia, request_id, "Sem verba")
    assert told(desk.outbox(), "request_evaluated") == {
        ("agent", desk.bruno.id, Channel.EMAIL),
        ("agent", desk.carla.id, Channel.EMAIL),
    }


def test_evaluation_emails_once_when_assigned_agent_is_the_requester(desk: Desk) -> None:
    request_id = desk.ask(1, by=desk.bruno)
    desk.run(approvals.approve, desk.fabio, request_id)
    evaluated = [m for m in desk.outbox() if m.kind == "request_evaluated"]
    assert [(m.recipient_id, m.channel) for m in evaluated] == [(desk.bruno.id, Channel.EMAIL)]
    assert len(desk.hub(desk.bruno)) == 1


def test_evaluation_email_carries_decision_decider_and_link(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(approvals.reject, desk.fabio, request_id, "Fora do contrato")
    email = next(m for m in desk.outbox() if m.kind == "request_evaluated")
    assert email.recipient_email == "bruno.agente@demo.test"
    assert (email.payload["state"], email.payload["reason"], email.payload["decided_by_name"]) == (
        "rejected",
        "Fora do contrato",
        "Fábio Gerente",
    )
    assert email.payload["path"] == f"/agent/tickets/1?request_id={request_id}"
    assert email.payload["request_id"] == request_id


def test_evaluation_puts_an_entry_in_both_agents_hubs(desk: Desk) -> None:
    request_id = desk.ask(1, by=desk.carla)
    desk.run(approvals.reject, desk.marcia, request_id, "Sem verba")
    for agent in (desk.bruno, desk.carla):
        entries = desk.run(hub.notifications, agent)
        assert [(n.kind, n.request_id, n.ticket_number, n.actor_name, n.reason) for n in entries] == [
            (NotificationKind.REJECTED, request_id, 1, "Márcia Gerente", "Sem verba")
        ]
        assert desk.run(hub.unread_count, agent) == 1
    assert desk.hub(desk.ana) == []


def test_evaluation_tells_no_manager_again(desk: Desk) -> None:
    request_id = desk.ask(1)
    created = len(desk.outbox())
    desk.run(approvals.approve, desk.marcia, request_id)
    assert all(m.recipient_kind == "agent" for m in desk.outbox()[created:])


def test_hub_entries_can_be_marked_read(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(approvals.approve, desk.marcia, request_id)
    entry = desk.run(hub.notifications, desk.bruno)[0]
    assert entry.id is not None
    desk.run(hub.mark_read, desk.bruno, entry.id)
    assert desk.run(hub.unread_count, desk.bruno) == 0


# --- cancelled or expired --------------------------------------------------------------


def test_cancellation_by_manager_puts_entries_in_agents_hubs(desk: Desk) -> None:
    request_id = desk.ask(1, by=desk.carla)
    desk.run(approvals.cancel, desk.fabio, request_id)
    for agent in (desk.bruno, desk.carla):
        assert [(n.kind, n.actor_name) for n in desk.hub(agent)] == [
            (NotificationKind.CANCELLED_BY_MANAGER, "Fábio Gerente")
        ]


def test_cancellation_by_manager_sends_no_email(desk: Desk) -> None:
    request_id = desk.ask(1, by=desk.carla)
    desk.run(approvals.cancel, desk.fabio, request_id)
    assert {m.kind for m in desk.outbox()} == {"request_created"}


def test_cancellation_by_agent_puts_no_entry_in_hubs(desk: Desk) -> None:
    request_id = desk.ask(1, by=desk.carla)
    desk.run(approvals.cancel, desk.carla, request_id)
    assert desk.hub(desk.bruno) == [] and desk.hub(desk.carla) == []
    assert {m.kind for m in desk.outbox()} == {"request_created"}


def test_expiry_puts_no_entry_in_hubs_and_sends_nothing(desk: Desk) -> None:
    desk.ask(1, by=desk.carla)
    desk.run(tickets.set_status, desk.bruno, 1, TicketStatus.CLOSED)
    assert desk.hub(desk.bruno) == [] and desk.hub(desk.carla) == []
    assert {m.kind for m in desk.outbox()} == {"request_created"}


# --- events for the live pages ---------------------------------------------------------


def test_request_created_emits_action_requested_to_managers_and_agents(desk: Desk) -> None:
    request_id = desk.ask(1, by=desk.carla)
    [event] = desk.events_of(ActionRequested)
    assert (event.request_id, event.ticket_number, event.action_name) == (request_id, 1, "Reembolso")
    assert event.audience.manager_ids == {desk.fabio.id, desk.marcia.id}
    assert event.audience.agent_ids == {desk.bruno.id, desk.carla.id}


@pytest.mark.parametrize(
    ("decision", "event_type"), [("approve", ActionApproved), ("reject", ActionRejected)]
)
def test_evaluation_emits_its_event_and_one_notification_event_per_agent(
    desk: Desk, decision: str, event_type: type
) -> None:
    request_id = desk.ask(1, by=desk.carla)
    if decision == "approve":
        desk.run(approvals.approve, desk.fabio, request_id)
    else:
        desk.run(approvals.reject, desk.fabio, request_id)
    [event] = desk.events_of(event_type)
    assert event.request_id == request_id
    assert event.audience.manager_ids == {desk.fabio.id, desk.marcia.id}
    assert {e.agent_id for e in desk.events_of(AgentNotificationCreated)} == {desk.bruno.id, desk.carla.id}


def test_cancellation_emits_action_cancelled(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(approvals.cancel, desk.bruno, request_id)
    [event] = desk.events_of(ActionCancelled)
    assert event.request_id == request_id
    assert event.audience.manager_ids == {desk.fabio.id, desk.marcia.id}
    assert desk.events_of(AgentNotificationCreated) == []


def test_cancellation_by_manager_emits_notification_events(desk: Desk) -> None:
    request_id = desk.ask(1, by=desk.carla)
    desk.run(approvals.cancel, desk.marcia, request_id)
    assert len(desk.events_of(ActionCancelled)) == 1
    assert {(e.agent_id, e.kind) for e in desk.events_of(AgentNotificationCreated)} == {
        (desk.bruno.id, "cancelled_by_manager"),
        (desk.carla.id, "cancelled_by_manager"),
    }


def test_closing_emits_action_expired(desk: Desk) -> None:
    request_id = desk.ask(1)
    desk.run(tickets.set_status, desk.bruno, 1, TicketStatus.CANCELLED)
    [event] = desk.events_of(ActionExpired)
    assert event.request_id == request_id
    assert event.audience.manager_ids == {desk.fabio.id, desk.marcia.id}


def test_refused_operation_emits_no_event(desk: Desk) -> None:
    request_id = desk.ask(1)
    before = list(desk.events)
    with pytest.raises(Exception):  # noqa: B017 - any refusal; the point is the silence
        desk.run(approvals.approve, desk.joao, request_id)
    assert desk.events == before


def test_events_reach_the_outside_only_after_commit(desk: Desk) -> None:
    factory = desk.session_factory
    assert factory is not None
    failing = Services(lambda: FailingCommit(factory, desk.events.extend))
    with pytest.raises(Conflict):
        failing.run(approvals.request_action, desk.bruno, 1, desk.action_id("Reembolso"), "")
    assert desk.events == []
    assert desk.outbox() == []


def test_request_events_carry_each_managers_count_after_the_change(desk: Desk) -> None:
    """The badges show the count straight from the event (ui/portal/approvals_tab.py)."""
    first = desk.ask(1)
    desk.ask(2)
    desk.run(approvals.approve, desk.fabio, first)
    desk.run(tickets.set_status, desk.bruno, 2, TicketStatus.CLOSED)
    carried = [(type(e).__name__, dict(e.pending_counts)) for e in desk.events_of(RequestEvent)]
    both = (desk.fabio.id, desk.marcia.id)
    assert carried == [
        ("ActionRequested", dict.fromkeys(both, 1)),
        ("ActionRequested", dict.fromkeys(both, 2)),
        ("ActionApproved", dict.fromkeys(both, 1)),
        ("ActionExpired", dict.fromkeys(both, 0)),
    ]
