"""*Mais > Solicitar Ação*: pick an active catalog action, add an optional note, and keep,
change or clear the deadline the action suggests (spec §3, §12)."""

from __future__ import annotations

from datetime import datetime, timedelta

from nicegui import ui

import i18n_time
from domain import approvals, clock

from ..context import attempt
from ..frame import Me
from ..i18n import _, current_zone
from .dialogs import close_button, error_line, modal, run_modal, submit_use_case

# What the browser's date-and-time field reads and writes, on the agent's wall clock.
LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


def suggested_deadline(hours: int | None, zone: str) -> str:
    """The action's default deadline as the field shows it ('' for none)."""
    if not hours:
        return ""
    return i18n_time.local_now(zone, clock.now() + timedelta(hours=hours)).strftime(LOCAL_INPUT_FORMAT)


def parse_deadline(text: str, zone: str) -> datetime | None:
    """The field's value as an instant in the agent's zone; None when cleared. Raises
    ValueError for anything that is not a date and time."""
    text = (text or "").strip()
    if not text:
        return None
    return datetime.strptime(text, LOCAL_INPUT_FORMAT).replace(tzinfo=i18n_time.zone(zone))


async def open_request_dialog(me: Me, number: int) -> bool:
    """True when a request was created."""
    actions = await attempt(approvals.catalog_for_request, me.actor)
    if actions is None:
        return False
    zone = current_zone()
    descriptions = {action_id: description for action_id, _name, description, _hours in actions}
    default_hours = {action_id: hours for action_id, _name, _description, hours in actions}
    with modal(_("Request action"), "request-dialog") as dialog:
        ui.label(_("Ticket #{number}").format(number=number)).classes("text-caption")
        if not actions:
            ui.label(_("The catalog has no active action.")).mark("no-actions")
            with ui.row().classes("w-full justify-end"):
                close_button(dialog)
        else:
            options = {action_id: name for action_id, name, _description, _hours in actions}
            action = ui.select(options, label=_("Action")).classes("w-full").mark("request-action-select")
            description = ui.label("").classes("text-caption text-grey-8 whitespace-pre-wrap")
            note = ui.textarea(_("Note (optional)")).classes("w-full").mark("request-note")
            deadline = ui.input(_("Approval deadline (optional)")).props("type=datetime-local stack-label")
            deadline.classes("w-full").mark("request-deadline")
            ui.label(_("In your time zone ({zone}). Empty: no deadline.").format(zone=zone)).classes(
                "text-caption text-grey-8"
            )

            def chosen(event: object) -> None:
                value = getattr(event, "value", None)
                description.set_text(descriptions.get(value, ""))
                deadline.set_value(suggested_deadline(default_hours.get(value), zone))

            action.on_value_change(chosen)
            error = error_line()

            async def send() -> None:
                if action.value is None:
                    error.set_text(_("Choose an active action from the catalog."))
                    return
                try:
                    due = parse_deadline(str(deadline.value or ""), zone)
                except ValueError:
                    error.set_text(_("Enter the deadline as a date and a time, or leave it empty."))
                    return
                await submit_use_case(
                    dialog, error, approvals.request_action, me.actor, number, action.value, note.value or "", due
                )

            with ui.row().classes("w-full justify-end"):
                close_button(dialog)
                ui.button(_("Request"), on_click=send).mark("request-send")
    created = await run_modal(dialog)
    if created is None:
        return False
    ui.notify(_("Action requested; the organization's managers were notified."), type="positive")
    return True
