"""/portal/approvals: the manager's "Aprovar Ações (N)" list (spec §7), oldest first,
page by page, following every request of their organizations that arrives or leaves.

A page is read in the database (with 200 requests awaiting, drawing them all as cards of
facts took ~1 s, docs/benchmarks.md §3), and its requests are the rows of ONE element,
`ApprovalList` (approval_list.js), as the portal's ticket list is: an element per card,
link, button and label kept ~7 per request alive per open tab for the garbage collector
to walk (docs/benchmarks.md §2)."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from domain import approvals
from domain.access import Actor
from domain.errors import DomainError
from domain.events import DomainEvent
from domain.views import Page, RequestRow

from ..approval_progress import row_progress
from ..context import call, ctx, format_when
from ..frame import Me
from ..i18n import _
from ..labels import deadline_text
from ..refresh import Coalesced
from ..session import FirstRead
from .approvals_tab import APPROVALS_PATH, request_path
from .layout import not_found, portal_page
from .live_filters import concerns_manager

PER_PAGE = 20


def facts_text(row: RequestRow) -> str:
    """Everything the spec lists besides the ticket, in one line of plain text."""
    return _(
        "Action: {action} · Customer: {customer} · Organization: {organization} · "
        "Requested by {requested_by} on {requested_at}"
    ).format(
        action=row.action_name,
        customer=row.customer_name,
        organization=row.organization_name or "—",
        requested_by=row.requested_by_name,
        requested_at=format_when(row.requested_at),
    )


def total_text(total: int) -> str:
    if total == 1:
        return _("1 action awaiting your approval")
    return _("{total} actions awaiting your approval").format(total=total)


class ApprovalList(ui.element, component="approval_list.js"):
    """The requests of a page as one element: a card, a row, a link, a button with its own
    handler and 1–3 labels per request kept ~7 elements, each dozens of Python objects, in
    server memory for as long as the tab is open, and the garbage collector's full
    collections walk them all (docs/benchmarks.md §2). Rows are tuples of strings, which
    NiceGUI sends as they are; lists and dicts would each become an observable collection.
    "Evaluate" is a link to the request's page, as the subject is: no round trip, no handler."""

    def __init__(self) -> None:
        super().__init__()
        self._props["evaluate"] = _("Evaluate")
        self._props["rows"] = ()

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        """Per request: (id, path, "#number — subject", facts, deadline or "", progress or "")."""
        return self._props["rows"]

    def show(self, items: list[RequestRow]) -> None:
        self._props["rows"] = tuple(_row(row) for row in items)
        self.update()

    def _displayed_contents(self, *, only_visible: bool) -> list[Any]:
        # What `user.should_see` and ElementFilter match: the texts a reader sees.
        return [text for row in self.rows for text in (row[2], self._props["evaluate"], *row[3:]) if text]


def _row(row: RequestRow) -> tuple[str, ...]:
    progress = row_progress(row)
    return (
        str(row.id),
        request_path(row.id),
        f"#{row.ticket_number} — {row.ticket_subject}",
        facts_text(row),
        deadline_text(row.deadline, row.state) if row.deadline is not None else "",
        progress if progress is not None else "",
    )


async def _pending(actor: Actor, page: int) -> Page[RequestRow]:
    try:
        return await call(approvals.pending_approvals, actor, page, PER_PAGE)
    except DomainError:
        return Page(items=[], total=0, page=1, per_page=PER_PAGE)


def _title(me: Me) -> str:
    return _("Approve actions") if me.privileged else _("Not found")


def register() -> None:
    @ui.page(APPROVALS_PATH)
    async def approvals_page() -> None:
        # Read with the sign-in check; the header's tab count is this list's total.
        first = FirstRead(approvals.pending_approvals, (1, PER_PAGE), privileged_only=True)
        async with portal_page(APPROVALS_PATH, _title, first) as me:
            if me is None:
                return
            if not me.privileged:  # someone who manages nothing has no such page
                not_found(_("Page not found."))
                return
            state = {"page": 1}
            # Built once; a re-read sets their texts, rows and pages.
            with ui.column().classes("w-full gap-2"):
                empty = ui.label(_("No action is awaiting your approval.")).classes("text-grey-7").mark("no-approvals")
                total = ui.label().classes("text-caption text-grey-8").mark("approval-total")
                listing = ApprovalList().classes("w-full").mark("approval-list")
                pages = ui.pagination(1, 1, direction_links=True, value=1, on_change=lambda e: go(e.value))
                pages.mark("approval-pages")

            def show(result: Page[RequestRow]) -> None:
                # The use case answers the last page when the one asked for is gone (its
                # requests decided elsewhere meanwhile); later re-reads stay there.
                state["page"] = result.page
                empty.set_visibility(not result.items)
                total.set_text(total_text(result.total))
                total.set_visibility(bool(result.items))
                listing.show(result.items)
                pages.max = max(result.pages, 1)
                pages.set_value(result.page)  # already state["page"]: `go` reads nothing
                pages.set_visibility(bool(result.items) and result.pages > 1)
                pages.update()

            async def reread() -> None:
                result = await _pending(me.actor, state["page"])
                if result != shown[0]:  # unchanged: nothing to redraw (docs/benchmarks.md §5)
                    shown[0] = result
                    show(result)

            refresh = Coalesced(reread)

            async def go(page: int | None) -> None:
                if page is not None and page != state["page"]:
                    state["page"] = page
                    await refresh()

            def on_event(event: DomainEvent) -> None:
                refresh.soon()

            shown = [first.value if isinstance(first.value, Page) else await _pending(me.actor, 1)]
            show(shown[0])
            ctx().live.subscribe(on_event, lambda event: concerns_manager(event, me))
            if first.missed_events():
                refresh.soon()
