"""Modal dialogs of the agent panel, built when opened and removed when closed, so a
closed dialog leaves nothing behind on the page (nor in what a test sees)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Concatenate, ParamSpec, TypeVar

from nicegui import ui

from domain.errors import DomainError
from domain.ports import UnitOfWork

from ..context import call, error_text
from ..i18n import _

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger(__name__)


@contextmanager
def modal(title: str, marker: str) -> Iterator[ui.dialog]:
    """A dialog with a card and a title; anchored at the page root so that a redraw of the
    part of the page that opened it does not take it away."""
    with ui.context.client.content, ui.dialog() as dialog, ui.card().classes("w-[36rem] max-w-full gap-3").mark(marker):
        ui.label(title).classes("text-h6")
        yield dialog


async def run_modal(dialog: ui.dialog) -> object:
    """Opens the dialog and waits for its result (None when dismissed), then removes it."""
    result = await dialog
    if not dialog.is_deleted:
        dialog.delete()
    return result


def close_button(dialog: ui.dialog, label: str | None = None) -> None:
    ui.button(label or _("Back"), on_click=lambda: dialog.submit(None)).props("flat").mark("dialog-back")


async def confirm(
    title: str, text: str, confirm_label: str, marker: str = "confirm-dialog", *, back_label: str | None = None
) -> bool:
    """Both buttons may be named by what they do ("Manter ação" / "Cancelar ação") where
    "Voltar" beside a "Cancelar …" would read as two ways to dismiss."""
    with modal(title, marker) as dialog:
        ui.label(text)
        with ui.row().classes("w-full justify-end"):
            close_button(dialog, back_label)
            ui.button(confirm_label, on_click=lambda: dialog.submit(True)).mark("confirm")
    return bool(await run_modal(dialog))


def error_line() -> ui.label:
    """Where a dialog shows why the domain refused its input."""
    return ui.label("").classes("text-negative").mark("dialog-error")


async def submit_use_case(
    dialog: ui.dialog,
    error: ui.label,
    use_case: Callable[Concatenate[UnitOfWork, P], R],
    *args: P.args,
    **kwargs: P.kwargs,
) -> bool:
    """Runs the dialog's use case: on success the dialog closes with the result (True for
    a use case that returns nothing) and True is returned; on a refusal it stays open and
    says why."""
    try:
        result = await call(use_case, *args, **kwargs)
    except DomainError as refusal:
        error.set_text(error_text(refusal))
        return False
    except Exception:
        log.exception("use case %s failed", getattr(use_case, "__name__", use_case))
        error.set_text(_("Something went wrong. Please try again."))
        return False
    dialog.submit(True if result is None else result)
    return True
