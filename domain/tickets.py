"""Use cases of the plain help desk the approvals stand on (spec §8–§9): tickets,
replies, assignment, status, trash and restore, and the views of both panels."""

from __future__ import annotations

from . import clock, policy, standins
from .access import Actor, require_admin, require_agent, require_customer
from .approvals import (
    TICKET_NOT_FOUND,
    eligibility,
    expire_pending,
    manager_organizations,
    managers_for,
    ticket_organization,
)
from .errors import Conflict, InvalidInput, NotFound
from .events import Audience, PendingVisibilityChanged, TicketChanged
from .messages import N_
from .model import Customer, ExpiryReason, HistoryEntry, HistoryKind, Ticket, TicketStatus
from .ports import UnitOfWork
from .service import read_only
from .validation import LONG_TEXT_MAX, SUBJECT_MAX, clean_text
from .views import Page, TicketDetail, TicketFilter, TicketRow, TicketView, TrashRow

_ACTION_KINDS = {
    HistoryKind.ACTION_REQUESTED,
    HistoryKind.ACTION_APPROVED,
    HistoryKind.ACTION_REJECTED,
    HistoryKind.ACTION_CANCELLED,
    HistoryKind.ACTION_EXPIRED,
    HistoryKind.MANAGERS_REMINDED,
}


def _ticket(uow: UnitOfWork, number: int, *, allow_trash: bool = False) -> Ticket:
    ticket = uow.tickets.by_number(number)
    if ticket is None or (ticket.in_trash and not allow_trash):
        raise NotFound(TICKET_NOT_FOUND)
    return ticket


def _changed(uow: UnitOfWork, ticket: Ticket) -> None:
    assert ticket.id is not None
    ticket.updated_at = clock.now()
    uow.record(
        TicketChanged(
            ticket_id=ticket.id,
            ticket_number=ticket.number,
            audience=Audience(customer_ids=frozenset({ticket.customer_id})),
        )
    )


def _customer_may_see(uow: UnitOfWork, customer: Customer, ticket: Ticket) -> bool:
    if ticket.in_trash:
        return False
    if ticket.customer_id == customer.id:
        return True
    return standins.answers_as(uow, customer, ticket_organization(uow, ticket)) is not None


def create_ticket(
    uow: UnitOfWork,
    actor: Actor,
    subject: str,
    description: str,
    customer_id: int | None = None,
    assigned_agent_id: int | None = None,
) -> int:
    """An agent opens a ticket for a customer; a customer opens one for themself."""
    with uow:
        subject = clean_text(subject, label=N_("Subject"), max_len=SUBJECT_MAX, required=True)
        description = clean_text(
            description, label=N_("Description"), max_len=LONG_TEXT_MAX, multiline=True
        )
        if actor.kind == "agent":
            author = require_agent(uow, actor).name
            customer = uow.customers.get(customer_id) if customer_id is not None else None
            if customer is None or customer.in_trash:
                raise InvalidInput(N_("Choose the ticket's customer."))
            if assigned_agent_id is not None:
                assignee = uow.agents.get(assigned_agent_id)
                if assignee is None or not assignee.active:
                    raise InvalidInput(N_("Choose an active agent."))
        else:
            customer = require_customer(uow, actor)
            author, assigned_agent_id = customer.name, None
        assert customer.id is not None
        ticket = Ticket(
            number=uow.settings.next_ticket_number(),
            subject=subject,
            description=description,
            customer_id=customer.id,
            assigned_agent_id=assigned_agent_id,
        )
        uow.tickets.add(ticket)
        uow.flush()
        assert ticket.id is not None
        uow.history.add(ticket.entry(kind=HistoryKind.CREATED, actor_name=author))
        _changed(uow, ticket)
        uow.commit()
        return ticket.number


def reply(uow: UnitOfWork, actor: Actor, number: int, body: str) -> None:
    with uow:
        body = clean_text(body, label=N_("Reply"), max_len=LONG_TEXT_MAX, required=True, multiline=True)
        if actor.kind == "agent":
            author = require_agent(uow, actor).name
            ticket = _ticket(uow, number)
            kind = HistoryKind.REPLY
        else:
            customer = require_customer(uow, actor)
            ticket = _ticket(uow, number)
            if not _customer_may_see(uow, customer, ticket):
                raise NotFound(TICKET_NOT_FOUND)
            author, kind = customer.name, HistoryKind.CUSTOMER_REPLY
        assert ticket.id is not None
        uow.history.add(ticket.entry(kind=kind, actor_name=author, body=body))
        _changed(uow, ticket)
        uow.commit()


