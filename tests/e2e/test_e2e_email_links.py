"""Approve from the e-mail, end to end (spec §11), in real Chromium with the real SMTP sink:
bruno requests an action; fábio's mail is parsed and its Aprovar link is fetched by a
mail scanner (a plain HTTP client, three times) and loaded by a headless browser that
never clicks — nothing changes; then fábio opens it and confirms, and bruno's open
ticket page shows *Aprovada* live; the link reopened says who approved; márcia's
Reprovar link decides nothing; the agents get exactly one evaluation mail.

The steps share one app and run in this order."""

from __future__ import annotations

import time
import urllib.parse
import urllib.request

import pytest
from e2e_support import BRUNO, DIALOG, FABIO, MARCIA, MENU, Aval, Browser, People, chrome, eventually

from tests.mail_links import anchors

pytestmark = pytest.mark.e2e

ACTION = "Reembolso"
NOTE = "Cliente cobrado duas vezes."
story: dict[str, str] = {}


def buttons_of(aval: Aval, address: str) -> dict[str, str]:
    [mail] = aval.mail.wait_for(address, "aprovação solicitada")
    html_part = mail.message.get_body(preferencelist=("html",))
    assert html_part is not None
    links = dict(anchors(html_part.get_content()))
    assert {"Aprovar", "Reprovar"} <= set(links), links
    assert f"Aprovar: {links['Aprovar']}" in mail.text  # the text part carries both URLs
    assert f"Reprovar: {links['Reprovar']}" in mail.text
    return links


def fetch(url: str, form: dict[str, str] | None = None) -> tuple[int, str]:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=20) as answer:
        return answer.status, answer.read().decode()


def state_on_ticket(bruno: Browser) -> str:
    return str(bruno.js("return [...document.querySelectorAll('.q-badge')].map(b => b.innerText).join('|')"))


def test_the_request_mail_carries_the_two_buttons(aval: Aval, people: People) -> None:
    bruno = people.agent(BRUNO, "/agent/tickets/1")
    bruno.click("Mais")
    bruno.click("Solicitar Ação", within=MENU)
    bruno.choose("Ação", ACTION)
    bruno.type_into("Observação (opcional)", NOTE)
    bruno.click("Solicitar", within=DIALOG)
    bruno.should_see("Ação solicitada; os gerentes da organização foram avisados.")
    bruno.should_see("Aguardando Aprovação")

    fabio = buttons_of(aval, FABIO)
    marcia = buttons_of(aval, MARCIA)
    assert fabio["Aprovar"] != marcia["Aprovar"] and fabio["Aprovar"] != fabio["Reprovar"]
    for links in (fabio, marcia):
        assert "/e/" in links["Aprovar"] and "/e/" in links["Reprovar"]
        assert links["Aprove ou reprove aqui"].endswith("/portal/approvals/1")  # the request link stays
    story.update(approve=fabio["Aprovar"], marcia_reject=marcia["Reprovar"])


def test_scanners_and_previews_decide_nothing(aval: Aval, people: People) -> None:
    for _ in range(3):  # Safe Links, an antivirus gateway, a link preview
        status, page = fetch(story["approve"])
        assert status == 200 and "Confirmar aprovação" in page
    preview = chrome()
    try:
        preview.get(story["approve"])  # loads it, runs whatever it runs, clicks nothing
        eventually(lambda: "Confirmar aprovação" in preview.page_source, "the preview to load the page")
        time.sleep(1)
    finally:
        preview.quit()
    bruno = people.agent(BRUNO, "/agent/tickets/1")
    bruno.should_see("Aguardando Aprovação")
    assert "Aprovada" not in state_on_ticket(bruno)


def test_confirming_approves_live_on_the_agents_open_ticket(aval: Aval, people: People) -> None:
    bruno = people.agent(BRUNO, "/agent/tickets/1")
    bruno.should_see("Aguardando Aprovação")
    bruno.mark_no_reload()
    manager = chrome()
    try:
        manager.get(story["approve"])
        page = Browser(manager, aval.base_url, "fabio-from-mail")
        page.should_see(NOTE)
        page.should_see("Bruno Agente")
        page.click("Confirmar aprovação")
        page.should_see("Ação aprovada.")
        page.should_see("Esta ação já foi aprovada por Fábio Gerente em")
        manager.get(story["approve"])  # reopened later
        page.should_see("já foi aprovada por Fábio Gerente")
        assert not page.with_text("Confirmar aprovação")
    finally:
        manager.quit()

    bruno.should_see("Aprovada")
    bruno.should_see("aprovou a ação “Reembolso” por e-mail")
    bruno.assert_not_reloaded()


def test_the_other_managers_link_decides_nothing_and_one_mail_reaches_the_agents(aval: Aval) -> None:
    status, page = fetch(story["marcia_reject"])
    assert status == 200 and "já foi aprovada por Fábio Gerente" in page and "<form" not in page
    status, page = fetch(story["marcia_reject"], {"reason": "Não"})  # a forged or replayed form
    assert status == 200 and "já foi aprovada por Fábio Gerente" in page

    aval.mail.wait_for(BRUNO, "aprovada por Fábio Gerente")
    time.sleep(2)  # a second evaluation mail would have arrived by now
    evaluations = [m for m in aval.mail.received() if "aprovada por" in m.subject or "reprovada por" in m.subject]
    assert [m.recipients for m in evaluations] == [[BRUNO]]
