"""The one page frame of both panels: header with the product name, navigation, the
live indicator of the panel (the agent's bell, the manager's approvals tab), language
and user menu. Every page is built inside it."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from nicegui import Client, app, ui
from nicegui.elements.mixins.text_element import TextElement
from nicegui.events import GenericEventArguments
from nicegui.language import Language

from domain import auth
from domain.access import Actor

from . import browser
from .context import perform
from .i18n import LANGUAGE_NAMES, _, current_locale
from .session import LOGIN_PATH, PROFILE_PATH, sign_out


@dataclass(frozen=True)
class Me:
    actor: Actor
    name: str
    email: str
    privileged: bool  # admin for agents, active manager for customers
    locale: str | None
    timezone: str | None = None


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str


Indicator = Callable[[Me], None]
PushHandlers = tuple[Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]]

# The brand colours of both panels, darker than Quasar's and NiceGUI's defaults so white
# text on them, and they as text on the white page, reach WCAG AA's 4.5:1 (spec §16).
BRAND = {"primary": "#1a5f9c", "positive": "#2e7d32", "negative": "#c10015"}

# Every page's head carries these; shared, they are kept once, not once per open page.
# The page stays white (Quasar's grey-7 captions reach 4.5:1 on white, not on grey-1).
# Links take the brand blue (NiceGUI's own is too light on white); white text fails on the
# light orange and grey of badges, so those carry dark text; keyboard focus gets a
# visible ring on every control, not only Quasar's faint overlay (a shadow on buttons,
# whose outline Quasar removes with an !important no CSS of ours can outrank; a field
# shows its focus with Quasar's thick coloured underline); on a phone every link and
# button is at least 44 px square, a fingertip's size.
_SHARED_HEAD = """<style>
.nicegui-link { color: var(--q-primary); }
.q-badge.bg-orange, .q-badge.bg-grey { color: rgba(0, 0, 0, 0.87); }
h1.page-title { margin: 0; }
:focus-visible { outline: 2px solid var(--q-primary); outline-offset: 2px; }
.q-btn:focus-visible { box-shadow: 0 0 0 2px #fff, 0 0 0 4px var(--q-primary); }
.q-header :focus-visible { outline-color: #fff; }
.q-header .q-btn:focus-visible { box-shadow: 0 0 0 2px #fff; }
@media (max-width: 599.98px) {
  a, .q-btn, .q-item--clickable { min-height: 44px; min-width: 44px; }
  a { display: inline-flex; align-items: center; }
}
</style>"""


# The html element's lang, and Quasar's own texts, per the language the page speaks.
HTML_LANGUAGE: dict[str, Language] = {"pt_BR": "pt-BR", "en": "en-US"}


def speak_page_language() -> None:
    """Declares the language the person chose as the page's (`<html lang>`): a screen reader
    reads English words with an English voice. The route's page object is shared by every
    visitor, so this page gets a copy of it with its own language."""
    client = ui.context.client
    language = HTML_LANGUAGE.get(current_locale())
    if language is not None and client.page.resolve_language() != language:
        client.page = copy.copy(client.page)
        client.page.language = language


def install_shared_head(*scripts: str) -> None:
    """Once at start: the brand colours, the style and the small page scripts, in the head
    of every page (sign-in forms included)."""
    app.colors(**BRAND)
    for code in (_SHARED_HEAD, browser.SCRIPT_TAG, *scripts):
        if code not in Client.shared_head_html:  # tests register the pages again and again
            ui.add_head_html(code, shared=True)


class AppHeader(ui.header, component="app_header.js"):
    """The header as one element (ui/app_header.js): every element of an open page stays
    in server memory while the tab is open, and the menus, rarely opened, need none on
    the server at all (docs/benchmarks.md, memory). The live indicator is a child."""

    def __init__(self, me: Me, nav: list[NavItem], push: PushHandlers | None) -> None:
        super().__init__()
        panel = _("Agent panel") if me.actor.kind == "agent" else _("Customer portal")
        self.nav = nav
        self._props["brand"] = f"Aval · {panel}"
        # Tuples and strings: NiceGUI keeps lists and dicts in props as observable
        # collections, one per item, for as long as the page is open.
        self._props["nav"] = tuple((item.label, item.path) for item in nav)
        self._props["languages"] = tuple(
            (code, name, code == current_locale()) for code, name in LANGUAGE_NAMES.items()
        )
        self._props["person"] = (me.name, me.email)
        self._props["profile"] = (_("My profile"), PROFILE_PATH[me.actor.kind])
        self._props["texts"] = (
            _("Language"),
            _("Account"),
            _("Sign out"),
            _("Turn on push notifications"),
            _("Turn off push notifications"),
            _("This browser does not support push notifications."),
            _("Main navigation"),
        )
        self._props["push"] = push is not None
        self.classes("items-center gap-x-4 gap-y-1 px-4 py-2 bg-primary")

        async def choose(event: GenericEventArguments) -> None:
            locale = str(event.args)  # from the browser: the use case checks it
            if await perform(auth.set_locale, me.actor, locale):
                app.storage.user["locale"] = locale
                ui.navigate.reload()

        def logout() -> None:
            sign_out(me.actor.kind)
            ui.navigate.to(LOGIN_PATH[me.actor.kind])

        self.on("language", choose)
        self.on("sign_out", logout)
        if push is not None:
            self.on("push_on", push[0])
            self.on("push_off", push[1])

    def _displayed_contents(self, *, only_visible: bool) -> list[Any]:
        # What `user.should_see` matches: the texts the header shows without a click.
        return [self._props["brand"], *(item.label for item in self.nav)]


@contextmanager
def frame(
    me: Me, title: str, nav: list[NavItem], indicator: Indicator | None = None, push: PushHandlers | None = None
) -> Iterator[None]:
    """Builds the header, then yields for the page's own content, which goes straight into
    NiceGUI's content column: no wrapper element to keep per open page."""
    ui.page_title(f"{title} · Aval")
    speak_page_language()
    with AppHeader(me, nav, push).mark("app-header"):
        if indicator is not None:
            indicator(me)
    ui.context.client.content.classes("w-full max-w-6xl mx-auto")
    # The one level-one heading of the page; the header is a banner, not a heading.
    TextElement(tag="h1", text=title).classes("page-title text-h5").mark("page-title")
    yield
