"""The product's own "não encontrado" page, answered with HTTP 404 for every address that
leads nowhere: an unknown path, a number that is not one (`/agent/tickets/abc`) or that no
database column holds (`/agent/tickets/99999999999999999999`). Without it the framework
answered a JSON validation error or a 500 page naming the Python exception."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from nicegui import Client, app, ui
from nicegui.page import page

from .i18n import _

log = logging.getLogger(__name__)

# The largest id a BIGINT (PostgreSQL) or INTEGER (SQLite) column holds.
LARGEST_ID = 2**63 - 1


def parse_id(text: str | None) -> int | None:
    """A positive id written in ASCII digits only, or None (which the page answers 404)."""
    if not text or len(text) > 19 or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= LARGEST_ID else None


def not_found_page() -> None:
    """Inside a page: answer 404 and show why, instead of the page asked for."""
    ui.context.client.status_code = 404
    ui.page_title(f"{_('Not found')} · Aval")
    with ui.card().classes("absolute-center w-96 p-6 gap-3").mark("not-found-page"):
        ui.label("Aval").classes("text-h4 text-bold text-primary")
        ui.label(_("Not found")).classes("text-h6").mark("not-found")
        ui.label(_("Nothing lives at this address. Check the link, or start again from the home page."))
        ui.link(_("Go to the home page"), "/").classes("text-caption")


def something_went_wrong() -> None:
    """The page of an unexpected failure: the reader learns nothing of the code (the log does)."""
    ui.page_title("Aval")
    with ui.card().classes("absolute-center w-96 p-6 gap-3").mark("error-page"):
        ui.label("Aval").classes("text-h4 text-bold text-primary")
        ui.label(_("Something went wrong. Please try again.")).classes("text-h6")
        ui.link(_("Go to the home page"), "/").classes("text-caption")


def not_found_response(request: Request) -> Response:
    with Client(page(""), request=request) as client:
        not_found_page()
    return client.build_response(request, 404)


def install() -> None:
    """Replaces the framework's answers for unknown and malformed page addresses. Non-page
    endpoints that raise 404 themselves (static files, /healthz) keep the framework's answer."""
    framework_404 = app.exception_handlers.get(404)

    async def unknown_address(request: Request, exception: Exception) -> Any:
        endpoint = request.scope.get("endpoint")
        is_page = request.scope.get("nicegui_page_path") or endpoint is None or endpoint is app
        if not is_page and framework_404 is not None:
            return await framework_404(request, exception)
        return not_found_response(request)

    async def malformed_address(request: Request, exception: Exception) -> Response:
        return not_found_response(request)

    async def failed(request: Request, exception: Exception) -> Response:
        if not request.scope.get("nicegui_page_path"):
            raise exception  # plain "Internal Server Error", as FastAPI answers
        log.exception("page %s failed", request.url.path)
        with Client(page(""), request=request) as client:
            something_went_wrong()
        return client.build_response(request, 500)

    app.exception_handlers[404] = unknown_address
    app.exception_handlers[RequestValidationError] = malformed_address
    app.exception_handlers[Exception] = failed
    app.on_page_exception(something_went_wrong)
