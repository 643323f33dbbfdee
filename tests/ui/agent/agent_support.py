"""Helpers of the agent panel's UI tests: signing in, reading what a page shows, and
driving the domain the way the other panel would (a manager approving) from a worker
thread, exactly as the pages do."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from nicegui import ElementFilter, ui
from nicegui.testing import User

from domain import approvals
from domain.access import Actor
from domain.demo import DEMO_PASSWORD
from tests import demo_lookups
from ui.context import ctx

ANA = "ana.admin@demo.test"
BRUNO = "bruno.agente@demo.test"
CARLA = "carla.agente@demo.test"
MARCIA = "marcia.gerente@demo.test"
FABIO = "fabio.gerente@demo.test"
JOAO = "joao.cliente@demo.test"
LIVIA = "livia.avulsa@demo.test"
TICKET_1 = "Cobrança em duplicidade na fatura de outubro"
TICKET_4 = "Dúvida sobre o plano"


async def login(user: User, email: str, then: str = "/agent", password: str = DEMO_PASSWORD) -> None:
    """Signs in on /agent/login and lands on `then`."""
    await user.open(f"/agent/login?next={then}")
    user.find("E-mail").type(email)
    user.find("Senha").type(password)
    user.find("Entrar").click()
    await user.should_see(marker="page-title", retries=200)
    await user.should_not_see("Entrar", retries=50)


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Waits for something the pages do in the background."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition never held")


async def eventually(probe: Callable[[], Awaitable[object]], expected: object, timeout: float = 10.0) -> None:
    """Waits until an async probe (say, a use case) answers `expected`."""
    answer: object = None
    for _ in range(int(timeout / 0.05)):
        answer = await probe()
        if answer == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"still {answer!r}, expected {expected!r}")


async def should_see_within(user: User, marker: str, text: str, retries: int = 100) -> None:
    """`should_see` inside the element with this marker, which a redraw may replace."""
    for _ in range(retries - 1):
        try:
            with user.scope(marker=marker):
                await user.should_see(text, retries=1)
            return
        except AssertionError:
            await asyncio.sleep(0.05)
    with user.scope(marker=marker):
        await user.should_see(text, retries=1)


def element(user: User, marker: str) -> ui.element:
    """The one element with this marker."""
    elements = user.find(marker=marker).elements
    assert len(elements) == 1, f"{len(elements)} elements marked {marker}"
    return next(iter(elements))


def bell_count(user: User) -> str | None:
    """The unread count on the bell, None while it is hidden (nothing unread)."""
    with user:
        badges = list(ElementFilter(marker="bell-count", local_scope=False))
    assert len(badges) == 1
    badge = badges[0]
    return badge.text if badge.visible else None  # type: ignore[attr-defined]


def texts(user: User, marker: str) -> list[str]:
    """The texts of the elements with this marker and of everything inside them, in order."""
    found: list[str] = []
    with user:
        for outer in user.find(marker=marker).elements:
            for inner in (outer, *outer.descendants()):
                text = getattr(inner, "text", None)
                if isinstance(text, str) and text:
                    found.append(text)
    return found


async def run_use_case(use_case: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Runs a use case off the event loop, so the pages' live updates can run meanwhile —
    in a worker thread that, like `run.io_bound` in another person's session, carries
    none of this test's context (not the signed-in page's request)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, partial(ctx().services.run, use_case, *args, **kwargs))


async def agent(email: str = BRUNO) -> Actor:
    return Actor.agent(await run_use_case(demo_lookups.agent_id, email))


async def customer(email: str) -> Actor:
    return Actor.customer(await run_use_case(demo_lookups.customer_id, email))


async def request_action(number: int = 1, action: str = "Reembolso", note: str = "", by: str = BRUNO) -> int:
    """An agent asks the managers to approve an action on a ticket; the request's id."""
    action_id = await run_use_case(demo_lookups.action_id, action)
    return int(await run_use_case(approvals.request_action, await agent(by), number, action_id, note))
