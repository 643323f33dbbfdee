"""The manager's approval screens (spec §4, §7): who sees the tab and the requests, the
list's columns, confirmation before every decision, the reason kept, and the answer a
manager reads when someone else decided first."""

from __future__ import annotations

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
    listed,
    login,
    other_organization_manager,
    request_action,
    request_row,
    run_use_case,
)

from domain import approvals, tickets
from domain.model import HistoryKind, RequestState


async def test_managers_see_the_tab_only_while_something_awaits_them(user: User, create_user: NewUser) -> None:
    await login(user, MARCIA)
    await user.should_not_see(marker="approvals-tab")
    await request_action(1)  # João's ticket: Filial Norte, child of Matriz
    for email in (MARCIA, FABIO):
        manager = create_user()
        await login(manager, email)
        await manager.should_see("Aprovar Ações (1)")
    for email in (JOAO, LIVIA):
        plain = create_user()
        await login(plain, email)
        await plain.should_not_see(marker="approvals-tab")
        await plain.should_not_see("Aprovar Ações")


async def test_the_tab_opens_the_list_with_every_column_oldest_first(user: User) -> None:
    first = await request_action(2, "Reiniciar produção", note="urgente")
    second = await request_action(1, "Reembolso")
    await login(user, FABIO)
    user.find(marker="approvals-tab").click()
    await user.should_see("Aprovar Ações (2)")
    await user.should_see(f"#1 — {TICKET_1_SUBJECT}")
    await user.should_see("#2 — Servidor de produção lento")
    for text in ("Reembolso", "Reiniciar produção", "João Cliente", "Filial Norte", "Bruno Agente"):
        await user.should_see(text)
    await user.should_see("Avaliar")
    # Oldest first; the subject and "Avaliar" both lead to the request's page.
    rows = listed(user)
    assert [row.id for row in rows] == [first, second]
    assert [row.path for row in rows] == [f"/portal/approvals/{first}", f"/portal/approvals/{second}"]
    assert [row.title for row in rows] == ["#2 — Servidor de produção lento", f"#1 — {TICKET_1_SUBJECT}"]


async def test_other_organizations_managers_and_plain_customers_get_not_found(user: User, create_user: NewUser) -> None:
    request_id = await request_action(1, "Reembolso", note="nota do atendente")
    await other_organization_manager("otto.gerente@demo.test")
    for email in ("otto.gerente@demo.test", JOAO, LIVIA):
        person = create_user()
        await login(person, email)
        await person.open(f"/portal/approvals/{request_id}")
        await person.should_see("Solicitação não encontrada.")
        for secret in ("Reembolso", "nota do atendente", TICKET_1_SUBJECT):
            await person.should_not_see(secret)
        await person.should_not_see(marker="approve")
        await person.open("/portal/approvals")
        await person.should_not_see("Reembolso")
        if email == "otto.gerente@demo.test":  # manages another organization: an empty list
            await person.should_see("Nenhuma ação aguarda sua aprovação.")
        else:  # manages nothing: no such page, and no way to it
            await person.should_see("Página não encontrada.")
            await person.should_not_see("Aprovar Ações")
            await person.should_not_see("Nenhuma ação aguarda sua aprovação.")
            assert person.client is not None  # not even a hidden tab in the header
            assert not [e for e in person.client.elements.values() if "approvals-tab" in e._markers]
            await person.open(f"/portal/approvals/{request_id}")
            await person.should_not_see("Voltar às ações para aprovar")
    await login(user, MARCIA)
    await user.open("/portal/approvals/999999")
    await user.should_see("Solicitação não encontrada.")


async def test_the_request_page_shows_the_ticket_and_the_request(user: User) -> None:
    request_id = await request_action(1, "Reembolso", note="Cliente pagou duas vezes.")
    await login(user, MARCIA)
    await user.open(f"/portal/approvals/{request_id}")
    for text in (
        TICKET_1_SUBJECT,
        "Fui cobrado duas vezes este mês.",
        "Devolver o valor cobrado ao cliente.",
        "Cliente pagou duas vezes.",
        "Bruno Agente",
        "João Cliente <joao.cliente@demo.test>",
        "Filial Norte (Matriz Ltda)",
        "Aguardando Aprovação",
    ):
        await user.should_see(text)


async def test_approving_needs_the_confirmation(user: User) -> None:
    request_id = await request_action(1)
    await login(user, MARCIA)
    await user.open(f"/portal/approvals/{request_id}")
    await user.should_not_see(marker="confirm-approve")
    user.find(marker="approve").click()
    await user.should_see("Aprovar esta ação?")
    assert (await request_row(request_id)).state == RequestState.AWAITING_APPROVAL
    user.find(marker="confirm-approve-back").click()
    await user.should_not_see(marker="confirm-approve")
    assert (await request_row(request_id)).state == RequestState.AWAITING_APPROVAL

    user.find(marker="approve").click()
    await user.should_see(marker="confirm-approve")
    user.find(marker="confirm-approve").click()
    await user.should_see("Aprovada por Márcia Gerente", retries=100)
    await user.should_not_see(marker="approve")
    await user.should_not_see(marker="approvals-tab")
    assert (await request_row(request_id)).state == RequestState.APPROVED


