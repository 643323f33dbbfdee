"""Spec §4 with §13's rows, at the boundary the browser uses (as test_access_matrix_ui.py):
a stand-in before, during and after their period; a manager who already answered a
*Todos os gerentes* request; a stage-two manager while *Em etapas* awaits stage one.
A 'yes' works by clicking; a 'no' shows no button and the crafted call is refused,
changing nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from nicegui.testing import User
from security_support import (
    ANA,
    FABIO,
    JOAO,
    MARCIA,
    agent,
    customer,
    in_thread,
    login_agent,
    login_portal,
    refused,
    sees_requests,
    snapshot,
)
from test_access_matrix_ui import (
    Scene,
    agent_panel_closed_to_customers,
    customers_may_not_request,
    nothing_to_see_and_nothing_allowed,
    scene,
    states,
)

from domain import admin, approvals, clock, standins, tickets
from domain.errors import Conflict, Forbidden
from domain.model import ApprovalRule, HistoryKind, RequestState

HOUR = timedelta(hours=1)


async def joao_stands_in_for_fabio(starts: timedelta, ends: timedelta) -> int:
    now = clock.now()
    fabio = await customer(FABIO)
    return int(await in_thread(standins.add_absence, fabio, (await customer(JOAO)).id, now + starts, now + ends))


@pytest.mark.parametrize("period", ["before", "after"])
async def test_a_stand_in_outside_the_period_sees_and_does_nothing(user: User, period: str) -> None:
    the = await scene()
    if period == "before":
        await joao_stands_in_for_fabio(2 * HOUR, 5 * HOUR)
    else:
        absence_id = await joao_stands_in_for_fabio(-HOUR, 5 * HOUR)
        await in_thread(standins.end_absence, await customer(FABIO), absence_id)
    await login_portal(user, JOAO)
    await nothing_to_see_and_nothing_allowed(user, await customer(JOAO), the, own_ticket=True)


async def test_a_stand_in_during_the_period_approves_rejects_cancels_but_never_requests(
    user: User, create_user: object
) -> None:
    the: Scene = await scene()
    await joao_stands_in_for_fabio(-HOUR, 5 * HOUR)
    joao = await customer(JOAO)
    await login_portal(user, JOAO)
    await user.should_see("Aprovar Ações (3)", retries=100)
    await user.open("/portal/approvals")
    await sees_requests(user, list(the.requests))

    async def decide(request_id: int, button: str, confirm: str, shows: str) -> None:
        await user.open(f"/portal/approvals/{request_id}")
        await user.should_see(marker=button, retries=100)
        user.find(marker=button).click()
        await user.should_see(marker=confirm, retries=50)
        user.find(marker=confirm).click()
        await user.should_see(shows, retries=100)

    first, second, third = the.requests
    await decide(first, "approve", "confirm-approve", "Aprovada")
    await user.should_see("João Cliente (substituindo Fábio Gerente)", retries=100)  # who decided, for whom
    await decide(second, "reject", "confirm-reject", "Reprovada")
    await decide(third, "cancel-request", "confirm-cancel", "Cancelada")
    assert await states() == [RequestState.APPROVED, RequestState.REJECTED, RequestState.CANCELLED]
    # The history names the absent manager.
    view = await in_thread(tickets.ticket_view, await agent(ANA), 1)
    decided = [h for h in view.history if h.kind == HistoryKind.ACTION_APPROVED]
    assert [(h.actor_name, h.on_behalf_of_name) for h in decided] == [("João Cliente", "Fábio Gerente")]
    ana = create_user()  # type: ignore[operator]
    await login_agent(ana, ANA, then="/agent/tickets/1")
    await ana.should_see("João Cliente (substituindo Fábio Gerente)", retries=100)
    # request: no
    await customers_may_not_request(joao, the.reembolso)
    await agent_panel_closed_to_customers(user)


async def _rule(rule: ApprovalRule) -> None:
    ana = await agent(ANA)
    action = next(a for a in await in_thread(admin.list_catalog, ana) if a.name == "Reembolso")
    await in_thread(admin.update_action, ana, action.id, action.name, action.description, True, "keep", rule, None)


async def test_a_manager_who_already_answered_may_not_answer_again(user: User) -> None:
    await _rule(ApprovalRule.ALL)
    the = await scene()
    fabio = await customer(FABIO)
    await in_thread(approvals.approve, fabio, the.requests[0])
    await login_portal(user, FABIO)
    await user.should_see("Aprovar Ações (2)", retries=100)  # the answered one left his count
    await user.open(f"/portal/approvals/{the.requests[0]}")
    await user.should_see("Você já respondeu esta solicitação.", retries=100)
    await user.should_not_see(marker="approve")
    await user.should_not_see(marker="reject")
    before = await snapshot()
    for use_case, args in ((approvals.approve, ()), (approvals.reject, ("de novo",))):
        assert isinstance(await refused(use_case, fabio, the.requests[0], *args), Conflict)
    assert await snapshot() == before


async def test_a_stage_two_manager_may_not_answer_during_stage_one(user: User) -> None:
    await _rule(ApprovalRule.STAGES)
    the = await scene()
    marcia = await customer(MARCIA)
    await login_portal(user, MARCIA)
    await user.open(f"/portal/approvals/{the.requests[0]}")
    await user.should_see("Esta solicitação aguarda primeiro os gerentes da organização.", retries=100)
    await user.should_not_see(marker="approve")
    await user.should_not_see(marker="approvals-tab")  # nothing awaits her yet
    before = await snapshot()
    for use_case, args in ((approvals.approve, ()), (approvals.reject, ("cedo",))):
        assert isinstance(await refused(use_case, marcia, the.requests[0], *args), Forbidden)
    assert await snapshot() == before
