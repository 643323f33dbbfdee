"""Domain events: facts a use case committed. After the commit they are pushed to the
connected clients of the people in `audience`, so each page refreshes only when it is
concerned (a manager's badge, the agents' ticket page and bell)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Audience:
    manager_ids: frozenset[int] = frozenset()
    agent_ids: frozenset[int] = frozenset()
    customer_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class DomainEvent:
    pass


@dataclass(frozen=True)
class RequestEvent(DomainEvent):
    request_id: int
    ticket_id: int
    ticket_number: int
    action_name: str
    audience: Audience = field(default_factory=Audience)
    # (manager id, requests awaiting them) as this change committed them: a badge shows
    # its new count straight from the event, without a read of its own first.
    pending_counts: tuple[tuple[int, int], ...] = ()

    def pending_count_of(self, manager_id: int) -> int | None:
        return self._pending_by_manager.get(manager_id)

    @cached_property
    def _pending_by_manager(self) -> dict[int, int]:
        # Every open tab of every manager asks once per event: a search through the tuple
        # made a request to 1,000 managers a million comparisons (docs/benchmarks.md §2).
        return dict(self.pending_counts)


@dataclass(frozen=True)
class ActionRequested(RequestEvent):
    pass


@dataclass(frozen=True)
class ActionDecided(RequestEvent):
    # Where the decision was taken ("portal", "email"); the same event either way.
    via: str = "portal"


@dataclass(frozen=True)
class ActionApproved(ActionDecided):
    pass


@dataclass(frozen=True)
class ActionRejected(ActionDecided):
    pass


@dataclass(frozen=True)
class ActionCancelled(RequestEvent):
    pass


@dataclass(frozen=True)
class ActionExpired(RequestEvent):
    pass


@dataclass(frozen=True)
class PendingVisibilityChanged(DomainEvent):
    """A pending request appeared or vanished for managers without changing state
    (its ticket went to the trash or came back, a manager was (de)activated)."""

    audience: Audience = field(default_factory=Audience)


@dataclass(frozen=True)
class TicketChanged(DomainEvent):
    """Anything on a ticket changed (reply, status, assignment): open views refresh."""

    ticket_id: int
    ticket_number: int
    audience: Audience = field(default_factory=Audience)


@dataclass(frozen=True)
class AgentNotificationCreated(DomainEvent):
    agent_id: int
    notification_id: int
    ticket_number: int
    request_id: int
    kind: str
    action_name: str
    actor_name: str
    on_behalf_of_name: str | None = None


@dataclass(frozen=True)
class OutboxChanged(DomainEvent):
    """The delivery worker sent, held or failed an outbox message: admins' outbox page refreshes."""

    message_id: int  # 0: several messages at once
