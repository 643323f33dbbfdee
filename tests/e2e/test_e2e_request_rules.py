"""The rules around one request, in real browsers (spec §3, §4, §5, §8): one pending
request per ticket, who may cancel, expiry when the ticket is closed, trash and restore
keeping the request, and no menu for a customer without organization. The managers'
portal pages stay open throughout and must follow every change without a reload.

The steps share one app and one window per person and run in this order."""

from __future__ import annotations

import pytest
from e2e_support import ANA, BRUNO, CARLA, DIALOG, FABIO, MARCIA, MENU, Browser, People, eventually

pytestmark = pytest.mark.e2e

TAB = "Aprovar Ações (1)"
ALREADY_AWAITING = "Este chamado já tem uma ação aguardando aprovação."


def request_action(agent: Browser, action: str) -> None:
    agent.click("Mais")
    agent.click("Solicitar Ação", within=MENU)
    agent.choose("Ação", action)
    agent.click("Solicitar", within=DIALOG)
    agent.should_see("Ação solicitada; os gerentes da organização foram avisados.")
    agent.should_see("Aguardando Aprovação")


def managers(people: People) -> list[Browser]:
    """Both managers on their portal home, marked to prove they are never reloaded."""
    found = [people.customer(FABIO, "/portal"), people.customer(MARCIA, "/portal")]
    for manager in found:
        manager.mark_no_reload()
    return found


def tabs_show(browsers: list[Browser], shown: bool) -> None:
    for manager in browsers:
        if shown:
            manager.should_see(TAB)
        else:
            manager.should_not_see("Aprovar Ações (")
        manager.assert_not_reloaded()


def test_a_second_request_waits_for_the_first(people: People) -> None:
    portal = managers(people)
    bruno = people.agent(BRUNO, "/agent/tickets/2")
    request_action(bruno, "Reembolso")
    tabs_show(portal, True)

    bruno.click("Mais")
    item = bruno.one("Solicitar Ação", within=MENU)
    menu_item = item.find_element("xpath", "./ancestor::*[contains(concat(' ', @class, ' '), ' q-item ')][1]")
    assert "disabled" in (menu_item.get_attribute("class") or "")
    assert bruno.with_text(ALREADY_AWAITING, within=MENU), "the disabled item says why"
    bruno.press_escape()
    eventually(lambda: not bruno.visible(MENU), "the menu to close")
    assert not bruno.visible(DIALOG), "a disabled item opens nothing"


def test_only_the_entitled_agents_may_cancel(people: People) -> None:
    portal = managers(people)
    carla = people.agent(CARLA, "/agent/tickets/2")
    carla.should_see("Aguardando Aprovação")
    assert not carla.with_text("Cancelar"), "carla neither assigned nor requester: no Cancelar"
    assert carla.with_text("Mais"), "any agent may still see the menu"

    bruno = people.agent(BRUNO, "/agent/tickets/2")
    bruno.click("Cancelar")
    bruno.should_see("Cancelar a ação “Reembolso”?")
    bruno.click("Cancelar ação", within=DIALOG)
    bruno.should_see("A ação foi cancelada.")
    bruno.should_see("Cancelada por Bruno Agente")
    bruno.should_see("cancelou a ação “Reembolso”")
    tabs_show(portal, False)
    carla.should_see("Cancelada por Bruno Agente")  # carla's open page follows too


def test_closing_the_ticket_expires_its_request(people: People) -> None:
    portal = managers(people)
    bruno = people.agent(BRUNO, "/agent/tickets/2")
    request_action(bruno, "Reiniciar produção")
    tabs_show(portal, True)

    bruno.click("Fechar chamado")
    bruno.should_see("A ação aguardando aprovação vai expirar.")
    bruno.click("Continuar", within=DIALOG)
    bruno.should_see("Expirada")
    bruno.should_see("fechou o chamado: a ação “Reiniciar produção” expirou")
    assert not bruno.with_text("Mais"), "a closed ticket is not eligible: the menu is absent"
    tabs_show(portal, False)


def test_trash_and_restore_keep_the_pending_request(people: People) -> None:
    portal = managers(people)
    bruno = people.agent(BRUNO, "/agent/tickets/3")
    request_action(bruno, "Reembolso")
    tabs_show(portal, True)

    bruno.click("Excluir")
    bruno.should_see("Mover o chamado #3 para a lixeira?")
    bruno.click("Excluir", within=DIALOG)
    eventually(lambda: bruno.path() == "/agent", "bruno back on the ticket list")
    tabs_show(portal, False)

    bruno.open("/agent/trash")
    bruno.should_see("Acesso ao relatório financeiro")
    bruno.click("Restaurar")
    bruno.should_see("Restaurado: Acesso ao relatório financeiro")
    tabs_show(portal, True)

    bruno.open("/agent/tickets/3")
    bruno.should_see("Aguardando Aprovação")
    marcia = portal[1]
    marcia.click(TAB)
    marcia.should_see("#3 — Acesso ao relatório financeiro")


def test_no_menu_for_a_customer_without_organization(people: People) -> None:
    bruno = people.agent(BRUNO, "/agent/tickets/4")
    bruno.should_see("Dúvida sobre o plano")
    bruno.should_see("Excluir")  # the toolbar is drawn …
    assert not bruno.with_text("Mais"), "… without the menu: livia belongs to no organization"


def test_switching_the_feature_off_keeps_a_pending_request_decidable(people: People) -> None:
    ana = people.agent(ANA, "/agent/admin/settings")
    ana.set_switch("Aprovar Ações em Chamados", False)
    ana.should_see("Configurações salvas.")

    bruno = people.agent(BRUNO, "/agent/tickets/3")
    bruno.should_see("Aguardando Aprovação")
    assert not bruno.with_text("Mais"), "with the feature off no new request can be made"
    bruno.mark_no_reload()

    marcia = people.customer(MARCIA, "/portal/approvals")
    marcia.click("#3 — Acesso ao relatório financeiro")
    marcia.click("Aprovar")
    marcia.click("Aprovar", within=DIALOG)
    marcia.should_see("Ação aprovada.")
    marcia.should_not_see("Aprovar Ações (")
    bruno.should_see("Aprovada")
    bruno.assert_not_reloaded()
