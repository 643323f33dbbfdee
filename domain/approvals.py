"""Use cases of the approval flow: eligibility, request, approve, reject, cancel, expire,
and the manager's pending list (spec §3–§7)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from . import answers, clock, deadlines, link_tokens, policy, reminders, routing, standins, webhooks
from .access import Actor, require_agent, require_customer
from .errors import AlreadyAwaiting, AlreadyDecided, Conflict, DomainError, Forbidden, InvalidInput, NotFound
from .events import (
    ActionApproved,
    ActionCancelled,
    ActionExpired,
    ActionRejected,
    ActionRequested,
    AgentNotificationCreated,
    PendingVisibilityChanged,
    RequestEvent,
    TicketChanged,
)
from .messages import N_
from .model import (
    ActionRequest,
    AgentNotification,
    ApprovalRule,
    Customer,
    DueKind,
    ExpiryReason,
    HistoryEntry,
    HistoryKind,
    Organization,
    RequestAnswer,
    RequestState,
    Ticket,
    Via,
    WebhookEvent,
)
from .ports import UnitOfWork
from .service import read_only
from .validation import NOTE_MAX, clean_text
from .views import Eligibility, Page, RequestRow, TicketDetail

T = TypeVar("T")

REASON_FEATURE_OFF = N_("Action approvals are turned off for this account.")
REASON_NO_ORGANIZATION = N_("The ticket's customer belongs to no organization.")
REASON_NO_MANAGER = N_("Neither the organization nor its parent organization has an active manager.")
REASON_TICKET_FINISHED = N_("The ticket is closed, cancelled or in the trash.")
REASON_ALREADY_AWAITING = N_("This ticket already has an action awaiting approval.")
REQUEST_NOT_FOUND = N_("Action request not found.")
TICKET_NOT_FOUND = N_("Ticket not found.")


def ticket_organization(uow: UnitOfWork, ticket: Ticket) -> Organization | None:
    customer = uow.customers.get(ticket.customer_id)
    if customer is None or customer.organization_id is None:
        return None
    return uow.organizations.get(customer.organization_id)


def managers_for(uow: UnitOfWork, ticket: Ticket, organization: Organization | None = None) -> list[Customer]:
    """Active managers of the ticket's organization and of its parent. Pass the
    organization when it is at hand: the session holds what it read only weakly, so a
    customer or organization nobody kept a reference to is read again."""
    if organization is None:
        organization = ticket_organization(uow, ticket)
    scope = policy.organizations_in_scope(organization)
    return uow.customers.active_managers_of(scope) if scope else []


def eligibility(uow: UnitOfWork, ticket: Ticket) -> Eligibility:
    """Spec §3: the menu is absent unless all four conditions hold; disabled while one
    request awaits."""
    return _eligibility(uow, ticket, with_managers=False)[0]


def _eligibility(uow: UnitOfWork, ticket: Ticket, *, with_managers: bool) -> tuple[Eligibility, list[Customer]]:
    """`eligibility`, and with `with_managers` the active managers in scope it found (a
    request needs them next: reading them here instead of counting saves reading the
    customer, the organization and the managers again). Pages only count them: a
    ticket view must not load 1,000 managers."""
    if not uow.settings.get().approvals_enabled:
        return Eligibility(show=False, enabled=False, reason=REASON_FEATURE_OFF), []
    if ticket.in_trash or ticket.is_finished:
        return Eligibility(show=False, enabled=False, reason=REASON_TICKET_FINISHED), []
    organization = ticket_organization(uow, ticket)
    if organization is None:
        return Eligibility(show=False, enabled=False, reason=REASON_NO_ORGANIZATION), []
    scope = policy.organizations_in_scope(organization)
    if with_managers:
        managers = uow.customers.active_managers_of(scope)
        has_manager = bool(managers)
    else:
        managers, has_manager = [], uow.customers.count_active_managers_of(scope) > 0
    if not has_manager:
        return Eligibility(show=False, enabled=False, reason=REASON_NO_MANAGER), []
    assert ticket.id is not None
    pending = uow.requests.pending_of_ticket(ticket.id)
    if pending is not None:
        return (
            Eligibility(show=True, enabled=False, reason=REASON_ALREADY_AWAITING, pending_request_id=pending.id),
            managers,
        )
    return Eligibility(show=True, enabled=True), managers


WEBHOOK_EVENT_OF: dict[type[RequestEvent], WebhookEvent] = {
    ActionRequested: WebhookEvent.REQUEST_CREATED,
    ActionApproved: WebhookEvent.REQUEST_APPROVED,
    ActionRejected: WebhookEvent.REQUEST_REJECTED,
    ActionCancelled: WebhookEvent.REQUEST_CANCELLED,
    ActionExpired: WebhookEvent.REQUEST_EXPIRED,
}


def _event(
    cls: type[RequestEvent],
    uow: UnitOfWork,
    ticket: Ticket,
    request: ActionRequest,
    managers: list[Customer] | None = None,
    organization: Organization | None = None,
    via: Via | None = None,
) -> RequestEvent:
    assert request.id is not None and ticket.id is not None
    if managers is None:
        managers = managers_for(uow, ticket, organization)
    # The stand-ins of managers away now see the change too (spec §13).
    managers = standins.with_standins(uow, managers)
    # Every change of a request passes here once: its webhook deliveries join the
    # transaction, with the e-mails and pushes already queued.
    webhooks.queue_deliveries(uow, WEBHOOK_EVENT_OF[cls], ticket, request)
    uow.flush()  # the change itself must be in the counts
    extra = {"via": via.value} if via is not None else {}
    return cls(
        request_id=request.id,
        ticket_id=ticket.id,
        ticket_number=ticket.number,
        action_name=request.action_name,
        audience=routing.audience(managers, ticket, request),
        pending_counts=tuple(sorted(_counts_of(uow, managers).items())),
        **extra,
    )


def request_action(
    uow: UnitOfWork,
    actor: Actor,
    ticket_number: int,
    action_id: int,
    note: str = "",
    deadline: datetime | deadlines.CatalogDefault | None = deadlines.CATALOG_DEFAULT,
    *,
    link_days: int = 7,
) -> int:
    """An agent asks the managers to approve an action. The deadline is the action's
    default unless the agent chose one (a UTC instant, future, ≤ 90 days) or none. In the
    same transaction: each manager's mail and push (with their one-decision links, valid
    `link_days` days) and the history entry."""
    with uow:
        agent = require_agent(uow, actor)
        if not policy.may_request(agent):
            raise Forbidden(N_("You may not request actions."))
        ticket = uow.tickets.by_number(ticket_number)
        if ticket is None or ticket.in_trash:
            raise NotFound(TICKET_NOT_FOUND)
        allowed, managers = _eligibility(uow, ticket, with_managers=True)
        if not allowed.show:
            raise Forbidden(allowed.reason or REASON_FEATURE_OFF)
        if not allowed.enabled:
            raise AlreadyAwaiting(REASON_ALREADY_AWAITING)
        action = uow.catalog.get(action_id)
        if action is None or not action.active:
            raise InvalidInput(N_("Choose an active action from the catalog."))
        note = clean_text(note, label=N_("Note"), max_len=NOTE_MAX, multiline=True)
        due = deadlines.deadline_for(action, deadline, clock.now())
        assert ticket.id is not None and agent.id is not None and action.id is not None
        organization = ticket_organization(uow, ticket)
        plan = answers.plan(action, organization.id if organization is not None else None, managers)
        request = ActionRequest(
            ticket_id=ticket.id,
            action_id=action.id,
            action_name=action.name,
            action_description=action.description,
            requested_by_agent_id=agent.id,
            note=note,
            deadline=due,
            organization_id=organization.id if organization is not None else None,
            rule=plan.rule,
            approvals_needed=plan.needed,
            approvers_count=len(plan.approvers),
            stage=plan.stage,
        )
        uow.requests.add(request)
        uow.flush()  # the partial unique index speaks here when another agent was faster
        assert request.id is not None
        uow.answers.add_approvers(request.id, plan.approvers)
        deadlines.schedule_expiry(uow, request)
        reminders.schedule_first(uow, request, uow.settings.get())
        # The stand-ins of the managers away now are told as the managers are, with
        # links of their own (spec §13).
        told = standins.with_standins(uow, plan.told_first(managers))
        links = link_tokens.issue_links(uow, request, told, link_days)
        progress = routing.progress_payload(request, [])  # "0 de 2 aprovações": no answer yet
        routing.queue_request_created(uow, ticket, request, told, agent.name, links, progress)
        # Added after the outbox rows' query, so that it goes in with them in _event's one
        # flush rather than in an autoflush of its own.
        uow.history.add(
            ticket.entry(
                kind=HistoryKind.ACTION_REQUESTED,
                actor_name=agent.name,
                body=note,
                request_id=request.id,
                action_name=action.name,
            )
        )
        uow.record(_event(ActionRequested, uow, ticket, request, managers))
        uow.commit()
        assert request.id is not None
        return request.id


def _load(uow: UnitOfWork, request_id: int) -> tuple[ActionRequest, Ticket, Organization | None]:
    request = uow.requests.get(request_id)
    ticket = uow.tickets.get(request.ticket_id) if request else None
    if request is None or ticket is None:
        raise NotFound(REQUEST_NOT_FOUND)
    return request, ticket, ticket_organization(uow, ticket)


# The slower decider's message after an evaluation, by (state, decided by a stand-in).
_ALREADY_EVALUATED = {
    (RequestState.APPROVED, False): N_("This action was already approved by {name} at {when}."),
    (RequestState.APPROVED, True): N_(
        "This action was already approved by {name} (standing in for {absent}) at {when}."
    ),
    (RequestState.REJECTED, False): N_("This action was already rejected by {name} at {when}."),
    (RequestState.REJECTED, True): N_(
        "This action was already rejected by {name} (standing in for {absent}) at {when}."
    ),
}


def already_decided_error(row: RequestRow) -> AlreadyDecided:
    """The message the slower of two deciders reads: who got there first, and when. The
    decider and the instant are data (`params['name']`, `params['when']`, a UTC datetime):
    whoever shows the message writes the instant in the reader's language and zone."""
    when = row.decided_at
    absent = row.evaluated_on_behalf_of_name  # a stand-in decided: "Fábio (substituindo Márcia)"
    evaluated = _ALREADY_EVALUATED.get((row.state, bool(absent)))
    if evaluated is not None:
        standing_in = {"absent": absent} if absent else {}
        return AlreadyDecided(evaluated, name=row.evaluated_by_name or "?", when=when, **standing_in)
    if row.state == RequestState.CANCELLED:
        return AlreadyDecided(
            N_("This action was already cancelled by {name} at {when}."), name=row.cancelled_by_name or "?", when=when
        )
    if row.deadline is not None and when is not None and when >= row.deadline:
        return AlreadyDecided(N_("This action expired at {when}: its approval deadline passed."), when=when)
    return AlreadyDecided(N_("This action expired at {when}: its ticket was closed or cancelled."), when=when)


