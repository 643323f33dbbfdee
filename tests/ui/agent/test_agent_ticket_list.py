"""/agent: the ticket list — columns, filters, search, server-side pages, the mark of a
request awaiting approval, and **Novo chamado**."""

from __future__ import annotations

import asyncio

from agent_support import (
    ANA,
    BRUNO,
    CARLA,
    JOAO,
    TICKET_1,
    TICKET_4,
    agent,
    customer,
    element,
    login,
    request_action,
    run_use_case,
)
from nicegui.testing import User

from domain import tickets
from domain.model import TicketStatus

TICKET_2 = "Servidor de produção lento"


async def test_the_list_shows_each_tickets_number_subject_customer_organization_status_and_agent(user: User) -> None:
    await login(user, BRUNO)
    await user.should_see(TICKET_1, retries=100)
    with user.scope(marker="ticket-row-1"):
        await user.should_see("#1")
        await user.should_see("João Cliente · Filial Norte")
        await user.should_see("Aberto")
        await user.should_see("Bruno Agente")
    with user.scope(marker="ticket-row-4"):
        await user.should_see(TICKET_4)
        await user.should_see("Lívia Avulsa")
    await user.should_see("Chamados encontrados: 5")


async def test_a_ticket_with_a_request_awaiting_approval_is_marked_live(user: User) -> None:
    await login(user, BRUNO)
    await user.should_see(TICKET_1, retries=100)
    await user.should_not_see(marker="pending-1")
    await request_action(1, "Reembolso")
    await user.should_see(marker="pending-1", retries=100)
    await user.should_not_see(marker="pending-2")


async def test_filter_by_status(user: User) -> None:
    await run_use_case(tickets.set_status, await agent(BRUNO), 2, TicketStatus.CLOSED)
    await login(user, BRUNO)
    await user.should_see(TICKET_2, retries=100)
    element(user, "status-filter").set_value("closed")  # type: ignore[attr-defined]
    await user.should_see("Chamados encontrados: 1", retries=100)
    await user.should_see(TICKET_2)
    await user.should_not_see(TICKET_1)
    element(user, "status-filter").set_value("cancelled")  # type: ignore[attr-defined]
    await user.should_see("Nenhum chamado encontrado.", retries=100)


async def test_only_mine(user: User) -> None:
    await login(user, CARLA)
    await user.should_see(TICKET_1, retries=100)
    user.find(marker="mine-filter").click()
    await user.should_see("Nenhum chamado encontrado.", retries=100)
    await run_use_case(tickets.assign, await agent(ANA), 4, (await agent(CARLA)).id)
    await user.should_see(TICKET_4, retries=100)  # the list follows the change
    await user.should_not_see(TICKET_1)


async def test_search_by_subject_or_number(user: User) -> None:
    await login(user, BRUNO)
    await user.should_see(TICKET_1, retries=100)
    user.find(marker="search").type("duplicidade").trigger("keydown.enter")
    await user.should_see("Chamados encontrados: 1", retries=100)
    await user.should_see(TICKET_1)
    await user.should_not_see(TICKET_4)
    user.find(marker="search").clear().type("#4").trigger("keydown.enter")
    await user.should_see(TICKET_4, retries=100)
    await user.should_not_see(TICKET_1)


async def test_pages_come_from_the_server(user: User) -> None:
    bruno, joao = await agent(BRUNO), await customer(JOAO)
    for index in range(26):
        await run_use_case(tickets.create_ticket, bruno, f"Chamado em massa {index:02d}", "", joao.id)
    await login(user, BRUNO)
    await user.should_see("Chamados encontrados: 31", retries=100)
    # The newest first, 25 to a page: the demo's oldest ticket is on page 2 only.
    await user.should_see("Chamado em massa 25")
    await user.should_not_see(TICKET_1)
    element(user, "pagination").set_value(2)  # type: ignore[attr-defined]
    await user.should_see(TICKET_1, retries=100)
    await user.should_not_see("Chamado em massa 25")


async def test_new_ticket_for_a_customer(user: User) -> None:
    await login(user, BRUNO)
    user.find(marker="new-ticket").click()
    await user.should_see(marker="new-ticket-dialog", retries=100)
    joao = await customer(JOAO)
    element(user, "new-ticket-customer").set_value(joao.id)  # type: ignore[attr-defined]
    user.find(marker="new-ticket-create").click()
    await user.should_see("Assunto é obrigatório.", retries=100)  # the domain's message; nothing saved
    user.find(marker="new-ticket-subject").type("Nota fiscal não chegou")
    user.find(marker="new-ticket-description").type("Não recebi a nota de novembro.")
    user.find(marker="new-ticket-create").click()
    await user.should_see("Nota fiscal não chegou", retries=100)
    await user.should_see(marker="history", retries=100)
    await user.should_see("Chamado #6")
    await user.should_see("Não recebi a nota de novembro.")
    await user.should_see("Bruno Agente")


def row_order(user: User) -> list[int]:
    assert user.client is not None
    elements = sorted(user.client.elements.values(), key=lambda e: e.id)  # in the order drawn
    return [int(m.removeprefix("ticket-row-")) for e in elements for m in e._markers if m.startswith("ticket-row-")]


async def test_a_request_moves_its_ticket_to_the_top_of_the_list(user: User) -> None:
    """The list is sorted by "Atualizado em", which every change in the history moves."""
    await login(user, BRUNO)
    await user.should_see(TICKET_1, retries=100)
    assert row_order(user)[0] != 1
    await request_action(1, "Reembolso")
    await user.should_see(marker="pending-1", retries=100)
    for _ in range(100):
        if row_order(user)[0] == 1:
            break
        await asyncio.sleep(0.05)  # the live redraw
    assert row_order(user)[0] == 1
