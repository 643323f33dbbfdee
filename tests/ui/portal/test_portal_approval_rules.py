"""Spec §13 on the manager's pages: under *Todos os gerentes* the list and the request
page show the answers so far; a manager who answered no longer has the request pending
nor its buttons; under *Em etapas* the parent's manager waits for the organization."""

from __future__ import annotations

from nicegui.testing import User
from portal_support import FABIO, MARCIA, agent, customer, listed, login, request_action, run_use_case

from domain import admin, approvals
from domain.model import ApprovalRule
from tests import demo_lookups

ACTION = "Reiniciar produção"
DESCRIPTION = "Reiniciar o servidor de produção do cliente."


async def _rule(rule: ApprovalRule) -> None:
    action_id = await run_use_case(demo_lookups.action_id, ACTION)
    await run_use_case(admin.update_action, await agent("ana.admin@demo.test"), action_id, ACTION, DESCRIPTION,
                       True, "keep", rule, None)


async def test_all_managers_progress_on_the_list_and_the_request_page(user: User) -> None:
    await _rule(ApprovalRule.ALL)
    request_id = await request_action(1, ACTION)
    await run_use_case(approvals.approve, await customer(FABIO), request_id)
    await login(user, MARCIA)
    await user.open("/portal/approvals")
    await user.should_see("1 de 2 aprovações", retries=100)
    assert [(row.id, row.progress) for row in listed(user)] == [(request_id, "1 de 2 aprovações")]
    await user.open(f"/portal/approvals/{request_id}")
    await user.should_see("Fábio Gerente aprovou em", retries=100)
    await user.should_see(marker="approve")


async def test_a_manager_who_answered_sees_no_buttons_and_nothing_pending(user: User) -> None:
    await _rule(ApprovalRule.ALL)
    request_id = await request_action(1, ACTION)
    await run_use_case(approvals.approve, await customer(FABIO), request_id)
    await login(user, FABIO)
    await user.open(f"/portal/approvals/{request_id}")
    await user.should_see("Você já respondeu esta solicitação.", retries=100)
    await user.should_not_see(marker="approve")
    await user.should_see(marker="cancel-request")
    await user.open("/portal/approvals")
    await user.should_not_see("Reiniciar produção", retries=20)


async def test_in_stages_the_parent_manager_waits_for_the_organization(user: User) -> None:
    await _rule(ApprovalRule.STAGES)
    request_id = await request_action(1, ACTION)
    await login(user, MARCIA)
    await user.open(f"/portal/approvals/{request_id}")
    await user.should_see("Esta solicitação aguarda primeiro os gerentes da organização.", retries=100)
    await user.should_not_see(marker="approve")
