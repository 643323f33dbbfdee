"""The links between the account manager's pages."""

from __future__ import annotations

from nicegui import ui

from ..i18n import _


def admin_pages() -> list[tuple[str, str, str]]:
    """(key, label, path) of each administration page."""
    return [
        ("settings", _("Ticket flow by organization"), "/agent/admin/settings"),
        ("agents", _("Agents"), "/agent/admin/agents"),
        ("organizations", _("Organizations"), "/agent/admin/organizations"),
        ("customers", _("Customers"), "/agent/admin/customers"),
        ("outbox", _("Outbox"), "/agent/admin/outbox"),
        ("webhooks", _("Webhooks"), "/agent/admin/webhooks"),
        ("tokens", _("Access tokens"), "/agent/admin/tokens"),
    ]


def admin_nav(current: str) -> None:
    with ui.row().classes("gap-1").mark("admin-nav"):
        for key, label, path in admin_pages():
            link = ui.link(label, path).classes("px-3 py-1 rounded no-underline").mark(f"admin-nav-{key}")
            link.classes("bg-primary text-white" if key == current else "text-primary")