def assign(uow: UnitOfWork, actor: Actor, number: int, agent_id: int | None) -> None:
    with uow:
        agent = require_agent(uow, actor)
        ticket = _ticket(uow, number)
        assignee = uow.agents.get(agent_id) if agent_id is not None else None
        if agent_id is not None and (assignee is None or not assignee.active):
            raise InvalidInput(N_("Choose an active agent."))
        ticket.assigned_agent_id = agent_id
        assert ticket.id is not None
        uow.history.add(
            ticket.entry(
                kind=HistoryKind.ASSIGNED,
                actor_name=agent.name,
                body=assignee.name if assignee else "",
            )
        )
        _changed(uow, ticket)
        uow.commit()


def set_status(uow: UnitOfWork, actor: Actor, number: int, status: TicketStatus) -> None:
    """Close, cancel, reopen or start a ticket. A pending request never blocks this;
    closing or cancelling expires it in the same transaction (spec §5)."""
    with uow:
        agent = require_agent(uow, actor)
        ticket = _ticket(uow, number)
        if ticket.status == status:
            return
        ticket.status = TicketStatus(status)
        assert ticket.id is not None
        uow.history.add(ticket.entry(kind=HistoryKind.STATUS, actor_name=agent.name, body=status.value))
        if ticket.is_finished:
            closed = ticket.status == TicketStatus.CLOSED
            reason = ExpiryReason.TICKET_CLOSED if closed else ExpiryReason.TICKET_CANCELLED
            expire_pending(uow, ticket, agent.name, reason)
        _changed(uow, ticket)
        uow.commit()


def _visibility_changed(uow: UnitOfWork, tickets: list[Ticket]) -> None:
    """Managers' badges count pending requests of tickets outside the trash only."""
    manager_ids: set[int] = set()
    for ticket in tickets:
        assert ticket.id is not None
        if uow.requests.pending_of_ticket(ticket.id) is not None:
            people = standins.with_standins(uow, managers_for(uow, ticket))
            manager_ids.update(m.id for m in people if m.id is not None)
    if manager_ids:
        uow.record(PendingVisibilityChanged(audience=Audience(manager_ids=frozenset(manager_ids))))


def trash_ticket(uow: UnitOfWork, actor: Actor, number: int) -> None:
    """Deleting moves the ticket, with its requests untouched, to the trash."""
    with uow:
        agent = require_agent(uow, actor)
        ticket = _ticket(uow, number)
        ticket.in_trash, ticket.trashed_at, ticket.trashed_with_customer = True, clock.now(), False
        assert ticket.id is not None
        uow.history.add(ticket.entry(kind=HistoryKind.TRASHED, actor_name=agent.name))
        _visibility_changed(uow, [ticket])
        _changed(uow, ticket)
        uow.commit()


def restore_ticket(uow: UnitOfWork, actor: Actor, number: int) -> None:
    with uow:
        agent = require_agent(uow, actor)
        ticket = _ticket(uow, number, allow_trash=True)
        if not ticket.in_trash:
            return
        customer = uow.customers.get(ticket.customer_id)
        if customer is not None and customer.in_trash:
            raise Conflict(N_("The ticket's customer is in the trash; restore the customer first."))
        ticket.in_trash, ticket.trashed_at, ticket.trashed_with_customer = False, None, False
        assert ticket.id is not None
        uow.history.add(ticket.entry(kind=HistoryKind.RESTORED, actor_name=agent.name))
        _visibility_changed(uow, [ticket])
        _changed(uow, ticket)
        uow.commit()


