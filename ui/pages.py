"""Registers every page of both panels; called by the composition root."""

from __future__ import annotations

from . import email_link_page, login
from .agent import register as register_agent
from .agent.outbox_page import register as register_outbox
from .context import AppContext
from .frame import install_shared_head
from .portal import register as register_portal
from .portal.web_push import SCRIPT_TAG as PUSH_SCRIPT_TAG


def register_pages(context: AppContext) -> None:
    install_shared_head(PUSH_SCRIPT_TAG)
    login.register()
    register_agent(context)
    register_outbox(context)
    register_portal(context)
    email_link_page.register(context)
