"""/portal/approvals: the manager's "Aprovar Ações (N)" list (spec §7), oldest first,
page by page, following every request of their organizations that arrives or leaves.

A page is read in the database and each request draws a handful of elements: with
200 requests awaiting, drawing them all as cards of facts took ~1 s (docs/benchmarks.md §3)."""

from __future__ import annotations

from nicegui import ui

from domain import approvals
from domain.errors import DomainError
from domain.events import DomainEvent
from domain.views import Page, RequestRow

from ..approval_progress import row_progress
from ..context import call, ctx, format_when
from ..frame import Me
from ..i18n import _
from ..labels import deadline_text
from ..refresh import Coalesced
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


def _request_row(row: RequestRow) -> None:
    with ui.card().classes("w-full q-pa-sm gap-1").mark("approval-row"):
        with ui.row().classes("w-full items-center no-wrap gap-3"):
            ui.link(f"#{row.ticket_number} — {row.ticket_subject}", request_path(row.id)).classes(
                "col text-bold text-body1"
            ).mark(f"request-{row.id}")
            ui.button(_("Evaluate"), on_click=lambda: ui.navigate.to(request_path(row.id))).props("outline dense")
        ui.label(facts_text(row)).classes("text-grey-8")
        if row.deadline is not None:
            ui.label(deadline_text(row.deadline, row.state)).classes("text-grey-8").mark(f"deadline-{row.id}")
        progress = row_progress(row)
        if progress is not None:
            ui.label(progress).classes("text-grey-8").mark(f"progress-{row.id}")


async def _pending(me: Me, page: int) -> Page[RequestRow]:
    try:
        return await call(approvals.pending_approvals, me.actor, page, PER_PAGE)
    except DomainError:
        return Page(items=[], total=0, page=1, per_page=PER_PAGE)


def _title(me: Me) -> str:
    return _("Approve actions") if me.privileged else _("Not found")


def register() -> None:
    @ui.page(APPROVALS_PATH)
    async def approvals_page() -> None:
        async with portal_page(APPROVALS_PATH, _title) as me:
            if me is None:
                return
            if not me.privileged:  # someone who manages nothing has no such page
                not_found(_("Page not found."))
                return
            state = {"page": 1}

            @ui.refreshable
            def listing(result: Page[RequestRow]) -> None:
                # The use case answers the last page when the one asked for is gone (its
                # requests decided elsewhere meanwhile); later re-reads stay there.
                state["page"] = result.page
                if not result.items:
                    ui.label(_("No action is awaiting your approval.")).classes("text-grey-7").mark("no-approvals")
                    return
                ui.label(total_text(result.total)).classes("text-caption text-grey-8").mark("approval-total")
                for row in result.items:
                    _request_row(row)
                if result.pages > 1:
                    ui.pagination(
                        1, result.pages, direction_links=True, value=result.page, on_change=lambda e: go(e.value)
                    ).mark("approval-pages")

            async def reread() -> None:
                result = await _pending(me, state["page"])
                if result != shown[0]:  # unchanged: nothing to rebuild (docs/benchmarks.md §5)
                    shown[0] = result
                    listing.refresh(result)

            refresh = Coalesced(reread)

            async def go(page: int) -> None:
                if page != state["page"]:
                    state["page"] = page
                    await refresh()

            def on_event(event: DomainEvent) -> None:
                refresh.soon()

            shown = [await _pending(me, 1)]
            with ui.column().classes("w-full gap-2").mark("approval-list"):
                listing(shown[0])
            ctx().live.subscribe(on_event, lambda event: concerns_manager(event, me))
