"""/agent: the ticket list — columns, filters, search, server-side pages, the mark of a
request awaiting approval, and **Novo chamado**."""

from __future__ import annotations

from typing import Any

import demo_lookups
import pytest
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
    pending_numbers,
    request_action,
    row_texts,
    run_use_case,
    ticket_numbers,
    until_listed,
    until_pending,
)
from nicegui.testing import User

from domain import approvals, auth, tickets
from domain.access import Actor
from domain.model import TicketStatus
from domain.ports import UnitOfWork
from ui.context import ctx

TICKET_2 = "Servidor de produção lento"


async def test_the_list_shows_each_tickets_number_subject_customer_organization_status_and_agent(user: User) -> None:
    await login(user, BRUNO)
    await user.should_see(TICKET_1, retries=100)
    assert row_texts(user, 1) == ["#1", TICKET_1, "João Cliente · Filial Norte", "Aberto", "Bruno Agente"]
    row_4 = row_texts(user, 4)
    assert TICKET_4 in row_4
    assert "Lívia Avulsa" in row_4
    for text in ("#1", "João Cliente · Filial Norte", "Aberto", "Bruno Agente", TICKET_4, "Lívia Avulsa"):
        await user.should_see(text)  # what the list's element tells `should_see`
    await user.should_see("Chamados encontrados: 5")


async def test_a_ticket_with_a_request_awaiting_approval_is_marked_live(user: User) -> None:
    await login(user, BRUNO)
    await user.should_see(TICKET_1, retries=100)
    assert 1 in ticket_numbers(user)
    assert pending_numbers(user) == []
    await user.should_not_see("Uma ação aguarda aprovação")
    await request_action(1, "Reembolso")
    await until_pending(user, 1)
    assert pending_numbers(user) == [1]  # not ticket 2
    assert "Uma ação aguarda aprovação" in row_texts(user, 1)


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


async def test_a_request_moves_its_ticket_to_the_top_of_the_list(user: User) -> None:
    """The list is sorted by "Atualizado em", which every change in the history moves."""
    await login(user, BRUNO)
    await user.should_see(TICKET_1, retries=100)
    assert ticket_numbers(user)[0] != 1
    await request_action(1, "Reembolso")
    await until_pending(user, 1)
    await until_listed(lambda: ticket_numbers(user), lambda order: order[0] == 1, "#1 on top")  # the live redraw
    assert ticket_numbers(user)[0] == 1


async def test_a_change_between_the_first_read_and_the_live_updates_still_shows(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list's first page is read with the sign-in check, before the page listens for
    events: a request committed in between must still mark its ticket, without a reload."""
    real = auth.signed_in_reading
    bruno = await agent(BRUNO)
    action = await run_use_case(demo_lookups.action_id, "Reembolso")

    def then_a_request(uow: UnitOfWork, actor: Actor, *args: Any, **kwargs: Any) -> Any:
        result = real(uow, actor, *args, **kwargs)
        if actor == bruno and not requested:
            requested.append(ctx().services.run(approvals.request_action, bruno, 1, action, ""))
        return result

    requested: list[int] = []
    then_a_request.read_only = True  # type: ignore[attr-defined]
    monkeypatch.setattr(auth, "signed_in_reading", then_a_request)
    await login(user, BRUNO)
    await user.should_see(TICKET_1, retries=100)
    assert requested, "the page's first read did not go through signed_in_reading"
    await until_pending(user, 1)
