"""*Mais > Solicitar Ação* on the agent's ticket page (spec §3): absent unless the ticket is
eligible, disabled with its reason while one request awaits, and the request dialog."""

from __future__ import annotations

from agent_support import ANA, BRUNO, FABIO, MARCIA, agent, customer, element, login, request_action, run_use_case
from nicegui.testing import User

from domain import admin, tickets
from domain.model import TicketStatus

ALREADY_AWAITING = "Este chamado já tem uma ação aguardando aprovação."


async def open_ticket(user: User, number: int) -> None:
    await user.open(f"/agent/tickets/{number}")
    await user.should_see(marker="history", retries=100)


async def test_the_menu_is_there_for_an_eligible_ticket(user: User) -> None:
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    await user.should_see("Mais")
    await user.should_see("Solicitar Ação")
    assert element(user, "request-action").enabled
    await user.should_not_see(ALREADY_AWAITING)


async def test_the_menu_is_absent_when_the_customer_has_no_organization(user: User) -> None:
    await login(user, BRUNO, then="/agent/tickets/4")  # Lívia's ticket
    await user.should_see("Dúvida sobre o plano", retries=100)
    await user.should_not_see(marker="more-menu")
    await user.should_not_see("Solicitar Ação")


async def test_the_menu_is_absent_when_the_feature_is_off(user: User) -> None:
    await run_use_case(admin.set_approvals_enabled, await agent(ANA), False)
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    await user.should_not_see(marker="more-menu")
    await user.should_not_see("Solicitar Ação")


async def test_the_menu_is_absent_on_a_closed_or_cancelled_ticket(user: User) -> None:
    bruno = await agent(BRUNO)
    await run_use_case(tickets.set_status, bruno, 1, TicketStatus.CLOSED)
    await run_use_case(tickets.set_status, bruno, 2, TicketStatus.CANCELLED)
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see("Fechado", retries=100)
    await user.should_not_see(marker="more-menu")
    await open_ticket(user, 2)
    await user.should_see("Cancelado")
    await user.should_not_see(marker="more-menu")


async def test_the_menu_is_absent_without_an_active_manager_in_the_organization_or_its_parent(user: User) -> None:
    ana = await agent(ANA)
    for email in (FABIO, MARCIA):
        await run_use_case(tickets.trash_customer, ana, (await customer(email)).id)
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    await user.should_not_see(marker="more-menu")


async def test_the_item_is_disabled_with_its_reason_while_a_request_awaits(user: User) -> None:
    await request_action(1, "Reembolso")
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    await user.should_see("Mais")
    item = element(user, "request-action")
    assert not item.enabled
    await user.should_see(ALREADY_AWAITING)
    # Clicking a disabled item opens nothing.
    user.find(marker="request-action").click()
    await user.should_not_see(marker="request-dialog")


async def test_requesting_lists_active_actions_only_and_records_the_request(user: User) -> None:
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    user.find(marker="request-action").click()
    await user.should_see(marker="request-dialog", retries=100)
    select = element(user, "request-action-select")
    options = list(select.options.values())  # type: ignore[attr-defined]
    assert options == ["Reembolso", "Reiniciar produção", "Rescindir contrato"]  # "Horas extras" is inactive
    with user.scope(marker="request-dialog"):
        user.find(marker="request-action-select").click()
        user.find("Reembolso").click()
        await user.should_see("Devolver o valor cobrado ao cliente.")  # the action's description
        user.find(marker="request-note").type("Cliente pediu o estorno.")
        user.find(marker="request-send").click()
    await user.should_not_see(marker="request-dialog", retries=100)
    await user.should_see("Aguardando Aprovação", retries=100)
    await user.should_see("solicitou a ação “Reembolso”")
    await user.should_see("Cliente pediu o estorno.")
    assert not element(user, "request-action").enabled
    await user.should_see(ALREADY_AWAITING)


async def test_a_request_needs_an_action(user: User) -> None:
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    user.find(marker="request-action").click()
    await user.should_see(marker="request-dialog", retries=100)
    user.find(marker="request-send").click()
    await user.should_see("Escolha uma ação ativa do catálogo.", retries=50)
    await user.should_not_see("Aguardando Aprovação")


async def test_the_item_is_removed_after_the_ticket_is_closed_from_the_page(user: User) -> None:
    await request_action(1, "Reembolso")
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see("Aguardando Aprovação", retries=100)
    user.find(marker="close-ticket").click()
    await user.should_see(marker="confirm-dialog", retries=50)
    await user.should_see("A ação aguardando aprovação vai expirar.")
    user.find(marker="confirm").click()
    await user.should_see("Expirada", retries=100)
    await user.should_see("Fechado")
    await user.should_not_see(marker="more-menu")
