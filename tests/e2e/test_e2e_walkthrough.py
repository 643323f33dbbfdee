"""The headline story in real browsers, step by step (spec §2, §3, §6, §7, §8):
ana switches the feature off and on and adds a catalog action; bruno requests it on
joao's ticket; both managers' portal pages, already open, show it without reloading
(marcia's tab in the background gets a system notification); fabio approves; marcia's
list empties and bruno's ticket and bell change, all live; the mails reach the SMTP
server. Then a rejection with a reason reaches bruno's history.

The steps share one app and one window per person and run in this order."""

from __future__ import annotations

import time

import pytest
from e2e_support import ANA, BRUNO, DIALOG, FABIO, MARCIA, MENU, Aval, Browser, People, eventually

pytestmark = pytest.mark.e2e

TICKET = "Cobrança em duplicidade na fatura de outubro"
ACTION = "Trocar equipamento"
ACTION_DESCRIPTION = "Enviar um equipamento novo ao cliente."
NOTE = "Cliente pediu a troca pelo telefone."
REASON = "Garantia vencida há dois meses."
SWITCH = "Aprovar Ações em Chamados"
TAB = "Aprovar Ações (1)"
NOTHING_TO_APPROVE = "Nenhuma ação aguarda sua aprovação."
story: dict[str, str] = {}  # what one step leaves to the next (the request's page)


def has_more_menu(agent: Browser) -> bool:
    return bool(agent.with_text("Mais"))


def request_action(agent: Browser, action: str, note: str = "") -> None:
    """*Mais > Solicitar Ação* on the ticket page the agent is on."""
    agent.click("Mais")
    agent.click("Solicitar Ação", within=MENU)
    agent.choose("Ação", action)
    agent.should_see(ACTION_DESCRIPTION if action == ACTION else action)
    if note:
        agent.type_into("Observação (opcional)", note)
    agent.click("Solicitar", within=DIALOG)
    agent.should_see("Ação solicitada; os gerentes da organização foram avisados.")


def test_admin_switches_the_feature_and_creates_a_catalog_action(people: People) -> None:
    ana = people.agent(ANA, "/agent/admin/settings")
    bruno = people.agent(BRUNO, "/agent/tickets/1")
    bruno.should_see(TICKET)
    assert has_more_menu(bruno), "the demo starts with approvals on"

    assert ana.switch_is_on(SWITCH)
    ana.set_switch(SWITCH, False)
    ana.should_see("Configurações salvas.")
    bruno.open("/agent/tickets/1")
    bruno.should_see(TICKET)
    assert not has_more_menu(bruno), "with the feature off the menu is absent"

    ana.open("/agent/admin/settings")  # the switch reads what was saved
    assert not ana.switch_is_on(SWITCH)
    ana.set_switch(SWITCH, True)
    ana.should_see("Configurações salvas.")
    bruno.open("/agent/tickets/1")
    bruno.should_see(TICKET)
    assert has_more_menu(bruno)

    ana.click("Criar ação")
    ana.click("Criar", within=DIALOG)  # a blank name is refused, the modal stays
    ana.should_see("O campo Nome é obrigatório.")
    ana.type_into("Nome", ACTION)
    ana.type_into("Descrição", ACTION_DESCRIPTION)
    assert ana.switch_is_on("Ativa")
    ana.click("Criar", within=DIALOG)
    ana.should_see("Ação criada.")
    ana.should_see(ACTION_DESCRIPTION)
    assert not ana.visible(DIALOG)


def test_request_reaches_both_managers_live(aval: Aval, people: People) -> None:
    fabio = people.customer(FABIO, "/portal")
    marcia = people.customer(MARCIA, "/portal/approvals")
    marcia.should_see(NOTHING_TO_APPROVE)
    assert not fabio.sees("Aprovar Ações (")
    for manager in (fabio, marcia):
        manager.mark_no_reload()
    base_title = marcia.title()
    fabio.record_notifications(hidden=False)  # fabio looks at his tab
    marcia.record_notifications(hidden=True)  # marcia's tab is in the background

    bruno = people.agent(BRUNO, "/agent/tickets/1")
    request_action(bruno, ACTION, NOTE)
    bruno.should_see("Aguardando Aprovação")

    # The parent's manager sees the request in her open list, the tab and the title.
    marcia.should_see(TAB)
    marcia.should_see(f"#1 — {TICKET}")
    links = eventually(lambda: marcia.links_to("/portal/approvals/"), "the request's link in marcia's list")
    request_path = links[0]
    story["request_path"] = request_path
    eventually(lambda: marcia.title() == f"(1) {base_title}", f"marcia's title to count 1 (is {marcia.title()!r})")
    notes = eventually(marcia.notifications, "a browser notification on marcia's background tab")
    assert notes == [
        {
            "title": "Ação aguardando sua aprovação",
            "body": f"Nova ação para aprovar no chamado #1: {ACTION}",
            "tag": request_path,
        }
    ]
    # The child organization's manager looks at his tab: a toast and the tab, no system notification.
    fabio.should_see(TAB)
    fabio.should_see(f"Nova ação para aprovar no chamado #1: {ACTION}")
    assert fabio.notifications() == []
    for manager in (fabio, marcia):
        manager.assert_not_reloaded()

    # Every active manager of the organization and of its parent gets an e-mail with the link.
    subject = f"[Aval] Chamado #1: aprovação solicitada — {ACTION}"
    for address in (FABIO, MARCIA):
        (mail,) = aval.mail.wait_for(address, subject)
        assert aval.base_url + request_path in mail.text
        assert NOTE in mail.text


