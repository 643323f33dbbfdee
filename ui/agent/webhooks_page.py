"""/agent/admin/webhooks: the endpoints the account's request events are POSTed to (spec
§14) — address, events, on/off, the signing secret shown once — and the log of their
deliveries with status, last error and a *Reenviar* button, live like the outbox page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from domain import webhooks
from domain.errors import DomainError
from domain.events import DomainEvent, OutboxChanged, RequestEvent
from domain.model import OutboxMessage, OutboxStatus, WebhookEndpoint, WebhookEvent

from ..context import call, ctx, error_text, perform
from ..frame import Me
from ..i18n import _, format_when
from ..refresh import Coalesced
from ..secret_dialog import show_secret_once
from .admin_nav import admin_nav
from .dialogs import close_button, confirm, error_line, modal, run_modal, submit_use_case
from .layout import agent_page
from .outbox_page import STATUS_COLORS, status_label

PATH = "/agent/admin/webhooks"
Action = Callable[[int], Awaitable[None]]


async def endpoint_dialog(me: Me) -> webhooks.NewEndpoint | None:
    with modal(_("New webhook"), "webhook-dialog") as dialog:
        url = ui.input(_("Endpoint URL"), placeholder="https://").classes("w-full").mark("webhook-url")
        ui.label(_("Events")).classes("text-subtitle2")
        boxes = {event.value: ui.checkbox(event.value, value=True).mark(f"webhook-event-{event.value}")
                 for event in WebhookEvent}
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


def _endpoint_row(endpoint: WebhookEndpoint, toggle: Callable[[int, bool], Awaitable[None]], remove: Action) -> None:
    endpoint_id = endpoint.id or 0
    with ui.row().classes("w-full items-center no-wrap gap-4 py-2 border-b").mark(f"webhook-{endpoint_id}"):
        with ui.column().classes("grow gap-1"):
            ui.label(endpoint.url).classes("text-bold break-all")  # text, never HTML
            with ui.row().classes("gap-1"):
                for event in endpoint.events:
                    ui.badge(event, color="grey-7")
        ui.switch(_("On"), value=endpoint.active,
                  on_change=lambda e: toggle(endpoint_id, bool(e.value))).mark(f"webhook-active-{endpoint_id}")
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
        if message.sent_at is not None:
            facts.append((_("Sent at"), format_when(message.sent_at)))
        with ui.row().classes("gap-6 text-caption text-grey-8"):
            for label, value in facts:
                ui.label(f"{label}: {value}")
        if message.last_error:
            ui.label(_(message.last_error)).classes("text-caption").style("white-space: pre-wrap").mark(
                f"webhook-delivery-error-{message_id}"
            )


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
                _endpoint_row(endpoint, toggle, remove)
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

