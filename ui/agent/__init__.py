"""The agent panel."""

from __future__ import annotations

from nicegui import ui

from ..context import AppContext
from ..i18n import _
from .layout import agent_page


def register(context: AppContext) -> None:
    """Registers the agent panel's pages."""

    @ui.page("/agent")
    async def tickets() -> None:
        async with agent_page("/agent", _("Tickets")) as me:
            if me is None:
                return
            ui.label("…")
