"""Spec §4, every cell, at the boundary the browser uses: for each kind of person the pages
they open (/agent/tickets/N, /portal/approvals, /portal/approvals/{id}, /portal/tickets/N)
show exactly what their row allows; a 'yes' works by clicking the button; a 'no' shows no
button AND the handler the button would run (the use case through `ui.context.call`,
with that person's actor, as a crafted request would carry it) is refused — and the
refusal changes nothing, read back through the use cases."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from nicegui.testing import User
from security_support import (
    ANA,
    BRUNO,
    CARLA,
    DORA,
    FABIO,
    JOAO,
    LIVIA,
    LOGIN_BUTTON,
    MARCIA,
    OTTO,
    RAFAEL,
    SIGNED_OUT,
    TICKET_1,
    action_id,
    agent,
    customer,
    deactivation,
    in_thread,
    login_agent,
    login_portal,
    new_agent,
    new_manager,
    quietly,
    refused,
    sees_requests,
    snapshot,
)

from domain import admin, approvals, tickets
from domain.access import Actor
from domain.errors import Forbidden, NotAuthenticated, NotFound
from domain.model import RequestState

FRESH_TICKET = 6  # an eligible ticket of João with nothing pending: the 'request' cell


@dataclass(frozen=True)
class Scene:
    requests: tuple[int, int, int]  # pending on tickets #1, #2, #3, made by Rafael
    reembolso: int


async def scene() -> Scene:
    """Rafael (an agent) requested actions on João's tickets #1-#3, all assigned to Bruno;
    #6 is a fresh eligible ticket of João."""
    ana = await agent(ANA)
    rafael = await new_agent(RAFAEL, "Rafael Agente")
    joao = await customer(JOAO)
    number = await in_thread(
        tickets.create_ticket, ana, "Chamado novo", "sem pedidos", customer_id=joao.id,
        assigned_agent_id=(await agent(BRUNO)).id,
    )
    assert number == FRESH_TICKET
    reembolso = await action_id("Reembolso")
    ids = tuple([await in_thread(approvals.request_action, rafael, n, reembolso, f"nota {n}") for n in (1, 2, 3)])
    return Scene(requests=ids, reembolso=reembolso)  # type: ignore[arg-type]


async def states(numbers: tuple[int, ...] = (1, 2, 3)) -> list[RequestState]:
    ana = await agent(ANA)
    found: list[RequestState] = []
    for number in numbers:
        found.extend(r.state for r in (await in_thread(tickets.ticket_view, ana, number)).requests)
    return found


async def agents_may_not_evaluate(actor: Actor | None, request_id: int) -> None:
    before = await snapshot()
    for use_case, args in ((approvals.approve, ()), (approvals.reject, ("motivo forjado",))):
        error = await refused(use_case, actor, request_id, *args)
        assert isinstance(error, NotAuthenticated | Forbidden | NotFound), error
    assert await snapshot() == before


async def customers_may_not_request(actor: Actor | None, reembolso: int) -> None:
    before = await snapshot((1, 2, 3, FRESH_TICKET))
    assert isinstance(await refused(approvals.request_action, actor, FRESH_TICKET, reembolso, "forjado"),
                      NotAuthenticated)
    assert await snapshot((1, 2, 3, FRESH_TICKET)) == before


async def portal_closed_to_agents(user: User, request_id: int) -> None:
    """An agent's sign-in opens no door in the portal."""
    for path in ("/portal/approvals", f"/portal/approvals/{request_id}", "/portal/tickets/1"):
        await user.open(path)
        await user.should_see(LOGIN_BUTTON, retries=50)
        await user.should_not_see("Reembolso")
        await user.should_not_see(TICKET_1)


async def agent_panel_closed_to_customers(user: User) -> None:
    for path in ("/agent/tickets/1", f"/agent/tickets/{FRESH_TICKET}", "/agent"):
        await user.open(path)
        await user.should_see(LOGIN_BUTTON, retries=50)
        await user.should_not_see("Reembolso")
        await user.should_not_see(marker="history")


