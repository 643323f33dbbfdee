"""The customer portal's page shell: sign-in guard, frame, navigation and, for managers,
the live "Aprovar Ações (N)" tab."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from domain import approvals

from ..context import call, ctx
from ..frame import Me, NavItem, frame
from ..i18n import _
from ..session import require
from ..webapp import portal_head
from .approvals_tab import approvals_tab
from .web_push import push_handlers


def portal_nav(me: Me) -> list[NavItem]:
    return [NavItem(_("My tickets"), "/portal")]


@asynccontextmanager
async def portal_page(path: str, title: str) -> AsyncIterator[Me | None]:
    """Guards and frames a portal page; yields None when signed out (redirected)."""
    signed = await require("customer", path)
    if signed is None:
        yield None
        return
    actor, (name, email, privileged, locale) = signed
    me = Me(actor, name, email, privileged, locale)
    # Read before drawing, so the tab is in the page as it arrives instead of popping in.
    seen = ctx().live.sequence
    pending = await call(approvals.pending_count, actor) if privileged else 0
    push = push_handlers(me) if privileged else None
    portal_head()
    with frame(me, title, portal_nav(me), partial(approvals_tab, count=pending, since=seen), push):
        yield me
