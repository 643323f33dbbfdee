"""Helpers of the portal's UI tests: signing in, and driving the domain the way the
other panel would (an agent requesting, closing, trashing) from a worker thread, as
the pages themselves do."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, NamedTuple

from nicegui.testing import User

from domain import admin, approvals
from domain.access import Actor
from domain.demo import DEMO_PASSWORD
from domain.views import RequestRow
from tests import demo_lookups
from ui.context import ctx
from ui.portal.approvals_tab import ApprovalsTab

BRUNO = "bruno.agente@demo.test"
ANA = "ana.admin@demo.test"
MARCIA = "marcia.gerente@demo.test"
FABIO = "fabio.gerente@demo.test"
JOAO = "joao.cliente@demo.test"
LIVIA = "livia.avulsa@demo.test"
# The `create_user` fixture: another browser, signed in as someone else.
NewUser = Callable[[], User]
TICKET_1_SUBJECT = "Cobrança em duplicidade na fatura de outubro"


async def login(user: User, email: str, password: str = DEMO_PASSWORD) -> None:
    """Signs in on /portal/login and waits for the ticket list."""
    await user.open("/portal/login")
    user.find("E-mail").type(email)
    user.find("Senha").type(password)
    user.find("Entrar").click()
    await user.should_see(marker="ticket-list", retries=200)


class Listed(NamedTuple):
    """A row of /portal/approvals: one request, as the reader sees it."""

    id: int
    path: str  # where the subject and "Avaliar" lead
    title: str  # "#number — subject"
    facts: str
    deadline: str  # "" without a deadline
    progress: str  # "" when the rule shows none


def listed(user: User) -> list[Listed]:
    """The requests /portal/approvals lists, top to bottom: the rows of its one element."""
    return [
        Listed(int(row[0]), *row[1:])
        for element in user.find(marker="approval-list").elements
        for row in element._props["rows"]
    ]


def approvals_tab(user: User) -> ApprovalsTab:
    """The manager's "Aprovar Ações (N)" tab on the user's page, shown or hidden. Its
    toast, title and system notification are the browser's (ui/portal/approvals_tab.js),
    which the simulated browser does not run: tests read the props that drive them —
    `count`, `announcement` (key, toast, notification title, body, url) and the `base`
    title."""
    assert user.client is not None
    tabs = [element for element in user.client.elements.values() if isinstance(element, ApprovalsTab)]
    assert len(tabs) == 1, f"{len(tabs)} approvals tabs"
    return tabs[0]


def sent_messages(user: User) -> list[tuple[str, dict[str, Any]]]:
    """From now on, every message the server sends the user's browser, as (type, data); an
    element update's data maps element ids to the elements (and "_id" to its number)."""
    assert user.client is not None
    outbox = user.client.outbox
    sent: list[tuple[str, dict[str, Any]]] = []
    emit = outbox._emit

    async def recording(message: Any) -> None:
        _client_id, message_type, data = message
        sent.append((message_type, data))
        await emit(message)

    outbox._emit = recording  # type: ignore[method-assign]
    return sent


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Waits for something the pages do in the background (a refusal's toast, say)."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition never held")


async def run_use_case(use_case: Callable[..., Any], *args: Any) -> Any:
    """Runs a use case off the event loop, so the pages' live updates can run meanwhile."""
    return await asyncio.to_thread(ctx().services.run, use_case, *args)


async def agent(email: str = BRUNO) -> Actor:
    return Actor.agent(await run_use_case(demo_lookups.agent_id, email))


async def customer(email: str) -> Actor:
    return Actor.customer(await run_use_case(demo_lookups.customer_id, email))


async def request_action(number: int = 1, action: str = "Reembolso", note: str = "", by: str = BRUNO) -> int:
    """An agent asks the managers to approve an action on a ticket; the request's id."""
    action_id = await run_use_case(demo_lookups.action_id, action)
    return int(await run_use_case(approvals.request_action, await agent(by), number, action_id, note))


async def request_row(request_id: int, manager: str = MARCIA) -> RequestRow:
    _detail, row = await run_use_case(approvals.request_for_manager, await customer(manager), request_id)
    return row


async def other_organization_manager(email: str = "otto.gerente@demo.test") -> None:
    """A manager of an organization unrelated to the demo's Matriz / Filial Norte."""
    ana = await agent(ANA)
    organization_id = await run_use_case(admin.create_organization, ana, "Outra Empresa")
    fields = admin.CustomerFields(
        name="Otto Gerente", email=email, organization_id=organization_id, is_manager=True, password=DEMO_PASSWORD
    )
    await run_use_case(admin.create_customer, ana, ctx().hasher, fields)
