"""The words both panels show for the domain's states and a ticket's history. Status and
state names come from the domain's msgids (spec §1); they are translated with a context
because Portuguese needs a gender: a ticket is "Cancelado", an action request "Cancelada"."""

from __future__ import annotations

from datetime import datetime

from domain import clock
from domain.model import (
    REQUEST_STATE_CONTEXT,
    REQUEST_STATE_LABELS,
    TICKET_STATUS_CONTEXT,
    TICKET_STATUS_LABELS,
    ExpiryReason,
    HistoryEntry,
    HistoryKind,
    RequestState,
    TicketStatus,
)

from .i18n import _, format_relative, format_when, translate_in

STATUS_CONTEXT = TICKET_STATUS_CONTEXT
STATE_CONTEXT = REQUEST_STATE_CONTEXT

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


def _expiry_text(reason: ExpiryReason | None) -> str:
    match reason:
        case ExpiryReason.TICKET_CLOSED:
            return _("closed the ticket: the action “{action}” expired")
        case ExpiryReason.TICKET_CANCELLED:
            return _("cancelled the ticket: the action “{action}” expired")
        case ExpiryReason.DEADLINE_PASSED:
            return _("the action “{action}” expired: deadline passed")
    # Entries written before the reason was kept.
    return _("closed or cancelled the ticket: the action “{action}” expired")


def history_text(entry: HistoryEntry, *, for_customer: bool = False) -> str:
    """What happened, without who and when (shown beside it). The portal says "replied"
    for anyone's message; the agent panel tells the customer's apart."""
    action = entry.action_name or ""
    match entry.kind:
        case HistoryKind.CREATED:
            return _("opened the ticket")
        case HistoryKind.REPLY:
            return _("replied")
        case HistoryKind.CUSTOMER_REPLY:
            return _("replied") if for_customer else _("replied (customer)")
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
        case HistoryKind.TRASHED:
            return _("moved the ticket to the trash")
        case HistoryKind.RESTORED:
            return _("restored the ticket from the trash")
        case HistoryKind.ACTION_REQUESTED:
            return _("requested the action “{action}”").format(action=action)
        case HistoryKind.ACTION_APPROVED:
            return _("approved the action “{action}”").format(action=action)
        case HistoryKind.ACTION_REJECTED:
            return _("rejected the action “{action}”").format(action=action)
        case HistoryKind.ACTION_CANCELLED:
            return _("cancelled the action “{action}”").format(action=action)
        case HistoryKind.ACTION_EXPIRED:
            return _expiry_text(entry.expiry_reason).format(action=action)
        case HistoryKind.MANAGERS_REMINDED:
            return _("reminded the managers of the action “{action}”").format(action=action)
    return str(entry.kind)


def deadline_text(deadline: datetime | None, state: RequestState | str) -> str:
    """'Prazo: 30/11/2026 15:00 (vence em 3 horas)' while the request awaits; the bare
    instant once it left that state; empty without a deadline."""
    if deadline is None:
        return ""
    when = format_when(deadline)
    if RequestState(state) != RequestState.AWAITING_APPROVAL:
        return _("Deadline: {when}").format(when=when)
    relative = format_relative(deadline)
    if deadline > clock.now():
        return _("Deadline: {when} (due {relative})").format(when=when, relative=relative)
    return _("Deadline: {when} (was due {relative})").format(when=when, relative=relative)
