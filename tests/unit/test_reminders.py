"""Spec §12, reminders, with the clock pinned: *Lembretes* every N hours at most M times
to the managers who have not answered, by e-mail and push; the night (20:00–08:00 in the
manager's zone) waits for 08:00, in a zone without DST (São Paulo) and one with it (New
York); *Lembrar gerentes* at most once an hour per request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from unit_desk import Desk

from domain import admin, approvals, clock, profile, reminders
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.model import HistoryKind
from domain.quiet_hours import quiet_until

# 12:00 UTC is 09:00 in São Paulo (UTC-3 all year) and 07:00 in New York (UTC-5 in winter).
START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SAO_PAULO, NEW_YORK = ZoneInfo("America/Sao_Paulo"), ZoneInfo("America/New_York")


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = START
        monkeypatch.setattr(clock, "now", lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def reminder_mails(desk: Desk) -> list[tuple[str, str]]:
    return [
        (m.recipient_email, m.dedup_key.split(":")[3])
        for m in desk.outbox()
        if m.kind == "request_reminder" and m.channel == "email"
    ]


def run_rounds(desk: Desk) -> None:
    while desk.run(reminders.send_reminders) == reminders.REMINDER_BATCH:
        pass


# --- quiet hours ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utc", "zone", "expected"),
    [
        (datetime(2026, 11, 30, 12, 0, tzinfo=UTC), SAO_PAULO, None),  # 09:00 there
        (datetime(2026, 11, 30, 22, 59, tzinfo=UTC), SAO_PAULO, None),  # 19:59
        (datetime(2026, 11, 30, 23, 0, tzinfo=UTC), SAO_PAULO, datetime(2026, 12, 1, 11, 0, tzinfo=UTC)),  # 20:00
        (datetime(2026, 12, 1, 10, 59, tzinfo=UTC), SAO_PAULO, datetime(2026, 12, 1, 11, 0, tzinfo=UTC)),  # 07:59
        (datetime(2026, 11, 30, 12, 0, tzinfo=UTC), NEW_YORK, datetime(2026, 11, 30, 13, 0, tzinfo=UTC)),  # 07:00 EST
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), NEW_YORK, None),  # 08:00 EDT
        # The night DST ends in New York (1 Nov 2026, 02:00 EDT -> 01:00 EST): 08:00 EST is 13:00 UTC.
        (datetime(2026, 11, 1, 3, 0, tzinfo=UTC), NEW_YORK, datetime(2026, 11, 1, 13, 0, tzinfo=UTC)),
        # The night DST starts (8 Mar 2026, 02:00 EST -> 03:00 EDT): 08:00 EDT is 12:00 UTC.
        (datetime(2026, 3, 8, 5, 0, tzinfo=UTC), NEW_YORK, datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
    ],
)
def test_the_night_waits_for_eight_in_the_morning_on_the_person_s_clock(
    utc: datetime, zone: ZoneInfo, expected: datetime | None
) -> None:
    assert quiet_until(utc, zone) == expected


# --- the setting -----------------------------------------------------------------------


def test_reminders_are_off_by_default(desk: Desk, pinned: Clock) -> None:
    assert desk.run(admin.reminder_settings, desk.ana) == (None, 0)
    desk.ask(1)
    pinned.advance(days=10)
    run_rounds(desk)
    assert reminder_mails(desk) == []


@pytest.mark.parametrize(("every", "times"), [(0, 3), (721, 3), (24, 0), (24, 21), (1.5, 3), (24, True)])
def test_a_setting_out_of_range_is_refused(desk: Desk, every: object, times: object) -> None:
    with pytest.raises(InvalidInput):
        desk.run(admin.set_reminders, desk.ana, every, times)
    assert desk.run(admin.reminder_settings, desk.ana) == (None, 0)


def test_only_the_account_manager_sets_reminders(desk: Desk) -> None:
    with pytest.raises(Forbidden):
        desk.run(admin.set_reminders, desk.bruno, 24, 3)


# --- rounds ----------------------------------------------------------------------------


def test_every_n_hours_at_most_m_times_to_each_manager_by_mail_and_push(desk: Desk, pinned: Clock) -> None:
    desk.run(admin.set_reminders, desk.ana, 2, 2)
    desk.run(approvals.request_action, desk.bruno, 1, desk.action_id("Reembolso"), "", None)
    pinned.advance(hours=1, minutes=59)
    run_rounds(desk)
    assert reminder_mails(desk) == []  # not yet
    pinned.advance(minutes=1)  # 14:00 UTC, 11:00 in São Paulo: daytime for both managers
    run_rounds(desk)
    assert sorted(reminder_mails(desk)) == [("fabio.gerente@demo.test", "1"), ("marcia.gerente@demo.test", "1")]
    run_rounds(desk)
    assert len(reminder_mails(desk)) == 2  # a round happens once
    pinned.advance(hours=2)
    run_rounds(desk)
    assert len(reminder_mails(desk)) == 4
    pinned.advance(hours=10)
    run_rounds(desk)
    assert len(reminder_mails(desk)) == 4  # at most two rounds
    assert desk.outbox()[-1].payload["path"].startswith("/portal/approvals/")


def test_a_manager_who_answered_is_reminded_no_more(desk: Desk, pinned: Clock) -> None:
    desk.run(admin.set_reminders, desk.ana, 1, 5)
    request_id = desk.run(approvals.request_action, desk.bruno, 1, desk.action_id("Reembolso"), "", None)
    desk.run(approvals.approve, desk.fabio, request_id)
    pinned.advance(hours=3)
    run_rounds(desk)
    assert reminder_mails(desk) == []


def test_a_reminder_in_a_manager_s_night_waits_for_their_morning(desk: Desk, pinned: Clock) -> None:
    desk.run(profile.set_time_zone, desk.fabio, "America/New_York")
    desk.run(admin.set_reminders, desk.ana, 1, 1)
    pinned.now = START - timedelta(hours=1)
    desk.run(approvals.request_action, desk.bruno, 1, desk.action_id("Reembolso"), "", None)
    pinned.advance(hours=1)  # 12:00 UTC: 09:00 in São Paulo, 07:00 in New York
    run_rounds(desk)
    assert reminder_mails(desk) == [("marcia.gerente@demo.test", "1")]  # Fábio sleeps
    pinned.advance(minutes=59)
    run_rounds(desk)
    assert reminder_mails(desk) == [("marcia.gerente@demo.test", "1")]
    pinned.advance(minutes=1)  # 08:00 in New York
    run_rounds(desk)
    assert sorted(reminder_mails(desk)) == [("fabio.gerente@demo.test", "1"), ("marcia.gerente@demo.test", "1")]
    pinned.advance(days=2)
    run_rounds(desk)
    assert len(reminder_mails(desk)) == 2


# --- Lembrar gerentes ------------------------------------------------------------------


def test_lembrar_gerentes_once_an_hour_with_a_history_entry(desk: Desk, pinned: Clock) -> None:
    request_id = desk.ask(1)
    desk.run(reminders.remind_managers, desk.bruno, request_id)
    mails = [m for m in desk.outbox() if m.kind == "request_reminder"]
    assert sorted(m.recipient_email for m in mails) == ["fabio.gerente@demo.test", "marcia.gerente@demo.test"]
    assert [e.actor_name for e in desk.history(1) if e.kind == HistoryKind.MANAGERS_REMINDED] == ["Bruno Agente"]
    pinned.advance(minutes=59)
    with pytest.raises(Conflict) as refused:
        desk.run(reminders.remind_managers, desk.bruno, request_id)
    assert refused.value.params["when"] == START + timedelta(hours=1)
    assert len([m for m in desk.outbox() if m.kind == "request_reminder"]) == 2  # nothing more
    pinned.advance(minutes=1)
    desk.run(reminders.remind_managers, desk.bruno, request_id)
    assert len([m for m in desk.outbox() if m.kind == "request_reminder"]) == 4


def test_lembrar_gerentes_is_for_the_ticket_s_agents_only(desk: Desk, pinned: Clock) -> None:
    request_id = desk.ask(1)
    with pytest.raises(Forbidden):
        desk.run(reminders.remind_managers, desk.carla, request_id)
    assert [m for m in desk.outbox() if m.kind == "request_reminder"] == []
