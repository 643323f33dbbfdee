"""The notification hub's bell in the header of every agent page (spec §6): the unread
count, live; a toast for a new entry, or a browser notification and the count in the
tab title while the tab is in the background."""

from __future__ import annotations

import asyncio
import time

from nicegui import Event, ui

from domain import hub
from domain.errors import DomainError
from domain.events import AgentNotificationCreated, DomainEvent

from .. import browser
from ..context import call, ctx
from ..frame import Me
from ..i18n import _
from ..refresh import Coalesced
from .labels import notification_text, ticket_path

# At most one toast (and one system notification) per this many seconds; entries arriving
# meanwhile are announced together. 5,000 expiries in a minute otherwise queued a toast and
# a script per entry in every open tab (docs/benchmarks.md §5).
TOAST_SPACING = 1.0

# Marking entries read commits no domain event; the hub page tells the bells of the same
# agent (every open tab in this process) through this one.
hub_read: Event[int] = Event()


def bell(me: Me) -> None:
    button = ui.button(icon="notifications", on_click=lambda: ui.navigate.to("/agent/notifications"))
    button.props("flat round color=white").mark("bell")
    button._props["aria-label"] = _("Notifications")  # an icon alone has no name
    with button:
        ui.tooltip(_("Notifications"))
        badge = ui.badge("", color="red").props("floating rounded").mark("bell-count")
    badge.set_visibility(False)

    async def load() -> int | None:
        try:
            return await call(hub.unread_count, me.actor)
        except DomainError:
            return None

    def draw(count: int | None) -> None:
        if count is None:
            return
        badge.set_text(str(count))
        badge.set_visibility(count > 0)
        # The name says what the badge shows: a name without the visible count fails
        # WCAG 2.5.3 (label in name) for speech users who say what they see.
        button._props["aria-label"] = (
            _("Unread notifications: {count}").format(count=count) if count > 0 else _("Notifications")
        )
        button.update()
        browser.set_title_count(count, "")

    update = Coalesced.of(load, draw)

    def mine(event: DomainEvent) -> bool:
        return isinstance(event, AgentNotificationCreated) and event.agent_id == me.actor.id

    client = ui.context.client
    held: list[tuple[str, str]] = []  # entries waiting for the next toast: (text, link)
    toasts = {"last": -TOAST_SPACING, "scheduled": False}

    def toast() -> None:
        toasts["scheduled"] = False
        if not held or client.is_deleted:
            held.clear()
            return
        toasts["last"] = time.monotonic()
        if len(held) == 1:
            text, link = held[0]
        else:
            text, link = _("{count} new notifications").format(count=len(held)), "/agent/notifications"
        held.clear()
        with client:
            ui.notify(text, type="info", position="top-right", multi_line=True)
            browser.notify_in_background("Aval", text, link)

    def on_event(event: DomainEvent) -> None:
        assert isinstance(event, AgentNotificationCreated)
        update.soon()
        if not client.has_socket_connection:
            return  # nobody would see the toast; the count is read when the browser connects
        text = notification_text(
            event.kind, event.actor_name, event.action_name, event.ticket_number, event.on_behalf_of_name
        )
        held.append((text, ticket_path(event.ticket_number, event.request_id)))
        if toasts["scheduled"]:
            return
        wait = toasts["last"] + TOAST_SPACING - time.monotonic()
        if wait <= 0:
            toast()
        else:
            toasts["scheduled"] = True
            asyncio.get_running_loop().call_later(wait, toast)

    async def on_read(agent_id: int) -> None:
        if agent_id == me.actor.id:
            await update()

    ctx().live.subscribe(on_event, mine)
    hub_read.subscribe(on_read)
    # The count and the tab title need the browser connected; this runs after the page
    # is built and again whenever the tab reconnects.
    ui.context.client.on_connect(update)
