"""The portal's ticket list is one element drawn in the browser (ui/portal/ticket_list.js):
its rows link to the tickets, and its "Novo chamado" button opens the form."""

from __future__ import annotations

import pytest
from e2e_support import DIALOG, JOAO, People

pytestmark = pytest.mark.e2e


def test_a_customer_opens_a_ticket_from_the_list_and_finds_it_there(people: People) -> None:
    joao = people.customer(JOAO)
    joao.should_see("Cobrança em duplicidade na fatura de outubro")
    joao.click("Novo chamado")
    joao.type_into("Assunto", "Impressora <b>fiscal</b> parada", within=DIALOG)
    joao.type_into("Descrição", "Desde ontem.", within=DIALOG)
    joao.click("Abrir chamado", within=DIALOG)
    joao.should_see("Desde ontem.")
    number = joao.path().rsplit("/", 1)[-1]
    joao.open("/portal")
    joao.should_see("Impressora <b>fiscal</b> parada")  # as text, never as markup
    assert f"/portal/tickets/{number}" in joao.links_to("/portal/tickets/")
