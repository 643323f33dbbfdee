"""/agent/trash: deleted tickets and customers, and restoring them (spec §8)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from domain import tickets
from domain.views import TrashRow

from ..context import draw_list, format_when, load_list, perform
from ..frame import Me
from ..i18n import _
from .layout import agent_page


def _trash_row(row: TrashRow, restore: Callable[[], Awaitable[None]] | None) -> None:
    with ui.row().classes("w-full items-center no-wrap gap-4 py-2 border-b").mark(f"trash-{row.kind}-{row.id}"):
        ui.icon("confirmation_number" if row.kind == "ticket" else "person", color="grey-7")
        with ui.column().classes("grow gap-0"):
            title = f"#{row.id} · {row.label}" if row.kind == "ticket" else row.label
            ui.label(title).classes("text-bold")
            ui.label(row.detail).classes("text-caption text-grey-8")
        ui.label(_("Ticket") if row.kind == "ticket" else _("Customer")).classes("w-24 text-grey-8")
        ui.label(format_when(row.trashed_at)).classes("w-40 text-caption")
        if restore is not None:
            ui.button(_("Restore"), icon="restore_from_trash", on_click=restore).props("flat").mark("restore")


def register() -> None:
    @ui.page("/agent/trash")
    async def trash_page() -> None:
        async with agent_page("/agent/trash", _("Trash")) as me:
            if me is None:
                return
            await _build(me)


async def _build(me: Me) -> None:
    ui.label(_("Deleted tickets and customers wait here until they are restored.")).classes("text-caption")
    listing = ui.card().classes("w-full gap-0")

    async def restore(row: TrashRow) -> None:
        if row.kind == "ticket":
            done = await perform(tickets.restore_ticket, me.actor, row.id)
        else:
            done = await perform(tickets.restore_customer, me.actor, row.id)
        if done:
            ui.notify(_("Restored: {label}").format(label=row.label), type="positive")
        await draw()

    async def draw() -> None:
        rows, problem = await load_list(tickets.list_trash, me.actor)
        def trash_row(row: TrashRow) -> None:
            # Only the account manager restores customers; the use case refuses others too.
            allowed = row.kind == "ticket" or me.privileged
            _trash_row(row, (lambda: restore(row)) if allowed else None)

        draw_list(listing, rows, problem, _("The trash is empty."), trash_row, empty_marker="trash-empty")

    await draw()
