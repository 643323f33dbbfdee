"""The manager's "Aprovar Ações (N)" tab in the portal header (spec §6, §7).

It shows while N > 0 and follows N live in every open tab: each tab subscribes to the
committed request events whose audience names this manager, shows the count the event
carries and re-reads it to be sure.
A request that arrives also pops a toast, a system notification when the tab is in
the background, and the count in the tab's title."""

from __future__ import annotations

from nicegui import ui

from domain.errors import DomainError
from domain.events import ActionRequested, DomainEvent, RequestEvent

from .. import browser
from ..context import ctx
from ..frame import Me
from ..i18n import _
from ..refresh import Coalesced
from . import pending_counts
from .live_filters import concerns_manager

APPROVALS_PATH = "/portal/approvals"


def request_path(request_id: int) -> str:
    return f"{APPROVALS_PATH}/{request_id}"


def tab_text(count: int) -> str:
    return _("Approve actions ({count})").format(count=count)


def approvals_tab(me: Me, count: int | None = None, since: int | None = None) -> None:
    """Builds the tab; `count` is the pending count the page read already, if any, and
    `since` the live-event sequence number from before that read."""
    if me.actor.kind != "customer":
        return
    base_title = ui.context.client.title or "Aval"
    tab = ui.link(tab_text(count or 0), APPROVALS_PATH).mark("approvals-tab")
    tab.classes("text-grey-10 text-bold no-underline px-3 py-1 rounded-borders bg-orange-8")  # 6.8:1
    tab.set_visibility(bool(count))
    shown = {"count": count or 0}

    def show(new_count: int, *scripts: str) -> None:
        """`scripts`: what else the same event has the browser do, sent along in one message."""
        if tab.is_deleted:
            return
        tab.set_text(tab_text(new_count))
        tab.set_visibility(new_count > 0)
        title = browser.title_count_script(new_count, base_title) if new_count != shown["count"] else ""
        shown["count"] = new_count
        browser.run_scripts(title, *scripts)

    async def reread() -> None:
        try:
            # One read for all the tabs the same event woke (pending_counts.py).
            new_count = await pending_counts.batch.count(me.actor)
        except DomainError:  # signed out or deactivated meanwhile: nothing to approve
            new_count = 0
        show(new_count)

    refresh = Coalesced(reread)

    def on_event(event: DomainEvent) -> None:
        background = announce(event) if isinstance(event, ActionRequested) else ""
        if isinstance(event, RequestEvent) and (counted := event.pending_count_of(me.actor.id)) is not None:
            show(counted, background)  # at once; the re-read below confirms it (events may overtake each other)
        else:
            browser.run_scripts(background)
        refresh.soon()

    ctx().live.subscribe(on_event, lambda event: concerns_manager(event, me))
    if count is None or since != ctx().live.sequence:
        # No count yet, or an event went by between the read and the subscription.
        ui.timer(0, refresh, once=True)
    elif count > 0:
        # In the page as it arrives: no script round trip, no title changing after load.
        ui.page_title(browser.counted_title(count, base_title))


def approvals_tab_on_demand(me: Me) -> None:
    """For a customer who manages nothing when the page is drawn: no tab yet, but one the
    moment an event names them — a stand-in's period began, or a request reached them as
    a stand-in (spec §13) — without a reload."""
    if me.actor.kind != "customer":
        return
    holder = ui.element("div")
    built = {"done": False}

    def build(event: DomainEvent) -> None:
        if built["done"] or holder.is_deleted:
            return
        built["done"] = True
        counted = event.pending_count_of(me.actor.id) if isinstance(event, RequestEvent) else None
        with holder:
            approvals_tab(me, count=counted)  # no `since`: it reads the count at once
        if isinstance(event, ActionRequested):
            browser.run_scripts(announce(event))

    ctx().live.subscribe(build, lambda event: not built["done"] and concerns_manager(event, me))


def announce(event: ActionRequested) -> str:
    """A toast in the tab; returns the script of the browser's own notification, shown when
    the tab is hidden (the caller sends it with the title's)."""
    text = _("New action to approve on ticket #{number}: {action}").format(
        number=event.ticket_number, action=event.action_name
    )
    ui.notify(text, type="info", position="top-right", multi_line=True)
    return browser.background_notification_script(
        _("Action awaiting your approval"), text, request_path(event.request_id)
    )
