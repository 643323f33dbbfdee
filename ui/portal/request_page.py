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
from domain.answers import Progress
from domain.errors import DomainError
from domain.events import DomainEvent, PendingVisibilityChanged, RequestEvent, TicketChanged
from domain.model import RequestState
from domain.views import RequestRow, TicketDetail

from ..approval_progress import answers_list
from ..context import call, ctx, format_when, perform
from ..frame import Me
from ..i18n import _, translate_error
from ..labels import STATE_COLORS, deadline_text, state_label
from ..not_found import not_found_page, parse_id
from ..refresh import Coalesced
from ..session import still_signed_in
from .approvals_tab import APPROVALS_PATH
from .confirm import Confirmation
from .labels import decision_text
from .layout import not_found, portal_page
from .ticket_page import ticket_facts

Loaded = tuple[TicketDetail, RequestRow] | None
Act = Callable[[int, str], Awaitable[bool]]


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
    if row.deadline is not None:
        facts.append((_("Approval deadline"), deadline_text(row.deadline, row.state)))
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
        self.progress: Progress | None = None
        self.about = ""
        self.confirmation = Confirmation()

    async def _read(self) -> None:
        self.loaded = await _load(self.me, self.request_id)
        self.progress = None
        if self.loaded is not None and self.loaded[1].counts_answers:
            try:
                self.progress = await call(approvals.request_progress, self.me.actor, self.loaded[1].id)
            except DomainError:
                self.progress = None

    async def build(self) -> None:
        await self._read()
        self.content(self.loaded)
        ctx().live.subscribe(self.on_event, self.concerns)

    async def reread(self) -> None:
        await self._read()
        if self.loaded is None or self.loaded[1].state != RequestState.AWAITING_APPROVAL:
            self.confirmation.withdraw()
        self.content.refresh(self.loaded)

    def concerns(self, event: DomainEvent) -> bool:
        if isinstance(event, RequestEvent):
            return event.request_id == self.request_id
        if isinstance(event, PendingVisibilityChanged):
            return self.me.actor.id in event.audience.manager_ids
        return isinstance(event, TicketChanged) and self.loaded is not None and event.ticket_id == self.loaded[0].id

    def on_event(self, event: DomainEvent) -> None:
        self.refresh.soon()

    @ui.refreshable_method
    def content(self, loaded: Loaded) -> None:
        self.buttons = []
        if loaded is None:
            not_found(_("Request not found."))
            if self.me.privileged:
                ui.link(_("Back to the actions to approve"), APPROVALS_PATH)
            return
        detail, row = loaded
        with ui.card().classes("w-full gap-2").mark("request-card"):
            _request_facts(row)
            if self.progress is not None:
                answers_list(self.progress, "request-progress")
            if row.state == RequestState.AWAITING_APPROVAL:
                self.actions(detail, row)
        with ui.card().classes("w-full gap-2").mark("ticket-card"):
            ticket_facts(detail)
            ui.link(_("Open the ticket"), f"/portal/tickets/{detail.number}").classes("text-caption")
        ui.link(_("Back to the actions to approve"), APPROVALS_PATH).classes("text-caption")

    def actions(self, detail: TicketDetail, row: RequestRow) -> None:
        self.about = _("Ticket #{number}: {subject}\nAction: {action}").format(
            number=detail.number, subject=detail.subject, action=row.action_name
        )
        blocked = self.progress.blocked if self.progress is not None else None
        if blocked is not None:  # answered already, or not (yet) theirs to answer
            ui.label(translate_error(blocked, {})).classes("text-grey-8").mark("answer-blocked")
        with ui.row().classes("gap-2"):
            self.buttons = []
            if blocked is None:
                self.buttons = [
                    ui.button(_("Approve"), icon="check", color="positive", on_click=self.approve).mark("approve"),
                    ui.button(_("Reject"), icon="close", color="negative", on_click=self.reject).mark("reject"),
                ]
            cancel = ui.button(_("Cancel request"), icon="block", on_click=self.cancel)
            self.buttons.append(cancel.props("outline").mark("cancel-request"))

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        for button in self.buttons:
            if not button.is_deleted:
                button.set_enabled(not busy)

    async def decide(
        self, title: str, confirm_label: str, marker: str, act: Act, done_text: str, **dialog: str | None
    ) -> None:
        """Asks first; while asking and deciding every button is off, so a double click or
        a second button cannot start a second decision. The dialog's own button runs the
        decision (ui/portal/confirm.py), so even a click that arrives after the request
        moved on is answered."""
        if self.busy or self.request_id is None:
            return
        request_id = self.request_id

        async def run(reason: str) -> None:
            if still_signed_in(self.me.actor) and await act(request_id, reason):
                ui.notify(done_text, type="positive")
            await self.refresh()  # shows the decision, or who was faster

        self.set_busy(True)
        try:
            await self.confirmation.ask(title, self.about, confirm_label, marker, run, **dialog)  # type: ignore[arg-type]
        finally:
            self.set_busy(False)

    async def approve(self) -> None:
        await self.decide(
            _("Approve this action?"),
            _("Approve"),
            "confirm-approve",
            lambda request_id, _reason: perform(approvals.approve, self.me.actor, request_id),
            _("Action approved."),
            color="positive",
        )

    async def reject(self) -> None:
        await self.decide(
            _("Reject this action?"),
            _("Reject"),
            "confirm-reject",
            lambda request_id, reason: perform(approvals.reject, self.me.actor, request_id, reason),
            _("Action rejected."),
            color="negative",
            reason_label=_("Reason (optional)"),
        )

    async def cancel(self) -> None:
        await self.decide(
            _("Cancel this action request?"),
            _("Cancel action"),
            "confirm-cancel",
            lambda request_id, _reason: perform(approvals.cancel, self.me.actor, request_id),
            _("Action request cancelled."),
            back_label=_("Keep action"),
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
