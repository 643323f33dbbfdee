"""/e/{token}: a manager's one-decision page, opened from the Aprovar / Reprovar button of
a request e-mail or Web Push message (spec §11). No sign-in: the token is the capability,
good for one decision on one request.

Plain server-rendered HTML with a form, no NiceGUI page and no script: it works in any
mail client's browser and without JavaScript, and what a GET does is easy to see —
it reads (mail scanners and link previewers open every link of a mail). Only the form's
POST decides, through `email_links.confirm_link`. No CSRF token: the form carries
nothing but the token in its address, which is itself the capability; a replayed or
forged POST with a valid token is exactly a second click, and decides nothing twice.

Every bad token (unknown, malformed, forged, expired, its manager deactivated, its
ticket in the trash) gets the same page, byte for byte, and counts a strike against the
client address; too many strikes and the address only gets that page (429) for a while."""

from __future__ import annotations

import html
import logging

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from nicegui import app
from starlette.convertors import Convertor, register_url_convertor

import i18n_time
from domain import email_links
from domain.email_links import InvalidLink, LinkView
from domain.errors import AlreadyDecided, DomainError, InvalidInput
from domain.link_tokens import LINK_PREFIX
from domain.model import LinkDecision, RequestState
from domain.validation import NOTE_MAX

from .context import AppContext
from .i18n import default_locale, translate, translate_error
from .rate_limit import StrikeLimiter

log = logging.getLogger(__name__)

