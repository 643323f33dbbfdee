"""/agent/admin/agents: the account's agents — role, active, password (spec §9)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from domain import admin
from domain.access import Actor
from domain.model import Agent, AgentRole

from ..context import ctx, load_list
from ..frame import Me
from ..i18n import _, translate_in
from ..session import end_everywhere
from .admin_nav import admin_nav
from .dialogs import close_button, error_line, modal, run_modal, submit_use_case
from .labels import PERSON
from .layout import agent_page


def role_options() -> dict[str, str]:
    return {AgentRole.AGENT.value: _("Agent"), AgentRole.ADMIN.value: _("Account manager")}


async def agent_dialog(me: Me, agent: Agent | None = None) -> bool:
    title = _("New agent") if agent is None else _("Edit agent")
    with modal(title, "agent-dialog") as dialog:
        name = ui.input(_("Name"), value=agent.name if agent else "").classes("w-full").mark("agent-name")
        email = ui.input(_("E-mail"), value=agent.email if agent else "").classes("w-full").mark("agent-email")
        role = ui.select(role_options(), label=_("Role"), value=(agent.role if agent else AgentRole.AGENT).value)
        role.classes("w-full").mark("agent-role")
        active = ui.switch(translate_in(PERSON, "Active"), value=agent.active if agent else True)
        active.mark("agent-active")
        if agent is None:
            active.set_visibility(False)  # a new agent starts active
        password_label = _("Password") if agent is None else _("New password (leave blank to keep it)")
        password = ui.input(password_label, password=True).classes("w-full").mark("agent-password")
        error = error_line()

        async def save() -> None:
            if agent is None:
                await submit_use_case(
                    dialog,
                    error,
                    admin.create_agent,
                    me.actor,
                    ctx().hasher,
                    name.value or "",
                    email.value or "",
                    password.value or "",
                    AgentRole(role.value),
                )
            else:
                assert agent.id is not None
                changes = admin.AgentChanges(
                    name=name.value or "",
                    email=email.value or "",
                    role=AgentRole(role.value),
                    active=bool(active.value),
                    password=password.value or "",
                )
                saved = await submit_use_case(
                    dialog, error, admin.update_agent, me.actor, ctx().hasher, agent.id, changes
                )
                if saved and (not changes.active or changes.password):
                    end_everywhere(Actor.agent(agent.id))  # their open pages and sign-ins end now

        with ui.row().classes("w-full justify-end"):
            close_button(dialog)
            ui.button(_("Create") if agent is None else _("Save"), on_click=save).mark("agent-save")
    return await run_modal(dialog) is not None


def _agent_row(agent: Agent, edit: Callable[[], Awaitable[None]]) -> None:
    with ui.row().classes("w-full items-center no-wrap gap-4 py-2 border-b").mark(f"agent-{agent.id}"):
        with ui.column().classes("grow gap-0"):
            ui.label(agent.name).classes("text-bold")
            ui.label(agent.email).classes("text-caption text-grey-8")
        ui.badge(role_options()[agent.role.value], color="primary" if agent.is_admin else "grey-7")
        if not agent.active:
            ui.badge(translate_in(PERSON, "Inactive"), color="grey")
        ui.button(_("Edit"), icon="edit", on_click=edit).props("flat").mark("edit-agent")


def register() -> None:
    @ui.page("/agent/admin/agents")
    async def agents_page() -> None:
        async with agent_page("/agent/admin/agents", _("Agents"), admin_only=True) as me:
            if me is None:
                return
            await _build(me)


async def _build(me: Me) -> None:
    admin_nav("agents")

    async def create() -> None:
        if await agent_dialog(me):
            ui.notify(_("Agent created."), type="positive")
            await draw()

    async def edit(agent: Agent) -> None:
        if await agent_dialog(me, agent):
            ui.notify(_("Agent saved."), type="positive")
            await draw()

    ui.button(_("New agent"), icon="person_add", on_click=create).mark("new-agent")
    listing = ui.card().classes("w-full gap-0")

    async def draw() -> None:
        agents, problem = await load_list(admin.list_agents, me.actor)
        listing.clear()
        with listing:
            if problem:
                ui.label(problem).classes("text-negative")
            for agent in agents:
                _agent_row(agent, lambda agent=agent: edit(agent))

    await draw()
