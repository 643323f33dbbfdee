"""Which committed domain events concern a portal page's reader."""

from __future__ import annotations

from domain.events import DomainEvent, PendingVisibilityChanged, RequestEvent, TicketChanged

from ..frame import Me


def concerns_manager(event: DomainEvent, me: Me) -> bool:
    """A request of one of my organizations changed, or came into or out of my sight."""
    return (
        me.actor.kind == "customer"
        and isinstance(event, RequestEvent | PendingVisibilityChanged)
        and me.actor.id in event.audience.manager_ids
    )


def concerns_ticket_list(event: DomainEvent, me: Me) -> bool:
    """A ticket changed that my list may show: my own, or any when I manage an
    organization (the list query decides what I may see)."""
    return isinstance(event, TicketChanged) and (me.privileged or me.actor.id in event.audience.customer_ids)
