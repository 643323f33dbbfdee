"""Live updates of the agent panel (spec §6): a manager's decision reaches the agent's open
ticket page and bell without a reload; a background tab gets a browser notification and
the unread count in its title; one agent's request shows on another agent's page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from agent_support import (
    ANA,
    BRUNO,
    FABIO,
    MARCIA,
    agent,
    bell_count,
    customer,
    element,
    login,
    request_action,
    run_use_case,
    until,
    until_not_pending,
    until_pending,
)
from nicegui.testing import User

from domain import approvals, auth
from ui import browser


@pytest.fixture
def browser_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """What the pages asked the browser for: the tab title's count, system notifications."""
    calls: list[tuple[str, ...]] = []
    monkeypatch.setattr(browser, "set_title_count", lambda count, base: calls.append(("title", str(count))))
    monkeypatch.setattr(browser, "notify_in_background", lambda *texts: calls.append(("notify", *texts)))
    return calls


async def test_an_approval_updates_the_open_ticket_page_and_the_bell(
    user: User, browser_calls: list[tuple[str, ...]]
) -> None:
    request_id = await request_action(1, "Reembolso")
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see("Aguardando Aprovação", retries=100)
    assert bell_count(user) is None

    # The manager decides in the portal, in another session: the same use case the portal calls.
    await run_use_case(approvals.approve, await customer(FABIO), request_id)

    await user.should_see("Aprovada", retries=100)
    await user.should_see("aprovou a ação “Reembolso”")
    await user.should_see("Fábio Gerente aprovou “Reembolso” no chamado #1.")  # the toast
    await until(lambda: bell_count(user) == "1")
    # A tab in the background: the count in its title and a system notification that
    # opens the request (the browser shows it only when the tab is hidden).
    await until(lambda: ("title", "1") in browser_calls)
    assert (
        "notify",
        "Aval",
        "Fábio Gerente aprovou “Reembolso” no chamado #1.",
        f"/agent/tickets/1?request_id={request_id}",
    ) in browser_calls
    assert element(user, "request-action").enabled  # nothing awaits any more


async def test_a_rejection_with_reason_and_an_expiry_reach_the_page(user: User) -> None:
    request_id = await request_action(1, "Reembolso")
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see("Aguardando Aprovação", retries=100)
    await run_use_case(approvals.reject, await customer(MARCIA), request_id, "Fora da política.")
    await user.should_see("Reprovada", retries=100)
    await user.should_see("Fora da política.")
    await user.should_see("Márcia Gerente reprovou “Reembolso” no chamado #1.")
    await until(lambda: bell_count(user) == "1")


async def test_a_cancellation_by_the_manager_reaches_the_page_and_the_hub(user: User) -> None:
    request_id = await request_action(1, "Reembolso")
    await login(user, BRUNO, then="/agent/notifications")
    await user.should_see("Nenhuma notificação ainda.", retries=100)
    await run_use_case(approvals.cancel, await customer(FABIO), request_id)
    await user.should_see(marker="unread", retries=100)
    await user.should_not_see("Nenhuma notificação ainda.")
    await until(lambda: bell_count(user) == "1")


async def test_one_agents_request_shows_live_on_another_agents_page(
    user: User, create_user: Callable[[], User]
) -> None:
    bruno = user
    await login(bruno, BRUNO, then="/agent/tickets/1")
    await bruno.should_see(marker="history", retries=100)
    assert element(bruno, "request-action").enabled

    ana = create_user()
    await login(ana, ANA, then="/agent/tickets/1")
    await ana.should_see(marker="history", retries=100)
    ana.find(marker="request-action").click()
    await ana.should_see(marker="request-dialog", retries=100)
    with ana.scope(marker="request-dialog"):
        ana.find(marker="request-action-select").click()
        ana.find("Reiniciar produção").click()
        ana.find(marker="request-send").click()
    await ana.should_see("Aguardando Aprovação", retries=100)

    await bruno.should_see("Aguardando Aprovação", retries=100)
    await bruno.should_see("solicitou a ação “Reiniciar produção”")
    assert not element(bruno, "request-action").enabled


async def test_the_manager_approves_while_both_agents_watch(user: User, create_user: Callable[[], User]) -> None:
    """Ana requested on Bruno's ticket: both get the hub entry live, each in their own bell."""
    request_id = await request_action(1, "Reembolso", by=ANA)
    bruno = user
    await login(bruno, BRUNO, then="/agent/tickets/1")
    ana = create_user()
    await login(ana, ANA, then="/agent")
    await until_pending(ana, 1)

    await run_use_case(approvals.approve, await customer(FABIO), request_id)

    await bruno.should_see("Aprovada", retries=100)
    await until(lambda: bell_count(bruno) == "1")
    await until(lambda: bell_count(ana) == "1")
    await until_not_pending(ana, 1)  # the list followed too


async def test_a_live_redraw_speaks_the_agents_own_language(user: User) -> None:
    request_id = await request_action(1, "Reembolso")
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see("Aguardando Aprovação", retries=100)
    user.find(marker="app-header").trigger("language", "en")  # the language menu's "English"
    await user.should_see("Awaiting approval", retries=100)
    await run_use_case(approvals.approve, await customer(FABIO), request_id)
    await user.should_see("Approved", retries=100)
    await user.should_see("approved the action “Reembolso”")
    await user.should_not_see("Aprovada")


async def test_a_language_the_menu_does_not_offer_is_refused_and_the_page_stays(user: User) -> None:
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see("Histórico do chamado", retries=100)
    user.find(marker="app-header").trigger("language", "fr")  # a forged event from the browser
    await user.should_see("Escolha um dos idiomas oferecidos.", retries=100)
    await user.should_see("Histórico do chamado")
    _name, _email, _admin, locale, _zone = await run_use_case(auth.whoami, await agent(BRUNO))
    assert locale != "fr"