def lost_to_another_decision(uow: UnitOfWork, request_id: int) -> AlreadyDecided:
    uow.rollback()
    row = uow.requests.row(request_id)  # a fresh transaction sees the winner
    if row is None or row.state == RequestState.AWAITING_APPROVAL:
        return AlreadyDecided(N_("This action is no longer awaiting approval."))
    return already_decided_error(row)


def _ticket_first(uow: UnitOfWork) -> None:
    """Writes the ticket's new update time before the request's new state. Closing a
    ticket writes the ticket's row and then the request's; a decision taking the two rows
    in the other order could deadlock with it (PostgreSQL) instead of waiting its turn."""
    uow.flush()


def _claim_decision(uow: UnitOfWork, request_id: int) -> None:
    """Write the request's new state before anything else. Of two deciders racing, the
    slower one stops right here (its versioned UPDATE matches no row) and is told who
    won — instead of failing later inside some unrelated query's autoflush."""
    try:
        uow.flush()
    except Conflict:
        raise lost_to_another_decision(uow, request_id) from None


def _commit_decision(uow: UnitOfWork, request_id: int) -> None:
    """Commit, or explain who won when a concurrent decision got there first."""
    try:
        uow.commit()
    except Conflict:
        raise lost_to_another_decision(uow, request_id) from None