async def request_from_the_menu(user: User) -> None:
    await user.open(f"/agent/tickets/{FRESH_TICKET}")
    await user.should_see(marker="history", retries=100)
    user.find(marker="request-action").click()
    await user.should_see(marker="request-dialog", retries=100)
    with user.scope(marker="request-dialog"):
        user.find(marker="request-action-select").click()
        user.find("Reembolso").click()
        user.find(marker="request-send").click()
    await user.should_see("Aguardando Aprovação", retries=100)


# --- agents ---------------------------------------------------------------------------

AGENT_ROWS = {
    # who: (e-mail, may cancel)
    "assigned agent": (BRUNO, True),
    "requesting agent": (RAFAEL, True),
    "other agent": (CARLA, False),
    "account manager": (ANA, True),
}


@pytest.mark.parametrize("who", list(AGENT_ROWS))
async def test_agents_request_see_history_cancel_per_table_and_never_evaluate(user: User, who: str) -> None:
    the = await scene()
    email, may_cancel = AGENT_ROWS[who]
    me = await agent(email)
    await login_agent(user, email, then="/agent/tickets/1")
    # sees it: the agent panel history, and the request itself
    await user.should_see(marker="history-action_requested", retries=100)
    await user.should_see(marker=f"request-{the.requests[0]}")
    await user.should_see("nota 1")
    await user.should_not_see(marker="approve")
    await user.should_not_see(marker="reject")
    # cancel
    if may_cancel:
        user.find(marker="cancel-request").click()
        await user.should_see(marker="confirm-dialog", retries=50)
        user.find(marker="confirm").click()
        await user.should_see("Cancelada", retries=100)
        assert await states((1,)) == [RequestState.CANCELLED]
    else:
        await user.should_not_see(marker="cancel-request")
        before = await snapshot()
        assert isinstance(await refused(approvals.cancel, me, the.requests[0]), Forbidden)
        assert await snapshot() == before
    # approve / reject: never, whatever the request carries
    await agents_may_not_evaluate(me, the.requests[1])
    # request: yes, from the menu
    await request_from_the_menu(user)
    assert await states((FRESH_TICKET,)) == [RequestState.AWAITING_APPROVAL]
    # the portal's approval screens stay closed
    await portal_closed_to_agents(user, the.requests[1])


# --- managers in scope ------------------------------------------------------------------


@pytest.mark.parametrize("email", [FABIO, MARCIA], ids=["manager of the organization", "manager of the parent"])
async def test_managers_in_scope_approve_reject_cancel_but_never_request(user: User, email: str) -> None:
    the = await scene()
    me = await customer(email)
    await login_portal(user, email)
    await user.should_see("Aprovar Ações (3)", retries=100)
    await user.open("/portal/approvals")
    await sees_requests(user, list(the.requests))

    async def decide(request_id: int, button: str, confirm: str, shows: str, reason: str | None = None) -> None:
        await user.open(f"/portal/approvals/{request_id}")
        await user.should_see(marker=button, retries=100)
        user.find(marker=button).click()
        await user.should_see(marker=confirm, retries=50)
        if reason is not None:
            user.find(marker=f"{confirm}-reason").type(reason)
        user.find(marker=confirm).click()
        await user.should_see(shows, retries=100)

    first, second, third = the.requests
    await decide(first, "approve", "confirm-approve", "Aprovada")
    await decide(second, "reject", "confirm-reject", "Reprovada", reason="não")
    await decide(third, "cancel-request", "confirm-cancel", "Cancelada")
    assert await states() == [RequestState.APPROVED, RequestState.REJECTED, RequestState.CANCELLED]
    # The portal's ticket view never shows requests (spec §8).
    await user.open("/portal/tickets/1")
    await user.should_see(TICKET_1, retries=50)
    await user.should_not_see("Reembolso")
    await user.should_not_see("nota 1")
    # request: no — no agent page opens, and the crafted call is refused
    await customers_may_not_request(me, the.reembolso)
    await agent_panel_closed_to_customers(user)


# --- customers without rights -------------------------------------------------------


