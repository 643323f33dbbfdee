"""/agent/admin/settings: *Administração > Configurações da Conta > Fluxo de chamados por
Organização* — the switch **Aprovar Ações em Chamados** and the action catalog (spec §2)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui
from nicegui.events import ValueChangeEventArguments

from domain import admin
from domain.errors import DomainError
from domain.model import ApprovalRule, CatalogAction

from ..context import call, error_text, perform
from ..frame import Me
from ..i18n import _
from .admin_nav import admin_nav
from .dialogs import close_button, error_line, modal, run_modal, submit_use_case
from .layout import agent_page

Handler = Callable[[], Awaitable[None]]


async def action_dialog(me: Me, action: CatalogAction | None = None) -> bool:
    """**Criar ação** (Nome, Descrição, Ativa, Criar), or the same form to edit one."""
    title = _("Create action") if action is None else _("Edit action")
    with modal(title, "action-dialog") as dialog:
        name = ui.input(_("Name"), value=action.name if action else "").classes("w-full").mark("action-name")
        description = ui.textarea(_("Description"), value=action.description if action else "")
        description.classes("w-full").mark("action-description")
        active = ui.switch(_("Active"), value=action.active if action else True).mark("action-active")
        deadline = ui.number(
            _("Approval deadline (hours)"), value=action.deadline_hours if action else None, min=1, step=1
        ).classes("w-full").mark("action-deadline")
        ui.label(_("Empty: requests of this action have no deadline unless the agent sets one.")).classes(
            "text-caption text-grey-8"
        )
        rule = ui.select(
            rule_labels(), label=_("Approval rule"), value=(action.rule if action else ApprovalRule.ANY).value
        ).classes("w-full").mark("action-rule")
        count = ui.number(
            _("Approvals needed (N)"), value=action.rule_count if action and action.rule_count else 2, min=1, step=1
        ).classes("w-full").mark("action-rule-count")
        count.bind_visibility_from(rule, "value", backward=lambda value: value == ApprovalRule.AT_LEAST.value)
        error = error_line()

        async def save() -> None:
            if action is None:
                await submit_use_case(
                    dialog,
                    error,
                    admin.create_action,
                    me.actor,
                    name.value or "",
                    description.value or "",
                    bool(active.value),
                    _hours(deadline.value),
                    rule.value,
                    _hours(count.value),
                )
            else:
                assert action.id is not None
                await submit_use_case(
                    dialog,
                    error,
                    admin.update_action,
                    me.actor,
                    action.id,
                    name.value or "",
                    description.value or "",
                    bool(active.value),
                    _hours(deadline.value),
                    rule.value,
                    _hours(count.value),
                )

        with ui.row().classes("w-full justify-end"):
            close_button(dialog)
            ui.button(_("Create") if action is None else _("Save"), on_click=save).mark("action-save")
    return await run_modal(dialog) is not None


def rule_labels() -> dict[str, str]:
    """*Regra de aprovação*, as the catalog dialog and rows name them."""
    return {
        ApprovalRule.ANY.value: _("Any manager"),
        ApprovalRule.ALL.value: _("All managers"),
        ApprovalRule.AT_LEAST.value: _("At least N"),
        ApprovalRule.STAGES.value: _("In stages (organization, then parent)"),
    }


def _rule_text(action: CatalogAction) -> str:
    if action.rule == ApprovalRule.AT_LEAST:
        return _("Approval rule: at least {count}").format(count=action.rule_count)
    return _("Approval rule: {rule}").format(rule=rule_labels()[action.rule.value])


def _hours(value: object) -> int | None:
    """The number field's value as a whole number; anything else goes to the use case as
    it is, which refuses it with a message."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value  # type: ignore[return-value]


def _catalog_row(action: CatalogAction, edit: Handler, toggle: Handler) -> None:
    with ui.row().classes("w-full items-center no-wrap gap-4 py-2 border-b").mark(f"action-{action.id}"):
        with ui.column().classes("grow gap-0"):
            ui.label(action.name).classes("text-bold")
            if action.description:
                ui.label(action.description).classes("text-caption text-grey-8")
            if action.deadline_hours:
                ui.label(_("Approval deadline: {hours} h").format(hours=action.deadline_hours)).classes(
                    "text-caption text-grey-8"
                ).mark("action-deadline-hours")
            if action.rule != ApprovalRule.ANY:
                ui.label(_rule_text(action)).classes("text-caption text-grey-8").mark("action-rule-text")
        if action.active:
            ui.badge(_("Active"), color="positive")
        else:
            ui.badge(_("Inactive"), color="grey")
        ui.button(_("Edit"), icon="edit", on_click=edit).props("flat").mark("edit-action")
        label = _("Deactivate") if action.active else _("Activate")
        # One width for both labels, so badges and buttons line up from row to row.
        ui.button(label, on_click=toggle).props("flat").classes("w-36").mark("toggle-action")


