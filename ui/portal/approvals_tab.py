"""The manager's "Aprovar Ações (N)" tab in the portal header (spec §6, §7).

It shows while N > 0 and follows N live in every open tab: each tab subscribes to the
committed request events whose audience names this manager, shows the count the event
carries and re-reads it to be sure. A request that arrives also pops a toast, a system
notification when the tab is in the background, and the count in the tab's title.

All of that is one element (ui/portal/approvals_tab.js): the count and the arrival are
its props, and the browser sets the title, the toast and the notification itself when
they change. An event is then one element update per open tab, where the tab's text, a
`ui.notify` and a script were three messages: with 1,000 managers connected, sending
them was most of the fan-out's time (docs/benchmarks.md §2). A re-read that finds the
count unchanged sends nothing."""

from __future__ import annotations

from nicegui import ui

from domain.events import ActionRequested, DomainEvent, RequestEvent

from .. import browser
from ..context import ctx
from ..frame import Me
from ..i18n import _
from . import pending_counts
from .live_filters import concerns_manager

APPROVALS_PATH = "/portal/approvals"

# What a request's arrival shows: (key, toast text, notification title, notification
# body, url). The key (the request's id) tells the browser a new arrival from one it
# has shown already.
Announcement = tuple[str, str, str, str, str]


def request_path(request_id: int) -> str:
    return f"{APPROVALS_PATH}/{request_id}"


class ApprovalsTab(ui.link, component="approvals_tab.js"):
    """A link (to the list) that also sets the title's count and announces arrivals.
    Props are numbers, strings and tuples: lists and dicts would each become an
    observable collection kept for as long as the page is open."""

    def __init__(self, count: int, base_title: str) -> None:
        # In the reader's language, kept: a count confirmed by the shared re-read arrives
        # outside the page's request, where `_()` would speak the installation's default.
        text_template = _("Approve actions ({count})")
        super().__init__(text_template.format(count=count), APPROVALS_PATH)
        self._text_template = text_template
        self._props["count"] = count
        self._props["base"] = base_title  # the page's title without the count
        self._props["announcement"] = None
        self.mark("approvals-tab")
        self.classes("text-grey-10 text-bold no-underline px-3 py-1 rounded-borders bg-orange-8")  # 6.8:1
        self.visible = count > 0
        client = self.client
        if not getattr(client, "_response_built", True) and self.component is not None:
            # Built with the page, so the page's HTML brings the component: without this,
            # NiceGUI's outbox names the module again on the tab's first update, a second
            # message to every manager's tab for the first request after they load a page.
            loaded = getattr(client.outbox, "_loaded_components", None)
            if isinstance(loaded, set):
                loaded.add(self.component.name)

    @property
    def count(self) -> int:
        return int(self._props["count"])

    @property
    def announcement(self) -> Announcement | None:
        """The last arrival sent to the browser (it stays, so the browser can tell it from
        the next one; a later count change alone does not repeat it)."""
        return self._props["announcement"]

    def show(self, count: int, announcement: Announcement | None = None) -> None:
        """One element update for what an event changes; none when nothing does."""
        if self.is_deleted or (count == self.count and announcement is None):
            return
        self._props["count"] = count
        if announcement is not None:
            self._props["announcement"] = announcement
        # The text and the visibility are the element's too: NiceGUI sends an element's
        # changes of one turn together, in one update.
        self.text = self._text_template.format(count=count)
        self.visible = count > 0
        self.update()

    def confirm(self, count: int) -> None:
        """The count as the database holds it, after the event that showed one: events
        committed by different threads may reach the page out of order."""
        self.show(count)


def approvals_tab(me: Me, count: int | None = None, since: int | None = None) -> ApprovalsTab | None:
    """Builds the tab; `count` is the pending count the page read already, if any, and
    `since` the live-event sequence number from before that read."""
    if me.actor.kind != "customer":
        return None
    base_title = ui.context.client.title or "Aval"
    tab = ApprovalsTab(count or 0, base_title)

    def on_event(event: DomainEvent) -> None:
        arrival = announcement(event) if isinstance(event, ActionRequested) else None
        counted = event.pending_count_of(me.actor.id) if isinstance(event, RequestEvent) else None
        tab.show(tab.count if counted is None else counted, arrival)  # at once
        pending_counts.batch.recheck(me.actor, tab.confirm)

    ctx().live.subscribe(on_event, lambda event: concerns_manager(event, me))
    if count is None or since != ctx().live.sequence:
        # No count yet, or an event went by between the read and the subscription.
        ui.timer(0, lambda: pending_counts.batch.recheck(me.actor, tab.confirm), once=True)
    elif count > 0:
        # In the page as it arrives: no title changing after load.
        ui.page_title(browser.counted_title(count, base_title))
    return tab


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
            tab = approvals_tab(me, count=counted)  # no `since`: it reads the count at once
        if tab is not None and isinstance(event, ActionRequested):
            # The browser mounts the tab with this arrival, new to the page: it announces it.
            tab.show(tab.count, announcement(event))

    ctx().live.subscribe(build, lambda event: not built["done"] and concerns_manager(event, me))


def announcement(event: ActionRequested) -> Announcement:
    """The toast in the tab, and the browser's own notification, shown when the tab is
    hidden, for a request that arrives."""
    text = _("New action to approve on ticket #{number}: {action}").format(
        number=event.ticket_number, action=event.action_name
    )
    return (str(event.request_id), text, _("Action awaiting your approval"), text, request_path(event.request_id))