async def nothing_to_see_and_nothing_allowed(
    user: User, me: Actor | None, the: Scene, own_ticket: bool, *, manages_something: bool = False
) -> None:
    first = the.requests[0]
    await user.open("/portal/approvals")
    if manages_something:  # an empty list of their own
        await user.should_see("Nenhuma ação aguarda sua aprovação.", retries=100)
    else:  # no such page for them
        await user.should_see("Página não encontrada.", retries=100)
        await user.should_not_see("Aprovar Ações")
    await user.should_not_see(marker="approvals-tab")
    await user.should_not_see("Reembolso")
    for request_id in the.requests:
        await user.open(f"/portal/approvals/{request_id}")
        await user.should_see("Solicitação não encontrada.", retries=100)
        for hidden in ("Reembolso", "nota", TICKET_1):
            await user.should_not_see(hidden)
        for button in ("approve", "reject", "cancel-request"):
            await user.should_not_see(marker=button)
    await user.open("/portal/tickets/1")
    if own_ticket:
        await user.should_see(TICKET_1, retries=100)
        await user.should_not_see("Reembolso")
        await user.should_not_see("nota 1")
    else:
        await user.should_see("Chamado não encontrado.", retries=100)
        await user.should_not_see(TICKET_1)
    before = await snapshot()
    for use_case, args in (
        (approvals.approve, ()),
        (approvals.reject, ("motivo forjado",)),
        (approvals.cancel, ()),
        (approvals.request_for_manager, ()),
    ):
        error = await refused(use_case, me, first, *args)
        assert isinstance(error, NotFound | Forbidden | NotAuthenticated), error
    assert await snapshot() == before
    await customers_may_not_request(me, the.reembolso)
    await agent_panel_closed_to_customers(user)


async def test_manager_of_another_organization_sees_and_does_nothing(user: User) -> None:
    the = await scene()
    otto = await new_manager(OTTO, "Otto Gerente", organization="Outra Empresa")
    await login_portal(user, OTTO)
    await nothing_to_see_and_nothing_allowed(user, otto, the, own_ticket=False, manages_something=True)


@pytest.mark.parametrize("email", [JOAO, LIVIA], ids=["the ticket's own customer", "customer of no organization"])
async def test_plain_customers_see_and_do_nothing(user: User, email: str) -> None:
    the = await scene()
    await login_portal(user, email)
    await nothing_to_see_and_nothing_allowed(user, await customer(email), the, own_ticket=email == JOAO)


# --- rights lost after the page was drawn -------------------------------------------


async def dora_on_the_request_page(user: User, the: Scene) -> Actor:
    dora = await new_manager(DORA, "Dora Gerente")
    await login_portal(user, DORA)
    await user.should_see("Aprovar Ações (3)", retries=100)  # the right existed
    await user.open(f"/portal/approvals/{the.requests[0]}")
    await user.should_see(marker="approve", retries=100)
    return dora


async def test_a_manager_deactivated_after_the_page_was_drawn_is_refused_on_click(user: User) -> None:
    the = await scene()
    dora = await dora_on_the_request_page(user, the)
    ana = await agent(ANA)
    organization_id = (await in_thread(admin.list_customers, ana, DORA))[0].organization_id
    # The admin deactivates her where this page hears nothing of it (another instance),
    # so the page still shows Aprovar: the server must refuse anyway.
    await quietly(admin.update_customer, ana, None, dora.id, deactivation(DORA, "Dora", organization_id))
    before = await snapshot()
    user.find(marker="approve").click()
    await user.should_see(marker="confirm-approve", retries=50)
    user.find(marker="confirm-approve").click()
    await user.should_see(SIGNED_OUT, retries=100)  # a clear message, as a toast
    assert await snapshot() == before
    assert await states() == [RequestState.AWAITING_APPROVAL] * 3
    for use_case, args in ((approvals.approve, ()), (approvals.reject, ("x",)), (approvals.cancel, ())):
        assert isinstance(await refused(use_case, dora, the.requests[0], *args), NotAuthenticated)
    assert await snapshot() == before
    # The next page she opens sends her to the login, which no longer lets her in.
    await user.open("/portal/approvals")
    await user.should_see(LOGIN_BUTTON, retries=100)
    await user.should_not_see("Reembolso")
    user.find("E-mail").type(DORA)
    user.find("Senha").type("demo1234")
    user.find(LOGIN_BUTTON).click()
    await user.should_see("E-mail ou senha incorretos.", retries=100)
    await customers_may_not_request(dora, the.reembolso)


