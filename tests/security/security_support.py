"""Helpers of the security tests that drive the app in-process with NiceGUI's `user`
fixture: signing in through the real forms, running use cases the way a page's button
handler does (`ui.context.call`, with whatever actor a crafted request would carry), and
a snapshot of everything a refusal must leave untouched, read through use cases."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from nicegui.testing import User

from domain import admin, approvals, hub, push, tickets
from domain.access import Actor
from domain.demo import DEMO_PASSWORD
from domain.errors import DomainError
from persistence.uow import SqlUnitOfWork
from tests import demo_lookups
from ui.context import call, ctx

ANA = "ana.admin@demo.test"
BRUNO = "bruno.agente@demo.test"
CARLA = "carla.agente@demo.test"
MARCIA = "marcia.gerente@demo.test"
FABIO = "fabio.gerente@demo.test"
JOAO = "joao.cliente@demo.test"
LIVIA = "livia.avulsa@demo.test"
RAFAEL = "rafael.agente@demo.test"  # an agent made by the tests: the one who requests
OTTO = "otto.gerente@demo.test"  # manager of an organization unrelated to the demo's
DORA = "dora.gerente@demo.test"  # a second manager of Filial Norte, deactivated or trashed later
TICKET_1 = "Cobrança em duplicidade na fatura de outubro"
LOGIN_BUTTON = "Entrar"
SIGNED_OUT = "Sua sessão terminou. Entre novamente."


async def login_agent(user: User, email: str, then: str = "/agent", password: str = DEMO_PASSWORD) -> None:
    await user.open(f"/agent/login?next={then}")
    user.find("E-mail").type(email)
    user.find("Senha").type(password)
    user.find(LOGIN_BUTTON).click()
    await user.should_see(marker="page-title", retries=200)
    await user.should_not_see(LOGIN_BUTTON, retries=50)


async def login_portal(user: User, email: str, password: str = DEMO_PASSWORD) -> None:
    await user.open("/portal/login")
    user.find("E-mail").type(email)
    user.find("Senha").type(password)
    user.find(LOGIN_BUTTON).click()
    await user.should_see(marker="ticket-list", retries=200)


async def in_thread(use_case: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A use case run by someone else (another person's session): off the event loop,
    carrying none of this client's context."""
    return await asyncio.to_thread(ctx().services.run, use_case, *args, **kwargs)


async def quietly(use_case: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A use case committed without telling this process's pages — as another app
    instance would without a relay (SQLite): an open page keeps what it drew."""
    uow = ctx().services.uow_factory()
    assert isinstance(uow, SqlUnitOfWork)
    return await asyncio.to_thread(use_case, SqlUnitOfWork(uow.session_factory), *args, **kwargs)


async def refused(use_case: Callable[..., Any], *args: Any, **kwargs: Any) -> DomainError:
    """The handler path a button would use (`ui.context.call`), which must refuse."""
    try:
        await call(use_case, *args, **kwargs)
    except DomainError as error:
        return error
    raise AssertionError(f"{use_case.__name__} was allowed")


async def agent(email: str) -> Actor:
    return Actor.agent(await in_thread(demo_lookups.agent_id, email))


async def customer(email: str) -> Actor:
    return Actor.customer(await in_thread(demo_lookups.customer_id, email))


async def action_id(name: str) -> int:
    return int(await in_thread(demo_lookups.action_id, name))


async def new_agent(email: str, name: str) -> Actor:
    ana = await agent(ANA)
    return Actor.agent(await in_thread(admin.create_agent, ana, ctx().hasher, name, email, DEMO_PASSWORD))


async def new_manager(email: str, name: str, organization: str | None = None) -> Actor:
    """A manager of Filial Norte, or of a new organization when one is named."""
    ana = await agent(ANA)
    if organization is None:
        organization_id = next(o.id for o in await in_thread(admin.list_organizations, ana) if o.name == "Filial Norte")
    else:
        organization_id = await in_thread(admin.create_organization, ana, organization)
    fields = admin.CustomerFields(
        name=name, email=email, organization_id=organization_id, is_manager=True, password=DEMO_PASSWORD
    )
    return Actor.customer(await in_thread(admin.create_customer, ana, ctx().hasher, fields))


def deactivation(email: str, name: str, organization_id: int | None) -> admin.CustomerFields:
    return admin.CustomerFields(name=name, email=email, organization_id=organization_id, is_manager=True, active=False)


@dataclass(frozen=True)
class Snapshot:
    """Everything an operation on requests could touch, as the account manager reads it."""

    tickets: tuple[object, ...]
    notifications: tuple[object, ...]
    outbox: int
    pending_for_marcia: tuple[int, ...]


async def snapshot(numbers: tuple[int, ...] = (1, 2, 3)) -> Snapshot:
    ana = await agent(ANA)
    seen: list[object] = []
    for number in numbers:
        view = await in_thread(tickets.ticket_view, ana, number)
        requests = tuple(
            (r.id, r.state, r.decided_at, r.evaluated_by_name, r.cancelled_by_name, r.reason, r.note)
            for r in view.requests
        )
        history = tuple((h.kind, h.actor_name, h.body) for h in view.history)
        seen.append((view.ticket.status, view.ticket.assigned_agent_id, requests, history))
    notes: list[object] = []
    for email in (BRUNO, CARLA, ANA):
        try:
            notes.extend((n.kind, n.request_id) for n in await in_thread(hub.notifications, await agent(email)))
        except DomainError:  # a deactivated agent reads nothing; that stays so
            notes.append((email, "inactive"))
    pending = (await in_thread(approvals.pending_approvals, await customer(MARCIA), 1, 200)).items
    return Snapshot(
        tickets=tuple(seen),
        notifications=tuple(notes),
        outbox=len(await in_thread(push.outbox, ana)),
        pending_for_marcia=tuple(r.id for r in pending),
    )


async def eventually(probe: Callable[[], Awaitable[object]], expected: object, timeout: float = 10.0) -> None:
    answer: object = None
    for _ in range(int(timeout / 0.05)):
        answer = await probe()
        if answer == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"still {answer!r}, expected {expected!r}")


def listed_requests(user: User) -> list[int]:
    """The requests /portal/approvals lists, top to bottom: the rows of its one element."""
    return [int(row[0]) for element in user.find(marker="approval-list").elements for row in element._props["rows"]]


async def sees_requests(user: User, request_ids: list[int]) -> None:
    """Waits until /portal/approvals lists every one of these requests."""

    async def all_listed() -> bool:
        return set(request_ids) <= set(listed_requests(user))

    await eventually(all_listed, True)
