"""/agent/profile: the agent's own settings (ui/profile.py)."""

from __future__ import annotations

from nicegui import ui

from ..i18n import _
from ..profile import PROFILE_PATH, draw_profile
from .layout import agent_page


def register() -> None:
    @ui.page(PROFILE_PATH["agent"])
    async def profile_page() -> None:
        async with agent_page(PROFILE_PATH["agent"], _("My profile")) as me:
            if me is None:
                return
            await draw_profile(me)
