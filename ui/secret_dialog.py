"""A secret the app shows exactly once (an access token, a webhook's signing secret), in a
read-only field the person can select or copy; after this dialog it is gone."""

from __future__ import annotations

from nicegui import ui

from .i18n import _


async def show_secret_once(title: str, explanation: str, secret: str, marker: str) -> None:
    with ui.context.client.content, ui.dialog().props("persistent") as dialog, ui.card().classes(
        "w-[36rem] max-w-full gap-3"
    ).mark(marker):
        dialog._props["aria-label"] = title  # what a screen reader announces as the dialog opens
        ui.label(title).classes("text-h6")
        ui.label(explanation).classes("text-grey-8")
        field = ui.input(value=secret).props("readonly outlined").classes("w-full font-mono").mark(f"{marker}-value")
        field._props["aria-label"] = title  # the field has no visible label: the title names it
        with ui.row().classes("w-full justify-end"):
            ui.button(_("Copy"), icon="content_copy", on_click=lambda: ui.clipboard.write(secret)).props("flat")
            ui.button(_("Done"), on_click=lambda: dialog.submit(None)).mark(f"{marker}-done")
    await dialog
    dialog.delete()
