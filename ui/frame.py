"""The one page frame of both panels: header with the product name, navigation, the
live indicator of the panel (the agent's bell, the manager's approvals tab), language
and user menu. Every page is built inside it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from nicegui import app, ui

from domain import auth
from domain.access import Actor

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


def _menu_button(icon: str, marker: str, items: Callable[[], None]) -> None:
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


def _user_menu(me: Me) -> None:
    def logout() -> None:
        sign_out(me.actor.kind)
        ui.navigate.to(LOGIN_PATH[me.actor.kind])

    def items() -> None:
        ui.label(me.name).classes("px-4 pt-2 text-bold")
        ui.label(me.email).classes("px-4 pb-2 text-caption")
        ui.separator()
        ui.menu_item(_("Sign out"), logout).mark("logout")

    _menu_button("account_circle", "user-menu", items)


@contextmanager
def frame(me: Me, title: str, nav: list[NavItem], indicator: Indicator | None = None) -> Iterator[None]:
    """Builds header and navigation, then yields for the page's own content."""
    panel = _("Agent panel") if me.actor.kind == "agent" else _("Customer portal")
    ui.page_title(f"{title} · Aval")
    ui.add_head_html("<style>body { background: #fafafa; }</style>")  # Quasar grey-1, without an element
    with ui.header().classes("items-center justify-between px-4 py-2 bg-primary"):
        with ui.row().classes("items-center gap-4"):
            ui.label("Aval").classes("text-h6 text-bold")
            ui.label(panel).classes("text-caption opacity-80")
            with ui.row().classes("gap-1"):
                for item in nav:
                    ui.link(item.label, item.path).classes("text-white no-underline px-2").mark(item.marker)
        with ui.row().classes("items-center gap-1"):
            if indicator is not None:
                indicator(me)
            _language_menu(me)
            _user_menu(me)
    with ui.column().classes("w-full max-w-6xl mx-auto p-4 gap-4"):
        ui.label(title).classes("text-h5").mark("page-title")
        yield
