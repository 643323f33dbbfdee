"""The two login forms (/agent/login, /portal/login): E-mail, Senha, Entrar."""

from __future__ import annotations

from nicegui import app, run, ui

from domain import auth
from domain.errors import NotAuthenticated

from .context import call, ctx, error_text
from .i18n import _
from .session import (
    HOME_PATH,
    LOGIN_PATH,
    SIGNED_IN_PATH,
    Kind,
    begin_sign_in,
    current_actor,
    finish_sign_in,
    page_storage,
    safe_next,
)


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
        ui.query("body").classes("bg-grey-2")

        async def submit() -> None:
            account = (email.value or "").strip().lower()
            button.disable()
            try:
                # Counted as it starts, so tries sent in parallel count too.
                wait = await run.io_bound(ctx().throttle.begin, account, client_address)
                if wait:
                    message.set_text(_("Too many failed attempts. Wait a few minutes and try again."))
                    return
                actor = await call(
                    auth.authenticate, ctx().hasher, kind, account, password.value or "", ctx().dummy_hash
                )
                _me, stamp = await call(auth.signed_in_as, actor)
            except NotAuthenticated as error:
                message.set_text(error_text(error))
                return
            finally:
                button.enable()
            await run.io_bound(ctx().throttle.succeeded, account, client_address)
            page_storage().pop("locale", None)
            ui.navigate.to(begin_sign_in(actor, stamp, target))

        with ui.card().classes("absolute-center w-96 p-6 gap-3"):
            ui.label("Aval").classes("text-h4 text-bold text-primary")
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
    if not any(getattr(route, "path", None) == SIGNED_IN_PATH for route in app.routes):  # tests register again
        app.get(SIGNED_IN_PATH, include_in_schema=False)(finish_sign_in)
    _login_page("agent")
    _login_page("customer")

    @ui.page("/")
    def root() -> None:
        ui.navigate.to(HOME_PATH["customer"] if current_actor("customer") else HOME_PATH["agent"])
