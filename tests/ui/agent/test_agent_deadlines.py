"""Deadlines in the agent panel (spec §12): the admin sets an action's *Prazo para
aprovação*; *Solicitar Ação* suggests it in the agent's zone and lets them change or clear
it; the request shows "vence em …"; at the deadline it turns *Expirada* live, and the
agents' bell rises."""

from __future__ import annotations

from datetime import timedelta

from agent_support import ANA, BRUNO, agent, bell_count, element, login, request_action, run_use_case, until
from nicegui.testing import User

import i18n_time
from domain import admin, approvals, clock
from tests import demo_lookups


async def _default_deadline(hours: int | None) -> None:
    action_id = await run_use_case(demo_lookups.action_id, "Reembolso")
    await run_use_case(
        admin.update_action, await agent(ANA), action_id, "Reembolso", "Devolver o valor cobrado ao cliente.", True,
        hours,
    )


async def test_the_admin_gives_an_action_a_default_deadline(user: User) -> None:
    await login(user, ANA, then="/agent/admin/settings")
    await user.should_see("Reembolso", retries=100)
    with user.scope(marker=f"action-{await run_use_case(demo_lookups.action_id, 'Reembolso')}"):
        user.find(marker="edit-action").click()
    await user.should_see(marker="action-dialog", retries=50)
    element(user, "action-deadline").set_value(24)
    user.find(marker="action-save").click()
    await user.should_see("Prazo para aprovação: 24 h", retries=100)


async def test_a_fraction_of_an_hour_is_refused_with_a_message(user: User) -> None:
    await login(user, ANA, then="/agent/admin/settings")
    await user.should_see("Reembolso", retries=100)
    with user.scope(marker=f"action-{await run_use_case(demo_lookups.action_id, 'Reembolso')}"):
        user.find(marker="edit-action").click()
    await user.should_see(marker="action-dialog", retries=50)
    element(user, "action-deadline").set_value(1.5)
    user.find(marker="action-save").click()
    await user.should_see("O prazo para aprovação é um número inteiro de horas de 1 a 2160, ou vazio.", retries=100)


async def test_the_dialog_suggests_the_action_s_deadline_and_the_request_shows_it(user: User) -> None:
    await _default_deadline(3)
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    user.find(marker="request-action").click()
    await user.should_see(marker="request-dialog", retries=100)
    with user.scope(marker="request-dialog"):
        user.find(marker="request-action-select").click()
        user.find("Reembolso").click()
    suggested = str(element(user, "request-deadline").value)
    expected = i18n_time.local_now("America/Sao_Paulo", clock.now() + timedelta(hours=3))
    assert suggested == expected.strftime("%Y-%m-%dT%H:%M")  # São Paulo wall clock
    with user.scope(marker="request-dialog"):
        user.find(marker="request-send").click()
    await user.should_see("Aguardando Aprovação", retries=100)
    await user.should_see("(vence em 3 horas)")


async def test_the_agent_clears_the_deadline(user: User) -> None:
    await _default_deadline(3)
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    user.find(marker="request-action").click()
    await user.should_see(marker="request-dialog", retries=100)
    with user.scope(marker="request-dialog"):
        user.find(marker="request-action-select").click()
        user.find("Reembolso").click()
    element(user, "request-deadline").set_value("")
    with user.scope(marker="request-dialog"):
        user.find(marker="request-send").click()
    await user.should_see("Aguardando Aprovação", retries=100)
    await user.should_not_see("Prazo:")


async def test_a_deadline_in_the_past_is_refused_in_the_dialog(user: User) -> None:
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    user.find(marker="request-action").click()
    await user.should_see(marker="request-dialog", retries=100)
    with user.scope(marker="request-dialog"):
        user.find(marker="request-action-select").click()
        user.find("Reembolso").click()
    element(user, "request-deadline").set_value("2020-01-01T10:00")
    with user.scope(marker="request-dialog"):
        user.find(marker="request-send").click()
    await user.should_see("O prazo deve estar no futuro.", retries=100)
    await user.should_not_see("Aguardando Aprovação")


async def test_at_the_deadline_the_open_page_turns_expired_and_the_bell_rises(user: User) -> None:
    await _default_deadline(1)
    request_id = await request_action(1, "Reembolso")
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see("Aguardando Aprovação", retries=100)
    real_now = clock.now
    try:
        clock.now = lambda: real_now() + timedelta(hours=1, seconds=1)  # type: ignore[method-assign]
        assert await run_use_case(approvals.expire_overdue) == 1
    finally:
        clock.now = real_now  # type: ignore[method-assign]
    await user.should_see("Expirada", retries=100)
    await user.should_see("a ação “Reembolso” expirou: prazo esgotado")
    await until(lambda: bell_count(user) == "1")
    assert request_id
