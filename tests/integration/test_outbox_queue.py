"""The outbox as a queue: what is due, in which order, and (PostgreSQL) two workers
claiming at the same moment never take the same message."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from persistence_support import Database, run_together

from domain.model import Channel, OutboxMessage, OutboxStatus

NOW = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)


def _message(
    key: str, *, due_in: timedelta, status: OutboxStatus = OutboxStatus.PENDING, **extra: object
) -> OutboxMessage:
    return OutboxMessage(
        dedup_key=key, channel=Channel.EMAIL, kind="request_created", recipient_kind="customer", recipient_id=1,
        recipient_email="x@example.test", locale=None, payload={"key": key}, status=status,
        next_attempt_at=NOW + due_in, **extra,  # type: ignore[arg-type]
    )


def _queue(db: Database, messages: list[OutboxMessage]) -> None:
    with db.uow() as uow:
        for message in messages:
            uow.outbox.add(message)
        uow.commit()


def test_due_is_pending_messages_whose_time_came_oldest_first(database: Database) -> None:
    _queue(database, [
        _message("later-due", due_in=timedelta(minutes=-1)),
        _message("future", due_in=timedelta(seconds=1)),
        _message("oldest", due_in=timedelta(hours=-2)),
        _message("sent", due_in=timedelta(hours=-3), status=OutboxStatus.SENT),
        _message("failed", due_in=timedelta(hours=-3), status=OutboxStatus.FAILED),
        _message("held", due_in=timedelta(hours=-3), status=OutboxStatus.HELD),
        _message("exactly-now", due_in=timedelta(0)),
        _message("same-time-first-id", due_in=timedelta(minutes=-1)),
        _message("claimed", due_in=timedelta(hours=-1), claimed_until=NOW + timedelta(minutes=5)),
        _message("claim-expired", due_in=timedelta(hours=-1), claimed_until=NOW - timedelta(seconds=1)),
    ])
    with database.uow() as uow:
        keys = [m.dedup_key for m in uow.outbox.due(NOW)]
    assert keys == ["oldest", "claim-expired", "later-due", "same-time-first-id", "exactly-now"]
    with database.uow() as uow:
        assert [m.dedup_key for m in uow.outbox.due(NOW, limit=2)] == ["oldest", "claim-expired"]


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_two_workers_claiming_at_once_get_disjoint_messages(database: Database) -> None:
    _queue(database, [_message(f"m{i:02}", due_in=timedelta(minutes=-60 + i)) for i in range(12)])
    both_hold_their_claim = threading.Barrier(2, timeout=10)

    def claim() -> list[str]:
        with database.uow() as uow:
            keys = [m.dedup_key for m in uow.outbox.due(NOW, limit=5)]
            both_hold_their_claim.wait()  # neither transaction has ended: the row locks are held
            uow.commit()
            return keys

    first, second = run_together(claim, claim)
    assert isinstance(first, list) and isinstance(second, list)
    assert len(first) == len(second) == 5
    assert not set(first) & set(second)

    # A third worker while one still holds its claim gets what is left, in order.
    with database.uow() as holder, database.uow() as other:
        held = [m.dedup_key for m in holder.outbox.due(NOW, limit=5)]
        rest = [m.dedup_key for m in other.outbox.due(NOW, limit=20)]
    assert held == [f"m{i:02}" for i in range(5)]
    assert rest == [f"m{i:02}" for i in range(5, 12)]
