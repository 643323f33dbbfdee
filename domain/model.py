"""Entities of the help desk and of the approval flow.

Entities reference each other by id, not by object: the persistence layer maps them
as they are, and a page never trips over a lazy load.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from . import clock
from .errors import AlreadyDecided
from .messages import N_


class AgentRole(StrEnum):
    AGENT = "agent"
    ADMIN = "admin"


class TicketStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"
    CANCELLED = "cancelled"


# gettext contexts of the two label sets: one English word, two Portuguese ones (a ticket
# is "Cancelado", an action request "Cancelada"); the UI translates with msgctxt.
TICKET_STATUS_CONTEXT = "ticket status"
REQUEST_STATE_CONTEXT = "request state"

TICKET_STATUS_LABELS = {
    TicketStatus.OPEN: N_("Open"),
    TicketStatus.IN_PROGRESS: N_("In progress"),
    TicketStatus.CLOSED: N_("Closed"),
    TicketStatus.CANCELLED: N_("Cancelled"),
}


class RequestState(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


REQUEST_STATE_LABELS = {
    RequestState.AWAITING_APPROVAL: N_("Awaiting approval"),
    RequestState.APPROVED: N_("Approved"),
    RequestState.REJECTED: N_("Rejected"),
    RequestState.CANCELLED: N_("Cancelled"),
    RequestState.EXPIRED: N_("Expired"),
}


class HistoryKind(StrEnum):
    CREATED = "created"
    REPLY = "reply"
    CUSTOMER_REPLY = "customer_reply"
    ASSIGNED = "assigned"
    STATUS = "status"
    TRASHED = "trashed"
    RESTORED = "restored"
    ACTION_REQUESTED = "action_requested"
    ACTION_APPROVED = "action_approved"
    ACTION_REJECTED = "action_rejected"
    ACTION_CANCELLED = "action_cancelled"
    ACTION_EXPIRED = "action_expired"
    MANAGERS_REMINDED = "managers_reminded"


class ApprovalRule(StrEnum):
    """*Regra de aprovação* of a catalog action (spec §13)."""

    ANY = "any"  # *Qualquer gerente*: the first answer decides
    ALL = "all"  # *Todos os gerentes*: every manager concerned approves; one rejection rejects
    AT_LEAST = "at_least"  # *Pelo menos N*
    STAGES = "stages"  # *Em etapas*: the organization's managers, then the parent's


class ExpiryReason(StrEnum):
    """Why a pending request expired; kept in the body of its history entry."""

    TICKET_CLOSED = "ticket_closed"
    TICKET_CANCELLED = "ticket_cancelled"
    DEADLINE_PASSED = "deadline_passed"


class Via(StrEnum):
    """Where a decision was taken; the history says "por e-mail" for one taken from a
    mailed link and "pela API" for one taken through the API, and is otherwise the same
    event."""

    PORTAL = "portal"
    EMAIL = "email"
    API = "api"


class NotificationKind(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED_BY_MANAGER = "cancelled_by_manager"
    EXPIRED = "expired"  # its deadline passed


def _now() -> datetime:
    # Looked up at each call, not bound at class creation, so a pinned clock pins these too.
    return clock.now()


def fold(text: str) -> str:
    """Case- and accent-insensitive key, so 'Reembolso' and 'reembólso' collide."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(eq=False)
class AccountSettings:
    approvals_enabled: bool = False
    last_ticket_number: int = 0
    # *Lembretes*: every N hours, at most M times, to the managers who have not answered;
    # None: no reminders (the default).
    reminder_every_hours: int | None = None
    reminder_max: int = 0
    id: int = 1


@dataclass(eq=False)
class Agent:
    name: str
    email: str
    password_hash: str
    role: AgentRole = AgentRole.AGENT
    active: bool = True
    locale: str | None = None
    # An IANA zone name; None: the installation's default (AVAL_TIMEZONE).
    timezone: str | None = None
    id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == AgentRole.ADMIN


@dataclass(eq=False)
class Organization:
    name: str
    parent_id: int | None = None
    id: int | None = None


@dataclass(eq=False)
class Customer:
    name: str
    email: str
    password_hash: str
    organization_id: int | None = None
    is_manager: bool = False
    active: bool = True
    in_trash: bool = False
    trashed_at: datetime | None = None
    locale: str | None = None
    timezone: str | None = None
    id: int | None = None

    @property
    def is_active_manager(self) -> bool:
        return self.is_manager and self.active and not self.in_trash


