"""The customer portal: tickets, and for organization managers the approval of the
actions agents request (spec §7)."""

from __future__ import annotations

from ..context import AppContext
from . import approvals_page, profile_page, request_page, ticket_page, tickets_page, web_push


def register(context: AppContext) -> None:
    """Registers the customer portal's pages and the Web Push service worker."""
    web_push.register_service_worker()
    tickets_page.register()
    ticket_page.register()
    approvals_page.register()
    request_page.register()
    profile_page.register()
