"""Personal access tokens on the profile page (spec §14): the person's tokens with their
last use, a new one (name, optional expiry) whose secret is shown once, and revoking.
`draw_access_tokens(me)` is the section; importing this module adds it to the profile
page of agents and customers alike."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta

from nicegui import ui

import i18n_time
from domain import tokens
from domain.errors import DomainError
from domain.messages import N_
from domain.tokens import TokenRow

from .context import call, draw_list, error_text, load_list, perform
from .frame import Me
from .i18n import _, current_zone, format_when
from .profile import ProfileSection, add_section
from .secret_dialog import show_secret_once

SECTION_MARKER = "profile-tokens"


def state_label(row: TokenRow) -> tuple[str, str]:
    if row.revoked_at is not None:
        return _("Revoked"), "grey"
    if row.expired:
        return _("Expired"), "grey-7"
    return _("Active"), "positive"


def end_of_day(day: date, zone_name: str) -> datetime:
    """A token 'valid through' a date lasts until that day ends where its owner lives."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=i18n_time.zone(zone_name))


def token_row(row: TokenRow, revoke: Callable[[], Awaitable[None]] | None, *, show_owner: bool = False) -> None:
    label, color = state_label(row)
    with ui.row().classes("w-full items-center no-wrap gap-4 py-2 border-b").mark(f"token-{row.id}"):
        with ui.column().classes("grow gap-0"):
            ui.label(row.name).classes("text-bold")  # text, never HTML
            if show_owner:
                ui.label(f"{row.owner_name} <{row.owner_email}>").classes("text-caption")
            facts = [
                f"{row.prefix}…",
                _("Created {when}").format(when=format_when(row.created_at)),
                _("Expires {when}").format(when=format_when(row.expires_at)) if row.expires_at else _("No expiry"),
                _("Last used {when}").format(when=format_when(row.last_used_at))
                if row.last_used_at
                else _("Never used"),
            ]
            ui.label(" · ".join(facts)).classes("text-caption text-grey-8").mark(f"token-facts-{row.id}")
        ui.badge(label, color=color).mark(f"token-state-{row.id}")
        if revoke is not None and row.usable:
            ui.button(_("Revoke"), icon="block", on_click=revoke).props("flat").mark(f"token-revoke-{row.id}")


async def confirm_revoke(name: str) -> bool:
    with ui.context.client.content, ui.dialog() as dialog, ui.card().mark("token-revoke-dialog"):
        question = _("Revoke the token “{name}”?").format(name=name)
        dialog._props["aria-label"] = question  # what a screen reader announces as the dialog opens
        ui.label(question).classes("text-h6")
        ui.label(_("Programs using it are refused from now on."))
        with ui.row().classes("w-full justify-end"):
            ui.button(_("Back"), on_click=lambda: dialog.submit(False)).props("flat")
            ui.button(_("Revoke"), on_click=lambda: dialog.submit(True)).mark("token-revoke-confirm")
    answer = bool(await dialog)
    dialog.delete()
    return answer


async def new_token_dialog(me: Me) -> tokens.NewToken | None:
    with ui.context.client.content, ui.dialog() as dialog, ui.card().classes("w-[32rem] max-w-full gap-3").mark(
        "token-dialog"
    ):
        dialog._props["aria-label"] = _("New access token")
        ui.label(_("New access token")).classes("text-h6")
        name = ui.input(_("Name"), placeholder=_("e.g. deploy pipeline")).classes("w-full").mark("token-name")
        expiry = ui.input(_("Valid through (optional)")).props("type=date").classes("w-full").mark("token-expiry")
        error = ui.label("").classes("text-negative").mark("token-error")

        async def create() -> None:
            expires_at = None
            if expiry.value:
                try:
                    expires_at = end_of_day(date.fromisoformat(str(expiry.value)), current_zone())
                except ValueError:
                    error.set_text(_("Enter a valid date."))
                    return
            try:
                made = await call(tokens.create_token, me.actor, name.value or "", expires_at)
            except DomainError as refusal:
                error.set_text(error_text(refusal))
                return
            dialog.submit(made)

        with ui.row().classes("w-full justify-end"):
            ui.button(_("Back"), on_click=lambda: dialog.submit(None)).props("flat")
            ui.button(_("Create"), on_click=create).mark("token-create")
    result = await dialog
    dialog.delete()
    return result if isinstance(result, tokens.NewToken) else None


async def draw_access_tokens(me: Me) -> None:
    ui.label(
        _("Programs use a token to call the API (/api/docs) as you, with your rights at each call. "
          "Send it as 'Authorization: Bearer <token>'.")
    ).classes("text-grey-8")
    listing = ui.column().classes("w-full gap-0").mark("token-list")

    async def draw() -> None:
        rows, problem = await load_list(tokens.my_tokens, me.actor)
        draw_list(listing, rows, problem, _("No access token yet."), lambda row: token_row(row, lambda: revoke(row)),
                  empty_marker="tokens-empty")

    async def revoke(row: TokenRow) -> None:
        if await confirm_revoke(row.name) and await perform(tokens.revoke_token, me.actor, row.id):
            ui.notify(_("Token revoked."), type="positive")
        await draw()

    async def create() -> None:
        made = await new_token_dialog(me)
        if made is None:
            return
        await draw()
        await show_secret_once(
            _("Your new access token"),
            _("Copy it now: it will not be shown again. Anyone holding it acts as you."),
            made.secret,
            "token-secret",
        )

    ui.button(_("New access token"), icon="key", on_click=create).mark("new-token")
    await draw()


add_section(ProfileSection(N_("Access tokens"), SECTION_MARKER, draw_access_tokens))
