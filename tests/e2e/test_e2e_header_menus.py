"""The header's language and user menus, which live only in the browser
(ui/app_header.js), open under their buttons and work: a page in another language,
signing out, and for a manager the push entry that applies to this browser."""

from __future__ import annotations

import pytest
from e2e_support import BRUNO, JOAO, MARCIA, MENU, People

pytestmark = pytest.mark.e2e

LANGUAGE_BUTTON = "translate"  # the buttons' Material icon names are their only text
USER_BUTTON = "account_circle"


def test_the_language_menu_opens_at_the_first_click_and_switches_the_page(people: People) -> None:
    bruno = people.agent(BRUNO, "/agent")
    bruno.should_see("Chamados")
    bruno.click(LANGUAGE_BUTTON)
    bruno.click("English", within=MENU)
    bruno.should_see("Tickets")
    bruno.click(LANGUAGE_BUTTON)
    bruno.click("Português (Brasil)", within=MENU)
    bruno.should_see("Chamados")


def test_the_user_menu_opens_at_the_first_click_and_signs_out(people: People) -> None:
    bruno = people.agent(BRUNO, "/agent")
    bruno.click(USER_BUTTON)
    bruno.should_see("bruno.agente@demo.test")
    bruno.click("Sair", within=MENU)
    bruno.should_see("Entrar")


def test_a_managers_user_menu_offers_push_for_this_browser_and_a_customers_does_not(people: People) -> None:
    marcia = people.customer(MARCIA)
    marcia.click(USER_BUTTON)
    marcia.should_see("marcia.gerente@demo.test")
    marcia.one("Ativar notificações push", within=MENU)  # this browser has no subscription yet
    assert not marcia.with_text("Desativar notificações push", within=MENU)
    marcia.press_escape()
    joao = people.customer(JOAO)
    joao.click(USER_BUTTON)
    joao.should_see("joao.cliente@demo.test")
    assert not joao.with_text("notificações push", within=MENU)
