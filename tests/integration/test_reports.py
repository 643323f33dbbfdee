"""The reports' figures (spec §15) on both engines, on requests whose answers are worked
out by hand below: weekly counts by final state in the reader's zone, the approval rate,
median and 90th percentile of the time to decision by organization and by action, and
what awaits now — plus the empty period, the period of one decision and an organization
that never decided."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from persistence_support import ANA, BRUNO, JOAO, Database
from sqlalchemy import insert

from domain import reports
from domain.errors import Forbidden, InvalidInput
from domain.model import ActionRequest, Customer, Organization, RequestState
from persistence import tables
from persistence.database import make_engine
from persistence.migrate import alembic_config, upgrade

A, P = "Reembolso", "Reiniciar produção"
APPROVED, REJECTED = RequestState.APPROVED, RequestState.REJECTED
CANCELLED, EXPIRED, AWAITING = RequestState.CANCELLED, RequestState.EXPIRED, RequestState.AWAITING_APPROVAL
NOW = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


# (organization's customer, action, state, requested at, decided after seconds)
# São Paulo is UTC−3 all year: local midnight of 2 March 2026 is 03:00 UTC.
REQUESTS = [
    (JOAO, A, APPROVED, utc(2026, 3, 2, 12), 3600),           # week of 2 March
    (JOAO, A, REJECTED, utc(2026, 3, 3, 12), 10800),          # week of 2 March
    (JOAO, P, APPROVED, utc(2026, 3, 9, 12), 7200),           # week of 9 March
    (JOAO, A, APPROVED, utc(2026, 3, 10, 10), 28800),         # week of 9 March
    ("bia@outra.test", P, APPROVED, utc(2026, 3, 4, 12), 1800),  # week of 2 March
    ("caio@sem.test", A, CANCELLED, utc(2026, 3, 5, 12), 3600),  # week of 2 March, no answer
    ("bia@outra.test", A, EXPIRED, utc(2026, 3, 11, 12), 86400),  # week of 9 March, no answer
    # Decided 1 March 23:59:59 local (02:59:59 UTC on the 2nd): before the period.
    (JOAO, A, APPROVED, utc(2026, 3, 1, 0), 97199),
    # Decided 15 March 23:59:59 local, the period's last second: in, week of 9 March.
    ("bia@outra.test", A, REJECTED, utc(2026, 3, 15, 20, 59, 59), 21600),
    # Decided 16 March 00:00 local: after the period.
    ("bia@outra.test", A, APPROVED, utc(2026, 3, 16, 2), 3600),
    # Decided Sunday 8 March 23:59:59 local, already Monday in UTC: week of 2 March.
    (JOAO, P, REJECTED, utc(2026, 3, 8, 22, 59, 59), 14400),
    # Awaiting now: Filial Norte's since the 18th, Sem Decisão's since the 20th, and one
    # on a ticket in the trash, which awaits no one.
    ("caio@sem.test", A, AWAITING, utc(2026, 3, 20, 9), None),
    (JOAO, P, AWAITING, utc(2026, 3, 18, 9), None),
    ("bia@outra.test", A, AWAITING, utc(2026, 3, 1, 9), "trash"),
]
MARCH = reports.period(date(2026, 3, 2), date(2026, 3, 15))


def _organization(db: Database, name: str) -> int:
    with db.uow() as uow:
        organization = Organization(name)
        uow.organizations.add(organization)
        uow.commit()
        assert organization.id is not None
        return organization.id


def _customer(db: Database, name: str, email: str, organization_id: int) -> None:
    with db.uow() as uow:
        uow.customers.add(Customer(name, email, "x", organization_id))
        uow.commit()


def _request(db: Database, email: str, action: str, state: RequestState, requested_at: datetime,
             seconds: int | str | None) -> int:
    (number,) = db.add_tickets(email, 1)
    action_id, agent_id = db.action_id(action), db.agent(BRUNO).id
    organization_id = db.scalar("SELECT organization_id FROM customers WHERE email = :email", email=email)
    with db.uow() as uow:
        ticket = uow.tickets.by_number(number)
        assert ticket is not None and ticket.id is not None
        request = ActionRequest(ticket.id, action_id, action, "", agent_id, state=state,
                                requested_at=requested_at, organization_id=organization_id)
        if isinstance(seconds, int):
            request.decided_at = requested_at + timedelta(seconds=seconds)
        if seconds == "trash":
            ticket.in_trash = True
        uow.requests.add(request)
        uow.commit()
    return number


@pytest.fixture
def known(database: Database) -> Database:
    _customer(database, "Bia", "bia@outra.test", _organization(database, "Outra SA"))
    _customer(database, "Caio", "caio@sem.test", _organization(database, "Sem Decisão Ltda"))
    for request in REQUESTS:
        _request(database, *request)
    return database


def _overview(db: Database, report_period: reports.ReportPeriod) -> reports.Overview:
    return db.run(reports.overview, db.agent(ANA), report_period, NOW)


def test_requests_by_final_state_per_week_in_the_readers_zone(known: Database) -> None:
    report = _overview(known, MARCH)
    assert [(w.monday, w.approved, w.rejected, w.cancelled, w.expired) for w in report.weeks] == [
        (date(2026, 3, 2), 2, 2, 1, 0),
        (date(2026, 3, 9), 2, 1, 0, 1),
    ]
    assert report.approval_rate == pytest.approx(4 / 7)
    assert [w.approval_rate for w in report.weeks] == [pytest.approx(0.5), pytest.approx(2 / 3)]


def test_time_to_decision_overall_by_organization_and_by_action(known: Database) -> None:
    report = _overview(known, MARCH)
    # 1800, 3600, 7200, 10800, 14400, 21600, 28800 s: median the 4th, p90 at position 5.4.
    assert report.overall is not None
    assert (report.overall.approved, report.overall.rejected) == (4, 3)
    assert report.overall.median_seconds == pytest.approx(10800)
    assert report.overall.p90_seconds == pytest.approx(21600 + 0.4 * 7200)

    # Slowest median first; Sem Decisão Ltda never answered and is not listed.
    rows = [(r.name, r.approved, r.rejected, r.median_seconds, r.p90_seconds) for r in report.by_organization.rows]
    assert rows == [
        ("Outra SA", 1, 1, pytest.approx(11700), pytest.approx(19620)),  # 1800, 21600
        ("Filial Norte", 3, 2, pytest.approx(10800), pytest.approx(23040)),  # 3600 … 28800
    ]
    assert report.by_organization.total == 2
    assert report.by_organization.rows[1].approval_rate == pytest.approx(0.6)

    rows = [(r.name, r.approved, r.rejected, r.median_seconds, r.p90_seconds) for r in report.by_action.rows]
    assert rows == [
        (A, 2, 2, pytest.approx(16200), pytest.approx(26640)),  # 3600, 10800, 21600, 28800
        (P, 2, 1, pytest.approx(7200), pytest.approx(12960)),  # 1800, 7200, 14400
    ]


def test_awaiting_now_oldest_first_without_the_trash(known: Database) -> None:
    report = _overview(known, MARCH)
    rows = [(r.organization_name, r.action_name, r.requested_at, r.overdue) for r in report.awaiting.rows]
    assert rows == [
        ("Filial Norte", P, utc(2026, 3, 18, 9), False),
        ("Sem Decisão Ltda", A, utc(2026, 3, 20, 9), False),
    ]
    assert report.awaiting.total == 2
    assert all(r.deadline is None for r in report.awaiting.rows)  # no deadline field yet
    grouped = [(g.organization_name, g.awaiting, g.oldest_requested_at, g.overdue)
               for g in report.awaiting_by_organization]
    assert grouped == [("Filial Norte", 1, utc(2026, 3, 18, 9), 0), ("Sem Decisão Ltda", 1, utc(2026, 3, 20, 9), 0)]


def test_a_period_of_one_decision(known: Database) -> None:
    report = _overview(known, reports.period(date(2026, 3, 16), date(2026, 3, 16)))
    assert [(w.monday, w.approved, w.rejected) for w in report.weeks] == [(date(2026, 3, 16), 1, 0)]
    assert report.overall is not None
    assert (report.overall.median_seconds, report.overall.p90_seconds) == (pytest.approx(3600), pytest.approx(3600))
    assert [(r.name, r.median_seconds) for r in report.by_organization.rows] == [("Outra SA", pytest.approx(3600))]
    assert report.approval_rate == 1.0


def test_an_empty_period(known: Database) -> None:
    report = _overview(known, reports.period(date(2026, 1, 1), date(2026, 1, 31)))
    assert [w.monday for w in report.weeks] == [date(2025, 12, 29) + timedelta(weeks=n) for n in range(5)]
    assert all((w.approved, w.rejected, w.cancelled, w.expired) == (0, 0, 0, 0) for w in report.weeks)
    assert report.overall is None
    assert report.approval_rate is None
    assert report.by_organization == reports.Listing([], 0)
    assert report.by_action == reports.Listing([], 0)
    assert report.awaiting.total == 2  # what awaits now does not depend on the period


def test_whole_tables_have_every_row_and_only_the_account_manager_reads_them(known: Database) -> None:
    ana = known.agent(ANA)
    organizations = known.run(reports.whole_table, ana, reports.ReportTable.ORGANIZATIONS, MARCH, NOW)
    assert [row.name for row in organizations] == ["Outra SA", "Filial Norte"]
    assert len(known.run(reports.whole_table, ana, reports.ReportTable.AWAITING, MARCH, NOW)) == 2
    assert len(known.run(reports.whole_table, ana, reports.ReportTable.WEEKS, MARCH, NOW)) == 2
    bruno = known.agent(BRUNO)
    with pytest.raises(Forbidden):
        known.run(reports.overview, bruno, MARCH, NOW)
    with pytest.raises(Forbidden):
        known.run(reports.whole_table, bruno, reports.ReportTable.AWAITING, MARCH, NOW)
    with pytest.raises(Forbidden):
        known.run(reports.awaiting_now, bruno, NOW)


def test_periods_are_checked() -> None:
    with pytest.raises(InvalidInput):
        reports.period(date(2026, 3, 2), date(2026, 3, 1))
    with pytest.raises(InvalidInput):
        reports.period(date(2024, 1, 1), date(2026, 1, 1))
    with pytest.raises(InvalidInput):
        reports.parse_period("2026-03-01", "ontem", NOW)
    default = reports.parse_period("", "", NOW)
    assert (default.start, default.end) == (date(2026, 2, 24), date(2026, 3, 25))
    assert default.start_utc == utc(2026, 2, 24, 3)


def test_the_migration_gives_existing_requests_their_organization(empty_database_url: str) -> None:
    """Requests made before the reports existed are grouped by their ticket's customer's
    organization, filled in by the migration that adds the column."""
    engine = make_engine(empty_database_url)
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0004")
        at = utc(2026, 3, 2, 12)
        with engine.begin() as connection:
            connection.execute(insert(tables.organizations), [{"id": 7, "name": "Antiga SA"}])
            connection.execute(insert(tables.customers), [
                {"id": 1, "name": "Cléo", "email": "cleo@antiga.test", "password_hash": "x", "organization_id": 7},
                {"id": 2, "name": "Lia", "email": "lia@avulsa.test", "password_hash": "x", "organization_id": None},
            ])
            connection.execute(insert(tables.agents), [
                {"id": 1, "name": "Ana", "email": "ana@x.test", "password_hash": "x", "role": "admin"}
            ])
            connection.execute(insert(tables.catalog_actions), [{"id": 1, "name": A, "name_key": "reembolso"}])
            connection.execute(insert(tables.tickets), [
                {"id": n, "number": n, "subject": "S", "customer_id": n, "status": "open", "created_at": at,
                 "updated_at": at}
                for n in (1, 2)
            ])
            connection.execute(insert(tables.action_requests), [
                {"id": n, "ticket_id": n, "action_id": 1, "action_name": A, "state": "approved",
                 "requested_by_agent_id": 1, "requested_at": at, "decided_at": at, "version": 2}
                for n in (1, 2)
            ])
        upgrade(engine)
        with engine.connect() as connection:
            found = connection.exec_driver_sql("SELECT id, organization_id FROM action_requests ORDER BY id").all()
        assert [tuple(row) for row in found] == [(1, 7), (2, None)]
    finally:
        engine.dispose()
