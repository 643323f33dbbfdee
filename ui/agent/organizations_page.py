"""/agent/admin/organizations: organizations and their parent (organização matriz)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from domain import admin
from domain.model import Organization

from ..context import draw_list, load_list
from ..frame import Me
from ..i18n import _
from .admin_nav import admin_nav
from .dialogs import close_button, error_line, modal, run_modal, submit_use_case
from .layout import agent_page

NO_PARENT = 0


async def organization_dialog(
    me: Me, organizations: list[Organization], organization: Organization | None = None
) -> bool:
    title = _("New organization") if organization is None else _("Edit organization")
    # Parents are one level up only: an organization that has a parent cannot be one.
    parents = {NO_PARENT: _("None")} | {
        o.id: o.name
        for o in organizations
        if o.id is not None and o.parent_id is None and (organization is None or o.id != organization.id)
    }
    with modal(title, "organization-dialog") as dialog:
        name = ui.input(_("Name"), value=organization.name if organization else "").classes("w-full")
        name.mark("organization-name")
        current_parent = organization.parent_id if organization and organization.parent_id else NO_PARENT
        parent = ui.select(parents, label=_("Parent organization"), value=current_parent).classes("w-full")
        parent.mark("organization-parent")
        error = error_line()

        async def save() -> None:
            parent_id = parent.value or None
            if organization is None:
                await submit_use_case(dialog, error, admin.create_organization, me.actor, name.value or "", parent_id)
            else:
                assert organization.id is not None
                await submit_use_case(
                    dialog, error, admin.update_organization, me.actor, organization.id, name.value or "", parent_id
                )

        with ui.row().classes("w-full justify-end"):
            close_button(dialog)
            ui.button(_("Create") if organization is None else _("Save"), on_click=save).mark("organization-save")
    return await run_modal(dialog) is not None


def _organization_row(organization: Organization, parent_name: str | None, edit: Callable[[], Awaitable[None]]) -> None:
    with ui.row().classes("w-full items-center no-wrap gap-4 py-2 border-b").mark(f"organization-{organization.id}"):
        with ui.column().classes("grow gap-0"):
            ui.label(organization.name).classes("text-bold")
            if parent_name:
                ui.label(_("Parent organization: {name}").format(name=parent_name)).classes("text-caption")
        ui.button(_("Edit"), icon="edit", on_click=edit).props("flat").mark("edit-organization")


def register() -> None:
    @ui.page("/agent/admin/organizations")
    async def organizations_page() -> None:
        async with agent_page("/agent/admin/organizations", _("Organizations"), admin_only=True) as me:
            if me is None:
                return
            await _build(me)


async def _build(me: Me) -> None:
    admin_nav("organizations")
    known: list[Organization] = []

    async def create() -> None:
        if await organization_dialog(me, known):
            ui.notify(_("Organization created."), type="positive")
            await draw()

    async def edit(organization: Organization) -> None:
        if await organization_dialog(me, known, organization):
            ui.notify(_("Organization saved."), type="positive")
            await draw()

    ui.button(_("New organization"), icon="domain_add", on_click=create).mark("new-organization")
    listing = ui.card().classes("w-full gap-0")

    async def draw() -> None:
        organizations, problem = await load_list(admin.list_organizations, me.actor)
        known[:] = organizations
        names = {o.id: o.name for o in organizations}
        def organization_row(organization: Organization) -> None:
            parent_name = names.get(organization.parent_id) if organization.parent_id else None
            _organization_row(organization, parent_name, lambda: edit(organization))

        draw_list(listing, organizations, problem, _("No organization yet."), organization_row)

    await draw()
