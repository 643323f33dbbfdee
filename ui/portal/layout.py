"""The customer portal's page shell: sign-in guard, frame, navigation and, for managers,
the live "Aprovar Ações (N)" tab."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial

from nicegui import ui

from domain import approvals
from domain.views import Page

from ..frame import Me, NavItem, frame
from ..i18n import _
from ..session import FirstRead, require
from ..webapp import portal_head
from .approvals_tab import approvals_tab, approvals_tab_on_demand
from .web_push import push_handlers


def portal_nav(me: Me) -> list[NavItem]:
    return [NavItem(_("My tickets"), "/portal")]


@asynccontextmanager
async def portal_page(
    path: str, title: str | Callable[[Me], str], first: FirstRead | None = None
) -> AsyncIterator[Me | None]:
    """Guards and frames a portal page; yields None when signed out (redirected). The
    title may depend on who is looking (a page only managers have, say). A manager's tab
    count is read with the sign-in check, in its transaction; a page listing the requests
    awaiting the reader gives that read as `first` (privileged only), and the count is its
    list's total."""
    if first is None:
        first = FirstRead(approvals.pending_count, privileged_only=True)
    signed = await require("customer", path, first)
    if signed is None:
        yield None
        return
    actor, (name, email, privileged, locale, zone) = signed
    me = Me(actor, name, email, privileged, locale, zone)
    # The approvals tab, and the push that feeds it, exist only for someone who manages
    # something (privileged: an active manager, or a stand-in during their period, as the
    # domain says). Anyone else's page grows the tab the moment a period naming them
    # begins (spec §13).
    # Read before drawing, so the tab is in the page as it arrives instead of popping in;
    # `first.seen`, the live events' number from before that read: the tab reads again if
    # any came since.
    count: int | None = None  # not read (refused): the tab reads it itself
    if privileged:
        if isinstance(first.value, Page):
            count = first.value.total
        elif isinstance(first.value, int):
            count = first.value
    push = push_handlers(me) if privileged else None
    portal_head()
    indicator = partial(approvals_tab, count=count, since=first.seen) if privileged else approvals_tab_on_demand
    with frame(me, title if isinstance(title, str) else title(me), portal_nav(me), indicator, push):
        yield me


def not_found(text: str) -> None:
    """The portal's answer for what does not exist, or not for this person."""
    ui.label(text).classes("text-negative text-h6").mark("not-found")
