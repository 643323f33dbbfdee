"""/agent/tickets/{number}: one ticket, its requests and its history, live (spec §3–§8)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from nicegui import ui

from domain import admin, approvals, reminders, tickets
from domain.errors import DomainError
from domain.events import DomainEvent, RequestEvent, TicketChanged
from domain.model import Agent, HistoryEntry
from domain.views import RequestRow, TicketDetail, TicketView

from ..context import call, ctx, error_text, format_when, perform
from ..frame import Me
from ..i18n import _
from ..labels import STATUS_COLORS, status_label
from ..not_found import not_found_page, parse_id
from ..refresh import Coalesced
from ..session import still_signed_in
from .dialogs import confirm
from .layout import agent_page
from .ticket_actions import reply_box, toolbar
from .ticket_history import history_entry, history_styles, history_timeline, request_cards


def _fact(label: str, value: str | None, marker: str) -> None:
    with ui.column().classes("gap-0"):
        ui.label(label).classes("text-caption text-grey-7")
        ui.label(value or "—").mark(marker)


def ticket_summary(ticket: TicketDetail) -> None:
    with ui.card().classes("w-full gap-3"):
        with ui.row().classes("items-center gap-3"):
            ui.label(f"#{ticket.number}").classes("text-h6 text-grey-7")
            ui.label(ticket.subject).classes("text-h6").mark("ticket-subject")
            ui.badge(status_label(ticket.status), color=STATUS_COLORS[ticket.status]).mark("ticket-status")
        with ui.row().classes("gap-8"):
            _fact(_("Customer"), f"{ticket.customer_name} <{ticket.customer_email}>", "ticket-customer")
            organization = ticket.organization_name
            if organization and ticket.parent_organization_name:
                organization = f"{organization} ({_('parent')}: {ticket.parent_organization_name})"
            _fact(_("Organization"), organization, "ticket-organization")
            _fact(_("Assigned agent"), ticket.assigned_agent_name, "ticket-agent")
            _fact(_("Created at"), format_when(ticket.created_at), "ticket-created")
            _fact(_("Updated at"), format_when(ticket.updated_at), "ticket-updated")
        if ticket.description:
            ui.label(ticket.description).classes("whitespace-pre-wrap").mark("ticket-description")


def register() -> None:
    @ui.page("/agent/tickets/{number}")
    async def ticket_page(number: str, request_id: str = "") -> None:
        wanted, highlight = parse_id(number), parse_id(request_id)
        if wanted is None or (request_id and highlight is None):
            not_found_page()
            return
        async with agent_page(f"/agent/tickets/{wanted}", _("Ticket #{number}").format(number=wanted)) as me:
            if me is None:
                return
            await _build(me, wanted, highlight)


async def _build(me: Me, number: int, highlight: int | None) -> None:
    agents: list[Agent] = []
    with suppress(DomainError):  # without the list, the assignee select offers nobody
        agents = await call(admin.list_agents, me.actor)
    history_styles()
    body = ui.column().classes("w-full gap-4")
    boxes: dict[str, ui.column] = {}
    reply_area = ui.column().classes("w-full")
    shown: dict[str, int] = {}

    async def load() -> TicketView | DomainError:
        try:
            return await call(tickets.ticket_view, me.actor, number)
        except DomainError as error:
            return error

    async def back_to_list() -> None:
        ui.notify(_("Ticket #{number} moved to the trash.").format(number=number), type="positive")
        ui.navigate.to("/agent")

    async def cancel_request(row: RequestRow) -> None:
        question = _("Cancel the action “{action}”?").format(action=row.action_name)
        confirmed = await confirm(_("Cancel action"), question, _("Cancel action"), back_label=_("Keep action"))
        if confirmed and still_signed_in(me.actor) and await perform(approvals.cancel, me.actor, row.id):
            ui.notify(_("The action was cancelled."), type="positive")
        await redraw()

    async def remind_managers(row: RequestRow) -> None:
        if await perform(reminders.remind_managers, me.actor, row.id, link_days=ctx().config.email_link_days):
            ui.notify(_("The managers were reminded."), type="positive")
        await redraw()

    # What each part of the page was last drawn from. A live update redraws only the
    # parts whose data changed and appends new history entries: clearing and rebuilding
    # the whole page made the agent's browser re-render all of it at the moment the
    # manager's badge changes (docs/benchmarks.md, latency).
    drawn: dict[str, object] = {}
    timeline: list[ui.timeline] = []

    def part(name: str, key: object, build: Callable[[], None]) -> None:
        box = boxes[name]
        if drawn.get(name) == key:
            return
        box.clear()
        with box:
            build()
        drawn[name] = key

    def draw_history(entries: list[HistoryEntry]) -> None:
        ids = tuple(entry.id for entry in entries)
        before = drawn.get("history")
        if timeline and isinstance(before, tuple) and ids[: len(before)] == before:
            with timeline[0]:
                for entry in entries[len(before) :]:
                    history_entry(entry)
        else:
            boxes["history"].clear()
            with boxes["history"]:
                timeline[:] = [history_timeline(entries)]
        drawn["history"] = ids

    def draw(view: TicketView | DomainError) -> None:
        if isinstance(view, DomainError):
            body.clear()
            boxes.clear()
            drawn.clear()
            timeline.clear()
            with body:
                ui.label(error_text(view)).classes("text-negative").mark("ticket-error")
            reply_area.set_visibility(False)
            return
        if not boxes:
            body.clear()
            with body:
                for name in ("summary", "toolbar", "requests", "history"):
                    boxes[name] = ui.column().classes("w-full gap-4")
        shown["ticket_id"] = view.ticket.id
        reply_area.set_visibility(True)
        part("summary", view.ticket, lambda: ticket_summary(view.ticket))
        toolbar_key = (view.ticket, view.eligibility, tuple(view.requests))
        part("toolbar", toolbar_key, lambda: toolbar(me, view, agents, redraw, back_to_list))
        part(
            "requests",
            (tuple(view.requests), view.can_cancel_pending),
            lambda: request_cards(
                view.requests,
                can_cancel_pending=view.can_cancel_pending,
                highlight=highlight,
                on_cancel=cancel_request,
                on_remind=remind_managers,
            ),
        )
        draw_history([entry for entry in view.history if isinstance(entry, HistoryEntry)])

    redraw = Coalesced.of(load, draw)
    with reply_area:
        reply_box(me, number, redraw)

    def touches_this_ticket(event: DomainEvent) -> bool:
        # A manager approving, rejecting or cancelling, a request expiring, a reply of the
        # customer: whatever touches this ticket redraws it.
        return isinstance(event, (RequestEvent, TicketChanged)) and event.ticket_id == shown.get("ticket_id")

    def on_event(event: DomainEvent) -> None:
        redraw.soon()

    ctx().live.subscribe(on_event, touches_this_ticket)
    await redraw()
