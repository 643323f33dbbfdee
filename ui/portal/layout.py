"""The customer portal's page shell: sign-in guard, frame, navigation and, for managers,
the live "Aprovar Ações (N)" tab."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from .. import browser
from ..frame import Me, NavItem, frame
from ..i18n import _
from ..session import require


def portal_nav(me: Me) -> list[NavItem]:
    return [NavItem(_("My tickets"), "/portal", "nav-tickets")]


def approvals_tab(me: Me) -> None:
    """The manager's live 'Aprovar Ações (N)' tab (see ui/portal/approvals_tab.py)."""


@asynccontextmanager
async def portal_page(path: str, title: str) -> AsyncIterator[Me | None]:
    """Guards and frames a portal page; yields None when signed out (redirected)."""
    signed = await require("customer", path)
    if signed is None:
        yield None
        return
    actor, (name, email, privileged, locale) = signed
    me = Me(actor, name, email, privileged, locale)
    browser.install()
    with frame(me, title, portal_nav(me), approvals_tab):
        yield me
