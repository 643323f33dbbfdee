"""/agent/admin/webhooks: the endpoints the account's request events are POSTed to (spec
§14) — address, events (changed later too), on/off, the signing secret shown once — and
the log of their deliveries with status, what went wrong in the admin's words and a
*Reenviar* button, live like the outbox page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection

from nicegui import ui

from domain import outbox, webhooks
from domain.errors import DomainError
from domain.events import DomainEvent, OutboxChanged, RequestEvent
from domain.model import OutboxMessage, OutboxStatus, WebhookEndpoint, WebhookEvent

from ..context import attempt, call, ctx, error_text, perform
from ..frame import Me
from ..i18n import _, format_when
from ..refresh import Coalesced
from ..secret_dialog import show_secret_once
from .admin_nav import admin_nav
from .dialogs import close_button, confirm, error_line, modal, run_modal, submit_use_case
from .layout import agent_page
from .outbox_page import OWN_NOTES, STATUS_COLORS, status_label
from .webhook_texts import event_text, webhook_failure_text

PATH = "/agent/admin/webhooks"
Action = Callable[[int], Awaitable[None]]


def event_boxes(chosen: Collection[str]) -> dict[str, ui.checkbox]:
    """One checkbox per event, named as the receiver reads it, then in words."""
    ui.label(_("Events")).classes("text-subtitle2")
    return {
        event.value: ui.checkbox(f"{event.value} — {event_text(event)}", value=event.value in chosen).mark(
            f"webhook-event-{event.value}"
        )
        for event in WebhookEvent
    }


async def endpoint_dialog(me: Me) -> webhooks.NewEndpoint | None:
    with modal(_("New webhook"), "webhook-dialog") as dialog:
        url = ui.input(_("Endpoint URL"), placeholder="https://").classes("w-full").mark("webhook-url")
        boxes = event_boxes([event.value for event in WebhookEvent])
        error = error_line()

        async def save() -> None:
            chosen = [name for name, box in boxes.items() if box.value]
            await submit_use_case(
                dialog, error, webhooks.create_endpoint, me.actor, url.value or "", chosen,
                allow_insecure=ctx().config.webhook_allow_insecure,
            )

        with ui.row().classes("w-full justify-end"):
            close_button(dialog)
            ui.button(_("Create"), on_click=save).mark("webhook-save")
    result = await run_modal(dialog)
    return result if isinstance(result, webhooks.NewEndpoint) else None


async def events_dialog(me: Me, endpoint: WebhookEndpoint) -> bool:
    """The events this endpoint receives; True once saved. With none chosen the domain
    refuses, the dialog says why and nothing changes."""
    with modal(_("Events of the webhook"), "webhook-events-dialog") as dialog:
        ui.label(endpoint.url).classes("text-grey-8 break-all")  # text, never HTML
        boxes = event_boxes(endpoint.events)
        error = error_line()

        async def save() -> None:
            chosen = [name for name, box in boxes.items() if box.value]
            await submit_use_case(dialog, error, webhooks.set_endpoint_events, me.actor, endpoint.id or 0, chosen)

        with ui.row().classes("w-full justify-end"):
            close_button(dialog)
            ui.button(_("Save"), on_click=save).mark("webhook-events-save")
    return await run_modal(dialog) is True


def _endpoint_row(
    endpoint: WebhookEndpoint,
    toggle: Callable[[int, bool], Awaitable[None]],
    edit: Callable[[WebhookEndpoint], Awaitable[None]],
    remove: Action,
) -> None:
    endpoint_id = endpoint.id or 0
    with ui.row().classes("w-full items-center no-wrap gap-4 py-2 border-b").mark(f"webhook-{endpoint_id}"):
        with ui.column().classes("grow gap-1"):
            ui.label(endpoint.url).classes("text-bold break-all")  # text, never HTML
            with ui.row().classes("gap-1"):
                for event in endpoint.events:
                    ui.badge(event, color="grey-7")
        ui.switch(_("On"), value=endpoint.active,
                  on_change=lambda e: toggle(endpoint_id, bool(e.value))).mark(f"webhook-active-{endpoint_id}")
        ui.button(_("Events"), icon="tune", on_click=lambda: edit(endpoint)).props("flat").mark(
            f"webhook-edit-{endpoint_id}"
        )
        ui.button(_("Remove"), icon="delete", on_click=lambda: remove(endpoint_id)).props("flat").mark(
            f"webhook-remove-{endpoint_id}"
        )


def _delivery_row(message: OutboxMessage, resend: Action) -> None:
    message_id = message.id or 0
    with ui.card().classes("w-full gap-1").mark(f"webhook-delivery-{message_id}"):
        with ui.row().classes("w-full items-center gap-3 no-wrap"):
            ui.badge(status_label(message.status), color=STATUS_COLORS[OutboxStatus(message.status)]).classes(
                "w-32 justify-center"
            ).mark(f"webhook-delivery-status-{message_id}")
            ui.label(message.kind).classes("w-40 text-body1")
            ui.label(message.recipient_email).classes("grow text-grey-8 ellipsis")
            ui.button(_("Resend"), icon="send", on_click=lambda: resend(message_id)).props(
                "flat dense no-wrap"
            ).classes("shrink-0").mark(f"webhook-resend-{message_id}")
        facts = [(_("Attempts"), str(message.attempts)), (_("Queued at"), format_when(message.created_at))]
        if message.status == OutboxStatus.PENDING:
            facts.append((_("Next attempt at"), format_when(message.next_attempt_at)))
        if message.sent_at is not None:
            facts.append((_("Sent at"), format_when(message.sent_at)))
        with ui.row().classes("gap-6 text-caption text-grey-8"):
            for label, value in facts:
                ui.label(f"{label}: {value}")
        if message.last_error:
            _failure(message.last_error, message_id)


def _failure(note: str, message_id: int) -> None:
    """What went wrong in the admin's words; the sender's own words, folded, below it."""
    kind, detail = outbox.read_note(note)
    if kind is None and note in OWN_NOTES:
        ui.label(_(note)).classes("text-caption").mark(f"webhook-delivery-error-{message_id}")
        return
    ui.label(webhook_failure_text(kind)).classes("text-caption text-negative").mark(
        f"webhook-delivery-error-{message_id}"
    )
    with ui.expansion(_("Technical detail")).classes("w-full text-caption").mark(
        f"webhook-delivery-detail-{message_id}"
    ):
        ui.label(detail).classes("font-mono text-caption").style("white-space: pre-wrap")


def register() -> None:
    @ui.page(PATH)
    async def webhooks_page() -> None:
        async with agent_page(PATH, _("Webhooks"), admin_only=True) as me:
            if me is None:
                return
            await _build(me)


async def _build(me: Me) -> None:
    admin_nav("webhooks")
    ui.label(
        _("Aval POSTs each chosen request event to these addresses, signed per the Standard Webhooks "
          "specification with the endpoint's secret. Failed deliveries are retried with backoff.")
    ).classes("text-grey-8")

    async def create() -> None:
        made = await endpoint_dialog(me)
        if made is not None:
            await show_secret_once(
                _("Signing secret"),
                _("Copy the secret now and give it to the receiver; it will not be shown again."),
                made.secret,
                "webhook-secret",
            )
            await redraw()

    async def toggle(endpoint_id: int, active: bool) -> None:
        await perform(webhooks.set_endpoint_active, me.actor, endpoint_id, active)
        await redraw()

    async def edit(shown: WebhookEndpoint) -> None:
        # The events as stored now: another admin may have changed them since this page drew.
        endpoints = await attempt(webhooks.list_endpoints, me.actor)  # a refusal is shown by attempt
        endpoint = next((e for e in endpoints or [] if e.id == shown.id), None)
        if endpoints is not None and endpoint is None:
            ui.notify(_(webhooks.ENDPOINT_NOT_FOUND), type="negative")
        elif endpoint is not None and await events_dialog(me, endpoint):
            ui.notify(_("Events saved."), type="positive")
        await redraw()

    async def remove(endpoint_id: int) -> None:
        if await confirm(_("Remove webhook"), _("No further event is sent to this address."), _("Remove")):
            await perform(webhooks.delete_endpoint, me.actor, endpoint_id)
            await redraw()

    async def resend(message_id: int) -> None:
        if await perform(webhooks.resend, me.actor, message_id):
            ui.notify(_("Delivery queued again."), type="positive")
        await redraw()

    ui.button(_("New webhook"), icon="add", on_click=create).mark("new-webhook")
    endpoints_card = ui.card().classes("w-full gap-0").mark("webhook-endpoints")
    ui.label(_("Deliveries")).classes("text-h6")
    log_column = ui.column().classes("w-full gap-2").mark("webhook-deliveries")

    async def load() -> tuple[list[WebhookEndpoint], list[OutboxMessage]] | str:
        try:
            return await call(webhooks.list_endpoints, me.actor), await call(webhooks.deliveries, me.actor)
        except DomainError as error:
            return error_text(error)

    def draw(result: tuple[list[WebhookEndpoint], list[OutboxMessage]] | str) -> None:
        endpoints_card.clear()
        log_column.clear()
        if isinstance(result, str):
            with endpoints_card:
                ui.label(result).classes("text-negative")
            return
        endpoints, deliveries = result
        with endpoints_card:
            if not endpoints:
                ui.label(_("No webhook yet.")).classes("text-grey-7").mark("webhooks-empty")
            for endpoint in endpoints:
                _endpoint_row(endpoint, toggle, edit, remove)
        with log_column:
            if not deliveries:
                ui.label(_("No delivery yet.")).classes("text-grey-7").mark("webhook-deliveries-empty")
            for message in deliveries:
                _delivery_row(message, resend)

    redraw = Coalesced.of(load, draw)

    def on_event(event: DomainEvent) -> None:
        redraw.soon()

    ctx().live.subscribe(on_event, lambda event: isinstance(event, OutboxChanged | RequestEvent), outbox=True)
    await redraw()