def _manager_request(
    uow: UnitOfWork, actor: Actor, request_id: int
) -> tuple[Customer, ActionRequest, Ticket, Organization | None]:
    """The request a manager may see, with its ticket and the ticket's organization."""
    manager = require_customer(uow, actor)
    request, ticket, organization = _load(uow, request_id)
    customer = uow.customers.get(ticket.customer_id)
    hidden = ticket.in_trash or customer is None or customer.in_trash
    if hidden or standins.answers_as(uow, manager, organization) is None:
        raise NotFound(REQUEST_NOT_FOUND)
    return manager, request, ticket, organization


# Answers under a multi-answer rule that raced another answer are taken again from the
# start (the request's version changed under them); each try reads the answers afresh.
ANSWER_ATTEMPTS = 10
# How long the links of a second stage's managers last (the first stage's follow
# AVAL_EMAIL_LINK_DAYS through request_action).
NEXT_STAGE_LINK_DAYS = 7


class AnswerRaced(Exception):
    """Another answer to the same request committed first: read again and count again."""


def retry_raced_answers(attempt: Callable[[], T]) -> T:
    """Runs `attempt` (a whole unit of work) again while its answer lost a race to
    another answer of the same request."""
    for _attempt in range(ANSWER_ATTEMPTS):
        try:
            return attempt()
        except AnswerRaced:
            continue
    raise Conflict(N_("Someone changed this at the same moment; reload and try again."))


