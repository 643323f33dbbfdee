"""/agent/notifications: the notification hub as a page (spec §6, §10)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from domain import hub
from domain.errors import DomainError
from domain.events import AgentNotificationCreated, DomainEvent
from domain.model import AgentNotification

from .. import browser
from ..context import call, ctx, error_text, format_when, perform
from ..frame import Me
from ..i18n import _
from ..refresh import Coalesced
from .bell import hub_read
from .labels import notification_text, ticket_path
from .layout import agent_page

Handler = Callable[[], Awaitable[None]]


def _entry(item: AgentNotification, on_open: Handler, on_read: Handler) -> None:
    unread = item.read_at is None
    card = ui.card().classes("w-full").props("flat bordered")
    card.mark(f"notification-{item.id}", *(["unread"] if unread else []))
    if unread:
        card.classes("bg-blue-1")
    with card, ui.row().classes("w-full items-center no-wrap gap-4"):
        ui.icon("mark_email_unread" if unread else "drafts", color="primary" if unread else "grey")
        with ui.column().classes("grow gap-0"):
            ui.label(notification_text(
                    item.kind, item.actor_name, item.action_name, item.ticket_number, item.on_behalf_of_name
                ))
            if item.reason:
                ui.label(_("Reason: {reason}").format(reason=item.reason)).classes("text-caption")
            ui.label(format_when(item.created_at)).classes("text-caption text-grey-7")
        ui.button(_("Open ticket"), on_click=on_open).props("flat").mark("open-notification")
        if unread:
            ui.button(_("Mark as read"), on_click=on_read).props("flat").mark("mark-read")


def register() -> None:
    @ui.page("/agent/notifications")
    async def notifications_page() -> None:
        async with agent_page("/agent/notifications", _("Notifications")) as me:
            if me is None:
                return
            await _build(me)


async def _build(me: Me) -> None:
    async def enable_browser_notifications() -> None:
        answer = await browser.ask_permission()
        if answer == "granted":
            ui.notify(_("Browser notifications are on."), type="positive")
        elif answer == "unsupported":
            ui.notify(_("This browser does not support notifications."), type="warning")
        else:
            ui.notify(_("The browser did not allow notifications."), type="warning")

    async def changed() -> None:
        hub_read.emit(me.actor.id)
        await redraw()

    async def mark_all() -> None:
        if await perform(hub.mark_all_read, me.actor):
            await changed()

    with ui.row().classes("w-full gap-2"):
        ui.button(_("Mark all as read"), icon="done_all", on_click=mark_all).mark("mark-all-read")
        ui.space()
        enable = ui.button(_("Enable browser notifications"), icon="notifications_active")
        enable.on_click(enable_browser_notifications)
        enable.props("outline").mark("enable-browser-notifications")
    listing = ui.column().classes("w-full gap-2")

    async def load() -> list[AgentNotification] | DomainError:
        try:
            return await call(hub.notifications, me.actor)
        except DomainError as error:
            return error

    def draw(items: list[AgentNotification] | DomainError) -> None:
        listing.clear()
        with listing:
            if isinstance(items, DomainError):
                ui.label(error_text(items)).classes("text-negative")
                return
            if not items:
                ui.label(_("No notification yet.")).classes("text-grey-7").mark("no-notifications")
            for item in items:
                _entry(item, lambda item=item: open_entry(item), lambda item=item: read(item))

    async def read(item: AgentNotification) -> None:
        assert item.id is not None
        if await perform(hub.mark_read, me.actor, item.id):
            await changed()

    async def open_entry(item: AgentNotification) -> None:
        if item.read_at is None and item.id is not None:
            await perform(hub.mark_read, me.actor, item.id)
            hub_read.emit(me.actor.id)
        ui.navigate.to(ticket_path(item.ticket_number, item.request_id))

    redraw = Coalesced.of(load, draw)

    def on_event(event: DomainEvent) -> None:
        redraw.soon()

    ctx().live.subscribe(
        on_event, lambda event: isinstance(event, AgentNotificationCreated) and event.agent_id == me.actor.id
    )
    await redraw()
