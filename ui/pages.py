"""Registers every page of both panels; called by the composition root."""

from __future__ import annotations

from . import login
from .agent import register as register_agent
from .agent.outbox_page import register as register_outbox
from .context import AppContext
from .frame import install_shared_head
from .portal import register as register_portal
from .portal.web_push import SCRIPT_TAG as PUSH_SCRIPT_TAG
from .webapp import A11Y_SCRIPT_TAG, register_static


def register_pages(context: AppContext) -> None:
    register_static()
    install_shared_head(PUSH_SCRIPT_TAG, A11Y_SCRIPT_TAG)
    login.register()
    register_agent(context)
    register_outbox(context)
    register_portal(context)
