"""**Novo chamado**: an agent opens a ticket for a customer."""

from __future__ import annotations

from nicegui import ui

from domain import admin, tickets

from ..context import attempt
from ..frame import Me
from ..i18n import _
from .dialogs import close_button, error_line, modal, run_modal, submit_use_case
from .labels import ticket_path

NOBODY = 0


async def open_new_ticket_dialog(me: Me) -> None:
    customers = await attempt(admin.list_customers, me.actor)
    agents = await attempt(admin.list_agents, me.actor)
    if customers is None or agents is None:
        return
    customer_options = {c.id: f"{c.name} <{c.email}>" for c in customers if c.active and c.id is not None}
    agent_options = {NOBODY: _("Nobody")} | {a.id: a.name for a in agents if a.active and a.id is not None}
    with modal(_("New ticket"), "new-ticket-dialog") as dialog:
        customer = ui.select(customer_options, label=_("Customer"), with_input=True).classes("w-full")
        customer.mark("new-ticket-customer")
        subject = ui.input(_("Subject")).classes("w-full").mark("new-ticket-subject")
        description = ui.textarea(_("Description")).classes("w-full").mark("new-ticket-description")
        assignee = ui.select(agent_options, label=_("Assign to"), value=me.actor.id).classes("w-full")
        assignee.mark("new-ticket-assignee")
        error = error_line()

        async def create() -> None:
            await submit_use_case(
                dialog,
                error,
                tickets.create_ticket,
                me.actor,
                subject.value or "",
                description.value or "",
                customer_id=customer.value,
                assigned_agent_id=assignee.value or None,
            )

        with ui.row().classes("w-full justify-end"):
            close_button(dialog)
            ui.button(_("Create"), on_click=create).mark("new-ticket-create")
    number = await run_modal(dialog)
    if isinstance(number, int):
        ui.notify(_("Ticket #{number} created.").format(number=number), type="positive")
        ui.navigate.to(ticket_path(number))
