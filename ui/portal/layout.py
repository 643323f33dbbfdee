"""The customer portal's page shell: sign-in guard, frame, navigation and, for managers,
the live "Aprovar Ações (N)" tab."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial

from nicegui import ui

from domain import approvals
from domain.access import Actor

from ..context import call, ctx
from ..frame import Me, NavItem, frame
from ..i18n import _
from ..session import require
from ..webapp import portal_head
from .approvals_tab import approvals_tab, approvals_tab_on_demand
from .web_push import push_handlers


def portal_nav(me: Me) -> list[NavItem]:
    return [NavItem(_("My tickets"), "/portal")]


@asynccontextmanager
async def portal_page(
    path: str,
    title: str | Callable[[Me], str],
    pending: Callable[[Actor], Awaitable[int]] | None = None,
) -> AsyncIterator[Me | None]:
    """Guards and frames a portal page; yields None when signed out (redirected). The
    title may depend on who is looking (a page only managers have, say). `pending` reads
    the tab's count instead of `approvals.pending_count`: a page that lists the requests
    awaiting the reader has the count as its list's total, one transaction fewer."""
    signed = await require("customer", path)
    if signed is None:
        yield None
        return
    actor, (name, email, privileged, locale, zone) = signed
    me = Me(actor, name, email, privileged, locale, zone)
    # Read before drawing, so the tab is in the page as it arrives instead of popping in.
    seen = ctx().live.sequence
    # The approvals tab, and the push that feeds it, exist only for someone who manages
    # something (privileged: an active manager, or a stand-in during their period, as the
    # domain says). Anyone else's page grows the tab the moment a period naming them
    # begins (spec §13).
    count = 0
    if privileged:
        count = await (pending(actor) if pending is not None else call(approvals.pending_count, actor))
    push = push_handlers(me) if privileged else None
    portal_head()
    indicator = partial(approvals_tab, count=count, since=seen) if privileged else approvals_tab_on_demand
    with frame(me, title if isinstance(title, str) else title(me), portal_nav(me), indicator, push):
        yield me


def not_found(text: str) -> None:
    """The portal's answer for what does not exist, or not for this person."""
    ui.label(text).classes("text-negative text-h6").mark("not-found")
