"""/portal/approvals/{request_id}: one request with its ticket's data, and the manager's
Aprovar / Reprovar / Cancelar, each behind a confirmation (spec §7).

The page follows the request live: when another manager decides first, or the ticket
is closed or trashed, it shows who ended it and when (or "not found"), and an open
confirmation is withdrawn. Anyone who may not see the request reads "not found" and
nothing of its data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from domain import approvals
from domain.errors import DomainError
from domain.events import DomainEvent, PendingVisibilityChanged, RequestEvent, TicketChanged
from domain.model import RequestState
from domain.views import RequestRow, TicketDetail

from ..context import call, ctx, format_when, perform
from ..frame import Me
from ..i18n import _
from ..labels import STATE_COLORS, state_label
from ..not_found import not_found_page, parse_id
from ..refresh import Coalesced
from .approvals_tab import APPROVALS_PATH
from .confirm import confirm
from .labels import decision_text
from .layout import portal_page
from .ticket_page import ticket_facts

Loaded = tuple[TicketDetail, RequestRow] | None


async def _load(me: Me, request_id: int | None) -> Loaded:
    if request_id is None:
        return None
    try:
        return await call(approvals.request_for_manager, me.actor, request_id)
    except DomainError:  # not found, not theirs, signed out: all read the same
        return None


def _request_facts(row: RequestRow) -> None:
    with ui.row().classes("items-center gap-3"):
        ui.label(row.action_name).classes("text-h6").mark("request-action")
        ui.badge(state_label(row.state), color=STATE_COLORS[row.state]).mark("request-state")
    if row.action_description:
        ui.label(row.action_description).classes("text-grey-8")
    facts = [
        (_("Requested by"), row.requested_by_name),
        (_("Requested at"), format_when(row.requested_at)),
    ]
    with ui.grid(columns="auto 1fr").classes("gap-x-4 gap-y-1"):
        for caption, value in facts:
            ui.label(caption).classes("text-grey-7")
            ui.label(value)
    if row.note:
        ui.label(_("Agent's note")).classes("text-grey-7")
        ui.label(row.note).classes("whitespace-pre-wrap").mark("request-note")
    if row.state != RequestState.AWAITING_APPROVAL:
        ui.label(decision_text(row)).classes("text-bold").mark("request-decision")
        if row.state == RequestState.REJECTED and row.reason:
            ui.label(_("Reason: {reason}").format(reason=row.reason)).classes("whitespace-pre-wrap").mark(
                "request-reason"
            )


class RequestPage:
    def __init__(self, me: Me, request_id: int | None) -> None:
        self.me = me
        self.request_id = request_id
        self.buttons: list[ui.button] = []
        self.busy = False
        self.refresh = Coalesced(self.reread)
        self.loaded: Loaded = None

    async def build(self) -> None:
        self.loaded = await _load(self.me, self.request_id)
        self.content(self.loaded)
        ctx().live.subscribe(self.on_event, self.concerns)

    async def reread(self) -> None:
        self.loaded = await _load(self.me, self.request_id)
        # Redrawing removes the buttons, and with them any confirmation still open.
        self.content.refresh(self.loaded)

    def concerns(self, event: DomainEvent) -> bool:
        if isinstance(event, RequestEvent):
            return event.request_id == self.request_id
        if isinstance(event, PendingVisibilityChanged):
            return self.me.actor.id in event.audience.manager_ids
        return isinstance(event, TicketChanged) and self.loaded is not None and event.ticket_id == self.loaded[0].id

    async def on_event(self, event: DomainEvent) -> None:
        await self.refresh()

    @ui.refreshable_method
    def content(self, loaded: Loaded) -> None:
        self.buttons = []
        if loaded is None:
            ui.label(_("Request not found.")).classes("text-negative text-h6").mark("not-found")
            ui.link(_("Back to the actions to approve"), APPROVALS_PATH)
            return
        detail, row = loaded
        with ui.card().classes("w-full gap-2").mark("request-card"):
            _request_facts(row)
            if row.state == RequestState.AWAITING_APPROVAL:
                self.actions(detail, row)
        with ui.card().classes("w-full gap-2").mark("ticket-card"):
            ticket_facts(detail)
            ui.link(_("Open the ticket"), f"/portal/tickets/{detail.number}").classes("text-caption")
        ui.link(_("Back to the actions to approve"), APPROVALS_PATH).classes("text-caption")

    def actions(self, detail: TicketDetail, row: RequestRow) -> None:
        about = _("Ticket #{number}: {subject}\nAction: {action}").format(
            number=detail.number, subject=detail.subject, action=row.action_name
        )
        with ui.row().classes("gap-2"):
            self.buttons = [
                ui.button(_("Approve"), icon="check", color="positive", on_click=lambda: self.approve(about)).mark(
                    "approve"
                ),
                ui.button(_("Reject"), icon="close", color="negative", on_click=lambda: self.reject(about)).mark(
                    "reject"
                ),
                ui.button(_("Cancel request"), icon="block", on_click=lambda: self.cancel(about))
                .props("outline")
                .mark("cancel-request"),
            ]

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        for button in self.buttons:
            if not button.is_deleted:
                button.set_enabled(not busy)

    async def decide(
        self, ask: Callable[[], Awaitable[str | None]], act: Callable[[int, str], Awaitable[bool]], done_text: str
    ) -> None:
        """Asks first; while asking and deciding every button is off, so a double click or
        a second button cannot start a second decision."""
        if self.busy or self.request_id is None:
            return
        self.set_busy(True)
        try:
            answer = await ask()
            if answer is None:
                return
            if await act(self.request_id, answer):
                ui.notify(done_text, type="positive")
        finally:
            self.set_busy(False)
        await self.refresh()  # shows the decision, or who was faster

    async def approve(self, about: str) -> None:
        await self.decide(
            lambda: confirm(_("Approve this action?"), about, _("Approve"), "confirm-approve", color="positive"),
            lambda request_id, _reason: perform(approvals.approve, self.me.actor, request_id),
            _("Action approved."),
        )

    async def reject(self, about: str) -> None:
        await self.decide(
            lambda: confirm(
                _("Reject this action?"),
                about,
                _("Reject"),
                "confirm-reject",
                color="negative",
                reason_label=_("Reason (optional)"),
            ),
            lambda request_id, reason: perform(approvals.reject, self.me.actor, request_id, reason),
            _("Action rejected."),
        )

    async def cancel(self, about: str) -> None:
        await self.decide(
            lambda: confirm(_("Cancel this action request?"), about, _("Cancel request"), "confirm-cancel"),
            lambda request_id, _reason: perform(approvals.cancel, self.me.actor, request_id),
            _("Action request cancelled."),
        )


def register() -> None:
    @ui.page(APPROVALS_PATH + "/{request_id}")
    async def request_page(request_id: str) -> None:
        wanted = parse_id(request_id)
        if wanted is None:
            not_found_page()
            return
        async with portal_page(f"{APPROVALS_PATH}/{wanted}", _("Action to approve")) as me:
            if me is None:
                return
            await RequestPage(me, wanted).build()
