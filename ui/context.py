"""What the pages need from the composition root, and the one way they call use cases:
off the event loop, with refusals turned into a clear message instead of a trace."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from nicegui import run, ui

from config import Config
from domain.admin import PasswordHasher
from domain.errors import DomainError
from domain.login_throttle import LoginThrottle
from domain.ports import UnitOfWork
from domain.service import Services

from .i18n import _, translate_error
from .i18n import format_when as format_when  # the pages' one time formatting, beside `call`
from .live import LiveEvents

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger(__name__)


@dataclass
class AppContext:
    config: Config
    services: Services
    hasher: PasswordHasher
    dummy_hash: str
    live: LiveEvents
    throttle: LoginThrottle
    vapid_public_key: str = ""


_context: AppContext | None = None


def install(context: AppContext) -> None:
    global _context
    _context = context


def ctx() -> AppContext:
    assert _context is not None, "the composition root did not install the app context"
    return _context


async def call(use_case: Callable[Concatenate[UnitOfWork, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a use case in a worker thread. Domain refusals propagate (as DomainError)."""
    return await run.io_bound(ctx().services.run, use_case, *args, **kwargs)


class Refused(Exception):
    """Raised by `attempt` after the user was shown why."""


def error_text(error: DomainError) -> str:
    return translate_error(error.message, error.params)


async def attempt(
    use_case: Callable[Concatenate[UnitOfWork, P], R], *args: P.args, **kwargs: P.kwargs
) -> R | None:
    """For button handlers: run the use case; on a refusal show its message and return
    None (nothing changed). Unexpected failures are logged, and the user reads a
    generic message, never a stack trace."""
    try:
        return await call(use_case, *args, **kwargs)
    except DomainError as error:
        ui.notify(error_text(error), type="negative", multi_line=True)
        return None
    except Exception:
        log.exception("use case %s failed", getattr(use_case, "__name__", use_case))
        ui.notify(_("Something went wrong. Please try again."), type="negative")
        return None


async def perform(
    use_case: Callable[Concatenate[UnitOfWork, P], object], *args: P.args, **kwargs: P.kwargs
) -> bool:
    """`attempt` for use cases that return nothing: True when it went through; on a
    refusal the user reads why and nothing changed."""

    @wraps(use_case)
    def went_through(uow: UnitOfWork, *args: P.args, **kwargs: P.kwargs) -> bool:
        use_case(uow, *args, **kwargs)
        return True

    return bool(await attempt(went_through, *args, **kwargs))


async def load_list(
    use_case: Callable[Concatenate[UnitOfWork, P], list[R]], *args: P.args, **kwargs: P.kwargs
) -> tuple[list[R], str]:
    """For pages that list things: the items, or none and the refusal to show instead."""
    try:
        return await call(use_case, *args, **kwargs), ""
    except DomainError as error:
        return [], error_text(error)



def draw_list(
    listing: ui.element,
    items: Sequence[R],
    problem: str,
    empty: str,
    draw_item: Callable[[R], None],
    *,
    empty_marker: str = "",
) -> None:
    """Draws what `load_list` answered into `listing`: the refusal, the empty text, or a
    row per item."""
    listing.clear()
    with listing:
        if problem:
            ui.label(problem).classes("text-negative")
        elif not items:
            label = ui.label(empty).classes("text-grey-7")
            if empty_marker:
                label.mark(empty_marker)
        for item in items:
            draw_item(item)
