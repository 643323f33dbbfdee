"""Time in real browsers (spec §12): a request whose deadline comes a minute or two after
it is made turns *Expirada* on the agent's open page and the manager's badge falls, both
without a reload; the ticket page shows São Paulo time; a person switched to English and
America/New_York reads their pages and their e-mails that way.

The steps share one app and one window per person and run in this order."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from e2e_support import BRUNO, DIALOG, FABIO, MENU, Aval, Browser, People, eventually

pytestmark = pytest.mark.e2e

SAO_PAULO, NEW_YORK = ZoneInfo("America/Sao_Paulo"), ZoneInfo("America/New_York")
SET_INPUT = """
const [input, value] = arguments;
input.value = value;
input.dispatchEvent(new Event('input', {bubbles: true}));
"""


def _clock(zone: ZoneInfo, moment: datetime) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def _request_with_deadline(agent: Browser, action: str, deadline: datetime | None) -> None:
    agent.click("Mais")
    agent.click("Solicitar Ação", within=MENU)
    agent.choose("Ação", action)
    if deadline is not None:
        field = agent.field("Prazo para aprovação (opcional)", within=DIALOG)
        agent.js(SET_INPUT, field, deadline.astimezone(SAO_PAULO).strftime("%Y-%m-%dT%H:%M"))
    agent.click("Solicitar", within=DIALOG)
    agent.should_see("Ação solicitada; os gerentes da organização foram avisados.")


def test_a_deadline_passing_turns_the_request_expired_live(people: People) -> None:
    fabio = people.customer(FABIO, "/portal")
    fabio.mark_no_reload()
    bruno = people.agent(BRUNO, "/agent/tickets/3")
    bruno.mark_no_reload()
    now = datetime.now(UTC)
    # The field has minutes only: the first whole minute at least 30 s away (30–90 s from
    # now), time enough to make the request and see it awaiting before it falls due.
    deadline = (now + timedelta(seconds=90)).replace(second=0, microsecond=0)
    _request_with_deadline(bruno, "Reembolso", deadline)
    bruno.should_see("Aguardando Aprovação")
    bruno.should_see("(vence em ")
    fabio.should_see("Aprovar Ações (1)")

    # Within 30 s of the deadline, with no reload anywhere.
    wait = (deadline - datetime.now(UTC)).total_seconds() + 30
    bruno.should_see("Expirada", timeout=wait)
    bruno.should_see("a ação “Reembolso” expirou: prazo esgotado")
    fabio.should_not_see("Aprovar Ações (", timeout=30)
    bruno.assert_not_reloaded()
    fabio.assert_not_reloaded()
    assert bruno.bell_count() >= 1  # told as for an evaluation


def test_the_ticket_page_shows_sao_paulo_time(people: People) -> None:
    bruno = people.agent(BRUNO, "/agent/tickets/3")
    bruno.should_see("expirou: prazo esgotado")
    text = bruno.body_text()
    # The expiry just happened: its history time is São Paulo's wall clock (UTC-3), not UTC.
    now = datetime.now(UTC)
    candidates = {_clock(SAO_PAULO, now - timedelta(minutes=m)) for m in range(0, 4)}
    times = set(re.findall(r"\d\d/\d\d/\d{4} (\d\d:\d\d)", text))
    assert candidates & times, (candidates, times)
    assert not {_clock(ZoneInfo("UTC"), now - timedelta(minutes=m)) for m in range(0, 4)} & times
    assert "UTC" not in text


def test_english_and_new_york_change_the_pages_and_the_mails(people: People, aval: Aval) -> None:
    bruno = people.agent(BRUNO, "/agent/profile")
    bruno.should_see("Meu perfil")
    bruno.type_into("Fuso horário", "New York")
    bruno.click("America/New York", within=MENU)
    bruno.click("Salvar", within="//*[contains(@class, 'q-card')][.//*[normalize-space()='Fuso horário']]")
    bruno.should_see("Agora, neste fuso")
    bruno.choose("Idioma", "English")
    bruno.click("Salvar", within="//*[contains(@class, 'q-card')][.//*[normalize-space()='Idioma']]")
    bruno.should_see("My profile")
    bruno.should_see("Time zone")

    bruno.open("/agent/tickets/3")
    bruno.should_see("expired: deadline passed")
    text = bruno.body_text()
    now = datetime.now(UTC)
    # English dates (m/d/yy, h:mm AM/PM), New York's clock.
    assert re.search(r"\d{1,2}/\d{1,2}/\d\d, \d{1,2}:\d\d\s?[AP]M", text), text

    # A decision mailed to Bruno: English, New York time.
    bruno.click("More")
    bruno.click("Request action", within=MENU)
    bruno.choose("Action", "Reiniciar produção")
    bruno.click("Request", within=DIALOG)
    bruno.should_see("Awaiting approval")
    fabio = people.customer(FABIO, "/portal/approvals")
    fabio.click("Avaliar")
    fabio.click("Aprovar")
    fabio.click("Aprovar", within=DIALOG)
    mails = aval.mail.wait_for(BRUNO, "approved by")
    body = mails[-1].text
    new_york = {
        (now + timedelta(minutes=m)).astimezone(NEW_YORK).strftime("%-I:%M") for m in range(-1, 4)
    }
    decided = re.search(r"Decided at: \d{1,2}/\d{1,2}/\d\d, (\d{1,2}:\d\d)", body)
    assert decided and decided.group(1) in new_york, (body, new_york)
    eventually(lambda: bruno.sees("Approved"), "Bruno's page to follow the approval")
