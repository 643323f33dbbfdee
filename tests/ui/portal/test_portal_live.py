"""Live updates of the managers' screens (spec §6, §7): requests arriving and leaving
move every concerned manager's tab and list without a reload; an arrival also pops a
toast, a background notification and the count in the tab's title."""

from __future__ import annotations

import asyncio

import pytest
from nicegui.testing import User
from portal_support import (
    FABIO,
    JOAO,
    MARCIA,
    TICKET_1_SUBJECT,
    NewUser,
    agent,
    approvals_tab,
    customer,
    login,
    request_action,
    run_use_case,
    sent_messages,
    until,
)

from domain import approvals, tickets
from domain.events import ActionDecided, Audience
from domain.model import TicketStatus
from ui.context import ctx


async def test_a_new_request_raises_both_managers_tabs(user: User, create_user: NewUser) -> None:
    await login(user, MARCIA)
    fabio = create_user()
    await login(fabio, FABIO)
    marcia_elsewhere = create_user()  # the same manager in a second browser
    await login(marcia_elsewhere, MARCIA)
    joao = create_user()
    await login(joao, JOAO)
    await request_action(1)
    await user.should_see("Aprovar Ações (1)", retries=100)
    await fabio.should_see("Aprovar Ações (1)", retries=100)
    await marcia_elsewhere.should_see("Aprovar Ações (1)", retries=100)
    await request_action(2, "Reiniciar produção")
    await user.should_see("Aprovar Ações (2)", retries=100)
    await fabio.should_see("Aprovar Ações (2)", retries=100)
    await joao.should_not_see(marker="approvals-tab")


async def test_an_approval_by_one_manager_empties_the_others_list_and_tab(user: User, create_user: NewUser) -> None:
    request_id = await request_action(1)
    await login(user, MARCIA)
    fabio = create_user()
    await login(fabio, FABIO)
    await fabio.open("/portal/approvals")
    await fabio.should_see(f"#1 — {TICKET_1_SUBJECT}")
    await fabio.should_see("Aprovar Ações (1)")

    await user.open(f"/portal/approvals/{request_id}")
    await user.should_see(marker="approve")
    user.find(marker="approve").click()
    await user.should_see(marker="confirm-approve")
    user.find(marker="confirm-approve").click()
    await user.should_see("Aprovada por Márcia Gerente", retries=100)

    await fabio.should_see("Nenhuma ação aguarda sua aprovação.", retries=100)
    await fabio.should_not_see(f"#1 — {TICKET_1_SUBJECT}")
    await fabio.should_not_see(marker="approvals-tab")


async def test_the_open_request_page_shows_the_other_managers_decision(user: User) -> None:
    request_id = await request_action(1)
    await login(user, FABIO)
    await user.open(f"/portal/approvals/{request_id}")
    await user.should_see(marker="approve")
    await run_use_case(approvals.reject, await customer(MARCIA), request_id, "Fora da política.")
    await user.should_see("Reprovada por Márcia Gerente em", retries=100)
    await user.should_see("Motivo: Fora da política.")
    await user.should_not_see(marker="approve")


async def test_cancel_and_expire_lower_the_tabs_and_lists(user: User, create_user: NewUser) -> None:
    first = await request_action(1)
    await request_action(2, "Reiniciar produção")
    await login(user, MARCIA)
    await user.open("/portal/approvals")
    await user.should_see("Aprovar Ações (2)")
    fabio = create_user()
    await login(fabio, FABIO)
    await fabio.should_see("Aprovar Ações (2)")

    await run_use_case(approvals.cancel, await agent(), first)  # the requesting agent cancels
    await user.should_see("Aprovar Ações (1)", retries=100)
    await fabio.should_see("Aprovar Ações (1)", retries=100)
    await user.should_not_see(f"#1 — {TICKET_1_SUBJECT}")
    await user.should_see("#2 — Servidor de produção lento")

    await run_use_case(tickets.set_status, await agent(), 2, TicketStatus.CLOSED)  # expires the other
    await user.should_see("Nenhuma ação aguarda sua aprovação.", retries=100)
    await user.should_not_see(marker="approvals-tab")
    await fabio.should_not_see(marker="approvals-tab", retries=100)


