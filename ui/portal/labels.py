"""The words the portal shows for ticket states and the portal's part of a ticket's
history. Status and state names use the domain's msgids with a context, because
Portuguese needs a gender: a ticket is "Cancelado", an action request "Cancelada"."""

from __future__ import annotations

from domain.model import (
    REQUEST_STATE_LABELS,
    TICKET_STATUS_LABELS,
    HistoryEntry,
    HistoryKind,
    RequestState,
    TicketStatus,
)
from domain.views import RequestRow

from ..context import format_when
from ..i18n import _, translate_in

STATUS_CONTEXT = "ticket status"
STATE_CONTEXT = "request state"

STATUS_COLORS = {
    TicketStatus.OPEN: "primary",
    TicketStatus.IN_PROGRESS: "orange",
    TicketStatus.CLOSED: "grey",
    TicketStatus.CANCELLED: "grey",
}

STATE_COLORS = {
    RequestState.AWAITING_APPROVAL: "orange",
    RequestState.APPROVED: "positive",
    RequestState.REJECTED: "negative",
    RequestState.CANCELLED: "grey",
    RequestState.EXPIRED: "grey",
}


def status_label(status: TicketStatus | str) -> str:
    return translate_in(STATUS_CONTEXT, TICKET_STATUS_LABELS[TicketStatus(status)])


def state_label(state: RequestState | str) -> str:
    return translate_in(STATE_CONTEXT, REQUEST_STATE_LABELS[RequestState(state)])


def history_text(entry: HistoryEntry) -> str:
    """What happened, without who and when (shown beside it). Action requests never
    reach the portal (spec §8), so they have no words here."""
    match entry.kind:
        case HistoryKind.CREATED:
            return _("opened the ticket")
        case HistoryKind.REPLY | HistoryKind.CUSTOMER_REPLY:
            return _("replied")
        case HistoryKind.ASSIGNED:
            if entry.body:
                return _("assigned the ticket to {name}").format(name=entry.body)
            return _("removed the ticket's assignment")
        case HistoryKind.STATUS:
            try:
                status = status_label(entry.body)
            except ValueError:
                status = entry.body
            return _("changed the status to {status}").format(status=status)
        case HistoryKind.RESTORED:
            return _("restored the ticket from the trash")
    return ""


def shows_body(entry: HistoryEntry) -> bool:
    """Only messages carry a text the customer should read."""
    return entry.kind in (HistoryKind.REPLY, HistoryKind.CUSTOMER_REPLY) and bool(entry.body)


def decision_text(row: RequestRow) -> str:
    """Who ended the request, and when: what the slower manager needs to read."""
    when = format_when(row.decided_at)
    match row.state:
        case RequestState.APPROVED:
            return _("Approved by {name} on {when}.").format(name=row.evaluated_by_name or "?", when=when)
        case RequestState.REJECTED:
            return _("Rejected by {name} on {when}.").format(name=row.evaluated_by_name or "?", when=when)
        case RequestState.CANCELLED:
            return _("Cancelled by {name} on {when}.").format(name=row.cancelled_by_name or "?", when=when)
        case RequestState.EXPIRED:
            return _("Expired on {when}: the ticket was closed or cancelled.").format(when=when)
    return ""
