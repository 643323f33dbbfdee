"""/agent/admin/outbox: every e-mail and Web Push the app queued, as the account manager
sees it — pending, sent, failed, or kept back because no SMTP server is configured — with
the full text of each message and a Retry button (spec §6, §10: "no SMTP: mail is kept in
the app's outbox and shown to admins")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from nicegui import ui
from nicegui.events import ValueChangeEventArguments

from delivery.messages import render_email, render_push, without_links
from delivery.webhook_sender import encode_body
from domain import outbox, push
from domain.errors import DomainError
from domain.events import DomainEvent, OutboxChanged, RequestEvent
from domain.model import Channel, OutboxMessage, OutboxStatus
from domain.outbox import DeliveryFailure

from ..context import AppContext, attempt, call, ctx, error_text, format_when
from ..frame import Me
from ..i18n import _
from ..refresh import Coalesced
from .admin_nav import admin_nav
from .layout import agent_page
from .webhook_texts import webhook_failure_text

PATH = "/agent/admin/outbox"
Retry = Callable[[int], Awaitable[None]]
# Sent is done; skipped had no one to send to (a retry would skip again).
RETRYABLE = {OutboxStatus.PENDING, OutboxStatus.FAILED, OutboxStatus.HELD}
ALL = "all"

STATUS_COLORS = {
    OutboxStatus.PENDING: "orange",
    OutboxStatus.SENT: "positive",
    OutboxStatus.FAILED: "negative",
    OutboxStatus.HELD: "grey-7",
    OutboxStatus.SKIPPED: "grey",
}


def status_label(status: OutboxStatus) -> str:
    return {
        OutboxStatus.PENDING: _("Pending"),
        OutboxStatus.SENT: _("Sent"),
        OutboxStatus.FAILED: _("Failed"),
        OutboxStatus.HELD: _("Not sent"),
        OutboxStatus.SKIPPED: _("Skipped"),
    }[OutboxStatus(status)]


# Notes the help desk writes itself: msgids, shown translated as they are.
OWN_NOTES = {
    outbox.NOT_SENT_NO_SMTP,
    outbox.NOT_SENT_NO_PUSH,
    outbox.NO_PUSH_SUBSCRIPTION,
    outbox.WEBHOOK_ENDPOINT_OFF,
}


def failure_text(kind: DeliveryFailure | None) -> str:
    """A failed attempt, said so an admin knows where to look."""
    match kind:
        case DeliveryFailure.CONNECTION_REFUSED:
            return _("The e-mail server refused the connection.")
        case DeliveryFailure.TIMEOUT:
            return _("The e-mail server did not answer in time.")
        case DeliveryFailure.HOST_NOT_FOUND:
            return _("The e-mail server's address was not found.")
        case DeliveryFailure.UNREACHABLE:
            return _("The e-mail server could not be reached.")
        case DeliveryFailure.AUTH_FAILED:
            return _("The e-mail server refused the user name or password.")
        case DeliveryFailure.TLS:
            return _("The secure connection (TLS) to the e-mail server failed.")
        case DeliveryFailure.RECIPIENT_REFUSED:
            return _("The e-mail server refused the recipient's address.")
        case DeliveryFailure.MESSAGE_REFUSED:
            return _("The e-mail server refused this message.")
        case DeliveryFailure.SERVER_REFUSED:
            return _("The e-mail server refused to send.")
        case DeliveryFailure.PUSH_FAILED:
            return _("The push service did not take the notification.")
        case DeliveryFailure.INTERNAL:
            return _("An error inside the help desk stopped this delivery; it will be tried again.")
    return _("The delivery failed.")  # kept before failures had a kind


def channel_label(channel: Channel) -> str:
    return {Channel.EMAIL: _("E-mail"), Channel.PUSH: _("Web Push"), Channel.WEBHOOK: _("Webhook")}[Channel(channel)]


@dataclass
class PageState:
    status: str = ALL
    opened: set[int] = field(default_factory=set)  # kept open across live redraws


@dataclass(frozen=True)
class Shown:
    """A message as the page shows it: what its recipient reads, in their language."""

    message: OutboxMessage
    subject: str
    text: str


def _shown(stored: OutboxMessage, context: AppContext) -> Shown:
    base_url, locale = context.config.base_url, context.config.locale
    # A manager's Aprovar / Reprovar links decide as that manager: never shown to admins.
    message = without_links(stored)
    try:
        if message.channel == Channel.WEBHOOK:
            return Shown(message, message.kind, f"POST {message.recipient_email}\n\n{encode_body(message.payload)}")
        if message.channel == Channel.EMAIL:
            mail = render_email(message, base_url, locale)
            return Shown(message, mail.subject, f"{_('To')}: {mail.to}\n{_('Subject')}: {mail.subject}\n\n{mail.text}")
        note = render_push(message, base_url, locale)
        return Shown(message, note.title, f"{note.title}\n{note.body}\n{note.url}")
    except Exception:  # a message this version cannot render is still listed
        return Shown(message, message.kind, str(message.payload))


def _details(message: OutboxMessage) -> None:
    facts = [
        (_("Attempts"), str(message.attempts)),
        (_("Queued at"), format_when(message.created_at)),
    ]
    if message.status == OutboxStatus.PENDING:
        facts.append((_("Next attempt at"), format_when(message.next_attempt_at)))
    if message.sent_at is not None:
        facts.append((_("Sent at"), format_when(message.sent_at)))
    with ui.row().classes("gap-6 text-caption text-grey-8"):
        for label, value in facts:
            ui.label(f"{label}: {value}")
    if message.last_error:
        kind, detail = outbox.read_note(message.last_error)
        if kind is None and message.last_error in OWN_NOTES:
            ui.label(_(message.last_error)).classes("text-caption").mark(f"outbox-note-{message.id}")
            return
        # What went wrong in the admin's words; the server's own words, folded, below it.
        said = webhook_failure_text(kind) if message.channel == Channel.WEBHOOK else failure_text(kind)
        ui.label(said).classes("text-caption text-negative").mark(f"outbox-note-{message.id}")
        with ui.expansion(_("Technical detail")).classes("w-full text-caption").mark(f"outbox-detail-{message.id}"):
            ui.label(detail).classes("font-mono text-caption").style("white-space: pre-wrap")


def _message(shown: Shown, state: PageState, on_retry: Retry) -> None:
    message = shown.message
    assert message.id is not None
    message_id = message.id
    with ui.card().classes("w-full gap-1").mark(f"outbox-message-{message_id}"):
        with ui.row().classes("w-full items-center gap-3 no-wrap"):
            ui.badge(status_label(message.status), color=STATUS_COLORS[OutboxStatus(message.status)]).classes(
                "w-32 justify-center"
            ).mark(f"outbox-status-{message_id}")
            ui.label(channel_label(message.channel)).classes("w-20 text-grey-8")
            ui.label(message.recipient_email).classes("w-56 text-grey-8 ellipsis")
            ui.label(shown.subject).classes("grow text-body1")
            if message.status in RETRYABLE:
                ui.button(_("Retry"), icon="refresh", on_click=lambda: on_retry(message_id)).props(
                    "flat dense no-wrap"
                ).classes("shrink-0").mark(f"outbox-retry-{message_id}")
        _details(message)

        def toggled(event: ValueChangeEventArguments) -> None:
            if event.value:
                state.opened.add(message_id)
            else:
                state.opened.discard(message_id)

        with ui.expansion(_("Full text"), value=message_id in state.opened, on_value_change=toggled).classes(
            "w-full"
        ).mark(f"outbox-text-{message_id}"):
            # Text, never HTML: the message quotes what users typed.
            ui.label(shown.text).classes("font-mono text-body2").style("white-space: pre-wrap")


def register(context: AppContext) -> None:
    @ui.page(PATH)
    async def outbox_page() -> None:
        async with agent_page(PATH, _("Outbox"), admin_only=True) as me:
            if me is None:
                return
            await _build(me, context)


async def _build(me: Me, context: AppContext) -> None:
    state = PageState()
    admin_nav("outbox")
    ui.label(
        _("Every e-mail and push notification the help desk queued. Without an e-mail server, e-mails are kept "
          "here unsent; they go out once one is configured.")
    ).classes("text-grey-8")
    with ui.expansion(_("How to configure the e-mail server")).classes("text-caption").mark("outbox-setup"):
        ui.label(
            _("Whoever installed the help desk sets AVAL_SMTP_HOST (and AVAL_SMTP_PORT, AVAL_SMTP_USER, "
              "AVAL_SMTP_PASSWORD, AVAL_SMTP_TLS, AVAL_MAIL_FROM) and restarts it.")
        ).classes("font-mono text-caption")
    options = {ALL: _("All messages")} | {s.value: status_label(s) for s in OutboxStatus}
    status = ui.select(options, value=ALL, label=_("Status")).classes("w-56").mark("outbox-filter")
    listing = ui.column().classes("w-full gap-2")

    async def load() -> list[Shown] | str:
        try:
            messages = await call(push.outbox, me.actor, None if state.status == ALL else state.status)
        except DomainError as error:
            return error_text(error)
        return [_shown(message, context) for message in messages]

    async def retry(message_id: int) -> None:
        await attempt(push.retry_message, me.actor, message_id)  # a refusal is shown by attempt
        await redraw()

    def draw(result: list[Shown] | str) -> None:
        listing.clear()
        with listing:
            if isinstance(result, str):
                ui.label(result).classes("text-negative")
            elif not result:
                ui.label(_("No message.")).classes("text-grey-7").mark("outbox-empty")
            else:
                for shown in result:
                    _message(shown, state, retry)

    redraw = Coalesced.of(load, draw)

    async def filter_changed() -> None:
        state.status = status.value or ALL
        await redraw()

    status.on_value_change(filter_changed)

    def on_event(event: DomainEvent) -> None:
        redraw.soon()

    ctx().live.subscribe(on_event, lambda event: isinstance(event, OutboxChanged | RequestEvent), outbox=True)
    await redraw()