# Longer input is never a token; it is refused before any work (and counts a strike).
_MAX_TOKEN_INPUT = 200
_HEADERS = {
    "Cache-Control": "no-store",
    # The token is in the address: no other site reads it from a Referer header.
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
_STYLE = """
body{font-family:system-ui,sans-serif;line-height:1.45;margin:0;background:#f5f5f5;color:#1d1d1d}
main{max-width:640px;margin:0 auto;padding:24px 16px}
.card{background:#fff;border-radius:8px;padding:20px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.4rem;margin:0 0 12px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:12px 0}
dt{color:#616161}dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
textarea{width:100%;box-sizing:border-box;min-height:6em;font:inherit}
button{font:inherit;font-weight:bold;color:#fff;border:0;border-radius:4px;padding:12px 24px;min-height:44px;
cursor:pointer;margin-top:12px}
button:focus-visible,a:focus-visible{outline:3px solid #1976d2;outline-offset:2px}
.approve{background:#1b7d3a}.reject{background:#b00020}
.outcome{font-weight:bold;font-size:1.1rem}.error{color:#b00020;font-weight:bold}
a{color:#1565c0}
"""


class _AnyText(Convertor[str]):
    """Everything after /e/, line breaks included (Starlette's `path` stops at one), so
    that no input under /e/ falls through to another page."""

    regex = "(?s:.*)"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("anytext", _AnyText())


def _document(title: str, body: str, lang: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f"<title>{html.escape(title)} — Aval</title><style>{_STYLE}</style></head>"
        f'<body><main><div class="card">{body}</div></main></body></html>\n'
    )


def _lang(locale: str) -> str:
    return "pt-BR" if locale == "pt_BR" else locale


def _invalid_page() -> str:
    """The one answer to every bad token: nothing in it depends on why."""
    locale = default_locale()
    text = translate(email_links.INVALID_LINK, locale)
    hint = translate("Open the request from the portal instead; it asks you to sign in.", locale)
    body = f'<h1 data-state="invalid">{html.escape(text)}</h1><p>{html.escape(hint)}</p>'
    body += f'<p><a href="/portal/approvals">{html.escape(translate("Approve actions", locale))}</a></p>'
    return _document(text, body, _lang(locale))


def _facts(view: LinkView, locale: str) -> str:
    detail, row = view.detail, view.row
    organization = detail.organization_name or "—"
    if detail.parent_organization_name:
        organization = f"{organization} ({detail.parent_organization_name})"
    facts: list[tuple[str, str]] = [
        (translate("Ticket", locale), f"#{detail.number} — {detail.subject}"),
        (translate("Customer", locale), detail.customer_name),
        (translate("Organization", locale), organization),
        (translate("Action", locale), row.action_name),
    ]
    if row.action_description:
        facts.append((translate("Description", locale), row.action_description))
    if row.note:
        facts.append((translate("Agent's note", locale), row.note))
    facts += [
        (translate("Requested by", locale), row.requested_by_name),
        (translate("Requested at", locale), i18n_time.format_when(row.requested_at, locale, view.timezone)),
    ]
    if detail.description:
        facts.append((translate("Ticket description", locale), detail.description))
    items = "".join(f"<dt>{html.escape(caption)}</dt><dd>{html.escape(value)}</dd>" for caption, value in facts)
    return f"<dl>{items}</dl>"


def _view_page(view: LinkView, token: str, *, done: bool = False, error: str = "") -> str:
    locale = view.locale or default_locale()

    approve = view.decision == LinkDecision.APPROVE
    portal_label = translate("Open the request in the portal", locale)
    portal = f'<p><a href="/portal/approvals/{view.row.id}">{html.escape(portal_label)}</a></p>'
    if view.ended is not None:
        decided_as_link = view.row.state == (RequestState.APPROVED if approve else RequestState.REJECTED)
        title = translate("Action approved.", locale) if approve else translate("Action rejected.", locale)
        outcome = translate_error(view.ended.message, view.ended.params, locale, zone=view.timezone)
        state = html.escape(view.row.state)
        if done and decided_as_link:
            top = f'<h1>{html.escape(title)}</h1><p class="outcome" data-state="{state}">{html.escape(outcome)}</p>'
        else:
            # Opened again, or ended otherwise: how it ended is what the page is about, and
            # heads it (a page without a level-one heading leaves screen readers no start).
            top = f'<h1 class="outcome" data-state="{state}">{html.escape(outcome)}</h1>'
        body = f"{top}{_facts(view, locale)}{portal}"
        return _document(outcome, body, _lang(locale))
    title = translate("Approve this action?", locale) if approve else translate("Reject this action?", locale)
    button = translate("Confirm approval", locale) if approve else translate("Confirm rejection", locale)
    reason = ""
    if not approve:
        reason = (
            f'<label for="reason">{html.escape(translate("Reason (optional)", locale))}</label>'
            f'<textarea id="reason" name="reason" maxlength="{NOTE_MAX}"></textarea>'
        )
    problem = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    intro = translate("{manager}, this page decides only when you press the button below.", locale)
    intro = intro.format(manager=view.manager_name)
    body = (
        f'<h1 data-state="awaiting_approval">{html.escape(title)}</h1><p>{html.escape(intro)}</p>'
        f"{_facts(view, locale)}{problem}"
        f'<form method="post" action="{html.escape(LINK_PREFIX + token, quote=True)}">{reason}'
        f'<button type="submit" class="{"approve" if approve else "reject"}" name="confirm" value="1">'
        f"{html.escape(button)}</button></form>{portal}"
    )
    return _document(title, body, _lang(locale))


def _address(request: Request) -> str:
    return request.client.host if request.client else "?"


def register(context: AppContext, limiter: StrikeLimiter | None = None) -> StrikeLimiter:
    """Adds the GET and POST routes; returns the limiter (tests read it)."""
    strikes = limiter or StrikeLimiter()
    invalid = _invalid_page()  # built once: every bad token gets these very bytes

    def refuse(request: Request, *, strike: bool = True) -> Response:
        address = _address(request)
        if strike:
            strikes.strike(address)
        status = 429 if strikes.blocked(address) else 404
        return HTMLResponse(invalid, status_code=status, headers=_HEADERS)

    def usable_input(token: str) -> bool:
        return len(token) <= _MAX_TOKEN_INPUT and email_links.well_formed(token)

    def page(content: str, status: int = 200) -> Response:
        return HTMLResponse(content, status_code=status, headers=_HEADERS)

    # Sync routes: FastAPI runs them in a worker thread, off the event loop.
    @app.get(LINK_PREFIX + "{token:anytext}", include_in_schema=False)
    def email_link(request: Request, token: str, done: str = "") -> Response:
        if strikes.blocked(_address(request)):
            return refuse(request, strike=False)
        try:
            view = context.services.run(email_links.open_link, token if usable_input(token) else "")
        except InvalidLink:
            return refuse(request)
        return page(_view_page(view, token, done=done == "1"))

    @app.post(LINK_PREFIX + "{token:anytext}", include_in_schema=False)
    def confirm_email_link(request: Request, token: str, reason: str = Form("")) -> Response:
        if strikes.blocked(_address(request)):
            return refuse(request, strike=False)
        try:
            context.services.run(email_links.confirm_link, token if usable_input(token) else "", reason)
        except InvalidLink:
            return refuse(request)
        except InvalidInput as error:
            return _again(request, token, error)
        except AlreadyDecided:  # the page now says who decided first, and when
            return RedirectResponse(f"{LINK_PREFIX}{token}", status_code=303, headers=_HEADERS)
        except DomainError as error:  # a right lost between the page and the click
            log.info("e-mail link refused: %s", error)
            return refuse(request, strike=False)
        return RedirectResponse(f"{LINK_PREFIX}{token}?done=1", status_code=303, headers=_HEADERS)

    def _again(request: Request, token: str, error: DomainError) -> Response:
        try:
            view = context.services.run(email_links.open_link, token)
        except InvalidLink:
            return refuse(request)
        locale = view.locale or default_locale()
        problem = translate_error(error.message, error.params, locale, zone=view.timezone)
        return page(_view_page(view, token, error=problem), 400)

    return strikes


