"""The agent panel's page shell: sign-in guard, frame, navigation and the bell."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from nicegui import ui

from ..frame import Me, NavItem, frame
from ..i18n import _
from ..session import FirstRead, require
from .bell import bell


def agent_nav(me: Me) -> list[NavItem]:
    items = [
        NavItem(_("Tickets"), "/agent"),
        NavItem(_("Notifications"), "/agent/notifications"),
        NavItem(_("Trash"), "/agent/trash"),
    ]
    if me.privileged:
        items.append(NavItem(_("Reports"), "/agent/reports"))
        items.append(NavItem(_("Administration"), "/agent/admin/settings"))
    return items


@asynccontextmanager
async def agent_page(
    path: str, title: str, *, admin_only: bool = False, first: FirstRead | None = None
) -> AsyncIterator[Me | None]:
    """Guards and frames an agent page. Yields None when the page must not be built
    (signed out: redirected to the login; not an admin on an admin page: told so). `first`,
    the page's first read, is read with the sign-in check."""
    signed = await require("agent", path, first)
    if signed is None:
        yield None
        return
    actor, (name, email, privileged, locale, zone) = signed
    me = Me(actor, name, email, privileged, locale, zone)
    with frame(me, title, agent_nav(me), bell):
        if admin_only and not me.privileged:
            ui.label(_("Only the account manager may see this page.")).classes("text-negative").mark("forbidden")
            yield None
            return
        yield me
