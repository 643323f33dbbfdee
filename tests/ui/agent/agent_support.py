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


def listed_rows(user: User) -> tuple[tuple[str | bool, ...], ...]:
    """The rows of the /agent ticket list (one element, marker `ticket-list`), top to
    bottom; none while the list is hidden (no ticket found) or not on the page."""
    with user:
        lists = list(ElementFilter(marker="ticket-list", local_scope=False, only_visible=True))
    assert len(lists) <= 1, f"{len(lists)} ticket lists"
    return lists[0].rows if lists else ()  # type: ignore[attr-defined]


def ticket_numbers(user: User) -> list[int]:
    """The numbers of the tickets the list shows, in the order shown."""
    return [int(row[0]) for row in listed_rows(user)]


def pending_numbers(user: User) -> list[int]:
    """The tickets the list marks with the orange "An action awaits approval" icon."""
    return [int(row[0]) for row in listed_rows(user) if row[4] is True]


def row_texts(user: User, number: int) -> list[str]:
    """What ticket `number`'s row shows, as the list's element tells `should_see`."""
    lists = user.find(marker="ticket-list").elements
    assert len(lists) == 1, f"{len(lists)} ticket lists"
    table = next(iter(lists))
    shown = [row for row in table.rows if row[0] == str(number)]  # type: ignore[attr-defined]
    assert len(shown) == 1, f"ticket #{number} is not listed: {ticket_numbers(user)}"
    number_text, _link, subject, customer_text, pending, status, _colour, agent_name = shown[0]
    pending_text = [table._props["pendingLabel"]] if pending else []
    return [f"#{number_text}", str(subject), str(customer_text), *pending_text, str(status), str(agent_name)]


# How long a list may take to redraw or a page to load: 5 s was once too short for a
# navigation back to the list on a slow moment of a two-core machine running the whole suite.
LIST_WAIT = 15.0


async def until_listed(
    read: Callable[[], list[int]], holds: Callable[[list[int]], bool], what: str, timeout: float = LIST_WAIT
) -> None:
    """Waits for the list's live redraw: until `holds(read())`, say
    `until_listed(lambda: pending_numbers(user), lambda pending: 1 in pending, "#1 pending")`."""
    seen = read()
    for _ in range(int(timeout / 0.05)):
        seen = read()
        if holds(seen):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never {what}: the list shows {seen}")


async def until_pending(user: User, number: int, timeout: float = LIST_WAIT) -> None:
    """Waits until the list marks ticket `number` as awaiting approval."""
    await until_listed(lambda: pending_numbers(user), lambda pending: number in pending, f"#{number} pending", timeout)


async def until_not_pending(user: User, number: int, timeout: float = LIST_WAIT) -> None:
    """Waits until ticket `number` is listed without the mark."""
    def unmarked() -> list[int]:
        pending = pending_numbers(user)
        return [listed for listed in ticket_numbers(user) if listed not in pending]

    await until_listed(unmarked, lambda listed: number in listed, f"#{number} listed without the mark", timeout)


async def until_ticket_listed(user: User, number: int, timeout: float = LIST_WAIT) -> None:
    """Waits until ticket `number` is a row of the list."""
    await until_listed(lambda: ticket_numbers(user), lambda listed: number in listed, f"#{number} listed", timeout)


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