def test_manager_approves_and_the_others_follow_live(aval: Aval, people: People) -> None:
    request_path = story["request_path"]
    bruno = people.browsers[BRUNO]
    marcia = people.browsers[MARCIA]
    fabio = people.browsers[FABIO]
    unread_before = bruno.bell_count()
    bruno.mark_no_reload()
    marcia.mark_no_reload()
    marcia_title = marcia.title().removeprefix("(1) ")

    fabio.click(TAB)
    eventually(lambda: fabio.path() == "/portal/approvals", "fabio to open his approvals list")
    fabio.click(f"#1 — {TICKET}")
    eventually(lambda: fabio.path() == request_path, "fabio to open the request")
    fabio.should_see(NOTE)
    fabio.click("Aprovar")
    fabio.should_see("Aprovar esta ação?")
    fabio.click("Aprovar", within=DIALOG)
    fabio.should_see("Ação aprovada.")
    fabio.should_see("Aprovada por Fábio Gerente")
    fabio.should_not_see("Aprovar Ações (")

    # The other manager's list empties and her tab goes away, without a reload.
    marcia.should_see(NOTHING_TO_APPROVE)
    marcia.should_not_see("Aprovar Ações (")
    eventually(lambda: marcia.title() == marcia_title, f"marcia's title to lose its count (is {marcia.title()!r})")
    marcia.assert_not_reloaded()

    # The agent's ticket, bell and tab title follow, without a reload.
    bruno.should_see("Aprovada")
    bruno.should_see(f"aprovou a ação “{ACTION}”")
    bruno.should_see(f"Fábio Gerente aprovou “{ACTION}” no chamado #1.")
    eventually(lambda: bruno.bell_count() == unread_before + 1, "bruno's bell to count one more")
    count = unread_before + 1
    eventually(lambda: bruno.title().startswith(f"({count}) "), f"bruno's title to show ({count}): {bruno.title()!r}")
    bruno.assert_not_reloaded()

    # One e-mail to bruno, who is both the ticket's agent and the requester, with the link.
    subject = f"[Aval] Chamado #1: ação {ACTION} aprovada por Fábio Gerente"
    (mail,) = aval.mail.wait_for(BRUNO, subject)
    assert f"{aval.base_url}/agent/tickets/1?request_id={request_path.rsplit('/', 1)[1]}" in mail.text
    time.sleep(1.0)  # a duplicate would follow within the worker's next round
    assert len(aval.mail.to(BRUNO, subject)) == 1

    # Clicking marcia's system notification opens the request, now decided.
    marcia.click_notification(0)
    eventually(lambda: marcia.path() == request_path, "the notification to open the request")
    marcia.wait_connected()
    marcia.should_see("Aprovada por Fábio Gerente")


def test_rejection_reason_shows_in_the_agent_history(aval: Aval, people: People) -> None:
    bruno = people.agent(BRUNO, "/agent/tickets/1")
    bruno.mark_no_reload()
    request_action(bruno, "Reembolso")
    marcia = people.customer(MARCIA, "/portal/approvals")
    marcia.click("#1 — " + TICKET)
    marcia.should_see("Reembolso")
    marcia.click("Reprovar")
    marcia.should_see("Reprovar esta ação?")
    marcia.type_into("Motivo (opcional)", REASON)
    marcia.click("Reprovar", within=DIALOG)
    marcia.should_see("Ação reprovada.")
    marcia.should_see(f"Motivo: {REASON}")

    bruno.should_see("Reprovada")
    bruno.should_see("reprovou a ação “Reembolso”")
    bruno.should_see(f"Motivo: {REASON}")
    bruno.assert_not_reloaded()
    history = bruno.body_text()
    assert history.count(REASON) >= 2, "the reason shows on the request and in the history"
    (mail,) = aval.mail.wait_for(BRUNO, "[Aval] Chamado #1: ação Reembolso reprovada por Márcia Gerente")
    assert REASON in mail.text
