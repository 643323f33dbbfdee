"""*Todos os gerentes* in real browsers (spec §13): bruno asks for the demo's *Rescindir
contrato* on a Filial Norte ticket; fábio (Filial Norte) and márcia (Matriz Ltda, the parent)
must both approve. Bruno's ticket page stays open and follows each answer without a reload:
"1 de 2 aprovações" with who approved after fábio, *Aprovada* after márcia."""

from __future__ import annotations

import pytest
from e2e_support import BRUNO, DIALOG, FABIO, MARCIA, MENU, Browser, People

pytestmark = pytest.mark.e2e

TICKET = "#1 — Cobrança em duplicidade na fatura de outubro"
ACTION = "Rescindir contrato"  # the demo's action under *Todos os gerentes*
TAB = "Aprovar Ações (1)"


def approve(manager: Browser) -> None:
    manager.click(TAB)
    manager.click(TICKET)
    manager.should_see(" de 2 aprovações")  # the request page shows the progress too
    manager.click("Aprovar")
    manager.click("Aprovar", within=DIALOG)
    manager.should_see("Ação aprovada.")


def test_both_managers_approve_and_the_agents_page_follows_each_answer(people: People) -> None:
    fabio = people.customer(FABIO, "/portal")
    marcia = people.customer(MARCIA, "/portal")
    bruno = people.agent(BRUNO, "/agent/tickets/1")
    bruno.click("Mais")
    bruno.click("Solicitar Ação", within=MENU)
    bruno.choose("Ação", ACTION)
    bruno.click("Solicitar", within=DIALOG)
    bruno.should_see("Ação solicitada; os gerentes da organização foram avisados.")
    bruno.should_see("Aguardando Aprovação")
    bruno.should_see("0 de 2 aprovações")
    bruno.mark_no_reload()
    fabio.should_see(TAB)
    marcia.should_see(TAB)

    approve(fabio)
    bruno.should_see("1 de 2 aprovações")
    bruno.should_see("Aguardando Aprovação")
    assert not bruno.sees("Aprovada"), "one approval of two does not approve"
    fabio.should_not_see("Aprovar Ações (")  # fábio answered: nothing awaits him any more
    marcia.should_see(TAB)  # márcia still must answer
    bruno.assert_not_reloaded()

    approve(marcia)
    bruno.should_see("Aprovada")
    bruno.should_see("2 de 2 aprovações")
    bruno.should_not_see("Aguardando Aprovação")
    marcia.should_not_see("Aprovar Ações (")
    bruno.assert_not_reloaded()
