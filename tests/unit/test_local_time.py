"""Every instant a person reads is in their language and time zone (spec §12): the one
formatting of i18n_time.py, the 'already decided at …' refusal, and the person's choice
of zone on the profile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from unit_desk import Desk

import i18n_time
from domain import approvals, clock, profile
from domain.errors import AlreadyDecided, InvalidInput
from ui.i18n import translate_error

NOON_UTC = datetime(2026, 11, 30, 12, 22, tzinfo=UTC)


def test_times_read_in_sao_paulo_by_default_dd_mm_yyyy() -> None:
    assert i18n_time.default_zone() == "America/Sao_Paulo"
    assert i18n_time.format_when(NOON_UTC, "pt_BR", None) == "30/11/2026 09:22"


def test_an_english_reader_in_new_york_reads_their_own_clock_across_dst() -> None:
    # New York is UTC-5 in November and UTC-4 in July; São Paulo has no DST any more.
    assert i18n_time.format_when(NOON_UTC, "en", "America/New_York") == "11/30/26, 7:22\u202fAM"
    july = datetime(2026, 7, 1, 12, 22, tzinfo=UTC)
    assert i18n_time.format_when(july, "en", "America/New_York") == "7/1/26, 8:22\u202fAM"
    assert i18n_time.format_when(july, "pt_BR", "America/Sao_Paulo") == "01/07/2026 09:22"


def test_a_zone_gone_from_the_database_falls_back_to_the_default() -> None:
    assert i18n_time.format_when(NOON_UTC, "pt_BR", "Mars/Olympus_Mons") == "30/11/2026 09:22"


def test_relative_times_say_which_way() -> None:
    assert i18n_time.format_relative(NOON_UTC + timedelta(hours=3), NOON_UTC, "pt_BR") == "em 3 horas"
    assert i18n_time.format_relative(NOON_UTC - timedelta(minutes=10), NOON_UTC, "pt_BR") == "há 10 minutos"
    assert i18n_time.format_relative(NOON_UTC - timedelta(minutes=10), NOON_UTC, "en") == "10 minutes ago"


def test_already_decided_reads_in_the_readers_format_not_utc(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOON_UTC)
    request_id = desk.ask(1)
    desk.run(approvals.approve, desk.marcia, request_id)
    with pytest.raises(AlreadyDecided) as late:
        desk.run(approvals.approve, desk.fabio, request_id)
    error = late.value
    brazilian = translate_error(error.message, error.params, "pt_BR", "America/Sao_Paulo")
    assert brazilian == "Esta ação já foi aprovada por Márcia Gerente em 30/11/2026 09:22."
    american = translate_error(error.message, error.params, "en", "America/New_York")
    assert american == "This action was already approved by Márcia Gerente at 11/30/26, 7:22\u202fAM."
    assert "UTC" not in brazilian + american


def test_a_person_picks_a_zone_and_can_go_back_to_the_default(desk: Desk) -> None:
    fabio = desk.fabio
    desk.run(profile.set_time_zone, fabio, "America/New_York")
    assert desk.run(profile.my_profile, fabio).timezone == "America/New_York"
    desk.run(profile.set_time_zone, fabio, None)
    assert desk.customer(fabio).timezone is None


@pytest.mark.parametrize("zone", ["", "UTC+3", "america/new_york", "Mars/Olympus_Mons", "<b>x</b>", "../../etc/passwd"])
def test_a_zone_not_offered_is_refused_and_changes_nothing(desk: Desk, zone: str) -> None:
    bruno = desk.bruno
    desk.run(profile.set_time_zone, bruno, "Europe/Lisbon")
    with pytest.raises(InvalidInput):
        desk.run(profile.set_time_zone, bruno, zone)
    assert desk.agent(bruno).timezone == "Europe/Lisbon"


def test_mail_is_written_for_the_zone_each_recipient_picked(desk: Desk) -> None:
    desk.run(profile.set_time_zone, desk.fabio, "America/New_York")
    desk.run(profile.set_time_zone, desk.bruno, "Europe/Lisbon")
    request_id = desk.ask(1)
    desk.run(approvals.approve, desk.fabio, request_id)
    zones = {(m.kind, m.recipient_email): m.payload.get("timezone") for m in desk.outbox()}
    assert zones[("request_created", "fabio.gerente@demo.test")] == "America/New_York"
    assert zones[("request_created", "marcia.gerente@demo.test")] is None  # the installation's default
    assert zones[("request_evaluated", "bruno.agente@demo.test")] == "Europe/Lisbon"
