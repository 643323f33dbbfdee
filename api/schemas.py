"""What the API answers and accepts (Pydantic), built from the domain's read models."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from domain.model import HistoryEntry, RequestState, TicketStatus
from domain.validation import NOTE_MAX
from domain.views import Page, RequestRow, TicketDetail, TicketRow


class Me(BaseModel):
    kind: Literal["agent", "customer"]
    id: int


class CatalogActionOut(BaseModel):
    id: int
    name: str
    description: str
    deadline_hours: int | None = Field(None, description="The default approval deadline, in hours; null: none.")


class TicketOut(BaseModel):
    number: int
    subject: str
    status: TicketStatus
    customer_name: str
    organization_name: str | None
    assigned_agent_name: str | None
    has_pending_request: bool
    updated_at: datetime

    @classmethod
    def of(cls, row: TicketRow) -> TicketOut:
        return cls(
            number=row.number,
            subject=row.subject,
            status=row.status,
            customer_name=row.customer_name,
            organization_name=row.organization_name,
            assigned_agent_name=row.assigned_agent_name,
            has_pending_request=row.has_pending_request,
            updated_at=row.updated_at,
        )


class TicketPage(BaseModel):
    items: list[TicketOut]
    total: int
    page: int
    per_page: int
    pages: int

    @classmethod
    def of(cls, page: Page[TicketRow]) -> TicketPage:
        return cls(
            items=[TicketOut.of(r) for r in page.items],
            total=page.total,
            page=page.page,
            per_page=page.per_page,
            pages=page.pages,
        )


class HistoryOut(BaseModel):
    kind: str
    actor_name: str
    body: str
    action_name: str | None
    request_id: int | None
    at: datetime
    via: str | None = Field(None, description="Where a decision was taken: portal, email or api.")
    on_behalf_of_name: str | None = Field(
        None, description="A decision taken by a stand-in: the absent manager they stood in for."
    )

    @classmethod
    def of(cls, entry: HistoryEntry) -> HistoryOut:
        return cls(
            kind=str(entry.kind.value if hasattr(entry.kind, "value") else entry.kind),
            actor_name=entry.actor_name,
            body=entry.body,
            action_name=entry.action_name,
            request_id=entry.request_id,
            at=entry.at,
            via=str(entry.via.value if hasattr(entry.via, "value") else entry.via) if entry.via else None,
            on_behalf_of_name=entry.on_behalf_of_name,
        )


class RequestOut(BaseModel):
    id: int
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
    decided_at: datetime | None
    evaluated_by_name: str | None
    cancelled_by_name: str | None
    reason: str
    deadline: datetime | None = None
    evaluated_on_behalf_of_name: str | None = Field(
        None, description="A stand-in's decision: the absent manager they stood in for."
    )

    @classmethod
    def of(cls, row: RequestRow) -> RequestOut:
        return cls(
            id=row.id,
            ticket_number=row.ticket_number,
            ticket_subject=row.ticket_subject,
            customer_name=row.customer_name,
            organization_name=row.organization_name,
            action_name=row.action_name,
            action_description=row.action_description,
            note=row.note,
            state=row.state,
            requested_by_name=row.requested_by_name,
            requested_at=row.requested_at,
            decided_at=row.decided_at,
            evaluated_by_name=row.evaluated_by_name,
            evaluated_on_behalf_of_name=row.evaluated_on_behalf_of_name,
            cancelled_by_name=row.cancelled_by_name,
            reason=row.reason,
            deadline=row.deadline,
        )


class RequestPage(BaseModel):
    items: list[RequestOut]
    total: int
    page: int
    per_page: int
    pages: int

    @classmethod
    def of(cls, page: Page[RequestRow]) -> RequestPage:
        return cls(
            items=[RequestOut.of(r) for r in page.items],
            total=page.total,
            page=page.page,
            per_page=page.per_page,
            pages=page.pages,
        )


class TicketDetailOut(BaseModel):
    number: int
    subject: str
    description: str
    status: TicketStatus
    customer_name: str
    customer_email: str
    organization_name: str | None
    parent_organization_name: str | None
    assigned_agent_name: str | None
    created_at: datetime
    updated_at: datetime
    history: list[HistoryOut] = Field(description="Agents see every action request event; customers do not.")
    requests: list[RequestOut] | None = Field(None, description="Agents only: the ticket's action requests.")
    can_request_action: bool | None = Field(None, description="Agents only: whether an action may be requested now.")
    request_refusal: str | None = Field(None, description="Agents only: why no action may be requested now.")

    @classmethod
    def of(cls, detail: TicketDetail, history: list[HistoryEntry]) -> TicketDetailOut:
        return cls(
            number=detail.number,
            subject=detail.subject,
            description=detail.description,
            status=detail.status,
            customer_name=detail.customer_name,
            customer_email=detail.customer_email,
            organization_name=detail.organization_name,
            parent_organization_name=detail.parent_organization_name,
            assigned_agent_name=detail.assigned_agent_name,
            created_at=detail.created_at,
            updated_at=detail.updated_at,
            history=[HistoryOut.of(h) for h in history],
        )


class RequestActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action_id: int = Field(ge=1, le=2**31 - 1, description="An active catalog action (GET /api/v1/catalog).")
    note: str = Field("", max_length=NOTE_MAX)
    deadline: AwareDatetime | None = Field(
        None,
        description="When the request expires if still awaiting (future, at most 90 days ahead). "
        "Left out: the action's default deadline; null: no deadline.",
    )


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=NOTE_MAX)


class DecisionOut(BaseModel):
    request_id: int
    state: RequestState
