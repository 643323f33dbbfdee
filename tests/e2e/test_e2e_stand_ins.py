"""A stand-in in real browsers (spec §13): Fábio, manager of Filial Norte, names João (a
customer of Filial Norte) his stand-in for a period running now on his profile page;
João's portal page, open since before, shows the approvals badge the moment Bruno asks
for an action, and loses it the moment Fábio ends the absence — never reloaded."""

from __future__ import annotations

import pytest
from e2e_support import BRUNO, DIALOG, FABIO, JOAO, MENU, People

pytestmark = pytest.mark.e2e


def test_a_stand_in_sees_the_badge_during_the_period_and_not_after(people: People) -> None:
    joao = people.customer(JOAO, "/portal")
    joao.should_see("Meus chamados")
    joao.mark_no_reload()
    assert not joao.sees("Aprovar Ações ("), "João manages nothing yet"

    fabio = people.customer(FABIO, "/portal/profile")
    fabio.should_see("Ausência e substituto")
    fabio.choose("Substituto", "João Cliente")
    fabio.click("Indicar substituto")
    fabio.should_see("Substituto: João Cliente")
    fabio.should_see("Em andamento")

    bruno = people.agent(BRUNO, "/agent/tickets/2")
    bruno.click("Mais")
    bruno.click("Solicitar Ação", within=MENU)
    bruno.choose("Ação", "Reembolso")
    bruno.click("Solicitar", within=DIALOG)
    bruno.should_see("Aguardando Aprovação")

    joao.should_see("Aprovar Ações (1)")
    joao.assert_not_reloaded()

    fabio.click("Encerrar agora")
    fabio.should_see("Ausência encerrada.")
    fabio.should_see("Encerrada")

    joao.should_not_see("Aprovar Ações (")
    joao.assert_not_reloaded()
    fabio.should_see("Aprovar Ações (1)")  # the absent manager kept every right
