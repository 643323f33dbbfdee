"""/agent/trash (spec §8): deleted tickets and customers, restored with their requests
exactly as they were."""

from __future__ import annotations

import pytest
from agent_support import (
    ANA,
    BRUNO,
    JOAO,
    agent,
    customer,
    login,
    request_action,
    run_use_case,
    should_see_within,
    until_ticket_listed,
)
from nicegui.testing import User

from domain import tickets
from domain.errors import Forbidden

TICKET_2 = "Servidor de produção lento"


async def test_an_empty_trash(user: User) -> None:
    await login(user, BRUNO, then="/agent/trash")
    await user.should_see("A lixeira está vazia.", retries=100)


async def test_a_deleted_ticket_is_restored_with_its_pending_request(user: User) -> None:
    await request_action(2, "Reiniciar produção")
    await run_use_case(tickets.trash_ticket, await agent(BRUNO), 2)
    await login(user, BRUNO, then="/agent/trash")
    await user.should_see(f"#2 · {TICKET_2}", retries=100)
    with user.scope(marker="trash-ticket-2"):
        await user.should_see("João Cliente")
        user.find(marker="restore").click()
    await user.should_see("A lixeira está vazia.", retries=100)
    await user.open("/agent/tickets/2")
    await user.should_see("Aguardando Aprovação", retries=100)  # pending again
    await user.should_see("restaurou o chamado da lixeira")


async def test_a_deleted_customer_comes_back_with_their_tickets_by_the_account_manager_only(user: User) -> None:
    joao = await customer(JOAO)
    await run_use_case(tickets.trash_customer, await agent(ANA), joao.id)

    await login(user, BRUNO, then="/agent/trash")
    await user.should_see(marker=f"trash-customer-{joao.id}", retries=100)
    await user.should_see(marker="trash-ticket-1")
    with user.scope(marker=f"trash-customer-{joao.id}"):
        await user.should_not_see(marker="restore")  # not the account manager
    with pytest.raises(Forbidden):
        await run_use_case(tickets.restore_customer, await agent(BRUNO), joao.id)
    with user.scope(marker="trash-ticket-1"):
        user.find(marker="restore").click()  # the customer must come back first
    await user.should_see("O cliente do chamado está na lixeira; restaure o cliente primeiro.", retries=100)


    user.find(marker="app-header").trigger("sign_out")  # the user menu\'s "Sair"
    await login(user, ANA, then="/agent/trash")
    await should_see_within(user, f"trash-customer-{joao.id}", "João Cliente")
    with user.scope(marker=f"trash-customer-{joao.id}"):
        user.find(marker="restore").click()
    await user.should_see("A lixeira está vazia.", retries=100)
    await user.open("/agent")
    await until_ticket_listed(user, 1)
