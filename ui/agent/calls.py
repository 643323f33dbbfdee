"""Button handlers that only need to know whether a use case went through."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Concatenate, ParamSpec

from nicegui import ui

from domain.errors import DomainError
from domain.ports import UnitOfWork

from ..context import call, error_text
from ..i18n import _

P = ParamSpec("P")
log = logging.getLogger(__name__)


async def perform(use_case: Callable[Concatenate[UnitOfWork, P], object], *args: P.args, **kwargs: P.kwargs) -> bool:
    """Like `ui.context.attempt`, for use cases that return nothing: True when it went
    through; on a refusal the user reads why and nothing changed."""
    try:
        await call(use_case, *args, **kwargs)
    except DomainError as refusal:
        ui.notify(error_text(refusal), type="negative", multi_line=True)
        return False
    except Exception:
        log.exception("use case %s failed", getattr(use_case, "__name__", use_case))
        ui.notify(_("Something went wrong. Please try again."), type="negative")
        return False
    return True
