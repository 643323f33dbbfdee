"""The two login forms (/agent/login, /portal/login): E-mail, Senha, Entrar."""

from __future__ import annotations

from nicegui import app, ui
from nicegui.elements.mixins.text_element import TextElement

from domain import auth
from domain.errors import NotAuthenticated

from .context import call, ctx, error_text
from .frame import speak_page_language
from .i18n import _
from .session import HOME_PATH, LOGIN_PATH, Kind, current_actor, safe_next, sign_in, throttle
from .webapp import portal_head


def _login_page(kind: Kind) -> None:
    @ui.page(LOGIN_PATH[kind])
    async def page(next: str = "") -> None:
        target = safe_next(next, kind)
        if current_actor(kind) is not None:
            ui.navigate.to(target)
            return
        request = ui.context.client.request
        client_address = request.client.host if request and request.client else "?"
        title = _("Agent panel") if kind == "agent" else _("Customer portal")
        ui.page_title(f"{_('Sign in')} · Aval")
        speak_page_language()
        ui.query("body").classes("bg-grey-2")
        if kind == "customer":
            portal_head()

        async def submit() -> None:
            account = (email.value or "").strip().lower()
            if throttle.blocked(account, client_address):
                message.set_text(_("Too many failed attempts. Wait a few minutes and try again."))
                return
            button.disable()
            stamp = throttle.begin(account, client_address)  # counted now, so parallel tries count too
            try:
                actor = await call(
                    auth.authenticate, ctx().hasher, kind, account, password.value or "", ctx().dummy_hash
                )
            except NotAuthenticated as error:
                message.set_text(error_text(error))
                return
            finally:
                button.enable()
            throttle.succeeded(account, client_address, stamp)
            app.storage.user.pop("locale", None)
            sign_in(actor)
            ui.navigate.to(target)

        with ui.card().classes("absolute-center w-96 p-6 gap-3"):
            TextElement(tag="h1", text="Aval").classes("page-title text-h4 text-bold text-primary")
            ui.label(title).classes("text-subtitle1")
            email = ui.input(_("E-mail")).props("type=email autocomplete=username autofocus").classes("w-full")
            password = ui.input(_("Password"), password=True).props("autocomplete=current-password")
            password.classes("w-full").on("keydown.enter", submit)
            message = ui.label("").classes("text-negative").mark("login-error")
            button = ui.button(_("Sign in"), on_click=submit).classes("w-full").mark("login")
            other = "/portal/login" if kind == "agent" else "/agent/login"
            other_label = _("Customer portal") if kind == "agent" else _("Agent panel")
            ui.link(other_label, other).classes("text-caption")


def register() -> None:
    _login_page("agent")
    _login_page("customer")

    @ui.page("/")
    def root() -> None:
        ui.navigate.to(HOME_PATH["customer"] if current_actor("customer") else HOME_PATH["agent"])
