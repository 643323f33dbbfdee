"""/portal/profile: the customer's own settings (ui/profile.py)."""

from __future__ import annotations

from nicegui import ui

from ..i18n import _
from ..profile import PROFILE_PATH, draw_profile
from .layout import portal_page


def register() -> None:
    @ui.page(PROFILE_PATH["customer"])
    async def profile_page() -> None:
        async with portal_page(PROFILE_PATH["customer"], _("My profile")) as me:
            if me is None:
                return
            await draw_profile(me)
