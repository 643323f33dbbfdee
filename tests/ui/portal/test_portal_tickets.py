"""The portal's tickets (spec §9, §8): who sees which, opening one, replying, and no
trace of action requests in the customer's view."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User
from portal_support import (
    FABIO,
    JOAO,
    LIVIA,
    MARCIA,
    TICKET_1_SUBJECT,
    NewUser,
    agent,
    customer,
    login,
    request_action,
    run_use_case,
    until,
)

from domain import approvals, tickets
from domain.model import TicketStatus

LIVIA_SUBJECT = "Dúvida sobre o plano"


async def test_a_customer_sees_their_own_tickets_only(user: User) -> None:
    await login(user, JOAO)
    await user.should_see(TICKET_1_SUBJECT)
    await user.should_see("Servidor de produção lento")
    await user.should_not_see(LIVIA_SUBJECT)


async def test_a_customer_without_organization_sees_only_theirs(user: User) -> None:
    await login(user, LIVIA)
    await user.should_see(LIVIA_SUBJECT)
    await user.should_not_see(TICKET_1_SUBJECT)


async def test_managers_see_their_and_their_child_organizations_tickets(user: User, create_user: NewUser) -> None:
    await login(user, MARCIA)  # manages Matriz, the parent of João's Filial Norte
    await user.should_see(TICKET_1_SUBJECT)
    await user.should_see("João Cliente · Filial Norte")
    await user.should_not_see(LIVIA_SUBJECT)
    fabio = create_user()
    await login(fabio, FABIO)
    await fabio.should_see(TICKET_1_SUBJECT)


async def test_a_ticket_of_someone_else_is_not_found(user: User) -> None:
    await login(user, LIVIA)
    await user.open("/portal/tickets/1")
    await user.should_see("Chamado não encontrado.")
    await user.should_not_see(TICKET_1_SUBJECT)
    # An address that is no ticket number answers the product's "não encontrado" page, 404.
    answer = await user.http_client.get("/portal/tickets/not-a-number")
    assert answer.status_code == 404
    assert "Não encontrado" in answer.text


async def test_a_customer_opens_a_ticket_and_replies(user: User) -> None:
    await login(user, LIVIA)
    user.find(marker="ticket-list").trigger("new_ticket")  # its "Novo chamado" button
    user.find(marker="new-subject").type("Impressora sem papel")
    user.find(marker="new-description").type("A bandeja está vazia.")
    user.find(marker="create-ticket").click()
    await user.should_see("Chamado #6", retries=100)
    await user.should_see("Impressora sem papel")
    await user.should_see("A bandeja está vazia.")
    user.find(marker="reply-body").type("Já coloquei papel, obrigado.")
    user.find(marker="send-reply").click()
    await user.should_see("Já coloquei papel, obrigado.", retries=100)
    await user.should_see("respondeu")
    page = await run_use_case(tickets.portal_tickets, await customer(LIVIA))
    assert page.items[0].subject == "Impressora sem papel"


async def test_a_ticket_without_subject_is_refused_with_a_message(user: User) -> None:
    await login(user, LIVIA)
    user.find(marker="ticket-list").trigger("new_ticket")  # its "Novo chamado" button
    user.find(marker="create-ticket").click()
    await until(lambda: any("Assunto" in message for message in user.notify.messages))
    await user.should_see(marker="new-subject")  # the form stays open, to be fixed
    page = await run_use_case(tickets.portal_tickets, await customer(LIVIA))
    assert page.total == 2


async def test_the_ticket_view_shows_agent_replies_and_status_live(user: User) -> None:
    await login(user, JOAO)
    await user.open("/portal/tickets/1")
    await user.should_see(TICKET_1_SUBJECT)
    bruno = await agent()
    await run_use_case(tickets.reply, bruno, 1, "Estamos verificando a fatura.")
    await user.should_see("Estamos verificando a fatura.", retries=100)
    await run_use_case(tickets.set_status, bruno, 1, TicketStatus.IN_PROGRESS)
    await user.should_see("Em andamento", retries=100)


async def test_action_requests_never_appear_in_the_portal_ticket_view(user: User, create_user: NewUser) -> None:
    await request_action(1, "Reembolso", note="nota interna do atendente")
    await login(user, JOAO)
    await user.open("/portal/tickets/1")
    await user.should_see(TICKET_1_SUBJECT)
    await user.should_not_see("Reembolso")
    await user.should_not_see("nota interna do atendente")
    await user.should_not_see("Aguardando Aprovação")

    marcia = create_user()  # a manager who may evaluate it sees it in the approvals tab, not here
    await login(marcia, MARCIA)
    await marcia.open("/portal/tickets/1")
    await marcia.should_see(TICKET_1_SUBJECT)
    await marcia.should_not_see("Reembolso")
    await marcia.should_not_see("nota interna do atendente")
    await marcia.should_see("Aprovar Ações (1)")  # the header tab, which is not the ticket view

    request_id = (await run_use_case(approvals.pending_approvals, await customer(MARCIA))).items[0].id
    await run_use_case(approvals.reject, await customer(MARCIA), request_id, "motivo reservado")
    await marcia.open("/portal/tickets/1")
    await marcia.should_see(TICKET_1_SUBJECT)
    await marcia.should_not_see("motivo reservado")
    await marcia.should_not_see("Reprovada")


async def test_the_list_is_paginated(user: User) -> None:
    livia = await customer(LIVIA)
    for index in range(23):
        await run_use_case(tickets.create_ticket, livia, f"Pedido número {index:02d}", "")
    await login(user, LIVIA)
    await user.should_see("Pedido número 22")  # newest first
    await user.should_see("25 chamados")
    await user.should_not_see(LIVIA_SUBJECT)
    table = user.find(marker="ticket-list").elements.pop()
    assert len(table.rows) == 20
    pagination = user.find(ui.pagination).elements.pop()
    with user:
        pagination.set_value(2)
    await user.should_see(LIVIA_SUBJECT, retries=100)
    await user.should_not_see("Pedido número 22")
