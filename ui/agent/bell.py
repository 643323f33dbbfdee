"""The notification hub's bell in the header of every agent page (spec §6): the unread
count, live; a toast for a new entry, or a browser notification and the count in the
tab title while the tab is in the background."""

from __future__ import annotations

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
        browser.set_title_count(count, "")

    update = Coalesced.of(load, draw)

    def mine(event: DomainEvent) -> bool:
        return isinstance(event, AgentNotificationCreated) and event.agent_id == me.actor.id

    def on_event(event: DomainEvent) -> None:
        assert isinstance(event, AgentNotificationCreated)
        text = notification_text(event.kind, event.actor_name, event.action_name, event.ticket_number)
        ui.notify(text, type="info", position="top-right", multi_line=True)
        browser.notify_in_background("Aval", text, ticket_path(event.ticket_number, event.request_id))
        update.soon()

    async def on_read(agent_id: int) -> None:
        if agent_id == me.actor.id:
            await update()

    ctx().live.subscribe(on_event, mine)
    hub_read.subscribe(on_read)
    # The count and the tab title need the browser connected; this runs after the page
    # is built and again whenever the tab reconnects.
    ui.context.client.on_connect(update)
