"""What the domain needs from storage, stated as interfaces the persistence layer
implements. Use cases see only these."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal, Protocol

from .events import DomainEvent
from .model import (
    AccountSettings,
    ActionRequest,
    Agent,
    AgentNotification,
    CatalogAction,
    Customer,
    HistoryEntry,
    Organization,
    OutboxMessage,
    PushSubscription,
    Ticket,
)
from .report_views import (
    AwaitingRequest,
    AwaitingTally,
    DecisionTimes,
    Listing,
    ReportPeriod,
    Week,
    WeekStates,
)
from .views import Page, RequestRow, TicketDetail, TicketFilter, TicketRow, TrashRow


class SettingsRepository(Protocol):
    def get(self) -> AccountSettings: ...
    def next_ticket_number(self) -> int: ...


class AgentRepository(Protocol):
    def add(self, agent: Agent) -> None: ...
    def get(self, agent_id: int) -> Agent | None: ...
    def by_email(self, email: str) -> Agent | None: ...
    def list(self) -> list[Agent]: ...


class OrganizationRepository(Protocol):
    def add(self, organization: Organization) -> None: ...
    def get(self, organization_id: int) -> Organization | None: ...
    def list(self) -> list[Organization]: ...
    def children_ids(self, organization_id: int) -> list[int]: ...
    def children_of(self, organization_ids: Sequence[int]) -> dict[int, list[int]]:
        """`children_ids` of several organizations in one statement (each key present)."""
        ...



class CustomerRepository(Protocol):
    def add(self, customer: Customer) -> None: ...
    def get(self, customer_id: int) -> Customer | None: ...
    def many(self, customer_ids: Sequence[int]) -> list[Customer]: ...
    def by_email(self, email: str) -> Customer | None: ...
    def list(self, *, in_trash: bool = False, search: str = "", limit: int = 200) -> list[Customer]: ...
    def active_managers_of(self, organization_ids: Sequence[int]) -> list[Customer]: ...
    def count_active_managers_of(self, organization_ids: Sequence[int]) -> int: ...


class TicketRepository(Protocol):
    def add(self, ticket: Ticket) -> None: ...
    def get(self, ticket_id: int) -> Ticket | None: ...
    def by_number(self, number: int) -> Ticket | None: ...
    def of_customer(self, customer_id: int) -> list[Ticket]: ...
    def page(self, query: TicketFilter) -> Page[TicketRow]: ...
    def detail(self, ticket_id: int) -> TicketDetail | None: ...
    def trash(self, limit: int = 200) -> list[TrashRow]: ...


class HistoryRepository(Protocol):
    def add(self, entry: HistoryEntry) -> None: ...
    def of_ticket(self, ticket_id: int) -> list[HistoryEntry]: ...


class CatalogRepository(Protocol):
    def add(self, action: CatalogAction) -> None: ...
    def get(self, action_id: int) -> CatalogAction | None: ...
    def by_name_key(self, name_key: str) -> CatalogAction | None: ...
    def list(self, *, active_only: bool = False) -> list[CatalogAction]: ...


class RequestRepository(Protocol):
    def add(self, request: ActionRequest) -> None: ...
    def get(self, request_id: int) -> ActionRequest | None: ...
    def pending_of_ticket(self, ticket_id: int) -> ActionRequest | None: ...
    def rows_of_ticket(self, ticket_id: int) -> list[RequestRow]: ...
    def row(self, request_id: int) -> RequestRow | None: ...
    def pending_rows_for_organizations(
        self, organization_ids: Sequence[int], page: int, per_page: int
    ) -> Page[RequestRow]: ...
    def count_pending_for_organizations(self, organization_ids: Sequence[int]) -> int: ...
    def count_pending_by_organization(self, organization_ids: Sequence[int]) -> dict[int, int]:
        """Awaiting requests of each organization's customers, in one statement (absent: 0)."""
        ...



class NotificationRepository(Protocol):
    def add(self, notification: AgentNotification) -> None: ...
    def get(self, notification_id: int) -> AgentNotification | None: ...
    def of_agent(self, agent_id: int, limit: int = 50) -> list[AgentNotification]: ...
    def unread_count(self, agent_id: int) -> int: ...
    def mark_all_read(self, agent_id: int, at: datetime) -> int: ...


class OutboxRepository(Protocol):
    def add(self, message: OutboxMessage) -> None: ...
    def get(self, message_id: int) -> OutboxMessage | None: ...
    def due(self, now: datetime, limit: int = 20, channels: Sequence[str] | None = None) -> list[OutboxMessage]: ...
    def hold_due(self, channel: str, note: str, now: datetime) -> int:
        """Holds, in one statement, the due messages of a channel that cannot send."""
        ...

    def recent(self, limit: int = 200, status: str | None = None) -> list[OutboxMessage]: ...
    def release_held(self, channels: Sequence[str], now: datetime) -> int: ...


class PushSubscriptionRepository(Protocol):
    def add(self, subscription: PushSubscription) -> None: ...
    def by_endpoint(self, endpoint: str) -> PushSubscription | None: ...
    def of_customer(self, customer_id: int) -> list[PushSubscription]: ...
    def customers_among(self, customer_ids: Sequence[int]) -> set[int]:
        """Those of `customer_ids` with at least one subscription."""
        ...

    def delete(self, subscription: PushSubscription) -> None: ...


class ReportQueries(Protocol):
    """The reports' aggregates (domain/reports.py says what each figure means). Every
    one is computed by the database; none loads request rows."""

    def states_by_week(self, weeks: Sequence[Week]) -> dict[date, WeekStates]:
        """Requests that reached a final state in each week (absent: none)."""
        ...

    def decision_times(
        self, period: ReportPeriod, by: Literal["all", "organization", "action"], limit: int | None
    ) -> Listing[DecisionTimes]:
        """Approved/rejected counts and time-to-decision percentiles per group, slowest
        median first; `limit` rows at most, with the number of groups in all."""
        ...

    def awaiting(self, now: datetime, limit: int | None) -> list[AwaitingRequest]:
        """Requests awaiting approval now (tickets outside the trash), oldest first."""
        ...

    def awaiting_by_organization(self, now: datetime, limit: int) -> AwaitingTally:
        """Per organization: how many await, the oldest, how many overdue; most first.
        The same statement counts every awaiting request."""
        ...


class UnitOfWork(abc.ABC):
    """One transaction. Use cases record events here; they reach the outside world only
    after `commit` succeeds, through the publisher the composition root wires in."""

    settings: SettingsRepository
    agents: AgentRepository
    organizations: OrganizationRepository
    customers: CustomerRepository
    tickets: TicketRepository
    history: HistoryRepository
    catalog: CatalogRepository
    requests: RequestRepository
    notifications: NotificationRepository
    outbox: OutboxRepository
    push_subscriptions: PushSubscriptionRepository
    reports: ReportQueries
    # Set by Services.run for a use case marked @read_only: it will not write.
    read_only: bool = False

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    def __enter__(self) -> UnitOfWork:
        self.events = []
        return self

    def __exit__(self, *exc: object) -> None:
        self.rollback()

    def record(self, event: DomainEvent) -> None:
        self.events.append(event)

    def commit(self) -> None:
        self._commit()
        events, self.events = self.events, []
        self._publish(events)

    def flush(self) -> None:
        """Give new entities their ids without committing."""

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...

    def _publish(self, events: list[DomainEvent]) -> None:
        """Hand committed events on; the default drops them."""
