"""/agent: the ticket list, filtered and paginated on the server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
from ..session import FirstRead
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

    def query(self, me: Me | None) -> TicketFilter:
        return TicketFilter(
            status=None if self.status == ALL else TicketStatus(self.status),
            assigned_agent_id=me.actor.id if self.mine and me is not None else None,
            search=self.search.strip(),
            page=self.page,
            per_page=PER_PAGE,
        )


class AgentTicketList(ui.element, component="agent_ticket_list.js"):
    """The rows of a page of tickets as one element: drawn as NiceGUI elements, each row
    took ~8 of them (~200 a page), each dozens of Python objects the garbage collector walks
    at every full collection for as long as the tab is open (docs/benchmarks.md §5). Columns
    and rows are tuples of strings and booleans, which NiceGUI sends as they are; lists and
    dicts would each become an observable collection, kept per row."""

    def __init__(self) -> None:
        super().__init__()
        self._props["columns"] = (
            _("Number"),
            _("Subject · customer · organization"),
            _("Status"),
            _("Assigned agent"),
        )
        self._props["pendingLabel"] = _("An action awaits approval")
        self._props["rows"] = ()

    @property
    def rows(self) -> tuple[tuple[str | bool, ...], ...]:
        return self._props["rows"]

    def show(self, items: list[TicketRow]) -> None:
        unassigned = _("Unassigned")
        self._props["rows"] = tuple(
            (
                str(row.number),
                ticket_path(row.number),
                row.subject,
                row.customer_name + (f" · {row.organization_name}" if row.organization_name else ""),
                bool(row.has_pending_request),
                status_label(row.status),
                STATUS_COLORS[row.status],
                row.assigned_agent_name or unassigned,
            )
            for row in items
        )
        self.update()

    def _displayed_contents(self, *, only_visible: bool) -> list[Any]:
        # What `user.should_see` and ElementFilter match: the texts a reader sees.
        cells: list[Any] = list(self._props["columns"])
        pending_label = self._props["pendingLabel"]
        for number, _link, subject, customer, pending, status, _colour, agent in self.rows:
            cells += [f"#{number}", subject, customer, *([pending_label] if pending else []), status, agent]
        return cells


def register() -> None:
    @ui.page("/agent")
    async def tickets_page() -> None:
        # The list as it opens (every filter off), read with the sign-in check.
        first = FirstRead(tickets.list_tickets, (ListState().query(None),))
        async with agent_page("/agent", _("Tickets"), first=first) as me:
            if me is None:
                return
            await _build(me, first)


async def _build(me: Me, first: FirstRead) -> None:
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
        page = int(event.value or 1)
        if page == state.page:  # the draw setting the page it shows
            return
        state.page = page
        await redraw()

    # Made once, then only shown, hidden and given new rows and numbers: a re-read sends
    # the element's new rows, not ~200 new elements (docs/benchmarks.md §5).
    with listing:
        failure = ui.label("").classes("text-negative")
        table = AgentTicketList().classes("w-full").mark("ticket-list")
        empty = ui.label(_("No ticket found.")).classes("text-grey-7").mark("no-tickets")
        with ui.row().classes("items-center gap-4") as footer:
            total = ui.label("").classes("text-caption").mark("ticket-total")
            pagination = ui.pagination(1, 1, direction_links=True, value=1, on_change=change_page).mark("pagination")
    for hidden in (failure, table, empty, footer, pagination):
        hidden.set_visibility(False)

    shown: list[Page[TicketRow] | str] = []

    def draw(page: Page[TicketRow] | str) -> None:
        # A re-read that finds the list as drawn leaves it alone: during a burst of
        # expiries, rebuilding 25 unchanged rows after each re-read was most of the
        # server's work (docs/benchmarks.md §5).
        if shown and shown[0] == page:
            return
        shown[:] = [page]
        failed = isinstance(page, str)
        found = not isinstance(page, str) and bool(page.items)
        failure.set_visibility(failed)
        empty.set_visibility(not failed and not found)
        table.set_visibility(found)
        footer.set_visibility(found)
        if isinstance(page, str):
            failure.set_text(page)
            return
        table.show(page.items)
        total.set_text(_("Tickets found: {total}").format(total=page.total))
        pagination.set_visibility(page.pages > 1)
        pagination.max = max(page.pages, 1)
        pagination.value = page.page

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
    if isinstance(first.value, Page | DomainError):
        draw(first.value if isinstance(first.value, Page) else error_text(first.value))
        if first.missed_events():
            redraw.soon()
    else:
        await redraw()
