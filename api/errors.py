"""Refusals as HTTP answers, in one place: every domain error becomes a JSON error with
the message the pages show, in the caller's language (Accept-Language)."""

from __future__ import annotations

import math
import time
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

import i18n_time
from domain.auth import SUPPORTED_LOCALES
from domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotAuthenticated, NotFound
from domain.messages import N_
from i18n_catalog import translations

# Most specific first: AlreadyDecided and AlreadyAwaiting are Conflicts.
STATUS_OF = (
    (NotAuthenticated, 401, "not_authenticated"),
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (InvalidInput, 422, "invalid_input"),
)
RATE_LIMITED = N_("Too many requests; try again in {seconds} seconds.")
BAD_INPUT = N_("The request is not valid: {details}")


class ErrorOut(BaseModel):
    """Every refusal of the API."""

    error: str
    message: str


class RateLimited(Exception):
    def __init__(self, reset_at: float) -> None:
        super().__init__("rate limited")
        self.retry_after = max(1, math.ceil(reset_at - time.time()))


def caller_locale(request: Request, default: str) -> str:
    """The first language of Accept-Language that Aval speaks (pt-* → pt_BR, en-* → en)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, index, tag.lower()))
    for _q, _i, tag in sorted(ranked):
        for locale in SUPPORTED_LOCALES:
            if tag.split("-")[0] == locale.split("_")[0]:
                return locale
    return default


def translated(message: str, params: dict[str, Any], locale: str) -> str:
    """As the pages write it; instants in the installation's time zone (AVAL_TIMEZONE)."""
    catalog = translations(locale)
    values = {
        k: i18n_time.format_when(v, locale, None) if isinstance(v, datetime)
        else catalog.gettext(v) if isinstance(v, str) else v
        for k, v in params.items()
    }
    try:
        return catalog.gettext(message).format(**values)
    except (KeyError, IndexError, ValueError):
        return catalog.gettext(message)


def error_response(
    request: Request, status: int, code: str, message: str, params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    locale = caller_locale(request, request.app.state.default_locale)
    body = ErrorOut(error=code, message=translated(message, params or {}, locale))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def status_of(error: DomainError) -> tuple[int, str]:
    for kind, status, code in STATUS_OF:
        if isinstance(error, kind):
            return status, code
    return 400, "refused"


def install_error_handlers(api: FastAPI) -> None:
    async def domain_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, DomainError)
        status, code = status_of(error)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return error_response(request, status, code, error.message, error.params, headers)

    async def invalid_request(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        details = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg', '')}"
            for e in error.errors()
        )
        return error_response(request, 422, "invalid_input", BAD_INPUT, {"details": details[:500]})

    async def http_error(request: Request, error: Exception) -> JSONResponse:
        # FastAPI's own refusals: a body that is no JSON at all (400) is bad input like
        # any other (422); an unknown path or method keeps its status, in our shape.
        assert isinstance(error, HTTPException)
        if error.status_code == 400:
            return error_response(request, 422, "invalid_input", BAD_INPUT, {"details": str(error.detail)[:500]})
        body = ErrorOut(error="http_error", message=str(error.detail))
        return JSONResponse(body.model_dump(), status_code=error.status_code, headers=error.headers)

    async def rate_limited(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RateLimited)
        return error_response(
            request, 429, "rate_limited", RATE_LIMITED, {"seconds": error.retry_after},
            headers={"Retry-After": str(error.retry_after)},
        )

    api.add_exception_handler(DomainError, domain_error)
    api.add_exception_handler(RequestValidationError, invalid_request)
    api.add_exception_handler(RateLimited, rate_limited)
    api.add_exception_handler(HTTPException, http_error)
