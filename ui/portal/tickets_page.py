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


class TicketTable(ui.table):
    """The tickets of a page as one table element: a row of cards and links per ticket
    kept ~7 elements per row in server memory for as long as the tab is open
    (docs/benchmarks.md, memory). Quasar draws every cell as text."""

    def _displayed_contents(self, *, only_visible: bool) -> list[Any]:
        # What `user.should_see` and ElementFilter match: the cells a reader sees.
        cells = [row[column["field"]] for row in self.rows for column in self.columns]
        return [*super()._displayed_contents(only_visible=only_visible), *cells]


_LINK_CELL = (
    '<q-td :props="props"><a :href="props.row.href" class="text-primary no-underline" '
    ':class="props.col.name === \'number\' ? \'text-bold\' : \'\'">{{ props.value }}</a></q-td>'
)
_STATUS_CELL = '<q-td :props="props"><q-badge :color="props.row.status_color" :label="props.value" /></q-td>'


def _columns(with_customer: bool) -> list[dict[str, Any]]:
    columns = [
        {"name": "number", "label": "#", "field": "number", "align": "left"},
        {"name": "subject", "label": _("Subject"), "field": "subject", "align": "left", "classes": "wrap-cell"},
    ]
    if with_customer:
        columns.append({"name": "customer", "label": _("Customer"), "field": "customer", "align": "left"})
    columns += [
        {"name": "status", "label": _("Status"), "field": "status", "align": "left"},
        {"name": "updated", "label": _("Last update"), "field": "updated", "align": "left"},
    ]
    return columns


def _rows(items: list[TicketRow]) -> list[dict[str, Any]]:
    return [
        {
            "number": f"#{row.number}",
            "href": ticket_path(row.number),
            "subject": row.subject,
            "customer": row.customer_name + (f" · {row.organization_name}" if row.organization_name else ""),
            "status": status_label(row.status),
            "status_color": STATUS_COLORS[row.status],
            "updated": format_when(row.updated_at),
        }
        for row in items
    ]


def _new_ticket_dialog(me: Me) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes("w-[36rem] max-w-full gap-3"):
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
    table = TicketTable(columns=_columns(me.privileged), rows=[], row_key="number", pagination=0)
    table.props("flat bordered hide-pagination wrap-cells").classes("w-full").mark("ticket-list")
    table.props["no-data-label"] = _("You have no tickets yet.")
    table.add_slot("body-cell-number", _LINK_CELL)
    table.add_slot("body-cell-subject", _LINK_CELL)
    table.add_slot("body-cell-status", _STATUS_CELL)
    # Drawn at the first result with more than one page, as most customers never have.
    pager: list[tuple[ui.row, ui.pagination, ui.label]] = []

    def show(result: Page[TicketRow]) -> None:
        table.rows = _rows(result.items)
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

    async def on_event(event: DomainEvent) -> None:
        await refresh()

    show(await call(tickets.portal_tickets, me.actor, 1, PER_PAGE))
    ctx().live.subscribe(on_event, lambda event: concerns_ticket_list(event, me))


def register() -> None:
    @ui.page("/portal")
    async def tickets_page() -> None:
        async with portal_page("/portal", _("My tickets")) as me:
            if me is None:
                return
            # The form is built at the first click: every open page keeps its elements in
            # server memory (docs/benchmarks.md, fan-out memory).
            dialogs: list[ui.dialog] = []
            page_content = ui.context.slot

            def open_form() -> None:
                if not dialogs:
                    with page_content:
                        dialogs.append(_new_ticket_dialog(me))
                dialogs[0].open()

            ui.button(_("New ticket"), icon="add", on_click=open_form).mark("new-ticket")
            await _ticket_list(me)
