"""Reports for the account manager (spec §15): how fast each organization decides.

Every figure is an aggregate the database computes (persistence/reports.py); this module
says what the figures mean, fixes the period in the reader's time zone and refuses anyone
but the account manager, checked at each call — the CSV downloads included.

Definitions:
- A period is a range of whole local days, `start` to `end` inclusive, in the reader's
  zone: from `start` 00:00 to the midnight after `end`, turned into UTC for the queries.
- Weeks are ISO weeks, Monday 00:00 to the next Monday 00:00 in the reader's zone. The
  first and last week of a period are cut at its edges (a week only counts what falls
  inside the period); each is labelled by its Monday.
- A request counts in the week it reached its final state (approved, rejected,
  cancelled, expired: `decided_at`). Requests still awaiting are in "awaiting now".
- Approval rate = approved / (approved + rejected) of the requests decided in the period.
  Cancelled and expired requests are not a manager's answer: they are counted and shown,
  but stay out of the rate (a period without an answer has no rate, not 0 %).
- A request's organization is its ticket's customer's when the request was made (the
  one asked to decide), kept on the request.
- Time to decision = decided_at − requested_at of the approved and rejected requests
  decided in the period; median and 90th percentile are continuous percentiles (linear
  interpolation between the two nearest values, PostgreSQL's `percentile_cont`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from .access import Actor, require_admin
from .errors import InvalidInput
from .messages import N_
from .ports import UnitOfWork
from .report_views import (
    AwaitingByOrganization,
    AwaitingRequest,
    DecisionTimes,
    Listing,
    ReportPeriod,
    Week,
    WeekStates,
    rate,
)
from .service import read_only

# The reader's zone until each person has one (spec §12: AVAL_TIMEZONE's default).
DEFAULT_ZONE = ZoneInfo("America/Sao_Paulo")
DEFAULT_DAYS = 30
MAX_DAYS = 731  # two years: about 105 weeks in the weekly chart
# Rows a page shows of a table that may be long (one per organization); its CSV has all.
PAGE_ROWS = 100
# Bars of a chart by organization.
CHART_ROWS = 15


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant a local day begins, in UTC (a day beginning in a DST gap starts at the
    first instant that exists)."""
    local = datetime.combine(day, time(0), tzinfo=zone)
    return local.astimezone(UTC)


def period(start: date, end: date, zone: ZoneInfo = DEFAULT_ZONE) -> ReportPeriod:
    """The period from `start` to `end` inclusive, local days of `zone`."""
    if end < start:
        raise InvalidInput(N_("The end of the period comes before its start."))
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput(N_("A period of at most {days} days, please."), days=MAX_DAYS)
    start_utc = _local_midnight(start, zone)
    end_utc = _local_midnight(end + timedelta(days=1), zone)
    weeks = []
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        next_monday = monday + timedelta(days=7)
        weeks.append(Week(
            monday,
            max(start_utc, _local_midnight(monday, zone)),
            min(end_utc, _local_midnight(next_monday, zone)),
        ))
        monday = next_monday
    return ReportPeriod(start, end, zone, start_utc, end_utc, tuple(weeks))


def default_period(now: datetime, zone: ZoneInfo = DEFAULT_ZONE) -> ReportPeriod:
    """The last 30 days, today included, in the reader's zone."""
    today = now.astimezone(zone).date()
    return period(today - timedelta(days=DEFAULT_DAYS - 1), today, zone)


def parse_period(start: str, end: str, now: datetime, zone: ZoneInfo = DEFAULT_ZONE) -> ReportPeriod:
    """A period from the page's two dates (YYYY-MM-DD); both empty: the default."""
    if not start.strip() and not end.strip():
        return default_period(now, zone)
    try:
        first, last = date.fromisoformat(start.strip()), date.fromisoformat(end.strip())
    except ValueError:
        raise InvalidInput(N_("Give the period as two dates.")) from None
    return period(first, last, zone)


@dataclass(frozen=True)
class Overview:
    period: ReportPeriod
    weeks: list[WeekStates]
    overall: DecisionTimes | None
    by_organization: Listing[DecisionTimes]
    by_action: Listing[DecisionTimes]
    awaiting: Listing[AwaitingRequest]
    awaiting_by_organization: list[AwaitingByOrganization]

    def total(self, state: str) -> int:
        return sum(getattr(week, state) for week in self.weeks)

    @property
    def approval_rate(self) -> float | None:
        return rate(self.total("approved"), self.total("rejected"))


@dataclass(frozen=True)
class AwaitingNow:
    requests: Listing[AwaitingRequest]
    by_organization: list[AwaitingByOrganization]


class ReportTable(StrEnum):
    WEEKS = "weeks"
    ORGANIZATIONS = "organizations"
    ACTIONS = "actions"
    AWAITING = "awaiting"


# --- use cases ----------------------------------------------------------------------------


def _weeks(uow: UnitOfWork, report_period: ReportPeriod) -> list[WeekStates]:
    counted = uow.reports.states_by_week(report_period.weeks)
    return [counted.get(week.monday, WeekStates(week.monday)) for week in report_period.weeks]


def _awaiting_now(uow: UnitOfWork, now: datetime, limit: int) -> AwaitingNow:
    tally = uow.reports.awaiting_by_organization(now, CHART_ROWS)
    rows = uow.reports.awaiting(now, limit) if tally.requests else []
    return AwaitingNow(Listing(rows, tally.requests), tally.by_organization)


@read_only
def overview(uow: UnitOfWork, actor: Actor, report_period: ReportPeriod, now: datetime) -> Overview:
    """Everything /agent/reports shows, for the account manager only."""
    with uow:
        require_admin(uow, actor)
        overall = uow.reports.decision_times(report_period, "all", None).rows
        awaiting = _awaiting_now(uow, now, PAGE_ROWS)
        return Overview(
            period=report_period,
            weeks=_weeks(uow, report_period),
            overall=overall[0] if overall else None,
            by_organization=uow.reports.decision_times(report_period, "organization", PAGE_ROWS),
            by_action=uow.reports.decision_times(report_period, "action", PAGE_ROWS),
            awaiting=awaiting.requests,
            awaiting_by_organization=awaiting.by_organization,
        )


@read_only
def awaiting_now(uow: UnitOfWork, actor: Actor, now: datetime) -> AwaitingNow:
    """The "awaiting now" part alone: what a page re-reads when a request moves."""
    with uow:
        require_admin(uow, actor)
        return _awaiting_now(uow, now, PAGE_ROWS)


@read_only
def whole_table(
    uow: UnitOfWork, actor: Actor, table: ReportTable, report_period: ReportPeriod, now: datetime
) -> list[WeekStates] | list[DecisionTimes] | list[AwaitingRequest]:
    """Every row of one table, for its CSV download (the page shows the first ones)."""
    with uow:
        require_admin(uow, actor)
        if table == ReportTable.WEEKS:
            return _weeks(uow, report_period)
        if table == ReportTable.ORGANIZATIONS:
            return uow.reports.decision_times(report_period, "organization", None).rows
        if table == ReportTable.ACTIONS:
            return uow.reports.decision_times(report_period, "action", None).rows
        return uow.reports.awaiting(now, None)


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheets read the accents right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")