@dataclass(eq=False)
class Ticket:
    number: int
    subject: str
    description: str
    customer_id: int
    assigned_agent_id: int | None = None
    status: TicketStatus = TicketStatus.OPEN
    in_trash: bool = False
    trashed_at: datetime | None = None
    # A ticket trashed along with its customer comes back when the customer is restored,
    # while one trashed on its own stays where its own deletion put it.
    trashed_with_customer: bool = False
    created_at: datetime = field(default_factory=_now)
    updated_at: datetime = field(default_factory=_now)
    id: int | None = None

    @property
    def is_finished(self) -> bool:
        return self.status in (TicketStatus.CLOSED, TicketStatus.CANCELLED)

    def entry(
        self,
        kind: HistoryKind,
        actor_name: str,
        body: str = "",
        request_id: int | None = None,
        action_name: str | None = None,
        via: Via | None = None,
        on_behalf_of_name: str | None = None,
    ) -> HistoryEntry:
        """A new entry of this ticket's history. What the history shows is a change of the
        ticket, so its update time (and the lists sorted by it) moves with it. `via`: where
        a decision was taken; `on_behalf_of_name`: the absent manager a stand-in decided for."""
        assert self.id is not None
        entry = HistoryEntry(
            ticket_id=self.id,
            kind=kind,
            actor_name=actor_name,
            body=body,
            request_id=request_id,
            action_name=action_name,
            via=via,
            on_behalf_of_name=on_behalf_of_name,
        )
        self.updated_at = entry.at
        return entry


@dataclass(eq=False)
class HistoryEntry:
    ticket_id: int
    kind: HistoryKind
    actor_name: str
    body: str = ""
    request_id: int | None = None
    action_name: str | None = None
    at: datetime = field(default_factory=_now)
    # Set on a decision (approved, rejected): where it was taken.
    via: Via | None = None
    # A decision taken by a stand-in: the absent manager's name ("Fábio (substituindo Márcia)").
    on_behalf_of_name: str | None = None
    id: int | None = None

    @property
    def expiry_reason(self) -> ExpiryReason | None:
        """Why the request expired, for an expiry entry; None for entries written before
        the reason was kept, which say only that the ticket was closed or cancelled."""
        if self.kind != HistoryKind.ACTION_EXPIRED:
            return None
        try:
            return ExpiryReason(self.body)
        except ValueError:
            return None


@dataclass(eq=False)
class CatalogAction:
    name: str
    description: str = ""
    active: bool = True
    name_key: str = ""
    # *Prazo para aprovação*: the deadline a request of this action gets by default, in
    # hours after it is made; None: no deadline.
    deadline_hours: int | None = None
    rule: ApprovalRule = ApprovalRule.ANY
    # N of *Pelo menos N*; None for the other rules.
    rule_count: int | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        self.name_key = fold(self.name)


@dataclass(eq=False)
class ActionRequest:
    ticket_id: int
    action_id: int
    action_name: str
    action_description: str
    requested_by_agent_id: int
    note: str = ""
    state: RequestState = RequestState.AWAITING_APPROVAL
    requested_at: datetime = field(default_factory=_now)
    decided_at: datetime | None = None
    evaluated_by_customer_id: int | None = None
    # A stand-in's decision: the absent manager they decided for (spec §13).
    evaluated_on_behalf_of_id: int | None = None
    reason: str = ""
    cancelled_by_agent_id: int | None = None
    cancelled_by_customer_id: int | None = None
    # Still awaiting at this instant, the request expires by itself; None: it may wait.
    deadline: datetime | None = None
    # When an agent last pressed *Lembrar gerentes* (at most once an hour).
    reminded_at: datetime | None = None
    # The organization of the ticket's customer when the request was made: the one asked
    # to decide, as the reports count it (spec §15), whatever the customer's moves later.
    organization_id: int | None = None
    # The action's rule when the request was made, and what it asks for then (the
    # approvers themselves are kept as RequestApprover rows): approvals needed, approvals
    # so far, and the stage awaiting an answer (*Em etapas*: 1 the organization, 2 the
    # parent). Under the default rule none of this is used.
    rule: ApprovalRule = ApprovalRule.ANY
    approvals_needed: int = 1
    approvals_count: int = 0
    answers_count: int = 0
    approvers_count: int = 0
    stage: int = 1
    # Bumped on every change; the database only accepts an update of the version it read,
    # so two evaluations racing each other can never both commit.
    version: int = 1
    id: int | None = None

    @property
    def is_pending(self) -> bool:
        return self.state == RequestState.AWAITING_APPROVAL

    def _decide(self, state: RequestState) -> None:
        if not self.is_pending:
            raise AlreadyDecided(N_("This action is no longer awaiting approval."))
        self.state = state
        self.decided_at = clock.now()

    def approve(self, manager_id: int, on_behalf_of_id: int | None = None) -> None:
        self._decide(RequestState.APPROVED)
        self.evaluated_by_customer_id = manager_id
        self.evaluated_on_behalf_of_id = on_behalf_of_id

    def reject(self, manager_id: int, reason: str, on_behalf_of_id: int | None = None) -> None:
        self._decide(RequestState.REJECTED)
        self.evaluated_by_customer_id = manager_id
        self.evaluated_on_behalf_of_id = on_behalf_of_id
        self.reason = reason

    def cancel(self, *, agent_id: int | None = None, customer_id: int | None = None) -> None:
        self._decide(RequestState.CANCELLED)
        self.cancelled_by_agent_id = agent_id
        self.cancelled_by_customer_id = customer_id

    def expire(self) -> None:
        self._decide(RequestState.EXPIRED)


@dataclass(eq=False)
class RequestApprover:
    """A manager concerned by a request under a multi-answer rule, fixed when the request
    was made; `stage` 2 is the parent organization's step of *Em etapas*."""

    request_id: int
    customer_id: int
    stage: int = 1
    id: int | None = None