def trash_customer(uow: UnitOfWork, actor: Actor, customer_id: int) -> None:
    """A deleted customer takes their tickets (and those tickets' requests) along."""
    with uow:
        admin = require_admin(uow, actor)
        customer = uow.customers.get(customer_id)
        if customer is None or customer.in_trash:
            raise NotFound(N_("Customer not found."))
        now = clock.now()
        tickets = [t for t in uow.tickets.of_customer(customer_id) if not t.in_trash]
        _visibility_changed(uow, tickets)
        was_manager = customer.is_active_manager
        customer.in_trash, customer.trashed_at = True, now
        for ticket in tickets:
            ticket.in_trash, ticket.trashed_at, ticket.trashed_with_customer = True, now, True
            assert ticket.id is not None
            uow.history.add(ticket.entry(kind=HistoryKind.TRASHED, actor_name=admin.name))
        concerned = standins.concerned_by(uow, customer, was_manager=was_manager)
        if concerned:
            uow.record(PendingVisibilityChanged(audience=Audience(manager_ids=concerned)))
        uow.commit()


def restore_customer(uow: UnitOfWork, actor: Actor, customer_id: int) -> None:
    with uow:
        admin = require_admin(uow, actor)
        customer = uow.customers.get(customer_id)
        if customer is None:
            raise NotFound(N_("Customer not found."))
        if not customer.in_trash:
            return
        customer.in_trash, customer.trashed_at = False, None
        tickets = [t for t in uow.tickets.of_customer(customer_id) if t.in_trash and t.trashed_with_customer]
        for ticket in tickets:
            ticket.in_trash, ticket.trashed_at, ticket.trashed_with_customer = False, None, False
            assert ticket.id is not None
            uow.history.add(ticket.entry(kind=HistoryKind.RESTORED, actor_name=admin.name))
        _visibility_changed(uow, tickets)
        concerned = standins.concerned_by(uow, customer, was_manager=customer.is_active_manager)
        if concerned:
            uow.record(PendingVisibilityChanged(audience=Audience(manager_ids=concerned)))
        uow.commit()


@read_only
def list_trash(uow: UnitOfWork, actor: Actor) -> list[TrashRow]:
    with uow:
        require_agent(uow, actor)
        return uow.tickets.trash()


@read_only
def list_tickets(uow: UnitOfWork, actor: Actor, query: TicketFilter) -> Page[TicketRow]:
    with uow:
        require_agent(uow, actor)
        return uow.tickets.page(query)


@read_only
def ticket_view(uow: UnitOfWork, actor: Actor, number: int) -> TicketView:
    """The agent's ticket page: data, full history (every request event included), the
    requests, and whether 'Mais > Solicitar Ação' shows and works."""
    with uow:
        agent = require_agent(uow, actor)
        ticket = _ticket(uow, number)
        assert ticket.id is not None
        detail = uow.tickets.detail(ticket.id)
        assert detail is not None
        allowed = eligibility(uow, ticket)
        pending = uow.requests.pending_of_ticket(ticket.id)
        can_cancel = pending is not None and policy.may_cancel_as_agent(agent, ticket, pending)
        return TicketView(
            ticket=detail,
            history=list(uow.history.of_ticket(ticket.id)),
            requests=uow.requests.rows_of_ticket(ticket.id),
            eligibility=allowed,
            can_cancel_pending=can_cancel,
        )


@read_only
def portal_tickets(uow: UnitOfWork, actor: Actor, page: int = 1, per_page: int = 25) -> Page[TicketRow]:
    """The customer's own tickets; a manager also sees their organizations' tickets."""
    with uow:
        customer = require_customer(uow, actor)
        scope = manager_organizations(uow, customer)
        assert customer.id is not None
        query = TicketFilter(
            customer_ids=frozenset({customer.id}),
            organization_ids=frozenset(scope) if scope else None,
            page=page,
            per_page=per_page,
        )
        return uow.tickets.page(query)


@read_only
def portal_ticket(uow: UnitOfWork, actor: Actor, number: int) -> tuple[TicketDetail, list[HistoryEntry]]:
    """A ticket as the portal shows it: no action request appears there (spec §8)."""
    with uow:
        customer = require_customer(uow, actor)
        ticket = uow.tickets.by_number(number)
        if ticket is None or not _customer_may_see(uow, customer, ticket):
            raise NotFound(TICKET_NOT_FOUND)
        assert ticket.id is not None
        detail = uow.tickets.detail(ticket.id)
        assert detail is not None
        history = [h for h in uow.history.of_ticket(ticket.id) if h.kind not in _ACTION_KINDS]
        return detail, history