async def test_rejecting_keeps_the_reason_for_the_agents(user: User) -> None:
    request_id = await request_action(1)
    await login(user, FABIO)
    await user.open(f"/portal/approvals/{request_id}")
    await user.should_see(marker="reject")
    user.find(marker="reject").click()
    await user.should_see("Reprovar esta ação?")
    user.find(marker="confirm-reject-reason").type("Valor já foi estornado.")
    assert (await request_row(request_id)).state == RequestState.AWAITING_APPROVAL
    user.find(marker="confirm-reject").click()
    await user.should_see("Reprovada por Fábio Gerente", retries=100)
    await user.should_see("Motivo: Valor já foi estornado.")
    row = await request_row(request_id)
    assert (row.state, row.reason) == (RequestState.REJECTED, "Valor já foi estornado.")
    view = await run_use_case(tickets.ticket_view, await agent(), 1)
    rejected = [entry for entry in view.history if entry.kind == HistoryKind.ACTION_REJECTED]
    assert [(entry.actor_name, entry.body) for entry in rejected] == [("Fábio Gerente", "Valor já foi estornado.")]


async def test_rejecting_without_a_reason_is_fine(user: User) -> None:
    request_id = await request_action(1)
    await login(user, MARCIA)
    await user.open(f"/portal/approvals/{request_id}")
    await user.should_see(marker="reject")
    user.find(marker="reject").click()
    await user.should_see(marker="confirm-reject")
    user.find(marker="confirm-reject").click()
    await user.should_see("Reprovada por Márcia Gerente", retries=100)
    assert (await request_row(request_id)).reason == ""


async def test_a_manager_cancels_a_request_after_confirming(user: User) -> None:
    request_id = await request_action(1)
    await login(user, MARCIA)
    await user.open(f"/portal/approvals/{request_id}")
    await user.should_see(marker="cancel-request")
    user.find(marker="cancel-request").click()
    await user.should_see("Cancelar esta solicitação de ação?")
    assert (await request_row(request_id)).state == RequestState.AWAITING_APPROVAL
    # The buttons say what they do, as in the agent panel: "Cancelar" alone reads as "dismiss".
    with user.scope(marker="confirm-cancel-dialog"):
        assert user.find(marker="confirm-cancel-back").elements.pop().text == "Manter ação"
        assert user.find(marker="confirm-cancel").elements.pop().text == "Cancelar ação"
    user.find(marker="confirm-cancel-back").click()
    await user.should_not_see(marker="confirm-cancel")
    assert (await request_row(request_id)).state == RequestState.AWAITING_APPROVAL
    user.find(marker="cancel-request").click()
    await user.should_see(marker="confirm-cancel")
    user.find(marker="confirm-cancel").click()
    await user.should_see("Cancelada por Márcia Gerente", retries=100)
    assert (await request_row(request_id)).state == RequestState.CANCELLED


async def test_a_double_click_evaluates_once(user: User) -> None:
    request_id = await request_action(1)
    await login(user, MARCIA)
    await user.open(f"/portal/approvals/{request_id}")
    await user.should_see(marker="approve")
    user.find(marker="approve").click()
    user.find(marker="approve").click()  # disabled while the first one asks
    await user.should_see("Aprovar esta ação?")
    assert len(user.find(marker="confirm-approve").elements) == 1
    confirm = user.find(marker="confirm-approve")
    confirm.click()
    confirm.click()
    await user.should_see("Aprovada por Márcia Gerente", retries=100)
    view = await run_use_case(tickets.ticket_view, await agent(), 1)
    assert [entry.kind for entry in view.history].count(HistoryKind.ACTION_APPROVED) == 1
    assert not any("já foi" in message for message in user.notify.messages)


async def test_a_decision_elsewhere_withdraws_the_open_confirmation(user: User) -> None:
    request_id = await request_action(1)
    await login(user, MARCIA)
    await user.open(f"/portal/approvals/{request_id}")
    await user.should_see(marker="approve")
    user.find(marker="approve").click()
    await user.should_see(marker="confirm-approve")
    await run_use_case(approvals.approve, await customer(FABIO), request_id)
    await user.should_see("Aprovada por Fábio Gerente", retries=100)
    await user.should_not_see(marker="confirm-approve")
    await user.should_not_see(marker="approve")


async def test_two_managers_confirming_at_once_decide_once(user: User, create_user: NewUser) -> None:
    request_id = await request_action(1)
    await login(user, MARCIA)
    await user.open(f"/portal/approvals/{request_id}")
    fabio = create_user()
    await login(fabio, FABIO)
    await fabio.open(f"/portal/approvals/{request_id}")
    user.find(marker="approve").click()
    await user.should_see(marker="confirm-approve")
    fabio.find(marker="reject").click()
    await fabio.should_see(marker="confirm-reject")
    user.find(marker="confirm-approve").click()
    fabio.find(marker="confirm-reject").click()
    await user.should_see(marker="request-decision", retries=100)
    await fabio.should_see(marker="request-decision", retries=100)
    row = await request_row(request_id)
    winner = "Aprovada por Márcia Gerente" if row.state == RequestState.APPROVED else "Reprovada por Fábio Gerente"
    await user.should_see(winner)
    await fabio.should_see(winner)
    view = await run_use_case(tickets.ticket_view, await agent(), 1)
    decisions = [e for e in view.history if e.kind in (HistoryKind.ACTION_APPROVED, HistoryKind.ACTION_REJECTED)]
    assert len(decisions) == 1


async def test_an_already_decided_request_shows_who_and_when(user: User) -> None:
    request_id = await request_action(1)
    await run_use_case(approvals.reject, await customer(FABIO), request_id, "Sem orçamento.")
    await login(user, MARCIA)
    await user.open(f"/portal/approvals/{request_id}")
    await user.should_see("Reprovada por Fábio Gerente em")
    await user.should_see("Motivo: Sem orçamento.")
    await user.should_see("Reprovada")
    await user.should_not_see(marker="approve")
    await user.should_not_see(marker="reject")
