"""The confirmation dialog in front of every decision on a request (spec §7)."""

from __future__ import annotations

from nicegui import ui

from ..i18n import _


async def confirm(
    title: str,
    message: str,
    confirm_label: str,
    marker: str,
    *,
    color: str = "primary",
    reason_label: str | None = None,
) -> str | None:
    """Asks, and answers None when dismissed, else the reason typed ("" without one).

    The dialog is built for this one question and removed afterwards, so nothing can
    confirm a decision that was not asked for."""
    with ui.dialog() as dialog, ui.card().classes("w-[32rem] max-w-full gap-3").mark(f"{marker}-dialog"):
        dialog._props["aria-label"] = title  # what a screen reader announces as the dialog opens
        ui.label(title).classes("text-h6")
        ui.label(message).classes("whitespace-pre-wrap")
        reason = ui.textarea(reason_label).classes("w-full").mark(f"{marker}-reason") if reason_label else None

        def accept() -> None:
            ok.disable()  # a double click submits once
            dialog.submit((reason.value or "") if reason is not None else "")

        with ui.row().classes("w-full justify-end"):
            ui.button(_("Back"), on_click=lambda: dialog.submit(None)).props("flat").mark(f"{marker}-back")
            ok = ui.button(confirm_label, color=color, on_click=accept).mark(marker)
    try:
        answer = await dialog
    finally:
        if not dialog.is_deleted:
            dialog.delete()
    return answer if isinstance(answer, str) else None
