"""Registers every page of both panels; called by the composition root."""

from __future__ import annotations

from . import absences, access_tokens, element_cost, email_link_page, login, not_found
from .agent import register as register_agent
from .agent.outbox_page import register as register_outbox
from .agent.tokens_page import register as register_tokens
from .agent.webhooks_page import register as register_webhooks
from .context import AppContext
from .frame import install_shared_head
from .portal import register as register_portal
from .portal.web_push import SCRIPT_TAG as PUSH_SCRIPT_TAG
from .webapp import A11Y_SCRIPT_TAG, register_static

# Imported for their profile sections (access tokens, absences), added when the modules load.
__all__ = ["absences", "access_tokens", "register_pages"]


def register_pages(context: AppContext) -> None:
    element_cost.install()
    not_found.install()
    register_static()
    install_shared_head(PUSH_SCRIPT_TAG, A11Y_SCRIPT_TAG)
    login.register()
    register_agent(context)
    register_outbox(context)
    register_webhooks()
    register_tokens()
    register_portal(context)
    email_link_page.register(context)
