"""Read models of the reports (spec §15): what the database answers, already aggregated.
Their meaning is stated in domain/reports.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

T = TypeVar("T")


@dataclass(frozen=True)
class Week:
    """One ISO week of a period, cut at its edges."""

    monday: date
    start_utc: datetime
    end_utc: datetime


@dataclass(frozen=True)
class ReportPeriod:
    start: date
    end: date
    zone: ZoneInfo
    start_utc: datetime
    end_utc: datetime
    weeks: tuple[Week, ...]


def rate(approved: int, rejected: int) -> float | None:
    answered = approved + rejected
    return approved / answered if answered else None


@dataclass(frozen=True)
class WeekStates:
    monday: date
    approved: int = 0
    rejected: int = 0
    cancelled: int = 0
    expired: int = 0

    @property
    def approval_rate(self) -> float | None:
        return rate(self.approved, self.rejected)


@dataclass(frozen=True)
class DecisionTimes:
    """Approved and rejected requests of one group (an organization, an action, or all),
    and how long they took, in seconds."""

    key: int | None
    name: str | None
    approved: int
    rejected: int
    median_seconds: float
    p90_seconds: float

    @property
    def decided(self) -> int:
        return self.approved + self.rejected

    @property
    def approval_rate(self) -> float | None:
        return rate(self.approved, self.rejected)


@dataclass(frozen=True)
class AwaitingRequest:
    request_id: int
    ticket_number: int
    organization_name: str | None
    action_name: str
    requested_at: datetime
    deadline: datetime | None
    overdue: bool


@dataclass(frozen=True)
class AwaitingByOrganization:
    organization_id: int | None
    organization_name: str | None
    awaiting: int
    oldest_requested_at: datetime
    overdue: int


@dataclass(frozen=True)
class Listing(Generic[T]):
    """The first rows of a table, and how many it has in all."""

    rows: list[T]
    total: int


@dataclass(frozen=True)
class AwaitingTally:
    """The organizations with most requests awaiting, and how many await in all."""

    by_organization: list[AwaitingByOrganization]
    requests: int
