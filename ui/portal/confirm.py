"""The confirmation dialog in front of every decision on a request (spec §7).

The confirm button decides by itself: whatever the page shows around it, a click on it
runs the decision, with every right checked at that moment, and the person reads the
outcome, a refusal included ("Esta ação já foi reprovada por …").

When the request moves on elsewhere the page withdraws the dialog. A browser on a slow
line may still show it and send a click after the server withdrew it; the withdrawn
dialog therefore stays on the server (hidden) until the next one opens, so that click
still reaches the decision and is answered, instead of landing on a deleted element."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from ..i18n import _

Decide = Callable[[str], Awaitable[object]]


class Confirmation:
    """At most one confirmation dialog of one page, open or withdrawn."""

    def __init__(self) -> None:
        self.dialog: ui.dialog | None = None
        self.withdrawn = False

    async def ask(
        self,
        title: str,
        message: str,
        confirm_label: str,
        marker: str,
        decide: Decide,
        *,
        color: str = "primary",
        reason_label: str | None = None,
        back_label: str | None = None,
    ) -> None:
        """Opens the dialog and returns once it is dismissed, decided or withdrawn.
        `decide` gets the reason typed ("" without a reason field)."""
        self.discard()
        # Anchored at the page root: a redraw of the part of the page that opened the
        # dialog must not delete it (see the module's docstring).
        with (
            ui.context.client.content,
            ui.dialog() as dialog,
            ui.card().classes("w-[32rem] max-w-full gap-3").mark(f"{marker}-dialog"),
        ):
            dialog._props["aria-label"] = title  # what a screen reader announces as the dialog opens
            ui.label(title).classes("text-h6")
            ui.label(message).classes("whitespace-pre-wrap")
            reason = ui.textarea(reason_label).classes("w-full").mark(f"{marker}-reason") if reason_label else None

            async def decided() -> None:
                try:
                    await decide((reason.value or "") if reason is not None else "")
                finally:
                    if not dialog.is_deleted:
                        dialog.submit(None)

            def accept() -> Awaitable[None]:
                ok.disable()  # at once, before a second click is handled: a double click decides once
                return decided()

            with ui.row().classes("w-full justify-end"):
                ui.button(back_label or _("Back"), on_click=lambda: dialog.submit(None)).props("flat").mark(
                    f"{marker}-back"
                )
                ok = ui.button(confirm_label, color=color, on_click=accept).mark(marker)
        self.dialog, self.withdrawn = dialog, False
        await dialog
        if not self.withdrawn:  # dismissed or decided: nothing more can come from it
            self.discard()

    def withdraw(self) -> None:
        """Hides the open dialog, keeping it on the server for a click already on its way."""
        if self.dialog is not None and not self.dialog.is_deleted and not self.withdrawn:
            self.withdrawn = True
            self.dialog.close()
            self.dialog.set_visibility(False)

    def discard(self) -> None:
        if self.dialog is not None and not self.dialog.is_deleted:
            self.dialog.delete()
        self.dialog = None
