"""Read models: what the pages show, assembled by the repositories in one query each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from .model import ApprovalRule, RequestState, TicketStatus

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class TicketFilter:
    status: TicketStatus | None = None
    assigned_agent_id: int | None = None
    search: str = ""
    customer_ids: frozenset[int] | None = None
    organization_ids: frozenset[int] | None = None
    in_trash: bool = False
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class TicketRow:
    id: int
    number: int
    subject: str
    status: TicketStatus
    customer_name: str
    organization_name: str | None
    assigned_agent_name: str | None
    has_pending_request: bool
    updated_at: datetime


@dataclass(frozen=True)
class TicketDetail:
    id: int
    number: int
    subject: str
    description: str
    status: TicketStatus
    in_trash: bool
    customer_id: int
    customer_name: str
    customer_email: str
    organization_id: int | None
    organization_name: str | None
    parent_organization_name: str | None
    assigned_agent_id: int | None
    assigned_agent_name: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class RequestRow:
    id: int
    ticket_id: int
    ticket_number: int
    ticket_subject: str
    customer_name: str
    organization_name: str | None
    action_name: str
    action_description: str
    note: str
    state: RequestState
    requested_by_name: str
    requested_at: datetime
    decided_at: datetime | None = None
    evaluated_by_name: str | None = None
    cancelled_by_name: str | None = None
    reason: str = ""
    deadline: datetime | None = None
    # The approval rule fixed at request time and its progress ("1 de 2 aprovações").
    rule: ApprovalRule = ApprovalRule.ANY
    approvals_count: int = 0
    approvals_needed: int = 1
    # A stand-in's decision: the absent manager they decided for ("Fábio (substituindo Márcia)").
    evaluated_on_behalf_of_name: str | None = None

    @property
    def counts_answers(self) -> bool:
        """Under a multi-answer rule the list and the pages show the progress."""
        return self.rule != ApprovalRule.ANY


@dataclass(frozen=True)
class Eligibility:
    """Whether 'Mais > Solicitar Ação' shows, and whether it can be used."""

    show: bool
    enabled: bool
    reason: str | None = None
    pending_request_id: int | None = None


@dataclass(frozen=True)
class TicketView:
    """Everything the agent's ticket page needs."""

    ticket: TicketDetail
    history: list[object] = field(default_factory=list)
    requests: list[RequestRow] = field(default_factory=list)
    eligibility: Eligibility = Eligibility(show=False, enabled=False)
    can_cancel_pending: bool = False


@dataclass(frozen=True)
class TrashRow:
    kind: str  # "ticket" or "customer"
    id: int
    label: str
    detail: str
    trashed_at: datetime | None


@dataclass(frozen=True)
class ReminderTarget:
    """What a reminder round needs of a request's ticket, read for a whole batch at once."""

    request_id: int
    ticket_id: int
    ticket_number: int
    ticket_subject: str
    ticket_in_trash: bool
    organization_ids: tuple[int, ...]  # the customer's organization and its parent
