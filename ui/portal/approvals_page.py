"""/portal/approvals: the manager's "Aprovar Ações (N)" list (spec §7), oldest first,
following every request of their organizations that arrives or leaves."""

from __future__ import annotations

from nicegui import ui

from domain import approvals
from domain.errors import DomainError
from domain.events import DomainEvent
from domain.views import RequestRow

from ..context import call, ctx, format_when
from ..frame import Me
from ..i18n import _
from ..refresh import Coalesced
from .approvals_tab import APPROVALS_PATH, request_path
from .layout import portal_page
from .live_filters import concerns_manager
from .web_push import push_controls


def _request_row(row: RequestRow) -> None:
    with ui.card().classes("w-full q-pa-sm gap-1").mark("approval-row"):
        with ui.row().classes("w-full items-center gap-3"):
            ui.link(f"#{row.ticket_number} — {row.ticket_subject}", request_path(row.id)).classes(
                "text-bold text-body1"
            ).mark(f"request-{row.id}")
            ui.space()
            ui.button(_("Evaluate"), on_click=lambda: ui.navigate.to(request_path(row.id))).props("outline dense")
        facts = [
            (_("Action"), row.action_name),
            (_("Customer"), row.customer_name),
            (_("Organization"), row.organization_name or "—"),
            (_("Requested by"), row.requested_by_name),
            (_("Requested at"), format_when(row.requested_at)),
        ]
        with ui.row().classes("gap-x-6 gap-y-0"):
            for caption, value in facts:
                with ui.row().classes("gap-1 items-baseline"):
                    ui.label(caption + ":").classes("text-caption text-grey-7")
                    ui.label(value)


async def _pending(me: Me) -> list[RequestRow]:
    try:
        return await call(approvals.pending_approvals, me.actor)
    except DomainError:
        return []


def register() -> None:
    @ui.page(APPROVALS_PATH)
    async def approvals_page() -> None:
        async with portal_page(APPROVALS_PATH, _("Approve actions")) as me:
            if me is None:
                return

            @ui.refreshable
            def listing(rows: list[RequestRow]) -> None:
                if not rows:
                    ui.label(_("No action is awaiting your approval.")).classes("text-grey-7").mark("no-approvals")
                    return
                for row in rows:
                    _request_row(row)

            async def reread() -> None:
                listing.refresh(await _pending(me))

            refresh = Coalesced(reread)

            async def on_event(event: DomainEvent) -> None:
                if concerns_manager(event, me):
                    await refresh()

            if me.privileged:
                await push_controls(me)
            with ui.column().classes("w-full gap-2").mark("approval-list"):
                listing(await _pending(me))
            ctx().live.subscribe(on_event)
