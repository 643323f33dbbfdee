"""The words the agent panel shows for the domain's states, history entries and hub
notifications. Status and state names come from the domain's msgids (spec §1); they are
translated with a context because Portuguese needs a gender: a ticket is "Cancelado",
an action request "Cancelada"."""

from __future__ import annotations

from domain.model import (
    REQUEST_STATE_LABELS,
    TICKET_STATUS_LABELS,
    HistoryEntry,
    HistoryKind,
    NotificationKind,
    RequestState,
    TicketStatus,
)

from ..i18n import _, translate_in

STATUS_CONTEXT = "ticket status"
STATE_CONTEXT = "request state"
PERSON = "person"  # "Active" is "Ativa" for a catalog action, "Ativo" for an agent or customer

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
    """What happened, without who and when (shown beside it)."""
    action = entry.action_name or ""
    match entry.kind:
        case HistoryKind.CREATED:
            return _("opened the ticket")
        case HistoryKind.REPLY:
            return _("replied")
        case HistoryKind.CUSTOMER_REPLY:
            return _("replied (customer)")
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
            return _("closed or cancelled the ticket: the action “{action}” expired").format(action=action)
    return str(entry.kind)


def history_body_caption(entry: HistoryEntry) -> str:
    """The heading of an entry's text: a note, a reason or a message."""
    match entry.kind:
        case HistoryKind.ACTION_REQUESTED:
            return _("Note")
        case HistoryKind.ACTION_REJECTED:
            return _("Reason")
    return ""


HISTORY_ICONS = {
    HistoryKind.CREATED: "add_circle",
    HistoryKind.REPLY: "support_agent",
    HistoryKind.CUSTOMER_REPLY: "person",
    HistoryKind.ASSIGNED: "assignment_ind",
    HistoryKind.STATUS: "flag",
    HistoryKind.TRASHED: "delete",
    HistoryKind.RESTORED: "restore_from_trash",
    HistoryKind.ACTION_REQUESTED: "pending_actions",
    HistoryKind.ACTION_APPROVED: "check_circle",
    HistoryKind.ACTION_REJECTED: "cancel",
    HistoryKind.ACTION_CANCELLED: "block",
    HistoryKind.ACTION_EXPIRED: "timer_off",
}


def notification_text(kind: NotificationKind | str, actor: str, action: str, number: int) -> str:
    """One line for the hub and its toast."""
    values = {"actor": actor, "action": action, "number": number}
    match NotificationKind(kind):
        case NotificationKind.APPROVED:
            return _("{actor} approved “{action}” on ticket #{number}.").format(**values)
        case NotificationKind.REJECTED:
            return _("{actor} rejected “{action}” on ticket #{number}.").format(**values)
        case NotificationKind.CANCELLED_BY_MANAGER:
            return _("{actor} cancelled “{action}” on ticket #{number}.").format(**values)
    return ""


def ticket_path(number: int, request_id: int | None = None) -> str:
    """The ticket page, pointing at one request when a notification is about it."""
    return f"/agent/tickets/{number}" + (f"?request_id={request_id}" if request_id else "")