async def _reminders_card(me: Me) -> None:
    """*Lembretes*: every N hours, at most M times, to the managers who have not answered."""
    try:
        every, times = await call(admin.reminder_settings, me.actor)
    except DomainError as error:
        ui.label(error_text(error)).classes("text-negative")
        return
    with ui.card().classes("w-full").mark("reminders-card"):
        ui.label(_("Reminders")).classes("text-h6")
        on = ui.switch(_("Remind the managers who have not answered"), value=every is not None).mark("reminders-on")
        with ui.row().classes("items-center gap-4"):
            hours = ui.number(_("Every (hours)"), value=every or 24, min=1, step=1).classes("w-40")
            hours.mark("reminders-every").bind_enabled_from(on, "value")
            most = ui.number(_("At most (times)"), value=times or 3, min=1, step=1).classes("w-40")
            most.mark("reminders-max").bind_enabled_from(on, "value")
        night = _("A reminder falling in a manager's night (20:00–08:00 in their time zone) waits until 08:00.")
        ui.label(night).classes("text-caption text-grey-8")

        async def save() -> None:
            every_hours = _hours(hours.value) if on.value else None
            if await perform(admin.set_reminders, me.actor, every_hours, _hours(most.value) or 0):
                ui.notify(_("Settings saved."), type="positive")

        ui.button(_("Save"), on_click=save).mark("reminders-save")


def register() -> None:
    @ui.page("/agent/admin/settings")
    async def settings_page() -> None:
        async with agent_page("/agent/admin/settings", _("Ticket flow by organization"), admin_only=True) as me:
            if me is None:
                return
            await _build(me)


async def _build(me: Me) -> None:
    admin_nav("settings")
    ui.label(_("Administration > Account settings > Ticket flow by organization")).classes("text-caption")
    try:
        enabled = await call(admin.approvals_enabled, me.actor)
    except DomainError as error:
        ui.label(error_text(error)).classes("text-negative")
        return

    with ui.card().classes("w-full"):
        switch = ui.switch(_("Approve actions on tickets"), value=enabled).mark("approvals-switch")
        ui.label(
            _("When on, agents may ask the managers of the customer's organization to approve an action.")
        ).classes("text-caption text-grey-8")
    reverting = {"now": False}

    async def switched(event: ValueChangeEventArguments) -> None:
        if reverting["now"]:
            return
        if await perform(admin.set_approvals_enabled, me.actor, bool(event.value)):
            ui.notify(_("Settings saved."), type="positive")
            return
        reverting["now"] = True  # refused: show the switch as it really is
        switch.set_value(not event.value)
        reverting["now"] = False

    switch.on_value_change(switched)

    await _reminders_card(me)

    with ui.card().classes("w-full"):
        with ui.row().classes("w-full items-center"):
            ui.label(_("Action catalog")).classes("text-h6")
            ui.space()

            async def create() -> None:
                if await action_dialog(me):
                    ui.notify(_("Action created."), type="positive")
                    await draw()

            ui.button(_("Create action"), icon="add", on_click=create).mark("create-action")
        catalog = ui.column().classes("w-full gap-0")

    async def edit(action: CatalogAction) -> None:
        if await action_dialog(me, action):
            ui.notify(_("Action saved."), type="positive")
            await draw()

    async def toggle(action: CatalogAction) -> None:
        assert action.id is not None
        await perform(admin.set_action_active, me.actor, action.id, not action.active)
        await draw()

    async def draw() -> None:
        try:
            actions = await call(admin.list_catalog, me.actor)
        except DomainError as error:
            catalog.clear()
            with catalog:
                ui.label(error_text(error)).classes("text-negative")
            return
        catalog.clear()
        with catalog:
            if not actions:
                ui.label(_("The catalog is empty.")).classes("text-grey-7")
            for action in actions:
                _catalog_row(action, lambda action=action: edit(action), lambda action=action: toggle(action))

    await draw()
