"""/agent: the ticket list, filtered and paginated on the server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nicegui import ui
from nicegui.events import ValueChangeEventArguments

from domain import tickets
from domain.errors import DomainError
from domain.events import DomainEvent, RequestEvent, TicketChanged
from domain.model import TicketStatus
from domain.views import Page, TicketFilter, TicketRow

from ..context import call, ctx, error_text
from ..frame import Me
from ..i18n import _
from ..labels import STATUS_COLORS, status_label
from ..refresh import Coalesced
from .labels import ticket_path
from .layout import agent_page
from .new_ticket_dialog import open_new_ticket_dialog

PER_PAGE = 25
ALL = "all"


@dataclass
class ListState:
    status: str = ALL
    mine: bool = False
    search: str = ""
    page: int = 1

    def query(self, me: Me) -> TicketFilter:
        return TicketFilter(
            status=None if self.status == ALL else TicketStatus(self.status),
            assigned_agent_id=me.actor.id if self.mine else None,
            search=self.search.strip(),
            page=self.page,
            per_page=PER_PAGE,
        )


def _row(row: TicketRow) -> None:
    with ui.row().classes("w-full items-center gap-3 py-2 border-b no-wrap").mark(f"ticket-row-{row.number}"):
        ui.link(f"#{row.number}", ticket_path(row.number)).classes("w-12 text-bold")
        with ui.column().classes("grow gap-0"):
            ui.link(row.subject, ticket_path(row.number)).classes("text-body1")
            customer = row.customer_name + (f" · {row.organization_name}" if row.organization_name else "")
            ui.label(customer).classes("text-caption text-grey-8")
        if row.has_pending_request:
            with ui.icon("pending_actions", color="orange").classes("text-h6").mark(f"pending-{row.number}"):
                ui.tooltip(_("An action awaits approval"))
        ui.badge(status_label(row.status), color=STATUS_COLORS[row.status]).classes("w-28 justify-center")
        ui.label(row.assigned_agent_name or _("Unassigned")).classes("w-40 text-grey-8")


def _rows(page: Page[TicketRow], on_page: Callable[[ValueChangeEventArguments], Awaitable[None]]) -> None:
    if not page.items:
        ui.label(_("No ticket found.")).classes("text-grey-7").mark("no-tickets")
        return
    with ui.card().classes("w-full gap-0"):
        with ui.row().classes("w-full gap-3 text-caption text-grey-7 no-wrap"):
            ui.label(_("Number")).classes("w-12")
            ui.label(_("Subject · customer · organization")).classes("grow")
            ui.label(_("Status")).classes("w-28")
            ui.label(_("Assigned agent")).classes("w-40")
        for row in page.items:
            _row(row)
    with ui.row().classes("items-center gap-4"):
        ui.label(_("Tickets found: {total}").format(total=page.total)).classes("text-caption").mark("ticket-total")
        if page.pages > 1:
            ui.pagination(1, page.pages, direction_links=True, value=page.page, on_change=on_page).mark("pagination")


def register() -> None:
    @ui.page("/agent")
    async def tickets_page() -> None:
        async with agent_page("/agent", _("Tickets")) as me:
            if me is None:
                return
            await _build(me)


async def _build(me: Me) -> None:
    state = ListState()

    with ui.row().classes("w-full items-end gap-4"):
        status_options = {ALL: _("All statuses")} | {s.value: status_label(s) for s in TicketStatus}
        status = ui.select(status_options, value=ALL, label=_("Status")).classes("w-44").mark("status-filter")
        mine = ui.switch(_("Only mine")).mark("mine-filter")
        search = ui.input(_("Search by number or subject")).props("clearable").classes("w-72")
        search.mark("search")
        go = ui.button(icon="search", on_click=lambda: filters_changed()).props("flat round").mark("search-button")
        go._props["aria-label"] = _("Search")
        ui.space()
        ui.button(_("New ticket"), icon="add", on_click=lambda: open_new_ticket_dialog(me)).mark("new-ticket")
    listing = ui.column().classes("w-full gap-2")

    async def load() -> Page[TicketRow] | str:
        try:
            return await call(tickets.list_tickets, me.actor, state.query(me))
        except DomainError as error:
            return error_text(error)

    async def change_page(event: ValueChangeEventArguments) -> None:
        state.page = int(event.value or 1)
        await redraw()

    shown: list[Page[TicketRow] | str] = []

    def draw(page: Page[TicketRow] | str) -> None:
        # A re-read that finds the list as drawn leaves it alone: during a burst of
        # expiries, rebuilding 25 unchanged rows after each re-read was most of the
        # server's work (docs/benchmarks.md §5).
        if shown and shown[0] == page:
            return
        shown[:] = [page]
        listing.clear()
        with listing:
            if isinstance(page, str):
                ui.label(page).classes("text-negative")
            else:
                _rows(page, change_page)

    redraw = Coalesced.of(load, draw)

    async def filters_changed() -> None:
        state.status = status.value or ALL
        state.mine = bool(mine.value)
        state.search = search.value or ""
        state.page = 1
        await redraw()

    status.on_value_change(filters_changed)
    mine.on_value_change(filters_changed)
    search.on("keydown.enter", filters_changed)

    async def search_cleared() -> None:
        if not search.value and state.search:
            await filters_changed()

    search.on_value_change(search_cleared)

    def on_event(event: DomainEvent) -> None:
        redraw.soon()

    ctx().live.subscribe(on_event, lambda event: isinstance(event, (TicketChanged, RequestEvent)))
    await redraw()
