"""Spec §13 on the agent's pages: the admin gives a catalog action its *Regra de
aprovação*; the agent's ticket shows the answers so far ("1 de 2 aprovações") and follows
them live."""

from __future__ import annotations

from agent_support import ANA, BRUNO, agent, customer, element, login, request_action, run_use_case
from nicegui.testing import User

from domain import admin, approvals
from domain.model import ApprovalRule
from tests import demo_lookups

ACTION = "Reiniciar produção"
DESCRIPTION = "Reiniciar o servidor de produção do cliente."


async def test_the_admin_chooses_all_managers_for_an_action(user: User) -> None:
    action_id = await run_use_case(demo_lookups.action_id, ACTION)
    await login(user, ANA, then="/agent/admin/settings")
    await user.should_see(ACTION, retries=100)
    with user.scope(marker=f"action-{action_id}"):
        user.find(marker="edit-action").click()
    await user.should_see(marker="action-dialog", retries=50)
    element(user, "action-rule").set_value(ApprovalRule.ALL.value)
    user.find(marker="action-save").click()
    await user.should_see("Regra de aprovação: Todos os gerentes", retries=100)


async def test_at_least_n_needs_a_whole_number(user: User) -> None:
    action_id = await run_use_case(demo_lookups.action_id, ACTION)
    await login(user, ANA, then="/agent/admin/settings")
    await user.should_see(ACTION, retries=100)
    with user.scope(marker=f"action-{action_id}"):
        user.find(marker="edit-action").click()
    await user.should_see(marker="action-dialog", retries=50)
    element(user, "action-rule").set_value(ApprovalRule.AT_LEAST.value)
    element(user, "action-rule-count").set_value(0)
    user.find(marker="action-save").click()
    await user.should_see("O número de aprovações deve ser um número inteiro de 1 a 1000.", retries=100)


async def test_the_ticket_shows_the_answers_so_far_live(user: User) -> None:
    action_id = await run_use_case(demo_lookups.action_id, ACTION)
    await run_use_case(
        admin.update_action, await agent(ANA), action_id, ACTION, DESCRIPTION, True, "keep", ApprovalRule.ALL, None
    )
    request_id = await request_action(1, ACTION)
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see("0 de 2 aprovações", retries=100)
    await run_use_case(approvals.approve, await customer("fabio.gerente@demo.test"), request_id)
    await user.should_see("1 de 2 aprovações", retries=100)
    await run_use_case(approvals.approve, await customer("marcia.gerente@demo.test"), request_id)
    await user.should_see("2 de 2 aprovações", retries=100)
    await user.should_see("Aprovada", retries=100)
