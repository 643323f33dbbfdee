"""What an agent does to a ticket: assign, change status, delete to the trash, reply,
and the **Mais** menu with **Solicitar Ação** exactly when spec §3 says."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from domain import tickets
from domain.model import Agent, RequestState, TicketStatus
from domain.views import Eligibility, TicketView

from ..context import perform
from ..frame import Me
from ..i18n import _
from .dialogs import confirm
from .request_dialog import open_request_dialog

Reload = Callable[[], Awaitable[None]]
NOBODY = 0


def more_menu(me: Me, number: int, eligibility: Eligibility, reload: Reload) -> None:
    """Absent for a ticket that is not eligible; the item disabled, with its reason, while
    one request already awaits approval."""
    if not eligibility.show:
        return

    async def request() -> None:
        if await open_request_dialog(me, number):
            await reload()

    with ui.button(_("More"), icon="more_vert").props("outline").mark("more-menu"), ui.menu():
        item = ui.menu_item("", request).props("role=menuitem").mark("request-action")
        with item, ui.item_section():
            ui.item_label(_("Request action"))
            if not eligibility.enabled and eligibility.reason:
                ui.item_label(_(eligibility.reason)).props("caption").mark("request-action-reason")
        if not eligibility.enabled:
            item.disable()
            if eligibility.reason:
                with item:
                    ui.tooltip(_(eligibility.reason))


def _status_buttons(me: Me, view: TicketView, reload: Reload) -> None:
    number, status = view.ticket.number, view.ticket.status
    pending = any(r.state == RequestState.AWAITING_APPROVAL for r in view.requests)

    async def set_status(target: TicketStatus) -> None:
        if target in (TicketStatus.CLOSED, TicketStatus.CANCELLED) and pending:
            warning = _("The action awaiting approval will expire.")
            if not await confirm(_("Finish the ticket"), warning, _("Continue")):
                return
        await perform(tickets.set_status, me.actor, number, target)
        await reload()

    def button(label: str, icon: str, target: TicketStatus, marker: str) -> None:
        ui.button(label, icon=icon, on_click=lambda: set_status(target)).props("flat").mark(marker)

    if status == TicketStatus.OPEN:
        button(_("Start work"), "play_arrow", TicketStatus.IN_PROGRESS, "start-ticket")
    if status in (TicketStatus.OPEN, TicketStatus.IN_PROGRESS):
        button(_("Close ticket"), "check", TicketStatus.CLOSED, "close-ticket")
        button(_("Cancel ticket"), "block", TicketStatus.CANCELLED, "cancel-ticket")
    else:
        button(_("Reopen"), "replay", TicketStatus.OPEN, "reopen-ticket")


def toolbar(me: Me, view: TicketView, agents: list[Agent], reload: Reload, trashed: Reload) -> None:
    number = view.ticket.number
    current = view.ticket.assigned_agent_id
    options = {NOBODY: _("Nobody")} | {
        a.id: a.name for a in agents if a.id is not None and (a.active or a.id == current)
    }

    async def assign() -> None:
        await perform(tickets.assign, me.actor, number, assignee.value or None)
        await reload()

    async def delete() -> None:
        question = _("Move ticket #{number} to the trash?").format(number=number)
        if await confirm(_("Delete ticket"), question, _("Delete")) and await perform(
            tickets.trash_ticket, me.actor, number
        ):
            await trashed()

    with ui.row().classes("w-full items-center gap-2"):
        assignee = ui.select(options, value=current or NOBODY, label=_("Assigned agent")).classes("w-56")
        assignee.mark("assignee")
        ui.button(_("Assign"), on_click=assign).props("flat").mark("assign")
        ui.space()
        _status_buttons(me, view, reload)
        ui.button(_("Delete"), icon="delete", on_click=delete).props("flat color=negative").mark("trash-ticket")
        more_menu(me, number, view.eligibility, reload)


def reply_box(me: Me, number: int, reload: Reload) -> None:
    with ui.card().classes("w-full"):
        body = ui.textarea(_("Reply")).classes("w-full").mark("reply-body")

        async def send() -> None:
            if await perform(tickets.reply, me.actor, number, body.value or ""):
                body.set_value("")
                await reload()

        ui.button(_("Send reply"), icon="send", on_click=send).mark("reply-send")
