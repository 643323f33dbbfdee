"""The header's language and user menus, built at their first click (ui/frame.py), open
under their buttons in a real browser and work: a page in another language, signing out."""

from __future__ import annotations

import pytest
from e2e_support import BRUNO, MENU, People

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