def evaluate(
    uow: UnitOfWork,
    actor: Actor,
    request_id: int,
    *,
    approve: bool,
    reason: str = "",
    via: Via = Via.PORTAL,
    claim: Callable[[], None] | None = None,
) -> None:
    """Approve or reject, in the caller's open unit of work, and commit. Every right is
    checked now. `claim` runs right after the request's new state is written, in the
    same transaction (a mailed link consumes its token there). Under a multi-answer rule
    an answer that raced another raises AnswerRaced: run it through retry_raced_answers."""
    manager, request, ticket, organization = _manager_request(uow, actor, request_id)
    as_whom = standins.answers_as(uow, manager, organization)
    if as_whom is None:
        raise Forbidden(N_("Only a manager of the organization may evaluate this action."))
    if not request.is_pending:
        row = uow.requests.row(request_id)
        assert row is not None
        raise already_decided_error(row)
    assert manager.id is not None and ticket.id is not None
    if request.rule != ApprovalRule.ANY:
        _answer(uow, manager, request, ticket, organization, approve=approve, reason=reason, via=via, claim=claim)
        return
    entry = _decision_entry(ticket, request, manager, approve, reason, via, as_whom if as_whom is not manager else None)
    _ticket_first(uow)
    on_behalf_id = as_whom.id if as_whom is not manager else None
    if approve:
        request.approve(manager.id, on_behalf_id)
    else:
        request.reject(manager.id, reason, on_behalf_id)
    _claim_decision(uow, request_id)
    if claim is not None:
        claim()
    uow.history.add(entry)
    _notify_agents(uow, ticket, request, manager.name, email=True, on_behalf_of_name=entry.on_behalf_of_name)
    event_cls = ActionApproved if approve else ActionRejected
    uow.record(_event(event_cls, uow, ticket, request, organization=organization, via=via))
    _commit_decision(uow, request_id)


