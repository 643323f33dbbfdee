"""Who must be told of a request's change, and by which channel (spec §6).

The rules live here so that they are tested once, whatever sends the messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .answers import AnswerView
from .events import Audience
from .link_tokens import link_path
from .model import (
    ActionRequest,
    Agent,
    AgentNotification,
    ApprovalRule,
    Channel,
    Customer,
    LinkDecision,
    NotificationKind,
    OutboxMessage,
    RequestState,
    Ticket,
)
from .ports import UnitOfWork
from .views import ReminderTarget


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


# A mail names this many of the latest answers, and counts the others: a request to 1,000
# managers must not put 999 names into each of its reminders.
MAIL_ANSWERS_MAX = 10


def progress_payload(request: ActionRequest, latest: Sequence[AnswerView]) -> dict[str, object] | None:
    """A request's answers so far as its mails carry them ("1 de 2 aprovações", who
    answered and when — `latest`: the last few answers, oldest first); None under the
    default rule, where the first answer decides."""
    if request.rule == ApprovalRule.ANY:
        return None
    return {
        "rule": request.rule.value,
        "approvals": request.approvals_count,
        "needed": request.approvals_needed,
        "answers_count": request.answers_count,
        "answers": [
            {
                "name": answer.name,
                "approved": answer.approved,
                "reason": answer.reason,
                "at": answer.at.isoformat(),
                "on_behalf_of": answer.on_behalf_of_name,
            }
            for answer in latest
        ],
    }


def progress_of(uow: UnitOfWork, request: ActionRequest) -> dict[str, object] | None:
    """`progress_payload` of one request, read now (one statement, none under the default rule)."""
    if request.rule == ApprovalRule.ANY or request.id is None:
        return None
    if request.answers_count == 0:
        return progress_payload(request, [])
    latest = uow.answers.latest_views([request.id], MAIL_ANSWERS_MAX).get(request.id, [])
    return progress_payload(request, latest)


def progress_by_request(uow: UnitOfWork, requests: Sequence[ActionRequest]) -> dict[int, dict[str, object] | None]:
    """`progress_of` a batch of requests (a reminder round, a batch of expiries) in at most
    one statement."""
    read = [r.id for r in requests if r.id is not None and r.rule != ApprovalRule.ANY and r.answers_count]
    latest = uow.answers.latest_views(read, MAIL_ANSWERS_MAX) if read else {}
    return {r.id: progress_payload(r, latest.get(r.id, [])) for r in requests if r.id is not None}


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
        "deadline": request.deadline.isoformat() if request.deadline else None,
        **extra,
    }


def queue_request_created(
    uow: UnitOfWork,
    ticket: Ticket,
    request: ActionRequest,
    managers: list[Customer],
    requester_name: str,
    links: Mapping[int, Mapping[LinkDecision, str]] | None = None,
    progress: Mapping[str, object] | None = None,
) -> None:
    """Every active manager of the organization and its parent: an e-mail, and a Web Push
    when they allowed it in a browser. (Queuing a push for everyone else filled the outbox
    with messages to skip: half the rows of a request to 1,000 managers, written in its
    transaction.) Each carries that manager's own Aprovar and Reprovar links (`links`,
    raw tokens by manager id): they exist nowhere else, and under a multi-answer rule
    the answers so far (`progress_payload`)."""
    links = links or {}
    shown = {"progress": progress} if progress is not None else {}
    pushable = uow.push_subscriptions.customers_among([m.id for m in managers if m.id is not None])
    messages: list[OutboxMessage] = []
    for manager in managers:
        assert manager.id is not None
        channels = (Channel.EMAIL, Channel.PUSH) if manager.id in pushable else (Channel.EMAIL,)
        tokens = links.get(manager.id, {})
        paths = {f"{decision.value}_path": link_path(token) for decision, token in tokens.items()}
        for channel in channels:
            messages.append(
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
                        **shown,
                        timezone=manager.timezone,
                    ),
                )
            )
    # One bulk INSERT: added one by one, the ORM wrote them one statement each and read
    # every new id back, ~0.15 s of a request to 1,000 managers (docs/benchmarks.md §2).
    uow.outbox.add_many(messages)


_KIND_OF_STATE = {
    RequestState.APPROVED: NotificationKind.APPROVED,
    RequestState.REJECTED: NotificationKind.REJECTED,
    RequestState.CANCELLED: NotificationKind.CANCELLED_BY_MANAGER,
    RequestState.EXPIRED: NotificationKind.EXPIRED,
}


def notify_agents(
    uow: UnitOfWork,
    ticket: Ticket,
    request: ActionRequest,
    actor_name: str,
    *,
    email: bool,
    on_behalf_of_name: str | None = None,
) -> list[AgentNotification]:
    """The ticket's agent and the requester: a hub entry each and, for an evaluation,
    one e-mail each — once when they are the same person; under a multi-answer rule the
    e-mail shows the answers so far (`progress_of`)."""
    agents = {agent_id: uow.agents.get(agent_id) for agent_id in agents_concerned(ticket, request)}
    progress = progress_of(uow, request) if email else None
    notifications, messages = agent_notices(
        ticket, request, actor_name, agents, email=email, progress=progress, on_behalf_of_name=on_behalf_of_name
    )
    for notification in notifications:
        uow.notifications.add(notification)
    for message in messages:
        uow.outbox.add(message)
    return notifications


def agent_notices(
    ticket: Ticket,
    request: ActionRequest,
    actor_name: str,
    agents: Mapping[int, Agent | None],
    *,
    email: bool,
    progress: Mapping[str, object] | None = None,
    on_behalf_of_name: str | None = None,
) -> tuple[list[AgentNotification], list[OutboxMessage]]:
    """`notify_agents`' hub entries and e-mails, made but not stored: a batch of expiries
    stores them all at once. `agents` holds (at least) the agents concerned; `progress`,
    the answers so far under a multi-answer rule (`progress_payload`); `on_behalf_of_name`,
    the absent manager a stand-in decided for (the e-mail says so)."""
    shown = {"progress": progress} if progress is not None else {}
    extra = {"decided_on_behalf_of_name": on_behalf_of_name} if on_behalf_of_name else {}
    kind = _KIND_OF_STATE[request.state]
    notifications: list[AgentNotification] = []
    messages: list[OutboxMessage] = []
    for agent_id in agents_concerned(ticket, request):
        agent = agents.get(agent_id)
        if agent is None:
            continue
        notifications.append(
            AgentNotification(
                agent_id=agent_id,
                kind=kind,
                ticket_id=ticket.id or 0,
                ticket_number=ticket.number,
                request_id=request.id or 0,
                action_name=request.action_name,
                actor_name=actor_name,
                reason=request.reason,
                on_behalf_of_name=on_behalf_of_name,
            )
        )
        if email and agent.active:
            messages.append(
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
                        **extra,
                        decided_at=request.decided_at.isoformat() if request.decided_at else None,
                        timezone=agent.timezone,
                        path=f"/agent/tickets/{ticket.number}?request_id={request.id}",  # the exact request
                        **shown,
                    ),
                )
            )
    return notifications, messages


def reminder_key(request_id: int, round_number: int, manager_id: int, channel: str) -> str:
    """One reminder round to one manager on one channel: unique in the outbox, so a round
    resumed in the morning or claimed twice never reaches anyone twice."""
    return f"request:{request_id}:reminder:{round_number}:customer:{manager_id}:{channel}"


def reminder_messages(
    target: ReminderTarget,
    request: ActionRequest,
    manager: Customer,
    round_number: int,
    pushable: bool,
    *,
    manual_at: int | None = None,
    progress: Mapping[str, object] | None = None,
    links: Mapping[LinkDecision, str] | None = None,
) -> list[OutboxMessage]:
    """A reminder to one manager who has not answered: an e-mail, and a push when they
    allowed it in a browser. `manual_at`: pressed by an agent (*Lembrar gerentes*). The
    caller queues a whole round's messages at once (`OutboxRepository.add_many`).
    `progress`: the answers so far under a multi-answer rule (`progress_payload`).
    `links`: the manager's fresh Aprovar and Reprovar tokens, as for a new request."""
    assert manager.id is not None and request.id is not None
    paths = {f"{decision.value}_path": link_path(token) for decision, token in (links or {}).items()}
    channels = (Channel.EMAIL, Channel.PUSH) if pushable else (Channel.EMAIL,)
    messages: list[OutboxMessage] = []
    for channel in channels:
        key = (
            f"request:{request.id}:reminded:{manual_at}:customer:{manager.id}:{channel.value}"
            if manual_at is not None
            else reminder_key(request.id, round_number, manager.id, channel.value)
        )
        messages.append(
            OutboxMessage(
                dedup_key=key,
                channel=channel,
                kind="request_reminder",
                recipient_kind="customer",
                recipient_id=manager.id,
                recipient_email=manager.email,
                locale=manager.locale,
                payload={
                    "request_id": request.id,
                    "ticket_number": target.ticket_number,
                    "ticket_subject": target.ticket_subject,
                    "action_name": request.action_name,
                    "action_description": request.action_description,
                    "note": request.note,
                    "state": request.state.value,
                    "requested_at": request.requested_at.isoformat(),
                    "deadline": request.deadline.isoformat() if request.deadline else None,
                    "path": f"/portal/approvals/{request.id}",
                    **paths,
                    "timezone": manager.timezone,
                    **({"progress": progress} if progress is not None else {}),
                },
            )
        )
    return messages
