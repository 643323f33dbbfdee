"""The agent panel: ticket list and ticket page, the notification hub, the trash and the
account manager's pages, all inside the one frame of ui/agent/layout.py."""

from __future__ import annotations

from ..context import AppContext
from . import (
    agents_page,
    customers_page,
    notifications_page,
    organizations_page,
    profile_page,
    reports_page,
    settings_page,
    ticket_page,
    tickets_page,
    trash_page,
)


def register(context: AppContext) -> None:
    """Registers the agent panel's pages (the outbox page registers itself in ui/pages.py)."""
    for page in (
        tickets_page,
        ticket_page,
        notifications_page,
        trash_page,
        settings_page,
        agents_page,
        organizations_page,
        customers_page,
        profile_page,
        reports_page,
    ):
        page.register()