def _answer(
    uow: UnitOfWork,
    manager: Customer,
    request: ActionRequest,
    ticket: Ticket,
    organization: Organization | None,
    *,
    approve: bool,
    reason: str,
    via: Via,
    claim: Callable[[], None] | None,
) -> None:
    """One answer under a multi-answer rule: kept, counted, and — when it settles the
    request — the one final transition, as under the default rule. Every answer bumps the
    request's version, so answers given at the same moment are counted one after the
    other (the slower one is taken again) and only one of them moves the request."""
    assert manager.id is not None and request.id is not None and ticket.id is not None
    place = standins.place_for(uow, manager, request)  # their own, or an absent manager's
    on_behalf = place if place is not manager else None
    answer = RequestAnswer(
        request_id=request.id,
        customer_id=manager.id,
        approved=approve,
        reason=reason,
        on_behalf_of_id=on_behalf.id if on_behalf is not None else None,
        at=clock.now(),
    )
    outcome = answers.outcome_of(request, approve)
    final = outcome in (answers.Outcome.APPROVED, answers.Outcome.REJECTED)
    entry = None
    try:
        if final:
            entry = _decision_entry(ticket, request, manager, approve, reason, via, on_behalf)
            _ticket_first(uow)
        answers.count(request, answer, outcome)
        if outcome == answers.Outcome.APPROVED:
            request.approve(manager.id, answer.on_behalf_of_id)
        elif outcome == answers.Outcome.REJECTED:
            request.reject(manager.id, reason, answer.on_behalf_of_id)
        uow.answers.add(answer)
        uow.flush()  # the request's versioned UPDATE: of answers racing, one at a time
    except Conflict:
        uow.rollback()
        raise AnswerRaced from None
    if claim is not None:
        claim()
    if entry is not None:
        uow.history.add(entry)
        _notify_agents(uow, ticket, request, manager.name, email=True, on_behalf_of_name=entry.on_behalf_of_name)
        event_cls = ActionApproved if outcome == answers.Outcome.APPROVED else ActionRejected
        uow.record(_event(event_cls, uow, ticket, request, organization=organization, via=via))
    else:
        in_scope = managers_for(uow, ticket, organization)
        if outcome == answers.Outcome.NEXT_STAGE:
            asked = set(uow.answers.approver_ids(request.id, request.stage))
            requester = uow.agents.get(request.requested_by_agent_id)
            stage_two = standins.with_standins(uow, [m for m in in_scope if m.id in asked])
            links = link_tokens.issue_links(uow, request, stage_two, NEXT_STAGE_LINK_DAYS)
            progress = routing.progress_of(uow, request)  # stage one's answer: who approved, when
            routing.queue_request_created(
                uow, ticket, request, stage_two, requester.name if requester else "", links, progress
            )
        audience = routing.audience(standins.with_standins(uow, in_scope), ticket, request)
        uow.record(TicketChanged(ticket_id=ticket.id, ticket_number=ticket.number, audience=audience))
        uow.record(PendingVisibilityChanged(audience=audience))
    try:
        uow.commit()
    except Conflict:
        raise AnswerRaced from None


def _notify_agents(
    uow: UnitOfWork,
    ticket: Ticket,
    request: ActionRequest,
    actor_name: str,
    *,
    email: bool,
    on_behalf_of_name: str | None = None,
) -> None:
    notifications = routing.notify_agents(
        uow, ticket, request, actor_name, email=email, on_behalf_of_name=on_behalf_of_name
    )
    uow.flush()
    _record_hub_entries(uow, notifications, actor_name)


def approve(uow: UnitOfWork, actor: Actor, request_id: int, *, via: Via = Via.PORTAL) -> None:
    def attempt() -> None:
        with uow:
            evaluate(uow, actor, request_id, approve=True, via=via)

    retry_raced_answers(attempt)


def reject(uow: UnitOfWork, actor: Actor, request_id: int, reason: str = "", *, via: Via = Via.PORTAL) -> None:
    reason = clean_text(reason, label=N_("Reason"), max_len=NOTE_MAX, multiline=True)

    def attempt() -> None:
        with uow:
            evaluate(uow, actor, request_id, approve=False, reason=reason, via=via)

    retry_raced_answers(attempt)


def cancel(uow: UnitOfWork, actor: Actor | None, request_id: int) -> None:
    with uow:
        if actor is not None and actor.kind == "agent":
            agent = require_agent(uow, actor)
            request, ticket, organization = _load(uow, request_id)
            if not policy.may_cancel_as_agent(agent, ticket, request):
                raise Forbidden(
                    N_("Only the ticket's agent, the requesting agent or the account manager may cancel this action.")
                )
            actor_name, by_manager = agent.name, False
            agent_id, customer_id = agent.id, None
        else:
            manager, request, ticket, organization = _manager_request(uow, actor, request_id)
            actor_name, by_manager = manager.name, True
            agent_id, customer_id = None, manager.id
        if ticket.in_trash:
            raise Conflict(N_("The ticket is in the trash; restore it first."))
        if not request.is_pending:
            row = uow.requests.row(request_id)
            assert row is not None
            raise already_decided_error(row)
        entry = ticket.entry(
            kind=HistoryKind.ACTION_CANCELLED,
            actor_name=actor_name,
            request_id=request.id,
            action_name=request.action_name,
        )
        _ticket_first(uow)
        request.cancel(agent_id=agent_id, customer_id=customer_id)
        _claim_decision(uow, request_id)
        uow.history.add(entry)
        if by_manager:
            _notify_agents(uow, ticket, request, actor_name, email=False)
        uow.record(_event(ActionCancelled, uow, ticket, request, organization=organization))
        _commit_decision(uow, request_id)


