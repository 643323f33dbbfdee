"""Who must be told of a request's change, and by which channel (spec §6).

The rules live here so that they are tested once, whatever sends the messages.
"""

from __future__ import annotations

from collections.abc import Mapping

from .events import Audience
from .link_tokens import link_path
from .model import (
    ActionRequest,
    AgentNotification,
    Channel,
    Customer,
    LinkDecision,
    NotificationKind,
    OutboxMessage,
    RequestState,
    Ticket,
)
from .ports import UnitOfWork


def agents_concerned(ticket: Ticket, request: ActionRequest) -> list[int]:
    """The ticket's assigned agent and the requesting agent, once each."""
    ids: list[int] = []
    for agent_id in (ticket.assigned_agent_id, request.requested_by_agent_id):
        if agent_id is not None and agent_id not in ids:
            ids.append(agent_id)
    return ids


def audience(managers: list[Customer], ticket: Ticket, request: ActionRequest) -> Audience:
    return Audience(
        manager_ids=frozenset(m.id for m in managers if m.id is not None),
        agent_ids=frozenset(agents_concerned(ticket, request)),
        customer_ids=frozenset({ticket.customer_id}),
    )


def _payload(ticket: Ticket, request: ActionRequest, **extra: object) -> dict[str, object]:
    return {
        "request_id": request.id,
        "ticket_number": ticket.number,
        "ticket_subject": ticket.subject,
        "action_name": request.action_name,
        "action_description": request.action_description,
        "note": request.note,
        "state": request.state.value,
        "reason": request.reason,
        **extra,
    }


def queue_request_created(
    uow: UnitOfWork,
    ticket: Ticket,
    request: ActionRequest,
    managers: list[Customer],
    requester_name: str,
    links: Mapping[int, Mapping[LinkDecision, str]] | None = None,
) -> None:
    """Every active manager of the organization and its parent: an e-mail, and a Web Push
    when they allowed it in a browser. (Queuing a push for everyone else filled the outbox
    with messages to skip: half the rows of a request to 1,000 managers, written in its
    transaction.) Each carries that manager's own Aprovar and Reprovar links (`links`,
    raw tokens by manager id): they exist nowhere else."""
    links = links or {}
    pushable = uow.push_subscriptions.customers_among([m.id for m in managers if m.id is not None])
    for manager in managers:
        assert manager.id is not None
        channels = (Channel.EMAIL, Channel.PUSH) if manager.id in pushable else (Channel.EMAIL,)
        tokens = links.get(manager.id, {})
        paths = {f"{decision.value}_path": link_path(token) for decision, token in tokens.items()}
        for channel in channels:
            uow.outbox.add(
                OutboxMessage(
                    dedup_key=f"request:{request.id}:requested:customer:{manager.id}:{channel.value}",
                    channel=channel,
                    kind="request_created",
                    recipient_kind="customer",
                    recipient_id=manager.id,
                    recipient_email=manager.email,
                    locale=manager.locale,
                    payload=_payload(
                        ticket,
                        request,
                        requested_by_name=requester_name,
                        path=f"/portal/approvals/{request.id}",
                        **paths,
                    ),
                )
            )


_KIND_OF_STATE = {
    RequestState.APPROVED: NotificationKind.APPROVED,
    RequestState.REJECTED: NotificationKind.REJECTED,
    RequestState.CANCELLED: NotificationKind.CANCELLED_BY_MANAGER,
}


def notify_agents(
    uow: UnitOfWork, ticket: Ticket, request: ActionRequest, actor_name: str, *, email: bool
) -> list[AgentNotification]:
    """The ticket's agent and the requester: a hub entry each and, for an evaluation,
    one e-mail each — once when they are the same person."""
    kind = _KIND_OF_STATE[request.state]
    created: list[AgentNotification] = []
    for agent_id in agents_concerned(ticket, request):
        agent = uow.agents.get(agent_id)
        if agent is None:
            continue
        notification = AgentNotification(
            agent_id=agent_id,
            kind=kind,
            ticket_id=ticket.id or 0,
            ticket_number=ticket.number,
            request_id=request.id or 0,
            action_name=request.action_name,
            actor_name=actor_name,
            reason=request.reason,
        )
        uow.notifications.add(notification)
        created.append(notification)
        if email and agent.active:
            uow.outbox.add(
                OutboxMessage(
                    dedup_key=f"request:{request.id}:{request.state.value}:agent:{agent_id}:email",
                    channel=Channel.EMAIL,
                    kind="request_evaluated",
                    recipient_kind="agent",
                    recipient_id=agent_id,
                    recipient_email=agent.email,
                    locale=agent.locale,
                    payload=_payload(
                        ticket,
                        request,
                        decided_by_name=actor_name,
                        decided_at=request.decided_at.isoformat() if request.decided_at else None,
                        path=f"/agent/tickets/{ticket.number}?request_id={request.id}",  # the exact request
                    ),
                )
            )
    return created
