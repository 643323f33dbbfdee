"""The words only the portal shows: the portal's part of a ticket's history and the
outcome of a request a manager opens."""

from __future__ import annotations

from domain.model import HistoryEntry, HistoryKind, RequestState
from domain.views import RequestRow

from ..approval_progress import decider_name
from ..context import format_when
from ..i18n import _
from ..labels import history_text as _history_text


def history_text(entry: HistoryEntry) -> str:
    """Action requests never reach the portal (spec §8), nor does the trash."""
    if entry.kind in (
        HistoryKind.CREATED,
        HistoryKind.REPLY,
        HistoryKind.CUSTOMER_REPLY,
        HistoryKind.ASSIGNED,
        HistoryKind.STATUS,
        HistoryKind.RESTORED,
    ):
        return _history_text(entry, for_customer=True)
    return ""


def shows_body(entry: HistoryEntry) -> bool:
    """Only messages carry a text the customer should read."""
    return entry.kind in (HistoryKind.REPLY, HistoryKind.CUSTOMER_REPLY) and bool(entry.body)


def decision_text(row: RequestRow) -> str:
    """Who ended the request, and when: what the slower manager needs to read."""
    when = format_when(row.decided_at)
    match row.state:
        case RequestState.APPROVED:
            return _("Approved by {name} on {when}.").format(name=decider_name(row) or "?", when=when)
        case RequestState.REJECTED:
            return _("Rejected by {name} on {when}.").format(name=decider_name(row) or "?", when=when)
        case RequestState.CANCELLED:
            return _("Cancelled by {name} on {when}.").format(name=row.cancelled_by_name or "?", when=when)
        case RequestState.EXPIRED if row.deadline is not None and row.decided_at and row.decided_at >= row.deadline:
            return _("Expired on {when}: its approval deadline passed.").format(when=when)
        case RequestState.EXPIRED:
            return _("Expired on {when}: the ticket was closed or cancelled.").format(when=when)
    return ""
