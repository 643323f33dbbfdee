"""The agent panel."""

from __future__ import annotations

from nicegui import ui

from ..context import AppContext
from ..frame import Me, frame
from ..session import require


def register(context: AppContext) -> None:
    """Registers the agent panel's pages."""

    @ui.page("/agent")
    async def tickets() -> None:
        signed = await require("agent", "/agent")
        if signed is None:
            return
        actor, (name, email, admin, locale) = signed
        with frame(Me(actor, name, email, admin, locale), "Chamados", []):
            ui.label("…")
