"""Who may do what with an action request: the table of spec §4, in one place.

Every function is checked when the operation runs, against the people and tickets as
they are in the database at that moment, never as a page drew them.

The stand-in row (§13): a customer named in a running absence of a manager in scope may
cancel, approve, reject and see as that manager (`answers_as`, given the absent managers
domain/standins.py found); before and after the period, nothing. `may_stand_in` says who
may be named.
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import ActionRequest, Agent, Customer, Organization, Ticket


def organizations_in_scope(ticket_organization: Organization | None) -> list[int]:
    """The organizations whose managers answer for a ticket: its own and its parent."""
    if ticket_organization is None or ticket_organization.id is None:
        return []
    scope = [ticket_organization.id]
    if ticket_organization.parent_id is not None:
        scope.append(ticket_organization.parent_id)
    return scope


def manages(customer: Customer, ticket_organization: Organization | None) -> bool:
    """An active manager of the ticket's organization or of its parent."""
    return customer.is_active_manager and customer.organization_id in organizations_in_scope(
        ticket_organization
    )


def may_request(agent: Agent) -> bool:
    """Any active agent may ask; managers and customers never."""
    return agent.active


def may_cancel_as_agent(agent: Agent, ticket: Ticket, request: ActionRequest) -> bool:
    """The ticket's agent, the requesting agent and the account manager."""
    return agent.active and (
        agent.is_admin or agent.id in (ticket.assigned_agent_id, request.requested_by_agent_id)
    )


def answers_as(
    customer: Customer, ticket_organization: Organization | None, absent: Sequence[Customer] = ()
) -> Customer | None:
    """Whose place `customer` takes for a ticket of this organization: themselves when
    they manage it, else the first absent manager of it they stand in for now (`absent`:
    the managers whose running absence names them, spec §13); None: nobody's."""
    if not customer.active or customer.in_trash:
        return None
    if manages(customer, ticket_organization):
        return customer
    return next((m for m in absent if manages(m, ticket_organization)), None)


def may_cancel_as_customer(
    customer: Customer, ticket_organization: Organization | None, absent: Sequence[Customer] = ()
) -> bool:
    return answers_as(customer, ticket_organization, absent) is not None


def may_evaluate(
    customer: Customer, ticket_organization: Organization | None, absent: Sequence[Customer] = ()
) -> bool:
    """Approve or reject: only managers in scope, and the stand-ins of absent ones during
    the absence; agents never."""
    return answers_as(customer, ticket_organization, absent) is not None


def may_see_request(
    customer: Customer, ticket_organization: Organization | None, absent: Sequence[Customer] = ()
) -> bool:
    return answers_as(customer, ticket_organization, absent) is not None


def may_stand_in(manager: Customer, manager_organization: Organization | None, standin: Customer) -> bool:
    """The stand-in row of §4: an active customer of the manager's organization or of its
    parent, other than the manager. Checked when the absence is set and whenever it is read."""
    return (
        standin.id != manager.id
        and standin.active
        and not standin.in_trash
        and standin.organization_id is not None
        and standin.organization_id in organizations_in_scope(manager_organization)
    )


def may_administer(agent: Agent) -> bool:
    """Settings, catalog, people, organizations, outbox: the account manager only."""
    return agent.active and agent.is_admin


def managed_organizations(manager: Customer, child_ids: list[int]) -> list[int]:
    """The organizations whose requests reach this manager: their own, plus the children
    of it (they answer for the parent)."""
    if not manager.is_active_manager or manager.organization_id is None:
        return []
    return [manager.organization_id, *child_ids]