@dataclass(eq=False)
class RequestAnswer:
    """One manager's answer to a request: at most one per manager per request."""

    request_id: int
    customer_id: int
    approved: bool
    reason: str = ""
    # Set when a stand-in answered for an absent manager: the absent manager's id.
    on_behalf_of_id: int | None = None
    at: datetime = field(default_factory=_now)
    # The approver whose place this answer fills: the absent manager for a stand-in, else
    # the one who answered. Unique per request: one answer per slot.
    slot_id: int = 0
    id: int | None = None

    def __post_init__(self) -> None:
        self.slot_id = self.on_behalf_of_id if self.on_behalf_of_id is not None else self.customer_id


@dataclass(eq=False)
class AgentNotification:
    agent_id: int
    kind: NotificationKind
    ticket_id: int
    ticket_number: int
    request_id: int
    action_name: str
    actor_name: str
    reason: str = ""
    created_at: datetime = field(default_factory=_now)
    read_at: datetime | None = None
    id: int | None = None
    # A stand-in's decision: the absent manager they decided for, "Fábio (substituindo Márcia)".
    on_behalf_of_name: str | None = None


class Channel(StrEnum):
    EMAIL = "email"
    PUSH = "push"
    WEBHOOK = "webhook"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    # Kept back because its channel is not configured (no SMTP): readable by admins, and
    # sent once the channel is configured.
    HELD = "held"
    # Nothing to deliver to (a manager without any push subscription).
    SKIPPED = "skipped"


@dataclass(eq=False)
class OutboxMessage:
    """One message to one recipient on one channel, written in the transaction of the
    change it reports. `dedup_key` is unique, so a replayed event never queues twice."""

    dedup_key: str
    channel: Channel
    kind: str
    recipient_kind: str
    recipient_id: int
    recipient_email: str
    locale: str | None
    payload: dict[str, object]
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime = field(default_factory=_now)
    last_error: str = ""
    created_at: datetime = field(default_factory=_now)
    sent_at: datetime | None = None
    # A worker that took the message to send it owns it until then; another worker (a
    # second app instance) skips it, and takes it over only if that worker died.
    claimed_until: datetime | None = None
    id: int | None = None


class LinkDecision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


@dataclass(eq=False)
class EmailLink:
    """A one-decision link of a manager (spec §11): the hash of its token and what it may
    do. The raw token only ever exists in the manager's mail and push message."""

    token_hash: str
    request_id: int
    customer_id: int
    decision: LinkDecision
    expires_at: datetime
    created_at: datetime = field(default_factory=_now)
    used_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class LinkBatch:
    """The links a request makes, to be stored at once: (manager id, decision, token
    hash) each. Plain values, not EmailLink entities: 2,000 mapped objects cost the
    request more than writing them (docs/benchmarks.md, e-mail links)."""

    request_id: int
    created_at: datetime
    expires_at: datetime
    links: tuple[tuple[int, LinkDecision, str], ...]


class DueKind(StrEnum):
    EXPIRE_REQUEST = "expire_request"
    REMIND_REQUEST = "remind_request"
    # A stand-in's period begins or ends: their open pages are told (subject: the absence).
    ABSENCE_STARTS = "absence_starts"
    ABSENCE_ENDS = "absence_ends"


@dataclass(eq=False)
class DueWork:
    """Something that must happen at a given time, kept in the database (never only in a
    timer): the worker of every instance claims what is due, does it in the claiming
    transaction and deletes or moves the row, so a restart neither loses it nor a second
    instance doubles it. `subject_id` is what it is about (a request); `runs` counts what
    was done so far (reminders sent)."""

    kind: DueKind
    subject_id: int
    due_at: datetime
    runs: int = 0
    id: int | None = None


@dataclass(eq=False)
class PushSubscription:
    customer_id: int
    endpoint: str
    p256dh: str
    auth: str
    created_at: datetime = field(default_factory=_now)
    id: int | None = None


@dataclass(eq=False)
class AccessToken:
    """A personal access token for the API. Only a hash of the secret is kept; `prefix`
    (the start of the secret) lets its owner tell their tokens apart."""

    owner_kind: str  # "agent" or "customer", as Actor.kind
    owner_id: int
    name: str
    token_hash: str
    prefix: str
    created_at: datetime = field(default_factory=_now)
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    id: int | None = None

    def usable_at(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


class WebhookEvent(StrEnum):
    REQUEST_CREATED = "request.created"
    REQUEST_APPROVED = "request.approved"
    REQUEST_REJECTED = "request.rejected"
    REQUEST_CANCELLED = "request.cancelled"
    REQUEST_EXPIRED = "request.expired"


@dataclass(eq=False)
class WebhookEndpoint:
    """Where the account wants request events POSTed. The secret signs each delivery
    (Standard Webhooks): it must be kept readable, so it is shown only once in the UI."""

    url: str
    secret: str
    events: list[str] = field(default_factory=list)
    active: bool = True
    created_at: datetime = field(default_factory=_now)
    id: int | None = None