def expire_pending(uow: UnitOfWork, ticket: Ticket, actor_name: str, reason: ExpiryReason) -> None:
    """Expires the ticket's pending request, if any, in the caller's transaction: closing
    or cancelling the ticket does, and so will a deadline; the history says which."""
    assert ticket.id is not None
    request = uow.requests.pending_of_ticket(ticket.id)
    if request is None:
        return
    request.expire()
    uow.history.add(
        ticket.entry(
            kind=HistoryKind.ACTION_EXPIRED,
            actor_name=actor_name,
            body=reason.value,
            request_id=request.id,
            action_name=request.action_name,
        )
    )
    uow.record(_event(ActionExpired, uow, ticket, request))


def expire_overdue(uow: UnitOfWork, limit: int = deadlines.EXPIRY_BATCH) -> int:
    """A system step of the due-work worker: the requests whose deadline passed while they
    awaited move to expired ("expirou: prazo esgotado"), each exactly once whatever the
    number of instances, one batch per transaction. The agents are told as for an
    evaluation. Returns how many due rows it took (a full batch: call again).

    A batch costs a fixed number of reads (5,000 deadlines may fall in one minute): the
    tickets, agents, organizations, managers and badge counts of all its requests are
    read together, and the badges once, after every expiry of the batch."""
    with uow:
        now = clock.now()
        work = uow.due_work.claim(now, [DueKind.EXPIRE_REQUEST], limit)
        if not work:
            return 0
        # Locked afresh, tickets before requests as a decision writes them: a manager
        # deciding at this very moment either committed first (the request is no longer
        # pending and stays decided) or waits for this commit and is told it expired.
        subject_ids = [item.subject_id for item in work]
        tickets = {t.id: t for t in uow.tickets.lock_of_requests(subject_ids)}
        requests = {r.id: r for r in uow.requests.lock(subject_ids)}
        due: list[tuple[ActionRequest, Ticket]] = []
        for item in work:
            request = requests.get(item.subject_id)
            if request is None or not deadlines.is_overdue(request, now):
                if request is not None and request.is_pending and request.deadline is not None:
                    item.due_at = request.deadline  # moved later: wait for it
                else:
                    uow.due_work.delete(item)  # decided, cancelled or expired meanwhile
                continue
            ticket = tickets[request.ticket_id]
            if ticket.in_trash:
                item.due_at = now + deadlines.TRASHED_RECHECK
                continue
            due.append((request, ticket))
            uow.due_work.delete(item)
        if due:
            _expire_on_deadline(uow, due)
        uow.commit()
        return len(work)


def _expire_on_deadline(uow: UnitOfWork, due: list[tuple[ActionRequest, Ticket]]) -> None:
    scopes = uow.requests.reminder_targets([request.id for request, _ticket in due if request.id is not None])
    managers: dict[int, list[Customer]] = {}
    for manager in uow.customers.active_managers_of(sorted({o for t in scopes.values() for o in t.organization_ids})):
        if manager.organization_id is not None:
            managers.setdefault(manager.organization_id, []).append(manager)
    agents = {a.id: a for a in uow.agents.many(sorted({i for r, t in due for i in routing.agents_concerned(t, r)}))}
    progress = routing.progress_by_request(uow, [request for request, _ticket in due])  # the answers so far
    notifications, messages = [], []
    for request, ticket in due:
        assert ticket.id is not None
        request.expire()
        uow.history.add(
            ticket.entry(
                kind=HistoryKind.ACTION_EXPIRED,
                actor_name="",
                body=ExpiryReason.DEADLINE_PASSED.value,
                request_id=request.id,
                action_name=request.action_name,
            )
        )
        made, mails = routing.agent_notices(
            ticket, request, "", agents, email=True, progress=progress.get(request.id or 0)
        )
        notifications += made
        messages += mails
    for notification in notifications:
        uow.notifications.add(notification)
    uow.outbox.add_many(messages)
    uow.flush()  # the expiries must be in the counts, the hub entries need their ids
    everyone = {m.id: m for ms in managers.values() for m in ms if m.id is not None}
    # The stand-ins of managers away now follow every expiry of the batch: one read for
    # all, and a stand-in told of a request that was not theirs only reads their count.
    deputies = standins.standins_of(uow, list(everyone.values()))
    counts = _counts_of(uow, [*everyone.values(), *deputies])
    for request, ticket in due:
        assert request.id is not None and ticket.id is not None
        scope = scopes.get(request.id)
        in_scope = [m for o in dict.fromkeys(scope.organization_ids if scope else ()) for m in managers.get(o, [])]
        in_scope += deputies
        uow.record(
            ActionExpired(
                request_id=request.id,
                ticket_id=ticket.id,
                ticket_number=ticket.number,
                action_name=request.action_name,
                audience=routing.audience(in_scope, ticket, request),
                pending_counts=tuple(sorted((m.id, counts.get(m.id, 0)) for m in in_scope if m.id is not None)),
            )
        )
    _record_hub_entries(uow, notifications, "")


