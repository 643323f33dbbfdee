"""/agent/tickets/{number}: the ticket's data, its history with every request event (who,
when, note or reason), and reply, assign, close, cancel, reopen, delete to the trash."""

from __future__ import annotations

import re

from agent_support import (
    BRUNO,
    CARLA,
    FABIO,
    MARCIA,
    TICKET_1,
    agent,
    customer,
    element,
    login,
    request_action,
    run_use_case,
    texts,
    ticket_numbers,
    until_ticket_listed,
)
from nicegui.testing import User

from domain import approvals, tickets
from domain.model import TicketStatus


async def test_the_ticket_data(user: User) -> None:
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(TICKET_1, retries=100)
    await user.should_see("João Cliente <joao.cliente@demo.test>")
    await user.should_see("Filial Norte (matriz: Matriz Ltda)")
    await user.should_see("Fui cobrado duas vezes este mês.")
    assert texts(user, "ticket-status") == ["Aberto"]
    assert texts(user, "ticket-agent") == ["Bruno Agente"]


async def test_the_history_holds_every_event_of_every_request_with_who_and_note_or_reason(user: User) -> None:
    bruno = await agent(BRUNO)
    first = await request_action(1, "Reembolso", note="Cobrança em dobro confirmada.")
    await run_use_case(approvals.reject, await customer(MARCIA), first, "Aguarde o fechamento do mês.")
    second = await request_action(1, "Reiniciar produção", by=CARLA)
    await run_use_case(approvals.approve, await customer(FABIO), second)
    third = await request_action(1, "Reembolso")
    await run_use_case(approvals.cancel, bruno, third)
    await request_action(1, "Reiniciar produção")
    await run_use_case(tickets.set_status, bruno, 1, TicketStatus.CLOSED)

    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    history = texts(user, "history")
    expected = [
        "Bruno Agente", "solicitou a ação “Reembolso”", "Observação", "Cobrança em dobro confirmada.",
        "Márcia Gerente", "reprovou a ação “Reembolso”", "Motivo", "Aguarde o fechamento do mês.",
        "Carla Agente", "solicitou a ação “Reiniciar produção”",
        "Fábio Gerente", "aprovou a ação “Reiniciar produção”",
        "Bruno Agente", "cancelou a ação “Reembolso”",
        "fechou o chamado: a ação “Reiniciar produção” expirou",
    ]  # fmt: skip
    start = 0
    for text in expected:
        start = history.index(text, start)  # in this order, each after the one before
    # When, in the reader's zone and format (São Paulo, dd/mm/yyyy hh:mm), never in UTC.
    assert any(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", text) for text in history)
    assert not any("UTC" in text for text in history)
    # The requests themselves, each with its state.
    with user.scope(marker="requests"):
        for state in ("Reprovada", "Aprovada", "Cancelada", "Expirada"):
            await user.should_see(state)


async def test_reply(user: User) -> None:
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    user.find(marker="reply-body").type("Estamos verificando a cobrança.")
    user.find(marker="reply-send").click()
    await user.should_see("respondeu", retries=100)
    await user.should_see("Estamos verificando a cobrança.")
    assert element(user, "reply-body").value == ""  # type: ignore[attr-defined]


async def test_an_empty_reply_is_refused(user: User) -> None:
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    user.find(marker="reply-send").click()
    await user.should_see("Resposta é obrigatório.", retries=100)
    await user.should_not_see("respondeu")


async def test_assign(user: User) -> None:
    carla = await agent(CARLA)
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    element(user, "assignee").set_value(carla.id)  # type: ignore[attr-defined]
    user.find(marker="assign").click()
    await user.should_see("atribuiu o chamado a Carla Agente", retries=100)
    assert texts(user, "ticket-agent") == ["Carla Agente"]


async def test_start_close_and_reopen(user: User) -> None:
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    user.find(marker="start-ticket").click()
    await user.should_see("mudou a situação para Em andamento", retries=100)
    user.find(marker="close-ticket").click()  # nothing awaits approval: no question asked
    await user.should_see("mudou a situação para Fechado", retries=100)
    assert texts(user, "ticket-status") == ["Fechado"]
    user.find(marker="reopen-ticket").click()
    await user.should_see("mudou a situação para Aberto", retries=100)
    assert texts(user, "ticket-status") == ["Aberto"]


async def test_cancelling_the_ticket_expires_its_pending_request(user: User) -> None:
    await request_action(1, "Reembolso")
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see("Aguardando Aprovação", retries=100)
    user.find(marker="cancel-ticket").click()
    await user.should_see(marker="confirm-dialog", retries=50)
    user.find(marker="confirm").click()
    await user.should_see("mudou a situação para Cancelado", retries=100)
    await user.should_see("Expirada")
    await user.should_not_see("Aguardando Aprovação")


async def test_delete_to_the_trash(user: User) -> None:
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    user.find(marker="trash-ticket").click()
    await user.should_see("Mover o chamado #1 para a lixeira?", retries=50)
    user.find(marker="confirm").click()
    await until_ticket_listed(user, 2)  # back on the list
    assert 1 not in ticket_numbers(user)
    await user.open("/agent/tickets/1")
    await user.should_see("Chamado não encontrado.", retries=100)


async def test_a_ticket_that_does_not_exist(user: User) -> None:
    await login(user, BRUNO, then="/agent/tickets/999")
    await user.should_see("Chamado não encontrado.", retries=100)
    await user.should_not_see(marker="reply-send")
