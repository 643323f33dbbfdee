"""/portal/tickets/{number}: one ticket as its customer (or a manager of its
organization) sees it, with its conversation and a reply box. Action requests never
appear here (spec §8): the use case leaves them out."""

from __future__ import annotations

from nicegui import ui

from domain import tickets
from domain.errors import DomainError
from domain.events import DomainEvent, TicketChanged
from domain.model import HistoryEntry
from domain.views import TicketDetail

from ..context import call, ctx, format_when, perform
from ..frame import Me
from ..i18n import _
from ..labels import STATUS_COLORS, status_label
from ..not_found import not_found_page, parse_id
from ..refresh import Coalesced
from .labels import history_text, shows_body
from .layout import portal_page

Loaded = tuple[TicketDetail, list[HistoryEntry]] | None


def ticket_facts(detail: TicketDetail) -> None:
    """The ticket's data, shared with the manager's request page."""
    with ui.row().classes("items-center gap-3"):
        ui.label(f"#{detail.number}").classes("text-h6 text-bold")
        ui.label(detail.subject).classes("text-h6").mark("ticket-subject")
        ui.badge(status_label(detail.status), color=STATUS_COLORS[detail.status]).mark("ticket-status")
    organization = detail.organization_name or "—"
    if detail.parent_organization_name:
        organization = f"{organization} ({detail.parent_organization_name})"
    facts = [
        (_("Customer"), f"{detail.customer_name} <{detail.customer_email}>"),
        (_("Organization"), organization),
        (_("Agent"), detail.assigned_agent_name or _("Not assigned")),
        (_("Opened"), format_when(detail.created_at)),
        (_("Last update"), format_when(detail.updated_at)),
    ]
    with ui.grid(columns="auto 1fr").classes("gap-x-4 gap-y-1"):
        for caption, value in facts:
            ui.label(caption).classes("text-grey-7")
            ui.label(value)
    if detail.description:
        ui.label(detail.description).classes("whitespace-pre-wrap").mark("ticket-description")


def _history(entries: list[HistoryEntry]) -> None:
    ui.label(_("Conversation")).classes("text-subtitle1 text-bold")
    with ui.column().classes("w-full gap-2").mark("ticket-history"):
        for entry in entries:
            text = history_text(entry)
            if not text:
                continue
            with ui.card().classes("w-full q-pa-sm gap-1").mark("history-entry"):
                with ui.row().classes("items-baseline gap-2"):
                    ui.label(entry.actor_name).classes("text-bold")
                    ui.label(text)
                    ui.label(format_when(entry.at)).classes("text-caption text-grey-7")
                if shows_body(entry):
                    ui.label(entry.body).classes("whitespace-pre-wrap")


def _reply_box(me: Me, number: int, reread: Coalesced) -> None:
    body = ui.textarea(_("Your reply")).classes("w-full").mark("reply-body")

    async def send() -> None:
        button.disable()  # one click, one reply
        try:
            sent = await perform(tickets.reply, me.actor, number, body.value or "")
        finally:
            button.enable()
        if sent:  # after a refusal the text stays, to be fixed
            body.set_value("")
            await reread()

    button = ui.button(_("Send reply"), icon="send", on_click=send).mark("send-reply")


async def _load(me: Me, number: int | None) -> Loaded:
    if number is None:
        return None
    try:
        return await call(tickets.portal_ticket, me.actor, number)
    except DomainError:
        return None


def register() -> None:
    @ui.page("/portal/tickets/{number}")
    async def ticket_page(number: str) -> None:
        wanted = parse_id(number)
        if wanted is None:
            not_found_page()
            return
        title = _("Ticket #{number}").format(number=wanted)
        async with portal_page(f"/portal/tickets/{wanted}", title) as me:
            if me is None:
                return

            @ui.refreshable
            def content(loaded: Loaded) -> None:
                if loaded is None:
                    ui.label(_("Ticket not found.")).classes("text-negative").mark("not-found")
                    return
                detail, history = loaded
                with ui.card().classes("w-full gap-2"):
                    ticket_facts(detail)
                _history(history)

            async def reread() -> None:
                content.refresh(await _load(me, wanted))

            refresh = Coalesced(reread)
            loaded = await _load(me, wanted)
            content(loaded)
            if loaded is None:
                return
            ticket_id = loaded[0].id

            def on_event(event: DomainEvent) -> None:
                refresh.soon()

            ctx().live.subscribe(
                on_event, lambda event: isinstance(event, TicketChanged) and event.ticket_id == ticket_id
            )
            _reply_box(me, wanted, refresh)
            ui.link(_("Back to my tickets"), "/portal").classes("text-caption")
