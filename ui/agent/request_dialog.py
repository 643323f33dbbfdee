"""*Mais > Solicitar Ação*: pick an active catalog action, add an optional note (spec §3)."""

from __future__ import annotations

from nicegui import ui

from domain import approvals

from ..context import attempt, ctx
from ..frame import Me
from ..i18n import _
from .dialogs import close_button, error_line, modal, run_modal, submit_use_case


async def open_request_dialog(me: Me, number: int) -> bool:
    """True when a request was created."""
    actions = await attempt(approvals.catalog_for_request, me.actor)
    if actions is None:
        return False
    descriptions = {action_id: description for action_id, _name, description in actions}
    with modal(_("Request action"), "request-dialog") as dialog:
        ui.label(_("Ticket #{number}").format(number=number)).classes("text-caption")
        if not actions:
            ui.label(_("The catalog has no active action.")).mark("no-actions")
            with ui.row().classes("w-full justify-end"):
                close_button(dialog)
        else:
            options = {action_id: name for action_id, name, _description in actions}
            action = ui.select(options, label=_("Action")).classes("w-full").mark("request-action-select")
            description = ui.label("").classes("text-caption text-grey-8 whitespace-pre-wrap")
            action.on_value_change(lambda event: description.set_text(descriptions.get(event.value, "")))
            note = ui.textarea(_("Note (optional)")).classes("w-full").mark("request-note")
            error = error_line()

            async def send() -> None:
                if action.value is None:
                    error.set_text(_("Choose an active action from the catalog."))
                    return
                await submit_use_case(
                    dialog,
                    error,
                    approvals.request_action,
                    me.actor,
                    number,
                    action.value,
                    note.value or "",
                    link_days=ctx().config.email_link_days,
                )

            with ui.row().classes("w-full justify-end"):
                close_button(dialog)
                ui.button(_("Request"), on_click=send).mark("request-send")
    created = await run_modal(dialog)
    if created is None:
        return False
    ui.notify(_("Action requested; the organization's managers were notified."), type="positive")
    return True