def _decision_entry(
    ticket: Ticket,
    request: ActionRequest,
    manager: Customer,
    approve: bool,
    reason: str,
    via: Via,
    absent: Customer | None,
) -> HistoryEntry:
    """The history entry of a final approval or rejection, under any rule; `absent`, the
    manager a stand-in decided for ("Fábio (substituindo Márcia)")."""
    return ticket.entry(
        kind=HistoryKind.ACTION_APPROVED if approve else HistoryKind.ACTION_REJECTED,
        actor_name=manager.name,
        body="" if approve else reason,
        request_id=request.id,
        action_name=request.action_name,
        via=via,
        on_behalf_of_name=absent.name if absent is not None else None,
    )


def _record_hub_entries(uow: UnitOfWork, notifications: Sequence[AgentNotification], actor_name: str) -> None:
    """The live event of each new hub entry (flushed: they have their ids)."""
    for notification in notifications:
        assert notification.id is not None
        uow.record(
            AgentNotificationCreated(
                agent_id=notification.agent_id,
                notification_id=notification.id,
                ticket_number=notification.ticket_number,
                request_id=notification.request_id,
                kind=notification.kind.value,
                action_name=notification.action_name,
                actor_name=actor_name,
                on_behalf_of_name=notification.on_behalf_of_name,
            )
        )


def manager_organizations(uow: UnitOfWork, manager: Customer, absent: Sequence[Customer] | None = None) -> list[int]:
    """The organizations whose requests reach `manager`: their own scope as a manager,
    and that of each absent manager they stand in for now (`absent`, read when not given)."""
    if absent is None:
        absent = standins.acting_for(uow, manager)
    scope: list[int] = []
    for person in (manager, *absent):
        if person.is_active_manager and person.organization_id is not None:
            children = uow.organizations.children_ids(person.organization_id)
            scope += [o for o in policy.managed_organizations(person, children) if o not in scope]
    return scope


PENDING_PER_PAGE = 20


@read_only
def pending_approvals(
    uow: UnitOfWork, actor: Actor, page: int = 1, per_page: int = PENDING_PER_PAGE
) -> Page[RequestRow]:
    """The 'Aprovar Ações (N)' list, one page of it: oldest first; empty for anyone not a
    manager. A page past the end gives the last page (`Page.page` says which): requests
    leave the list while a manager looks at it, and the page they were on may be gone."""
    with uow:
        manager = require_customer(uow, actor)
        absent = standins.acting_for(uow, manager)
        scope = manager_organizations(uow, manager, absent)
        if not scope or manager.id is None:
            return Page(items=[], total=0, page=1, per_page=max(1, per_page))
        return uow.requests.pending_rows_for_organizations(
            scope, page, per_page, customer_id=manager.id, acting_for=[a.id for a in absent if a.id is not None]
        )


@read_only
def pending_count(uow: UnitOfWork, actor: Actor) -> int:
    with uow:
        manager = require_customer(uow, actor)
        absent = standins.acting_for(uow, manager)
        scope = manager_organizations(uow, manager, absent)
        if not scope or manager.id is None:
            return 0
        return uow.requests.count_pending_for_manager(manager.id, scope, [a.id for a in absent if a.id is not None])


