"""Re-reading a portal page when a committed domain event concerns its reader.

Events come in bursts (a request and its history, a trashed customer's tickets); each
page re-reads through a use case, one read at a time, and always once more after the
last event, so the screen ends on what the database holds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from domain.events import DomainEvent, PendingVisibilityChanged, RequestEvent, TicketChanged

from ..frame import Me


class Coalesced:
    """Wraps an async re-read: calls during a running one fold into a single re-run."""

    def __init__(self, reread: Callable[[], Awaitable[None]]) -> None:
        self._reread = reread
        self._running = False
        self._again = False

    async def __call__(self) -> None:
        if self._running:
            self._again = True
            return
        self._running = True
        try:
            while True:
                self._again = False
                await self._reread()
                if not self._again:
                    return
        finally:
            self._running = False


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
