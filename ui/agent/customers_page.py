"""/agent/admin/customers: customers — organization, manager flag, active, password — and
deleting one to the trash (with their tickets)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from domain import admin, tickets
from domain.access import Actor
from domain.errors import DomainError
from domain.model import Customer, Organization

from ..absences import draw_absences
from ..context import call, ctx, error_text, perform
from ..frame import Me
from ..i18n import _, translate_in
from ..session import end_everywhere
from .admin_nav import admin_nav
from .dialogs import close_button, confirm, error_line, modal, run_modal, submit_use_case
from .labels import PERSON
from .layout import agent_page

NO_ORGANIZATION = 0
Handler = Callable[[], Awaitable[None]]


async def customer_dialog(me: Me, organizations: list[Organization], customer: Customer | None = None) -> bool:
    title = _("New customer") if customer is None else _("Edit customer")
    options = {NO_ORGANIZATION: _("None")} | {o.id: o.name for o in organizations if o.id is not None}
    with modal(title, "customer-dialog") as dialog:
        name = ui.input(_("Name"), value=customer.name if customer else "").classes("w-full").mark("customer-name")
        email = ui.input(_("E-mail"), value=customer.email if customer else "").classes("w-full")
        email.mark("customer-email")
        current = customer.organization_id if customer and customer.organization_id else NO_ORGANIZATION
        organization = ui.select(options, label=_("Organization"), value=current).classes("w-full")
        organization.mark("customer-organization")
        manager = ui.switch(_("Manager of the organization"), value=customer.is_manager if customer else False)
        manager.mark("customer-manager")
        active = ui.switch(translate_in(PERSON, "Active"), value=customer.active if customer else True)
        active.mark("customer-active")
        password_label = _("Password") if customer is None else _("New password (leave blank to keep it)")
        password = ui.input(password_label, password=True).classes("w-full").mark("customer-password")
        error = error_line()

        async def save() -> None:
            fields = admin.CustomerFields(
                name=name.value or "",
                email=email.value or "",
                organization_id=organization.value or None,
                is_manager=bool(manager.value),
                active=bool(active.value),
                password=password.value or "",
            )
            if customer is None:
                await submit_use_case(dialog, error, admin.create_customer, me.actor, ctx().hasher, fields)
            else:
                assert customer.id is not None
                saved = await submit_use_case(
                    dialog, error, admin.update_customer, me.actor, ctx().hasher, customer.id, fields
                )
                if saved and (not fields.active or fields.password):
                    end_everywhere(Actor.customer(customer.id))  # their open pages and sign-ins end now

        with ui.row().classes("w-full justify-end"):
            close_button(dialog)
            ui.button(_("Create") if customer is None else _("Save"), on_click=save).mark("customer-save")
    return await run_modal(dialog) is not None


async def absences_dialog(me: Me, customer: Customer) -> None:
    """A manager's absences and stand-ins, set by the account manager (spec §13)."""
    assert customer.id is not None
    with modal(_("Absences of {name}").format(name=customer.name), "absences-dialog") as dialog:
        await draw_absences(me, customer.id)
        with ui.row().classes("w-full justify-end"):
            close_button(dialog)
    await run_modal(dialog)


def _customer_row(
    customer: Customer, organization_name: str | None, edit: Handler, delete: Handler, absences: Handler
) -> None:
    with ui.row().classes("w-full items-center no-wrap gap-4 py-2 border-b").mark(f"customer-{customer.id}"):
        with ui.column().classes("grow gap-0"):
            ui.label(customer.name).classes("text-bold")
            ui.label(customer.email).classes("text-caption text-grey-8")
        ui.label(organization_name or _("No organization")).classes("w-48 text-grey-8")
        with ui.row().classes("w-36 gap-1 no-wrap"):  # a fixed slot keeps the columns aligned without badges
            if customer.is_manager:
                ui.badge(_("Manager"), color="primary")
            if not customer.active:
                ui.badge(translate_in(PERSON, "Inactive"), color="grey")
        if customer.is_manager:
            ui.button(_("Absences"), icon="event_busy", on_click=absences).props("flat").mark(
                "customer-absences", f"customer-absences-{customer.id}"
            )
        ui.button(_("Edit"), icon="edit", on_click=edit).props("flat").mark("edit-customer")
        ui.button(_("Delete"), icon="delete", on_click=delete).props("flat color=negative").mark("trash-customer")


def register() -> None:
    @ui.page("/agent/admin/customers")
    async def customers_page() -> None:
        async with agent_page("/agent/admin/customers", _("Customers"), admin_only=True) as me:
            if me is None:
                return
            await _build(me)


async def _build(me: Me) -> None:
    admin_nav("customers")
    organizations: list[Organization] = []

    async def create() -> None:
        if await customer_dialog(me, organizations):
            ui.notify(_("Customer created."), type="positive")
            await draw()

    async def edit(customer: Customer) -> None:
        if await customer_dialog(me, organizations, customer):
            ui.notify(_("Customer saved."), type="positive")
            await draw()

    async def delete(customer: Customer) -> None:
        assert customer.id is not None
        question = _("Move {name} and all of their tickets to the trash?").format(name=customer.name)
        if await confirm(_("Delete customer"), question, _("Delete")) and await perform(
            tickets.trash_customer, me.actor, customer.id
        ):
            end_everywhere(Actor.customer(customer.id))
            ui.notify(_("{name} moved to the trash.").format(name=customer.name), type="positive")
            await draw()

    with ui.row().classes("w-full items-end gap-4"):
        search = ui.input(_("Search by name or e-mail")).props("clearable").classes("w-72").mark("customer-search")
        go = ui.button(icon="search", on_click=lambda: draw()).props("flat round").mark("customer-search-button")
        go._props["aria-label"] = _("Search")
        ui.space()
        ui.button(_("New customer"), icon="person_add", on_click=create).mark("new-customer")
    listing = ui.card().classes("w-full gap-0")

    async def draw() -> None:
        try:
            organizations[:] = await call(admin.list_organizations, me.actor)
            customers = await call(admin.list_customers, me.actor, search.value or "")
        except DomainError as error:
            customers, problem = [], error_text(error)
        else:
            problem = ""
        names = {o.id: o.name for o in organizations}
        listing.clear()
        with listing:
            if problem:
                ui.label(problem).classes("text-negative")
            elif not customers:
                ui.label(_("No customer found.")).classes("text-grey-7")
            for customer in customers:
                organization = names.get(customer.organization_id) if customer.organization_id else None
                _customer_row(
                    customer,
                    organization,
                    lambda c=customer: edit(c),
                    lambda c=customer: delete(c),
                    lambda c=customer: absences_dialog(me, c),
                )

    search.on("keydown.enter", draw)
    await draw()