async def test_a_deactivation_the_page_hears_of_takes_the_buttons_away(user: User) -> None:
    the = await scene()
    dora = await dora_on_the_request_page(user, the)
    ana = await agent(ANA)
    organization_id = (await in_thread(admin.list_customers, ana, DORA))[0].organization_id
    await in_thread(admin.update_customer, ana, None, dora.id, deactivation(DORA, "Dora", organization_id))
    await user.should_not_see(marker="approve", retries=100)
    await user.should_see("Solicitação não encontrada.", retries=100)


async def test_a_trashed_manager_is_refused_and_sees_nothing(user: User) -> None:
    the = await scene()
    dora = await dora_on_the_request_page(user, the)
    await quietly(tickets.trash_customer, await agent(ANA), dora.id)
    before = await snapshot()
    user.find(marker="reject").click()
    await user.should_see(marker="confirm-reject", retries=50)
    user.find(marker="confirm-reject").click()
    await user.should_see(SIGNED_OUT, retries=100)
    assert await snapshot() == before
    for use_case, args in ((approvals.approve, ()), (approvals.reject, ("x",)), (approvals.cancel, ())):
        assert isinstance(await refused(use_case, dora, the.requests[1], *args), NotAuthenticated)
    assert await snapshot() == before
    for path in ("/portal/approvals", f"/portal/approvals/{the.requests[1]}", "/portal/tickets/1"):
        await user.open(path)
        await user.should_see(LOGIN_BUTTON, retries=100)
        await user.should_not_see("Reembolso")


async def test_an_agent_deactivated_after_the_page_was_drawn_is_refused_on_click(user: User) -> None:
    the = await scene()
    await login_agent(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="cancel-request", retries=100)
    ana = await agent(ANA)
    bruno = await agent(BRUNO)
    changes = admin.AgentChanges(name="Bruno Agente", email=BRUNO, role="agent", active=False)  # type: ignore[arg-type]
    await quietly(admin.update_agent, ana, None, bruno.id, changes)
    before = await snapshot()
    user.find(marker="cancel-request").click()
    await user.should_see(marker="confirm-dialog", retries=50)
    user.find(marker="confirm").click()
    await user.should_see(SIGNED_OUT, retries=100)
    assert await snapshot() == before
    assert isinstance(await refused(approvals.request_action, bruno, FRESH_TICKET, the.reembolso), NotAuthenticated)
    assert await snapshot() == before
    await user.open("/agent/tickets/1")
    await user.should_see(LOGIN_BUTTON, retries=100)
    await user.should_not_see(marker="history")


# --- anonymous --------------------------------------------------------------------------


async def test_anonymous_sees_only_login_forms_and_every_handler_refuses(user: User) -> None:
    the = await scene()
    for path in (
        "/agent/tickets/1",
        "/agent",
        "/agent/notifications",
        "/agent/trash",
        "/agent/admin/settings",
        "/agent/admin/outbox",
        "/portal",
        "/portal/approvals",
        f"/portal/approvals/{the.requests[0]}",
        "/portal/tickets/1",
    ):
        await user.open(path)
        await user.should_see(LOGIN_BUTTON, retries=100)
        for hidden in ("Reembolso", TICKET_1, "nota 1"):
            await user.should_not_see(hidden)
    before = await snapshot((1, 2, 3, FRESH_TICKET))
    for use_case, args in (
        (approvals.approve, (the.requests[0],)),
        (approvals.reject, (the.requests[0], "x")),
        (approvals.cancel, (the.requests[0],)),
        (approvals.request_action, (FRESH_TICKET, the.reembolso)),
        (approvals.request_for_manager, (the.requests[0],)),
        (approvals.pending_approvals, ()),
        (tickets.ticket_view, (1,)),
        (tickets.portal_ticket, (1,)),
    ):
        assert isinstance(await refused(use_case, None, *args), NotAuthenticated), use_case.__name__
    assert await snapshot((1, 2, 3, FRESH_TICKET)) == before
