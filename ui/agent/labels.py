"""The words only the agent panel shows: hub notifications, history icons and captions."""

from __future__ import annotations

from domain.model import HistoryEntry, HistoryKind, NotificationKind

from ..approval_progress import standing_in
from ..i18n import _

PERSON = "person"  # "Active" is "Ativa" for a catalog action, "Ativo" for an agent or customer


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
    HistoryKind.MANAGERS_REMINDED: "notifications_active",
}


def notification_text(
    kind: NotificationKind | str, actor: str, action: str, number: int, on_behalf_of: str | None = None
) -> str:
    """One line for the hub and its toast; a stand-in reads "Fábio (substituindo Márcia)"."""
    values = {"actor": standing_in(actor, on_behalf_of), "action": action, "number": number}
    match NotificationKind(kind):
        case NotificationKind.APPROVED:
            return _("{actor} approved “{action}” on ticket #{number}.").format(**values)
        case NotificationKind.REJECTED:
            return _("{actor} rejected “{action}” on ticket #{number}.").format(**values)
        case NotificationKind.CANCELLED_BY_MANAGER:
            return _("{actor} cancelled “{action}” on ticket #{number}.").format(**values)
        case NotificationKind.EXPIRED:
            return _("“{action}” on ticket #{number} expired: its approval deadline passed.").format(**values)
    return ""


def ticket_path(number: int, request_id: int | None = None) -> str:
    """The ticket page, pointing at one request when a notification is about it."""
    return f"/agent/tickets/{number}" + (f"?request_id={request_id}" if request_id else "")
