"""/agent/admin/tokens: every personal access token of the account, whose it is, when it
was last used, and a Revoke button for the account manager (spec §14)."""

from __future__ import annotations

from nicegui import ui

from domain import tokens
from domain.tokens import TokenRow

from ..access_tokens import confirm_revoke, token_row
from ..context import draw_list, load_list, perform
from ..frame import Me
from ..i18n import _
from .admin_nav import admin_nav
from .layout import agent_page

PATH = "/agent/admin/tokens"


def register() -> None:
    @ui.page(PATH)
    async def tokens_page() -> None:
        async with agent_page(PATH, _("Access tokens"), admin_only=True) as me:
            if me is None:
                return
            await _build(me)


async def _build(me: Me) -> None:
    admin_nav("tokens")
    ui.label(
        _("Tokens people made on their profile page to use the API. Revoke one that leaked or is no longer needed.")
    ).classes("text-grey-8")
    listing = ui.card().classes("w-full gap-0").mark("admin-token-list")

    async def revoke(row: TokenRow) -> None:
        if await confirm_revoke(row.name) and await perform(tokens.revoke_token, me.actor, row.id):
            ui.notify(_("Token revoked."), type="positive")
        await draw()

    async def draw() -> None:
        rows, problem = await load_list(tokens.all_tokens, me.actor)
        draw_list(
            listing, rows, problem, _("No access token yet."),
            lambda row: token_row(row, lambda: revoke(row), show_owner=True), empty_marker="tokens-empty",
        )

    await draw()