@read_only
def pending_counts(uow: UnitOfWork, actors: Sequence[Actor]) -> dict[Actor, int]:
    """`pending_count` of many people in one transaction: a request of an
    organization refreshes the badges of all its managers at once, and 1,000 badges read
    one by one would be 1,000 transactions (docs/benchmarks.md, fan-out). Anyone who is
    not an active manager counts 0, as `pending_count` refuses them."""
    with uow:
        ids = {actor.id for actor in actors if actor.kind == "customer"}
        people = [c for c in uow.customers.many(sorted(ids)) if c.active and not c.in_trash]
        counts = _counts_of(uow, people)
        return {actor: counts.get(actor.id, 0) if actor.kind == "customer" else 0 for actor in actors}


def _counts_of(uow: UnitOfWork, people: Sequence[Customer]) -> dict[int, int]:
    """Pending counts by customer id; 0 for anyone who is not an active manager. Three
    statements whatever the number of people and scopes: the requests under other rules
    asking each of them, their organizations' children,
    then the awaiting requests per organization, summed per scope here."""
    acting = standins.acting_for_many(uow, people)
    managers = [p for p in people if p.is_active_manager and p.organization_id is not None and p.id not in acting]
    children = uow.organizations.children_of(sorted({m.organization_id for m in managers if m.organization_id}))
    scopes = {
        m.id: policy.managed_organizations(m, children[m.organization_id])
        for m in managers
        if m.id is not None and m.organization_id is not None
    }
    per_organization = uow.requests.count_pending_by_organization(
        sorted({organization for scope in scopes.values() for organization in scope})
    )
    asking = uow.requests.count_open_by_approver(sorted(scopes))
    counts = {p.id: 0 for p in people if p.id is not None}
    for person_id, scope in scopes.items():
        counts[person_id] = sum(per_organization.get(organization, 0) for organization in set(scope))
        counts[person_id] += asking.get(person_id, 0)
    # Stand-ins (few, and only while a period runs) are counted one by one: their scope
    # and places join those of the managers they stand in for.
    for person in people:
        absent = acting.get(person.id or 0)
        if absent and person.id is not None:
            scope = manager_organizations(uow, person, absent)
            ids = [a.id for a in absent if a.id is not None]
            counts[person.id] = uow.requests.count_pending_for_manager(person.id, scope, ids)
    return counts


@read_only
def request_for_manager(uow: UnitOfWork, actor: Actor, request_id: int) -> tuple[TicketDetail, RequestRow]:
    """One request with all its ticket's data; not found for anyone who may not see it."""
    with uow:
        _manager, request, ticket, _organization = _manager_request(uow, actor, request_id)
        assert ticket.id is not None and request.id is not None
        detail = uow.tickets.detail(ticket.id)
        row = uow.requests.row(request.id)
        if detail is None or row is None:
            raise NotFound(REQUEST_NOT_FOUND)
        return detail, row


@read_only
def request_progress(uow: UnitOfWork, actor: Actor, request_id: int) -> answers.Progress:
    """The answers so far of one request ("1 de 2 aprovações", who, when): for the agents
    and for the managers who may see it."""
    with uow:
        blocked = None
        if actor.kind == "agent":
            require_agent(uow, actor)
            request = uow.requests.get(request_id)
            if request is None:
                raise NotFound(REQUEST_NOT_FOUND)
        else:
            manager, request, _ticket, _organization = _manager_request(uow, actor, request_id)
            if request.is_pending and request.rule != ApprovalRule.ANY and request.id is not None:
                try:
                    standins.place_for(uow, manager, request)
                except DomainError as refusal:
                    blocked = refusal.message
        assert request.id is not None
        kept = uow.answers.views([request.id]).get(request.id, [])
        return answers.Progress(
            request.rule, request.approvals_count, request.approvals_needed, tuple(kept), blocked=blocked
        )


@read_only
def catalog_for_request(uow: UnitOfWork, actor: Actor) -> list[tuple[int, str, str, int | None]]:
    """Active catalog actions an agent may pick: (id, name, description, default deadline
    in hours or None)."""
    with uow:
        require_agent(uow, actor)
        return [(a.id or 0, a.name, a.description, a.deadline_hours) for a in uow.catalog.list(active_only=True)]
