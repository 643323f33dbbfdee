"""/portal: the customer's tickets (a manager's include their organizations'), page by
page, and the form to open a new one."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from domain import tickets
from domain.events import DomainEvent
from domain.views import Page, TicketRow

from ..context import attempt, call, ctx, format_when
from ..frame import Me
from ..i18n import _
from ..labels import STATUS_COLORS, status_label
from ..refresh import Coalesced
from .layout import portal_page
from .live_filters import concerns_ticket_list

PER_PAGE = 20


def ticket_path(number: int) -> str:
    return f"/portal/tickets/{number}"


class TicketList(ui.element, component="ticket_list.js"):
    """The tickets of a page as one element: cards and links per ticket kept ~7 elements
    per row in server memory for as long as the tab is open (docs/benchmarks.md, memory).
    Columns and rows are tuples, which NiceGUI sends as they are; lists and dicts would
    each become an observable collection, kept per row."""

    def __init__(self, with_customer: bool) -> None:
        super().__init__()
        columns = ["#", _("Subject"), *([_("Customer")] if with_customer else []), _("Status"), _("Last update")]
        self._props["columns"] = tuple(columns)
        self._props["withCustomer"] = with_customer
        self._props["empty"] = _("You have no tickets yet.")
        self._props["newLabel"] = _("New ticket")
        self._props["rows"] = ()

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        return self._props["rows"]

    def show(self, items: list[TicketRow]) -> None:
        self._props["rows"] = tuple(
            (
                str(row.number),
                ticket_path(row.number),
                row.subject,
                row.customer_name + (f" · {row.organization_name}" if row.organization_name else ""),
                status_label(row.status),
                STATUS_COLORS[row.status],
                format_when(row.updated_at),
            )
            for row in items
        )
        self.update()

    def _displayed_contents(self, *, only_visible: bool) -> list[Any]:
        # What `user.should_see` and ElementFilter match: the texts a reader sees.
        if not self.rows:
            return [self._props["newLabel"], self._props["empty"]]
        shown = (0, 2, 3, 4, 6) if self._props["withCustomer"] else (0, 2, 4, 6)
        cells = [f"#{row[0]}" if index == 0 else row[index] for row in self.rows for index in shown]
        return [self._props["newLabel"], *cells]


def _new_ticket_dialog(me: Me) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes("w-[36rem] max-w-full gap-3"):
        dialog._props["aria-label"] = _("New ticket")
        ui.label(_("New ticket")).classes("text-h6")
        subject = ui.input(_("Subject")).classes("w-full").mark("new-subject")
        description = ui.textarea(_("Description")).classes("w-full").mark("new-description")
        with ui.row().classes("w-full justify-end"):
            ui.button(_("Back"), on_click=dialog.close).props("flat")
            create = ui.button(_("Open ticket")).mark("create-ticket")

    async def submit() -> None:
        create.disable()  # one click, one ticket
        try:
            number = await attempt(tickets.create_ticket, me.actor, subject.value or "", description.value or "")
        finally:
            create.enable()
        if number is not None:
            dialog.close()
            ui.navigate.to(ticket_path(number))

    create.on_click(submit)
    return dialog


async def _ticket_list(me: Me) -> None:
    state = {"page": 1}
    table = TicketList(me.privileged).classes("w-full").mark("ticket-list")
    # The form is built at the first click: every open page keeps its elements in server
    # memory (docs/benchmarks.md, memory).
    dialogs: list[ui.dialog] = []
    page_content = ui.context.slot

    def open_form() -> None:
        if not dialogs:
            with page_content:
                dialogs.append(_new_ticket_dialog(me))
        dialogs[0].open()

    table.on("new_ticket", open_form)
    # Drawn at the first result with more than one page, as most customers never have.
    pager: list[tuple[ui.row, ui.pagination, ui.label]] = []

    def show(result: Page[TicketRow]) -> None:
        table.show(result.items)
        if result.pages > 1 and not pager:
            with table.parent_slot or ui.context.slot, ui.row().classes("items-center") as place:
                pages = ui.pagination(1, result.pages, direction_links=True, value=result.page)
                pages.on_value_change(lambda e: go(e.value))
                pager.append((place, pages, ui.label("").classes("text-caption").mark("ticket-total")))
        if pager:
            place, pages, total = pager[0]
            place.set_visibility(result.pages > 1)
            pages.max = max(result.pages, 1)
            pages.value = result.page
            total.set_text(_("{total} tickets").format(total=result.total))

    async def reread() -> None:
        show(await call(tickets.portal_tickets, me.actor, state["page"], PER_PAGE))

    refresh = Coalesced(reread)

    async def go(page: int) -> None:
        if page != state["page"]:
            state["page"] = page
            await refresh()

    def on_event(event: DomainEvent) -> None:
        refresh.soon()

    show(await call(tickets.portal_tickets, me.actor, 1, PER_PAGE))
    ctx().live.subscribe(on_event, lambda event: concerns_ticket_list(event, me))


def register() -> None:
    @ui.page("/portal")
    async def tickets_page() -> None:
        async with portal_page("/portal", _("My tickets")) as me:
            if me is None:
                return
            await _ticket_list(me)
