"""The one page frame of both panels: header with the product name, navigation, the
live indicator of the panel (the agent's bell, the manager's approvals tab), language
and user menu. Every page is built inside it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from nicegui import Client, app, ui

from domain import auth
from domain.access import Actor

from . import browser
from .context import attempt
from .i18n import LANGUAGE_NAMES, _, current_locale
from .session import LOGIN_PATH, sign_out


@dataclass(frozen=True)
class Me:
    actor: Actor
    name: str
    email: str
    privileged: bool  # admin for agents, active manager for customers
    locale: str | None


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    marker: str


Indicator = Callable[[Me], None]
# Extra entries of the user menu (the manager's push notifications), drawn inside it.
MenuItems = Callable[[], None]

# Every page's head carries these; shared, they are kept once, not once per open page.
_SHARED_HEAD = "<style>body { background: #fafafa; }</style>"  # Quasar grey-1, without an element


def install_shared_head(*scripts: str) -> None:
    """Once at start: the style and the small page scripts, in the head of every page."""
    for code in (_SHARED_HEAD, browser.SCRIPT_TAG, *scripts):
        if code not in Client.shared_head_html:  # tests register the pages again and again
            ui.add_head_html(code, shared=True)


def _menu_button(icon: str, marker: str, items: MenuItems) -> None:
    """A header button whose menu is built at its first click, not with every page: each
    open page holds its elements in server memory, and these menus are rarely opened
    (docs/benchmarks.md, fan-out memory). Once built, the browser toggles it by itself."""
    button = ui.button(icon=icon).props("flat round color=white").mark(marker)

    def open_menu() -> None:
        if any(isinstance(child, ui.menu) for child in button.default_slot.children):
            return
        with button, ui.menu() as menu:
            items()
        menu.open()

    button.on_click(open_menu)


def _language_menu(me: Me) -> None:
    async def choose(locale: str) -> None:
        app.storage.user["locale"] = locale
        await attempt(auth.set_locale, me.actor, locale)
        ui.navigate.reload()

    def items() -> None:
        for code, name in LANGUAGE_NAMES.items():
            item = ui.menu_item(name, lambda code=code: choose(code))
            if code == current_locale():
                item.classes("text-bold")

    _menu_button("translate", "language-menu", items)


def _user_menu(me: Me, extra: MenuItems | None) -> None:
    def logout() -> None:
        sign_out(me.actor.kind)
        ui.navigate.to(LOGIN_PATH[me.actor.kind])

    def items() -> None:
        ui.label(me.name).classes("px-4 pt-2 text-bold")
        ui.label(me.email).classes("px-4 pb-2 text-caption")
        ui.separator()
        if extra is not None:
            extra()
            ui.separator()
        ui.menu_item(_("Sign out"), logout).mark("logout")

    _menu_button("account_circle", "user-menu", items)


@contextmanager
def frame(
    me: Me, title: str, nav: list[NavItem], indicator: Indicator | None = None, menu_items: MenuItems | None = None
) -> Iterator[None]:
    """Builds header and navigation, then yields for the page's own content.

    Flat on purpose: every element of an open page stays in server memory for as long as
    the tab is open, so the header holds its items without wrapping rows, and the page's
    content goes straight into NiceGUI's own content column (docs/benchmarks.md, memory)."""
    panel = _("Agent panel") if me.actor.kind == "agent" else _("Customer portal")
    ui.page_title(f"{title} · Aval")
    with ui.header().classes("items-center gap-x-4 gap-y-1 px-4 py-2 bg-primary"):
        ui.label(f"Aval · {panel}").classes("text-subtitle1 text-bold").mark("panel-name")
        for item in nav:
            ui.link(item.label, item.path).classes("text-white no-underline px-2").mark(item.marker)
        # The left group's last item pushes the rest to the right end (the approvals tab,
        # the first on the right, is hidden while there is nothing to approve).
        ui.context.slot.children[-1].classes("mr-auto")
        if indicator is not None:
            indicator(me)
        _language_menu(me)
        _user_menu(me, menu_items)
    ui.context.client.content.classes("w-full max-w-6xl mx-auto")
    ui.label(title).classes("text-h5").mark("page-title")
    yield
