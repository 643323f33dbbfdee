"""Every refusal answers the click itself (spec §4). A browser on a slow line still shows
the confirmation after the server withdrew it (someone else decided, the request was
cancelled, the manager lost the right, the session ended); the click it sends then must
be answered with why nothing happened, not meet silence until the live update arrives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from nicegui import storage, ui
from nicegui.testing import User
from portal_support import ANA, FABIO, MARCIA, agent, customer, login, request_action, run_use_case, until

from domain import admin, approvals
from domain.model import RequestState
from tests import demo_lookups
from ui.session import sign_out


async def rejected_by_fabio(request_id: int) -> None:
    await run_use_case(approvals.reject, await customer(FABIO), request_id, "")


async def cancelled_by_bruno(request_id: int) -> None:
    await run_use_case(approvals.cancel, await agent(), request_id)


async def marcia_deactivated(request_id: int) -> None:
    ana, marcia = await agent(ANA), await customer(MARCIA)
    [row] = await run_use_case(admin.list_customers, ana, MARCIA)
    fields = admin.CustomerFields(
        name=row.name, email=MARCIA, organization_id=row.organization_id, is_manager=True, active=False
    )
    await run_use_case(admin.update_customer, ana, None, marcia.id, fields)


async def marcia_no_longer_manager(request_id: int) -> None:
    ana, marcia = await agent(ANA), await customer(MARCIA)
    [row] = await run_use_case(admin.list_customers, ana, MARCIA)
    fields = admin.CustomerFields(name=row.name, email=MARCIA, organization_id=row.organization_id, is_manager=False)
    await run_use_case(admin.update_customer, ana, None, marcia.id, fields)


def stale_click(user: User, button: ui.button) -> None:
    """What a browser sends for a click on a button it still shows."""
    assert user.client is not None
    [listener_id] = list(button._event_listeners)  # the browser's side of the click
    user.client.handle_event({"id": button.id, "listener_id": listener_id, "args": []})


@pytest.mark.parametrize(
    ("meanwhile", "answer", "state"),
    [
        (rejected_by_fabio, "Esta ação já foi reprovada por Fábio Gerente", RequestState.REJECTED),
        (cancelled_by_bruno, "Esta ação já foi cancelada por Bruno Agente", RequestState.CANCELLED),
        (marcia_deactivated, "Sua sessão terminou", RequestState.AWAITING_APPROVAL),
        (marcia_no_longer_manager, "não encontrada", RequestState.AWAITING_APPROVAL),
    ],
)
async def test_a_click_on_a_confirmation_the_server_withdrew_is_answered(
    user: User, meanwhile: Callable[[int], Awaitable[None]], answer: str, state: RequestState
) -> None:
    request_id = await request_action(1)
    await login(user, MARCIA)
    await user.open(f"/portal/approvals/{request_id}")
    await user.should_see(marker="approve")
    user.find(marker="approve").click()
    await user.should_see(marker="confirm-approve")
    [confirm] = user.find(marker="confirm-approve").elements
    await meanwhile(request_id)
    await user.should_not_see(marker="approve", retries=100)  # the server withdrew the dialog
    stale_click(user, confirm)  # ...which this browser had not heard yet
    await until(lambda: any(answer in message for message in user.notify.messages))
    assert await run_use_case(demo_lookups.request_state, request_id) == state


async def test_a_confirmation_left_open_after_signing_out_in_another_tab_decides_nothing(user: User) -> None:
    request_id = await request_action(1)
    await login(user, MARCIA)
    await user.open(f"/portal/approvals/{request_id}")
    await user.should_see(marker="approve")
    user.find(marker="approve").click()
    await user.should_see(marker="confirm-approve")
    [confirm] = user.find(marker="confirm-approve").elements
    [listener] = list(confirm._event_listeners.values())  # this browser's request
    storage.request_contextvar.set(listener.request)
    sign_out("customer")  # what "Sair" in another tab of this browser does
    user.find(marker="confirm-approve").click()
    await until(lambda: any("Sua sessão terminou" in message for message in user.notify.messages))
    assert await run_use_case(demo_lookups.request_state, request_id) == RequestState.AWAITING_APPROVAL
