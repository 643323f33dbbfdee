"""The reports' aggregates (spec §15), each one statement the database answers with
grouped rows: no request row is ever loaded into Python.

Percentiles: PostgreSQL's `percentile_cont`; SQLite has none, so a window query ranks
each group's durations and picks the two values around the percentile's position,
interpolated as `percentile_cont` does (position p·(n−1), 0-based)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Float, Integer, and_, bindparam, case, cast, func, literal, null, select, true, union_all
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from domain.model import RequestState
from domain.report_views import (
    AwaitingByOrganization,
    AwaitingRequest,
    AwaitingTally,
    DecisionTimes,
    Listing,
    ReportPeriod,
    Week,
    WeekStates,
)

from .tables import action_requests, catalog_actions, customers, organizations, tickets
from .types import UTCDateTime


def _hidden_tickets() -> Any:
    """The tickets whose requests await no one: in the trash, or of a customer who is
    (each part found through an index on the trash flag or the customer)."""
    owner = aliased(customers)
    return union_all(
        select(tickets.c.id).where(tickets.c.in_trash == true()),  # `=`, not `IS`: uses the index
        select(tickets.c.id)
        .join(owner, owner.c.id == tickets.c.customer_id)
        .where(owner.c.in_trash == true()),
    )


FINAL = (RequestState.APPROVED, RequestState.REJECTED, RequestState.CANCELLED, RequestState.EXPIRED)
ANSWERED = (RequestState.APPROVED, RequestState.REJECTED)

# Hook for the approval deadline (spec §12), added by another branch as a nullable column
# on action_requests. While the column does not exist no request has a deadline and none
# is overdue; once it does (under this name) the reports read it without another change.
DEADLINE_COLUMN = "deadline"


def _deadline() -> ColumnElement[Any]:
    column = action_requests.c.get(DEADLINE_COLUMN)
    return column if column is not None else null()


def _overdue(now: datetime) -> ColumnElement[Any]:
    column = action_requests.c.get(DEADLINE_COLUMN)
    if column is None:
        return literal(False)
    return and_(column.is_not(None), column < literal(now, UTCDateTime()))


class SqlReports:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def _postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def states_by_week(self, weeks: Sequence[Week]) -> dict[date, WeekStates]:
        if not weeks:
            return {}
        # The week bounds are instants computed in the reader's zone (DST included): each
        # week is then an index range scan on decided_at, on either engine.
        bounds = union_all(*[
            select(
                literal(index, Integer).label("week"),
                literal(week.start_utc, UTCDateTime()).label("starts"),
                literal(week.end_utc, UTCDateTime()).label("ends"),
            )
            for index, week in enumerate(weeks)
        ]).cte("weeks")
        query = (
            select(bounds.c.week, action_requests.c.state, func.count())
            .select_from(bounds.join(action_requests, and_(
                action_requests.c.decided_at >= bounds.c.starts, action_requests.c.decided_at < bounds.c.ends
            )))
            .where(action_requests.c.state.in_(FINAL))
            .group_by(bounds.c.week, action_requests.c.state)
        )
        counts: dict[int, dict[str, int]] = {}
        for week, state, count in self.session.execute(query):
            counts.setdefault(int(week), {})[RequestState(state).value] = int(count)
        return {
            weeks[index].monday: WeekStates(weeks[index].monday, **by_state) for index, by_state in counts.items()
        }

    def decision_times(
        self, period: ReportPeriod, by: Literal["all", "organization", "action"], limit: int | None
    ) -> Listing[DecisionTimes]:
        params: dict[str, Any] = {"start": period.start_utc, "end": period.end_utc}
        if limit is not None:
            params["limit"] = limit
        rows = self.session.execute(_decision_times_query(self._postgres, by, limit is not None), params).all()
        total = int(rows[0].total) if rows else 0
        return Listing([
            DecisionTimes(
                key=None if by == "all" or row[0] is None else int(row[0]), name=row[1],
                approved=int(row.approved), rejected=int(row.rejected),
                median_seconds=float(row.median), p90_seconds=float(row.p90),
            )
            for row in rows
        ], total)

    def _awaiting_source(self) -> tuple[Any, list[ColumnElement[bool]]]:
        owner = aliased(customers)
        source = action_requests.join(tickets, tickets.c.id == action_requests.c.ticket_id).join(
            owner, owner.c.id == tickets.c.customer_id
        ).outerjoin(organizations, organizations.c.id == action_requests.c.organization_id)
        # As the managers see them: a request of a trashed ticket or customer awaits no one.
        scope = [
            action_requests.c.state == RequestState.AWAITING_APPROVAL,
            tickets.c.in_trash.is_(False),
            owner.c.in_trash.is_(False),
        ]
        return source, scope

    def awaiting(self, now: datetime, limit: int | None) -> list[AwaitingRequest]:
        source, scope = self._awaiting_source()
        query = (
            select(
                action_requests.c.id, tickets.c.number, organizations.c.name, action_requests.c.action_name,
                action_requests.c.requested_at, _deadline(), _overdue(now),
            )
            .select_from(source)
            .where(*scope)
            .order_by(action_requests.c.requested_at, action_requests.c.id)
        )
        if limit is not None:
            query = query.limit(limit)  # in index order: stops after `limit` rows
        return [AwaitingRequest(*row) for row in self.session.execute(query)]

    def awaiting_by_organization(self, now: datetime, limit: int) -> AwaitingTally:
        # The trash flags are read from the few trashed tickets and customers, not by
        # joining every awaiting request to its ticket and customer: reading 5,000 ticket
        # rows for one flag each was most of this statement (26 → 14 ms on SQLite).
        source = action_requests
        scope = [
            action_requests.c.state == RequestState.AWAITING_APPROVAL,
            action_requests.c.ticket_id.not_in(_hidden_tickets()),
        ]
        # Grouped by id alone, the names joined to the few groups kept; the window sums
        # the groups before the limit, which spares the listing a count of its own.
        counted = func.count().label("awaiting")
        oldest = func.min(action_requests.c.requested_at).label("oldest")
        grouped = (
            select(action_requests.c.organization_id.label("organization_id"), counted, oldest,
                   func.sum(case((_overdue(now), 1), else_=0)).label("overdue"),
                   func.sum(func.count()).over().label("requests"))
            .select_from(source)
            .where(*scope)
            .group_by(action_requests.c.organization_id)
            .order_by(counted.desc(), oldest, action_requests.c.organization_id)
            .limit(limit)
            .subquery("grouped")
        )
        query = (
            select(grouped.c.organization_id, organizations.c.name, grouped.c.awaiting, grouped.c.oldest,
                   grouped.c.overdue, grouped.c.requests)
            .select_from(grouped.outerjoin(organizations, organizations.c.id == grouped.c.organization_id))
            .order_by(grouped.c.awaiting.desc(), grouped.c.oldest, organizations.c.name)
        )
        rows = self.session.execute(query).all()
        return AwaitingTally(
            [AwaitingByOrganization(row[0], row[1], int(row[2]), row[3], int(row[4] or 0)) for row in rows],
            int(rows[0].requests) if rows else 0,
        )


# The three time tables are the same statement but for their key; built once per engine
# and kind, with the period and the limit as parameters. Building them on each call cost
# more than running them when the period holds no decision (the default page: a sixth of
# its server time went to SQLAlchemy assembling expressions, docs/benchmarks.md §7).
@functools.cache
def _decision_times_query(postgres: bool, by: str, limited: bool) -> Any:
    key: ColumnElement[Any] = {
        "organization": action_requests.c.organization_id,
        "action": action_requests.c.action_id,
    }.get(by, literal(0, Integer))
    decided = (
        select(key.label("key"), action_requests.c.state.label("state"), _seconds(postgres).label("seconds"))
        .select_from(action_requests)
        .where(
            action_requests.c.decided_at >= bindparam("start", type_=UTCDateTime()),
            action_requests.c.decided_at < bindparam("end", type_=UTCDateTime()),
            action_requests.c.state.in_(ANSWERED),
        )
        .subquery("decided")
    )
    grouped = _percentiles(postgres, decided)
    # Slowest first, cut to `limit`, and only then the names joined: an organization
    # report has a group per organization, most of them past the limit.
    kept_query = select(grouped, func.count().over().label("total")).order_by(
        grouped.c.median.desc(), grouped.c.p90.desc(), grouped.c.key
    )
    if limited:
        kept_query = kept_query.limit(bindparam("limit", type_=Integer))
    kept = kept_query.subquery("kept")
    names: Any = {"organization": organizations, "action": catalog_actions}.get(by)
    query = select(
        kept.c.key, names.c.name if names is not None else null(), kept.c.approved, kept.c.rejected,
        kept.c.median, kept.c.p90, kept.c.total,
    ).order_by(kept.c.median.desc(), kept.c.p90.desc(), kept.c.key)
    if names is not None:
        query = query.select_from(kept.outerjoin(names, names.c.id == kept.c.key))
    return query


def _seconds(postgres: bool) -> ColumnElement[float]:
    """decided_at − requested_at in seconds (to the millisecond on SQLite, whose
    julianday arithmetic carries tens of microseconds of rounding)."""
    if postgres:
        return cast(func.extract("epoch", action_requests.c.decided_at - action_requests.c.requested_at), Float)
    return func.round(
        (func.julianday(action_requests.c.decided_at) - func.julianday(action_requests.c.requested_at)) * 86400.0,
        3,
    )


def _percentiles(postgres: bool, decided: Any) -> Any:
    """Per key: approved, rejected, median and p90 of `seconds`."""
    approved = func.sum(case((decided.c.state == RequestState.APPROVED, 1), else_=0)).label("approved")
    rejected = func.sum(case((decided.c.state == RequestState.REJECTED, 1), else_=0)).label("rejected")
    if postgres:
        return (
            select(
                decided.c.key, approved, rejected,
                func.percentile_cont(0.5).within_group(decided.c.seconds).label("median"),
                func.percentile_cont(0.9).within_group(decided.c.seconds).label("p90"),
            )
            .group_by(decided.c.key)
            .subquery("grouped")
        )
    ranked = select(
        decided.c.key, decided.c.state, decided.c.seconds,
        (func.row_number().over(partition_by=decided.c.key, order_by=decided.c.seconds) - 1).label("rank"),
        # The same window as the rank's, framed on the whole group: one sort for both.
        func.count().over(partition_by=decided.c.key, order_by=decided.c.seconds, rows=(None, None)).label("n"),
    ).subquery("ranked")

    def percentile(fraction: float, name: str) -> Any:
        position = literal(fraction, Float) * (ranked.c.n - 1)
        lower = cast(position, Integer)  # truncation: the floor of a position ≥ 0
        below = func.max(case((ranked.c.rank == lower, ranked.c.seconds)))
        above = func.max(case((ranked.c.rank == lower + 1, ranked.c.seconds)))
        return (below + func.max(position - lower) * (func.coalesce(above, below) - below)).label(name)

    return (
        select(
            ranked.c.key,
            func.sum(case((ranked.c.state == RequestState.APPROVED, 1), else_=0)).label("approved"),
            func.sum(case((ranked.c.state == RequestState.REJECTED, 1), else_=0)).label("rejected"),
            percentile(0.5, "median"),
            percentile(0.9, "p90"),
        )
        .group_by(ranked.c.key)
        .subquery("grouped")
    )
