"""The endpoints of /api/v1. Each one calls a use case of the domain with the caller's
Actor, as a page does; no rule lives here. Plain `def` endpoints: FastAPI runs them in its
thread pool, off the event loop the pages share."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from domain import approvals, deadlines, tickets
from domain.model import TicketStatus
from domain.views import TicketFilter

from .auth import AgentCaller, Caller, CustomerCaller, ServicesDep
from .errors import ErrorOut
from .schemas import (
    CatalogActionOut,
    DecisionOut,
    HistoryOut,
    Me,
    RejectIn,
    RequestActionIn,
    RequestOut,
    RequestPage,
    TicketDetailOut,
    TicketPage,
)

ID_MAX = 2**31 - 1
TicketNumber = Annotated[int, Path(ge=1, le=ID_MAX, description="The ticket's number.")]
RequestId = Annotated[int, Path(ge=1, le=ID_MAX, description="The action request's id.")]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]
PerPage = Annotated[int, Query(ge=1, le=100)]

ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in (
        (401, "No valid token: missing, unknown, expired, revoked, or its owner was deactivated."),
        (403, "The caller may not do this."),
        (404, "Not found, or not visible to the caller."),
        (409, "The state moved on: already decided, or an action already awaits approval."),
        (422, "Invalid input."),
        (429, "Rate limited; see Retry-After."),
    )
}

router = APIRouter(prefix="/v1", responses=ERRORS)


@router.get("/me", response_model=Me, tags=["me"], summary="Who the token acts for")
def me(actor: Caller) -> Me:
    return Me(kind=actor.kind, id=actor.id)


@router.get("/catalog", response_model=list[CatalogActionOut], tags=["catalog"], summary="Active catalog actions")
def catalog(actor: AgentCaller, services: ServicesDep) -> list[CatalogActionOut]:
    return [
        CatalogActionOut(id=i, name=n, description=d, deadline_hours=h)
        for i, n, d, h in services.run(approvals.catalog_for_request, actor)
    ]


@router.get("/tickets", response_model=TicketPage, tags=["tickets"], summary="Tickets the caller may see")
def list_tickets(
    actor: Caller,
    services: ServicesDep,
    page: PageNumber = 1,
    per_page: PerPage = 25,
    status: Annotated[TicketStatus | None, Query(description="Agents only: one status.")] = None,
    search: Annotated[str, Query(max_length=200, description="Agents only: words of the subject.")] = "",
) -> TicketPage:
    if actor.kind == "agent":
        query = TicketFilter(status=status, search=search, page=page, per_page=per_page)
        return TicketPage.of(services.run(tickets.list_tickets, actor, query))
    return TicketPage.of(services.run(tickets.portal_tickets, actor, page, per_page))


@router.get("/tickets/{number}", response_model=TicketDetailOut, tags=["tickets"], summary="One ticket")
def get_ticket(number: TicketNumber, actor: Caller, services: ServicesDep) -> TicketDetailOut:
    """Agents get the full history with every action request event and the requests;
    customers get the ticket as the portal shows it."""
    if actor.kind == "agent":
        view = services.run(tickets.ticket_view, actor, number)
        out = TicketDetailOut.of(view.ticket, view.history)  # type: ignore[arg-type]
        out.requests = [RequestOut.of(r) for r in view.requests]
        out.can_request_action = view.eligibility.show and view.eligibility.enabled
        out.request_refusal = None if out.can_request_action else view.eligibility.reason
        return out
    detail, history = services.run(tickets.portal_ticket, actor, number)
    return TicketDetailOut.of(detail, history)


@router.get(
    "/tickets/{number}/history", response_model=list[HistoryOut], tags=["tickets"], summary="A ticket's history"
)
def ticket_history(number: TicketNumber, actor: AgentCaller, services: ServicesDep) -> list[HistoryOut]:
    view = services.run(tickets.ticket_view, actor, number)
    return [HistoryOut.of(h) for h in view.history]  # type: ignore[arg-type]


@router.post(
    "/tickets/{number}/requests",
    response_model=RequestOut,
    status_code=201,
    tags=["requests"],
    summary="Request an action on a ticket",
)
def request_action(
    number: TicketNumber, body: RequestActionIn, actor: AgentCaller, services: ServicesDep
) -> RequestOut:
    # A deadline left out of the body is the action's default; an explicit null is none.
    deadline = body.deadline if "deadline" in body.model_fields_set else deadlines.CATALOG_DEFAULT
    request_id = services.run(approvals.request_action, actor, number, body.action_id, body.note, deadline)
    view = services.run(tickets.ticket_view, actor, number)
    return RequestOut.of(next(r for r in view.requests if r.id == request_id))


@router.get("/approvals", response_model=RequestPage, tags=["approvals"], summary="Requests awaiting your approval")
def pending_approvals(
    actor: CustomerCaller, services: ServicesDep, page: PageNumber = 1, per_page: PerPage = 20
) -> RequestPage:
    """Oldest first; empty for a customer who manages no organization."""
    return RequestPage.of(services.run(approvals.pending_approvals, actor, page, per_page))


@router.get("/approvals/{request_id}", response_model=RequestOut, tags=["approvals"], summary="One request to evaluate")
def approval(request_id: RequestId, actor: CustomerCaller, services: ServicesDep) -> RequestOut:
    _detail, row = services.run(approvals.request_for_manager, actor, request_id)
    return RequestOut.of(row)


@router.post("/requests/{request_id}/approve", response_model=DecisionOut, tags=["approvals"], summary="Approve")
def approve(request_id: RequestId, actor: CustomerCaller, services: ServicesDep) -> DecisionOut:
    services.run(approvals.approve, actor, request_id)
    return DecisionOut(request_id=request_id, state="approved")  # type: ignore[arg-type]


@router.post("/requests/{request_id}/reject", response_model=DecisionOut, tags=["approvals"], summary="Reject")
def reject(
    request_id: RequestId, actor: CustomerCaller, services: ServicesDep, body: RejectIn | None = None
) -> DecisionOut:
    services.run(approvals.reject, actor, request_id, body.reason if body else "")
    return DecisionOut(request_id=request_id, state="rejected")  # type: ignore[arg-type]


@router.post("/requests/{request_id}/cancel", response_model=DecisionOut, tags=["requests"], summary="Cancel")
def cancel(request_id: RequestId, actor: Caller, services: ServicesDep) -> DecisionOut:
    """The ticket's agent, the requesting agent, the account manager, or a manager in scope."""
    services.run(approvals.cancel, actor, request_id)
    return DecisionOut(request_id=request_id, state="cancelled")  # type: ignore[arg-type]
