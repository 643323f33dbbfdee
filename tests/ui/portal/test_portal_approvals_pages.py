"""The manager's "Aprovar Ações (N)" list page by page (spec §7): the oldest twenty
first, the total above them, and a page that keeps its place while other managers
decide requests live — or falls back to the last page when its own is gone."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User
from portal_support import (
    FABIO,
    JOAO,
    MARCIA,
    customer,
    listed,
    login,
    request_action,
    request_row,
    run_use_case,
    until,
)

from domain import approvals, tickets
from ui.context import format_when


async def awaiting_requests(count: int) -> list[int]:
    """`count` new tickets of João, each with an action awaiting approval, oldest first."""
    joao = await customer(JOAO)
    numbers = [await run_use_case(tickets.create_ticket, joao, f"Pedido {index:02d}", "") for index in range(count)]
    return [await request_action(number) for number in numbers]


def shown(user: User) -> list[int]:
    """The requests listed, top to bottom."""
    return [row.id for row in listed(user)]


def pagination(user: User) -> ui.pagination:
    return user.find(ui.pagination).elements.pop()


async def open_page(user: User, page: int) -> None:
    with user:
        pagination(user).set_value(page)


async def approve_elsewhere(request_id: int) -> None:
    """Márcia, the other manager of Filial Norte's requests, decides in her own session."""
    await run_use_case(approvals.approve, await customer(MARCIA), request_id)


async def test_the_list_shows_the_20_oldest_then_the_rest_on_page_2(user: User) -> None:
    requests = await awaiting_requests(25)
    await login(user, FABIO)
    await user.open("/portal/approvals")
    await user.should_see("25 ações aguardam sua aprovação")
    assert shown(user) == requests[:20]
    assert pagination(user).value == 1

    await open_page(user, 2)
    await until(lambda: shown(user) == requests[20:])
    await user.should_see("25 ações aguardam sua aprovação")


async def test_each_request_shows_its_facts_in_one_line(user: User) -> None:
    [request_id] = await awaiting_requests(1)
    row = await request_row(request_id)
    await login(user, FABIO)
    await user.open("/portal/approvals")
    await user.should_see("1 ação aguarda sua aprovação")
    await user.should_see(f"#{row.ticket_number} — Pedido 00")
    await user.should_see(
        "Ação: Reembolso · Cliente: João Cliente · Organização: Filial Norte · "
        f"Solicitada por Bruno Agente em {format_when(row.requested_at)}"
    )
    await user.should_not_see(ui.pagination)  # one page needs no paging


async def test_a_request_decided_elsewhere_leaves_live_and_the_page_stays(user: User) -> None:
    requests = await awaiting_requests(25)
    await login(user, FABIO)
    await user.open("/portal/approvals")
    await open_page(user, 2)
    await until(lambda: shown(user) == requests[20:])

    await approve_elsewhere(requests[22])  # one on this page
    await until(lambda: shown(user) == requests[20:22] + requests[23:])
    await user.should_see("24 ações aguardam sua aprovação")

    await approve_elsewhere(requests[0])  # one on page 1: the page moves up a place
    await until(lambda: shown(user) == [requests[21], *requests[23:]])
    await user.should_see("23 ações aguardam sua aprovação")
    assert pagination(user).value == 2


async def test_when_the_last_page_empties_the_previous_one_shows(user: User) -> None:
    requests = await awaiting_requests(21)
    await login(user, FABIO)
    await user.open("/portal/approvals")
    await open_page(user, 2)
    await until(lambda: shown(user) == requests[20:])

    await approve_elsewhere(requests[20])
    await until(lambda: shown(user) == requests[:20])
    await user.should_see("20 ações aguardam sua aprovação")
    await user.should_not_see(ui.pagination)

    # The page it fell back to is where later updates land.
    await approve_elsewhere(requests[5])
    await until(lambda: shown(user) == requests[:5] + requests[6:20])
