"""The words both panels show for the domain's states and a ticket's history. Status and
state names come from the domain's msgids (spec §1); they are translated with a context
because Portuguese needs a gender: a ticket is "Cancelado", an action request "Cancelada"."""

from __future__ import annotations

from domain.model import (
    REQUEST_STATE_CONTEXT,
    REQUEST_STATE_LABELS,
    TICKET_STATUS_CONTEXT,
    TICKET_STATUS_LABELS,
    HistoryEntry,
    HistoryKind,
    RequestState,
    TicketStatus,
    Via,
)

from .i18n import _, translate_in

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
        case HistoryKind.ACTION_APPROVED if entry.via == Via.EMAIL:
            return _("approved the action “{action}” by e-mail").format(action=action)
        case HistoryKind.ACTION_APPROVED:
            return _("approved the action “{action}”").format(action=action)
        case HistoryKind.ACTION_REJECTED if entry.via == Via.EMAIL:
            return _("rejected the action “{action}” by e-mail").format(action=action)
        case HistoryKind.ACTION_REJECTED:
            return _("rejected the action “{action}”").format(action=action)
        case HistoryKind.ACTION_CANCELLED:
            return _("cancelled the action “{action}”").format(action=action)
        case HistoryKind.ACTION_EXPIRED:
            return _("closed or cancelled the ticket: the action “{action}” expired").format(action=action)
    return str(entry.kind)
