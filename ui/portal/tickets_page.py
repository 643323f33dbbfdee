"""/portal: the customer's tickets (a manager's include their organizations'), page by
page, and the form to open a new one."""

from __future__ import annotations

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
from .web_push import push_controls

PER_PAGE = 20


def ticket_path(number: int) -> str:
    return f"/portal/tickets/{number}"


def _ticket_row(row: TicketRow, *, with_customer: bool) -> None:
    with ui.card().classes("w-full q-pa-sm").mark("ticket-row"), ui.row().classes("w-full items-center gap-4"):
        ui.link(f"#{row.number}", ticket_path(row.number)).classes("text-bold").mark(f"ticket-{row.number}")
        ui.link(row.subject, ticket_path(row.number)).classes("col text-body1")
        if with_customer:
            who = row.customer_name + (f" · {row.organization_name}" if row.organization_name else "")
            ui.label(who).classes("text-caption")
        ui.badge(status_label(row.status), color=STATUS_COLORS[row.status])
        ui.label(format_when(row.updated_at)).classes("text-caption text-grey-7")


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

    @ui.refreshable
    def listing(result: Page[TicketRow]) -> None:
        if not result.items:
            ui.label(_("You have no tickets yet.")).classes("text-grey-7").mark("no-tickets")
            return
        for row in result.items:
            _ticket_row(row, with_customer=me.privileged)
        if result.pages > 1:
            ui.pagination(1, result.pages, direction_links=True, value=result.page, on_change=lambda e: go(e.value))
            ui.label(_("{total} tickets").format(total=result.total)).classes("text-caption").mark("ticket-total")

    async def reread() -> None:
        listing.refresh(await call(tickets.portal_tickets, me.actor, state["page"], PER_PAGE))

    refresh = Coalesced(reread)

    async def go(page: int) -> None:
        if page != state["page"]:
            state["page"] = page
            await refresh()

    async def on_event(event: DomainEvent) -> None:
        await refresh()

    with ui.column().classes("w-full gap-2").mark("ticket-list"):
        listing(await call(tickets.portal_tickets, me.actor, 1, PER_PAGE))
    ctx().live.subscribe(on_event, lambda event: concerns_ticket_list(event, me))


def register() -> None:
    @ui.page("/portal")
    async def tickets_page() -> None:
        async with portal_page("/portal", _("My tickets")) as me:
            if me is None:
                return
            with ui.row().classes("w-full items-center") as actions:
                # The form is built at the first click: every open page keeps its elements
                # in server memory (docs/benchmarks.md, fan-out memory).
                dialogs: list[ui.dialog] = []

                def open_form() -> None:
                    if not dialogs:
                        with actions:
                            dialogs.append(_new_ticket_dialog(me))
                    dialogs[0].open()

                ui.button(_("New ticket"), icon="add", on_click=open_form).mark("new-ticket")
            if me.privileged:
                await push_controls(me)
            await _ticket_list(me)
