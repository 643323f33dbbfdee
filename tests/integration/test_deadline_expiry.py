"""Spec §12 on both engines: a deadline that passed while the app was down expires the
request at start (one mail); two workers never expire a request twice nor send a reminder
round twice; an expiry racing a manager's approval ends in one consistent state with one
evaluation mail; a reminder round costs the same statements whatever its size (its
fresh e-mail links included)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from persistence_support import BRUNO, FABIO, JOAO, Database, RacingUnitOfWork, run_together
from sqlalchemy import event, text

from delivery.due_worker import DueWorker
from domain import admin, approvals, clock, reminders
from domain.errors import AlreadyDecided
from domain.events import ActionApproved, ActionExpired
from domain.ports import UnitOfWork

ROUNDS = 20
PAST = datetime(2020, 1, 1, tzinfo=UTC)
DAYTIME = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def _with_deadline(db: Database, hours: int = 1) -> int:
    action_id = db.action_id("Reembolso")
    db.run(admin.update_action, db.agent("ana.admin@demo.test"), action_id, "Reembolso", "", True, hours)
    return action_id


def _request(db: Database, number: int, action_id: int) -> int:
    return int(db.run(approvals.request_action, db.agent(BRUNO), number, action_id))


def _overdue(db: Database, request_id: int) -> None:
    """As if its deadline had passed a while ago (SQLite keeps naive UTC)."""
    stamp = PAST if db.kind == "postgresql" else PAST.replace(tzinfo=None)
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE action_requests SET deadline = :at WHERE id = :id"), {"at": stamp, "id": request_id}
        )
        connection.execute(
            text("UPDATE due_work SET due_at = :at WHERE subject_id = :id AND kind = 'expire_request'"),
            {"at": stamp, "id": request_id},
        )


def _count(db: Database, sql: str, **params: Any) -> int:
    return int(db.scalar(sql, **params))


def _evaluation_mails(db: Database, request_id: int) -> int:
    return _count(
        db,
        "SELECT count(*) FROM outbox_messages WHERE kind = 'request_evaluated' AND dedup_key LIKE :k",
        k=f"request:{request_id}:%",
    )


def test_a_deadline_passed_while_the_app_was_down_expires_at_start_with_one_mail(database: Database) -> None:
    action_id = _with_deadline(database)
    [number] = database.add_tickets(JOAO, 1)
    request_id = _request(database, number, action_id)
    _overdue(database, request_id)  # the deadline passed; no worker ran meanwhile

    worker = DueWorker(database.services, [approvals.expire_overdue])
    worker.start()  # what main.build starts with the app
    try:
        deadline = time.monotonic() + 20
        while database.scalar("SELECT state FROM action_requests WHERE id = :id", id=request_id) != "expired":
            assert time.monotonic() < deadline, "not expired at start"
            time.sleep(0.05)
    finally:
        worker.stop()
    assert _evaluation_mails(database, request_id) == 1  # Bruno: assignee and requester
    assert _count(database, "SELECT count(*) FROM due_work") == 0
    # A second start finds nothing more to do.
    assert DueWorker(database.services, [approvals.expire_overdue]).run_due() == 0
    assert _evaluation_mails(database, request_id) == 1


def test_two_workers_expire_each_request_exactly_once(database: Database) -> None:
    action_id = _with_deadline(database)
    numbers = database.add_tickets(JOAO, ROUNDS * 3)
    for round_index in range(ROUNDS):
        batch = numbers[round_index * 3 : round_index * 3 + 3]
        request_ids = [_request(database, number, action_id) for number in batch]
        for request_id in request_ids:
            _overdue(database, request_id)
        barrier = threading.Barrier(2, timeout=20)

        def instance(barrier: threading.Barrier = barrier) -> int:
            barrier.wait()
            worker = DueWorker(database.services, [approvals.expire_overdue], batch_size=1)
            return worker.run_due()

        taken = run_together(instance, instance)
        assert all(isinstance(t, int) for t in taken), taken
        for request_id in request_ids:
            assert database.scalar("SELECT state FROM action_requests WHERE id = :id", id=request_id) == "expired"
            expiries = _count(
                database,
                "SELECT count(*) FROM history_entries WHERE request_id = :id AND kind = 'action_expired'",
                id=request_id,
            )
            assert expiries == 1
            assert _evaluation_mails(database, request_id) == 1
    assert len([e for e in database.events if isinstance(e, ActionExpired)]) == ROUNDS * 3


def test_an_expiry_racing_an_approval_ends_consistently_with_one_evaluation_mail(database: Database) -> None:
    action_id = _with_deadline(database)
    fabio = database.customer(FABIO)
    numbers = database.add_tickets(JOAO, ROUNDS)
    outcomes: dict[str, int] = {"approved": 0, "expired": 0}
    for number in numbers:
        request_id = _request(database, number, action_id)
        _overdue(database, request_id)
        calls: list[Callable[[UnitOfWork], Any]] = [
            lambda uow, request_id=request_id: approvals.approve(uow, fabio, request_id),
            lambda uow: approvals.expire_overdue(uow),
        ]
        barrier = threading.Barrier(2, timeout=20)

        def start(call: Callable[[UnitOfWork], Any], barrier: threading.Barrier = barrier) -> Callable[[], Any]:
            if database.kind == "postgresql":
                uow = RacingUnitOfWork(database, barrier)
                return lambda: call(uow)

            def queued() -> Any:
                barrier.wait()
                return call(database.uow())

            return queued

        approval, expiry = run_together(*[start(call) for call in calls])
        state, version = database.rows("SELECT state, version FROM action_requests WHERE id = :id", id=request_id)[0]
        assert state in outcomes
        outcomes[state] += 1
        assert version == 2  # requested, then changed once
        if state == "approved":
            assert approval is None and expiry == 1  # the expiry found it decided
        else:
            assert isinstance(approval, AlreadyDecided), approval
            assert approval.message == "This action expired at {when}: its approval deadline passed."
        history = database.rows("SELECT kind FROM history_entries WHERE request_id = :id ORDER BY id", id=request_id)
        assert [h[0] for h in history] == ["action_requested", f"action_{state}"]
        assert _evaluation_mails(database, request_id) == 1
    assert sum(outcomes.values()) == ROUNDS
    approved = [e for e in database.events if isinstance(e, ActionApproved)]
    expired = [e for e in database.events if isinstance(e, ActionExpired)]
    assert (len(approved), len(expired)) == (outcomes["approved"], outcomes["expired"])


def _all_reminders_due(db: Database) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE due_work SET due_at = :at WHERE kind = 'remind_request'"),
            {"at": PAST if db.kind == "postgresql" else PAST.replace(tzinfo=None)},
        )


def _reminder_mails(db: Database) -> int:
    return _count(db, "SELECT count(*) FROM outbox_messages WHERE kind = 'request_reminder' AND channel = 'email'")


def test_two_workers_send_each_reminder_round_once(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: DAYTIME)  # 12:00 in São Paulo: nobody's night
    database.run(admin.set_reminders, database.agent("ana.admin@demo.test"), 1, ROUNDS)
    action_id = database.action_id("Reembolso")
    requests = [_request(database, number, action_id) for number in database.add_tickets(JOAO, 3)]
    managers = 2  # Fábio (Filial Norte) and Márcia (its parent, Matriz Ltda)
    for round_number in range(1, ROUNDS + 1):
        _all_reminders_due(database)
        barrier = threading.Barrier(2, timeout=20)

        def instance(barrier: threading.Barrier = barrier) -> int:
            barrier.wait()
            return DueWorker(database.services, [reminders.send_reminders], batch_size=1).run_due()

        taken = run_together(instance, instance)
        assert all(isinstance(t, int) for t in taken), taken
        assert _reminder_mails(database) == round_number * len(requests) * managers
    keys = database.rows("SELECT dedup_key FROM outbox_messages WHERE kind = 'request_reminder'")
    assert len(keys) == len({k[0] for k in keys})


def _statements_of_a_round(db: Database, requests: int) -> int:
    action_id = db.action_id("Reembolso")
    for number in db.add_tickets(JOAO, requests):
        _request(db, number, action_id)
    _all_reminders_due(db)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        taken = db.run(reminders.send_reminders, 100)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert taken == requests
    # Every reminded manager's fresh one-decision links, all requests of the round at once.
    assert sum(s.lstrip().startswith("INSERT INTO email_links") for s in statements) == 1
    with db.engine.begin() as connection:  # the next measure starts from nothing due
        connection.execute(text("DELETE FROM due_work"))
        connection.execute(text("UPDATE action_requests SET state = 'cancelled' WHERE state = 'awaiting_approval'"))
    return len(statements)


def test_a_reminder_round_costs_the_same_statements_for_5_or_50_requests(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "now", lambda: DAYTIME)
    database.run(admin.set_reminders, database.agent("ana.admin@demo.test"), 1, 3)
    few, many = _statements_of_a_round(database, 5), _statements_of_a_round(database, 50)
    assert few == many, (few, many)