async def test_trashing_and_restoring_the_ticket_hides_and_brings_back_the_request(user: User) -> None:
    request_id = await request_action(1)
    await login(user, MARCIA)
    await user.open(f"/portal/approvals/{request_id}")
    await user.should_see("Aprovar Ações (1)")
    await user.should_see(marker="approve")
    bruno = await agent()
    await run_use_case(tickets.trash_ticket, bruno, 1)
    await user.should_see("Solicitação não encontrada.", retries=100)
    await user.should_not_see(marker="approvals-tab")
    await run_use_case(tickets.restore_ticket, bruno, 1)
    await user.should_see("Aprovar Ações (1)", retries=100)
    await user.should_see(marker="approve", retries=100)


async def test_an_arrival_toasts_notifies_in_background_and_counts_in_the_title(user: User) -> None:
    # The browser shows them from the tab's props (ui/portal/approvals_tab.js; the
    # real-browser walkthrough sees the toast, the title and the notification).
    await login(user, MARCIA)
    assert user.client is not None
    base = user.client.title
    assert approvals_tab(user).props["base"] == base
    request_id = await request_action(1, "Reembolso")
    await until(lambda: approvals_tab(user).count == 1)
    text = "Nova ação para aprovar no chamado #1: Reembolso"
    arrival = (str(request_id), text, "Ação aguardando sua aprovação", text, f"/portal/approvals/{request_id}")
    assert approvals_tab(user).announcement == arrival
    assert approvals_tab(user).props["base"] == base

    await run_use_case(approvals.approve, await customer(FABIO), request_id)
    await user.should_not_see(marker="approvals-tab", retries=100)
    await until(lambda: approvals_tab(user).count == 0)
    assert approvals_tab(user).announcement == arrival  # a decision is no arrival


async def test_an_arrival_is_one_update_of_the_tab_and_no_other_message(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1,000 managers' tabs make a request's fan-out: each gets one element update, not
    a toast and a script besides (docs/benchmarks.md §2), and the re-read that confirms
    the event's count sends nothing."""
    await login(user, MARCIA)
    tab = approvals_tab(user)
    reads: list[int] = []
    confirm = tab.confirm

    def confirmed(count: int) -> None:
        reads.append(count)
        confirm(count)

    monkeypatch.setattr(tab, "confirm", confirmed)
    sent = sent_messages(user)
    await request_action(1, "Reembolso")
    await until(lambda: tab.count == 1 and reads == [1])
    await asyncio.sleep(0.3)  # what the re-read would send
    assert {message_type for message_type, _data in sent} == {"update"}
    assert [data[tab.id]["props"]["count"] for _type, data in sent if tab.id in data] == [1]
    assert tab.announcement is not None


def stale_event(counts: dict[int, int]) -> ActionDecided:
    """An event carrying counts the database no longer holds, as one overtaken by a
    later commit's would."""
    return ActionDecided(
        request_id=999,
        ticket_id=1,
        ticket_number=1,
        action_name="Reembolso",
        audience=Audience(manager_ids=frozenset(counts)),
        pending_counts=tuple(counts.items()),
    )


async def test_a_count_an_older_event_carried_is_put_right_by_the_re_read(user: User) -> None:
    """Events committed by different threads may reach a page out of order: the tab shows
    the count an event carries at once, and the shared re-read puts it right."""
    await request_action(1)
    await login(user, MARCIA)
    tab = approvals_tab(user)
    assert tab.count == 1
    marcia = await customer(MARCIA)
    ctx().live.publish([stale_event({marcia.id: 7})])
    await until(lambda: tab.count == 7)
    await until(lambda: tab.count == 1)
    await user.should_see("Aprovar Ações (1)")


async def test_the_re_read_count_keeps_the_readers_language(user: User, create_user: NewUser) -> None:
    """The shared re-read runs outside any page's request: the tab it corrects still
    speaks its reader's language, not the installation's."""
    await login(user, MARCIA)
    english = create_user()
    await login(english, FABIO)
    english.find(marker="app-header").trigger("language", "en")  # the language menu's "English"
    await english.should_see("My tickets", retries=100)
    marcia, fabio = await customer(MARCIA), await customer(FABIO)
    await request_action(1)
    await english.should_see("Approve actions (1)", retries=100)
    await user.should_see("Aprovar Ações (1)", retries=100)
    # Marcia's tab subscribed first: the shared re-read starts in her page's context.
    ctx().live.publish([stale_event({marcia.id: 7, fabio.id: 7})])
    await english.should_see("Approve actions (7)", retries=100)
    await english.should_see("Approve actions (1)", retries=100)
    await user.should_see("Aprovar Ações (1)", retries=100)
