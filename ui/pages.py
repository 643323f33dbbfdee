"""Registers every page of both panels; called by the composition root."""

from __future__ import annotations

from . import login
from .agent import register as register_agent
from .agent.outbox_page import register as register_outbox
from .context import AppContext
from .portal import register as register_portal


def register_pages(context: AppContext) -> None:
    login.register()
    register_agent(context)
    register_outbox(context)
    register_portal(context)
