"""Stand-ins on SQLite and PostgreSQL (spec §13): absences stored and read back, the
periods read by stand-in and by manager, the badge and list of a stand-in while the period
runs, and the one-answer-per-place index under a multi-answer rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from persistence_support import ANA, BRUNO, FABIO, JOAO, MARCIA, Database

from domain import admin, approvals, clock, standins
from domain.errors import Conflict
from domain.model import ApprovalRule, DueKind, RequestAnswer, RequestState
from domain.standins import Absence, AbsenceState

HOUR = timedelta(hours=1)


def _ids(db: Database) -> tuple[int, int, int]:
    return db.customer(FABIO).id, db.customer(JOAO).id, db.customer(MARCIA).id


def test_absences_round_trip_and_are_read_by_period(database: Database) -> None:
    fabio, joao, marcia = _ids(database)
    now = clock.now()
    running = database.run(standins.add_absence, database.customer(FABIO), joao, now - HOUR, now + HOUR)
    later = database.run(standins.add_absence, database.customer(FABIO), marcia, now + 2 * HOUR, now + 3 * HOUR)

    with database.uow() as uow:
        stored = uow.absences.get(running)
        assert stored is not None
        assert (stored.manager_id, stored.standin_id, stored.ends_at) == (fabio, joao, now + HOUR)
        assert stored.starts_at.tzinfo is not None  # UTC in, UTC out
        assert [a.id for a in uow.absences.running_for_standins([joao, marcia], now)] == [running]
        assert [a.id for a in uow.absences.running_for_managers([fabio], now + 2 * HOUR)] == [later]
        assert [a.id for a in uow.absences.of_manager(fabio)] == [later, running]  # latest first
        assert uow.due_work.of_subject(DueKind.ABSENCE_STARTS, later) is not None
        assert uow.due_work.of_subject(DueKind.ABSENCE_STARTS, running) is None  # began already
        assert uow.due_work.of_subject(DueKind.ABSENCE_ENDS, running) is not None

    views = database.run(standins.absences, database.agent(ANA), fabio)
    assert [(v.standin_name, v.state) for v in views] == [
        ("Márcia Gerente", AbsenceState.UPCOMING),
        ("João Cliente", AbsenceState.RUNNING),
    ]


def test_a_stand_in_badge_and_list_follow_the_period(database: Database) -> None:
    _fabio, joao, _marcia = _ids(database)
    bruno = database.agent(BRUNO)
    request_id = database.run(approvals.request_action, bruno, 1, database.action_id("Reembolso"))
    stand_in = database.customer(JOAO)
    assert database.run(approvals.pending_count, stand_in) == 0

    now = clock.now()
    absence_id = database.run(standins.add_absence, database.customer(FABIO), joao, now - HOUR, now + HOUR)

    assert database.run(approvals.pending_count, stand_in) == 1
    assert [r.id for r in database.run(approvals.pending_approvals, stand_in).items] == [request_id]
    assert database.run(approvals.pending_counts, [stand_in])[stand_in] == 1

    database.run(standins.end_absence, database.customer(FABIO), absence_id)
    assert database.run(approvals.pending_count, stand_in) == 0
    assert database.run(approvals.pending_counts, [stand_in])[stand_in] == 0


def test_one_answer_per_place_under_all_managers(database: Database) -> None:
    fabio, joao, _marcia = _ids(database)
    action_id = database.action_id("Reiniciar produção")
    database.run(
        admin.update_action, database.agent(ANA), action_id, "Reiniciar produção", "", True, "keep",
        ApprovalRule.ALL, None,
    )
    request_id = database.run(approvals.request_action, database.agent(BRUNO), 1, action_id)
    now = clock.now()
    database.run(standins.add_absence, database.customer(FABIO), joao, now - HOUR, now + HOUR)

    database.run(approvals.approve, database.customer(JOAO), request_id)  # in Fábio's place
    assert database.run(approvals.pending_count, database.customer(FABIO)) == 0
    assert database.run(approvals.pending_count, database.customer(MARCIA)) == 1

    # The database itself refuses a second answer in Fábio's place, whoever gives it.
    with pytest.raises(Conflict, match="already answered"), database.uow() as uow:
        uow.answers.add(RequestAnswer(request_id=request_id, customer_id=fabio, approved=True))
        uow.flush()

    database.run(approvals.approve, database.customer(MARCIA), request_id)
    with database.uow() as uow:
        request = uow.requests.get(request_id)
        assert request is not None and request.state == RequestState.APPROVED
    assert Absence  # the entity is the domain's own
