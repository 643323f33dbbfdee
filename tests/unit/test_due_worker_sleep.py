"""The due worker sleeps until the next due time in the database — not a fixed poll —
and a commit that brings a deadline forward wakes it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from unit_desk import Desk

from delivery.due_worker import DueWorker
from domain import admin, approvals, clock
from domain.events import ActionRequested
from domain.model import RequestState

START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_it_sleeps_until_the_earliest_due_time(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: START)
    worker = DueWorker(desk.services, [approvals.expire_overdue], max_sleep=300)
    assert worker.seconds_to_next_due() == 300  # nothing scheduled: the ceiling
    action_id = desk.action_id("Reembolso")
    desk.run(admin.update_action, desk.ana, action_id, "Reembolso", "", True, 2)
    desk.ask(1)
    desk.run(approvals.request_action, desk.bruno, 2, action_id, "", START + timedelta(seconds=40))
    assert worker.seconds_to_next_due() == 40  # the earliest of the two


def test_a_commit_wakes_it_and_it_expires_at_the_deadline(desk: Desk) -> None:
    worker = DueWorker(desk.services, [approvals.expire_overdue], max_sleep=300)
    rounds: list[float] = []
    run_due = worker.run_due

    def counted() -> int:
        rounds.append(time.monotonic())
        return run_due()

    worker.run_due = counted  # type: ignore[method-assign]
    worker.start()
    thread = worker._thread
    try:
        for _ in range(100):
            if rounds:
                break
            time.sleep(0.01)
        time.sleep(0.3)
        assert len(rounds) == 1  # nothing due: it sleeps (up to 300 s), no polling
        request_id = desk.run(
            approvals.request_action, desk.bruno, 1, desk.action_id("Reembolso"), "",
            clock.now() + timedelta(seconds=1.5),
        )
        worker.on_events([ActionRequested(request_id, 1, 1, "Reembolso")])  # what the commit hands on
        deadline = time.monotonic() + 10
        while desk.request(request_id).state != RequestState.EXPIRED:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert 2 <= len(rounds) <= 4  # woken by the commit, then at the deadline
    finally:
        worker.stop()
    # Its own thread: an app started by another test of this process runs a due worker too.
    assert thread is not None and not thread.is_alive()


def test_its_upkeep_runs_at_start_then_at_most_once_a_period(desk: Desk) -> None:
    """The tickets' tallies are folded by this upkeep: at every start (a bulk load's rows),
    then on a wake-up at most once per `upkeep_every`, not after every commit."""
    upkept: list[float] = []
    worker = DueWorker(desk.services, [approvals.expire_overdue], upkeep=lambda: upkept.append(time.monotonic()),
                       upkeep_every=0.5, gather=0.0)
    worker.start()
    try:
        deadline = time.monotonic() + 5
        while not upkept:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        for _ in range(5):  # five commits in quick succession
            worker.wake()
            time.sleep(0.02)
        assert len(upkept) == 1
        time.sleep(0.6)
        worker.wake()
        while len(upkept) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        worker.stop()
    assert upkept[1] - upkept[0] >= 0.5
