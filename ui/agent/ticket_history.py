"""The ticket's history in the agent panel (spec §8): replies and every event of every
action request, with who, when and the note or reason; and the requests themselves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from domain.model import HistoryEntry, HistoryKind, RequestState
from domain.views import RequestRow

from ..approval_progress import decider_name, row_progress, standing_in
from ..context import format_when
from ..i18n import _
from ..labels import STATE_COLORS, deadline_text, history_text, state_label
from .labels import HISTORY_ICONS, history_body_caption

_ACTION_KINDS = {
    HistoryKind.ACTION_REQUESTED,
    HistoryKind.ACTION_APPROVED,
    HistoryKind.ACTION_REJECTED,
    HistoryKind.ACTION_CANCELLED,
    HistoryKind.ACTION_EXPIRED,
    HistoryKind.MANAGERS_REMINDED,
}


# Quasar keeps room for an entry's title and subtitle even when empty; ours have neither,
# so without this each entry starts a blank line below its dot, far from its icon.
_HISTORY_CSS = """
.aval-history .q-timeline__subtitle, .aval-history .q-timeline__title:empty { display: none; }
.aval-history .q-timeline__content { gap: 0.25rem; padding-top: 0.4rem; }
"""


def history_styles() -> None:
    """Once per page that shows a history."""
    ui.add_css(_HISTORY_CSS)


def history_timeline(entries: list[HistoryEntry]) -> ui.timeline:
    with ui.card().classes("w-full").mark("history"):
        ui.label(_("Ticket history")).classes("text-h6")
        with ui.timeline(side="right", layout="dense").classes("w-full aval-history") as timeline:
            for entry in entries:
                history_entry(entry)
    return timeline


def actor_text(entry: HistoryEntry) -> str:
    """Who did it; "Fábio (substituindo Márcia)" for a stand-in's decision (spec §13)."""
    return standing_in(entry.actor_name, entry.on_behalf_of_name)


def history_entry(entry: HistoryEntry) -> None:
    """One entry, drawn into the current timeline (a live update appends the new ones)."""
    color = "orange" if entry.kind in _ACTION_KINDS else "primary"
    with ui.timeline_entry(icon=HISTORY_ICONS.get(entry.kind), color=color).mark(f"history-{entry.kind}"):
        with ui.row().classes("items-baseline gap-2"):
            ui.label(actor_text(entry)).classes("text-bold")
            ui.label(history_text(entry))
        ui.label(format_when(entry.at)).classes("text-caption text-grey-7")
        if entry.body and entry.kind not in (HistoryKind.ASSIGNED, HistoryKind.STATUS):
            caption = history_body_caption(entry)
            if caption:
                ui.label(caption).classes("text-caption text-bold")
            ui.label(entry.body).classes("whitespace-pre-wrap")


def _request_facts(row: RequestRow) -> list[str]:
    facts = [_("Requested by {name} at {when}").format(name=row.requested_by_name, when=format_when(row.requested_at))]
    if row.evaluated_by_name:
        decided = _("Evaluated by {name} at {when}")
        facts.append(decided.format(name=decider_name(row), when=format_when(row.decided_at)))
    elif row.cancelled_by_name:
        cancelled = _("Cancelled by {name} at {when}")
        facts.append(cancelled.format(name=row.cancelled_by_name, when=format_when(row.decided_at)))
    elif row.decided_at:
        facts.append(_("Expired at {when}").format(when=format_when(row.decided_at)))
    if row.deadline is not None:
        facts.append(deadline_text(row.deadline, row.state))
    progress = row_progress(row)
    if progress is not None:
        facts.append(progress)
    return facts


def request_cards(
    rows: list[RequestRow],
    *,
    can_cancel_pending: bool,
    highlight: int | None,
    on_cancel: Callable[[RequestRow], Awaitable[None]],
    on_remind: Callable[[RequestRow], Awaitable[None]] | None = None,
) -> None:
    """Newest first; the one a notification pointed at is outlined."""
    if not rows:
        return
    with ui.card().classes("w-full").mark("requests"):
        ui.label(_("Action requests")).classes("text-h6")
        for row in reversed(rows):
            card = ui.card().classes("w-full gap-1").props("flat bordered").mark(f"request-{row.id}")
            if row.id == highlight:
                card.classes("border-primary border-2")
            with card, ui.row().classes("w-full items-start no-wrap gap-4"):
                with ui.column().classes("grow gap-1"):
                    with ui.row().classes("items-center gap-2"):
                        ui.label(row.action_name).classes("text-subtitle1 text-bold")
                        ui.badge(state_label(row.state), color=STATE_COLORS[row.state]).mark(f"request-state-{row.id}")
                    if row.action_description:
                        ui.label(row.action_description).classes("text-caption text-grey-8")
                    for fact in _request_facts(row):
                        ui.label(fact).classes("text-caption")
                    if row.note:
                        ui.label(_("Note: {note}").format(note=row.note)).classes("whitespace-pre-wrap")
                    if row.reason:
                        ui.label(_("Reason: {reason}").format(reason=row.reason)).classes("whitespace-pre-wrap")
                if row.state == RequestState.AWAITING_APPROVAL and can_cancel_pending:
                    with ui.column().classes("gap-2 items-end"):
                        if on_remind is not None:
                            remind = ui.button(_("Remind managers"), icon="notifications_active",
                                               on_click=lambda row=row: on_remind(row))
                            remind.props("outline").mark("remind-managers")
                        cancel = ui.button(_("Cancel"), on_click=lambda row=row: on_cancel(row))
                        cancel.props("outline color=negative").mark("cancel-request")
