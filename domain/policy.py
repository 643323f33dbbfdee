"""Who may do what with an action request: the table of spec §4, in one place.

Every function is checked when the operation runs, against the people and tickets as
they are in the database at that moment, never as a page drew them.
"""

from __future__ import annotations

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


def may_cancel_as_customer(customer: Customer, ticket_organization: Organization | None) -> bool:
    return manages(customer, ticket_organization)


def may_evaluate(customer: Customer, ticket_organization: Organization | None) -> bool:
    """Approve or reject: only managers in scope; agents never."""
    return manages(customer, ticket_organization)


def may_see_request(customer: Customer, ticket_organization: Organization | None) -> bool:
    return manages(customer, ticket_organization)


def may_administer(agent: Agent) -> bool:
    """Settings, catalog, people, organizations, outbox: the account manager only."""
    return agent.active and agent.is_admin


def managed_organizations(manager: Customer, child_ids: list[int]) -> list[int]:
    """The organizations whose requests reach this manager: their own, plus the children
    of it (they answer for the parent)."""
    if not manager.is_active_manager or manager.organization_id is None:
        return []
    return [manager.organization_id, *child_ids]
