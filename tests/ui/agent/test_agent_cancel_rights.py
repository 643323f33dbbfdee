"""**Cancelar** on a pending request (spec §4): the ticket's agent, the requesting agent and
the account manager may; any other agent sees no button, and the server refuses anyway."""

from __future__ import annotations

import pytest
from agent_support import ANA, BRUNO, CARLA, agent, login, request_action, run_use_case
from nicegui.testing import User

from domain import approvals, tickets
from domain.errors import Forbidden
from domain.model import RequestState


async def cancel_from_the_page(user: User) -> None:
    user.find(marker="cancel-request").click()
    await user.should_see(marker="confirm-dialog", retries=50)
    # The buttons say what they do, with the portal's words.
    assert user.find(marker="dialog-back").elements.pop().text == "Manter ação"
    assert user.find(marker="confirm").elements.pop().text == "Cancelar ação"
    user.find(marker="confirm").click()
    await user.should_see("Cancelada", retries=100)


async def test_the_assigned_agent_cancels_a_request_someone_else_made(user: User) -> None:
    await request_action(1, "Reembolso", by=ANA)
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see("Aguardando Aprovação", retries=100)
    await cancel_from_the_page(user)
    await user.should_see("cancelou a ação “Reembolso”")
    await user.should_not_see(marker="cancel-request")
    await user.should_not_see("Aguardando Aprovação")


async def test_another_agent_sees_no_cancel_and_the_server_refuses_her(user: User) -> None:
    request_id = await request_action(1, "Reembolso", by=ANA)
    await login(user, CARLA, then="/agent/tickets/1")
    await user.should_see("Aguardando Aprovação", retries=100)
    await user.should_not_see(marker="cancel-request")
    with pytest.raises(Forbidden):
        await run_use_case(approvals.cancel, await agent(CARLA), request_id)
    rows = (await run_use_case(tickets.ticket_view, await agent(CARLA), 1)).requests
    assert [row.state for row in rows] == [RequestState.AWAITING_APPROVAL]


async def test_the_requesting_agent_cancels_on_a_ticket_not_assigned_to_her(user: User) -> None:
    await request_action(2, "Reiniciar produção", by=CARLA)
    await login(user, CARLA, then="/agent/tickets/2")
    await user.should_see("Aguardando Aprovação", retries=100)
    await cancel_from_the_page(user)


async def test_the_account_manager_cancels_any_request(user: User) -> None:
    await request_action(1, "Reembolso", by=CARLA)
    await login(user, ANA, then="/agent/tickets/1")
    await user.should_see("Aguardando Aprovação", retries=100)
    await cancel_from_the_page(user)


async def test_a_right_lost_after_the_page_was_drawn_is_refused(user: User) -> None:
    """Rights are checked when the operation runs: reassigned away, Bruno can no longer cancel."""
    request_id = await request_action(1, "Reembolso", by=ANA)
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="cancel-request", retries=100)
    await run_use_case(tickets.assign, await agent(ANA), 1, (await agent(CARLA)).id)
    await user.should_not_see(marker="cancel-request", retries=100)  # the page followed the change
    with pytest.raises(Forbidden):
        await run_use_case(approvals.cancel, await agent(BRUNO), request_id)
