"""Who is signed in, kept in NiceGUI's per-browser user storage, and checked against the
database on every page: a deactivated person is signed out on their next request.

Each open page remembers whom it was drawn for (`page_identity`). Signing out ends that
identity in every open page of the browser at once, and deactivating a person or changing
their password ends it in every browser: those pages are sent to the login, and the socket
guard (ui/socket_guard.py) drops any event a page sends after its identity is gone."""

from __future__ import annotations

import secrets
import time
import uuid
import weakref
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import Client, app, ui

from domain import auth
from domain.access import SIGNED_OUT, Actor
from domain.errors import NotAuthenticated

from .context import call, ctx
from .i18n import translate

Kind = Literal["agent", "customer"]
LOGIN_PATH = {"agent": "/agent/login", "customer": "/portal/login"}
HOME_PATH = {"agent": "/agent", "customer": "/portal"}
PROFILE_PATH = {"agent": "/agent/profile", "customer": "/portal/profile"}


SIGNED_IN_PATH = "/auth/signed-in"
PENDING = "pending_sign_in"
PENDING_SECONDS = 60.0


@dataclass(frozen=True)
class PageIdentity:
    """Whom an open page was drawn for, in which browser (NiceGUI's session id)."""

    browser: str
    actor: Actor


_open_pages: weakref.WeakKeyDictionary[Client, PageIdentity] = weakref.WeakKeyDictionary()


def stamp_key(kind: Kind) -> str:
    """Where a sign-in keeps the person's credential stamp (domain.auth.credential_stamp)."""
    return f"{kind}_stamp"


def current_actor(kind: Kind) -> Actor | None:
    data = app.storage.user.get(kind)
    if not isinstance(data, int):
        return None
    return Actor(kind, data)


def sign_in(actor: Actor) -> None:
    """Writes the identity into this browser's storage as it is (the benchmarks' shortcut);
    the login form goes through `begin_sign_in`, which also renews the session id."""
    app.storage.user[actor.kind] = actor.id


def browser_of(client: Client) -> str | None:
    try:
        browser = client.request.session.get("id")
    except (RuntimeError, AssertionError):  # a page without a session (NiceGUI's own error pages)
        return None
    return browser if isinstance(browser, str) else None


def _storage_of(browser: str) -> MutableMapping[str, Any] | None:
    # NiceGUI keeps every browser's user storage it has seen loaded, by session id; there
    # is no public way to reach another browser's storage than the current request's.
    return app.storage._users.get(browser)


def page_storage() -> MutableMapping[str, Any]:
    """The user storage of the browser the current page belongs to (the page's own request),
    not of whichever request an event happens to run under."""
    browser = browser_of(ui.context.client)
    stored = _storage_of(browser) if browser is not None else None
    return stored if stored is not None else app.storage.user


def remember_page(actor: Actor) -> None:
    client = ui.context.client
    browser = browser_of(client)
    if browser is not None:
        _open_pages[client] = PageIdentity(browser, actor)


def page_identity(client: Client) -> PageIdentity | None:
    return _open_pages.get(client)


def identity_holds(identity: PageIdentity) -> bool:
    stored = _storage_of(identity.browser)
    return stored is not None and stored.get(identity.actor.kind) == identity.actor.id


def send_to_login(client: Client, identity: PageIdentity) -> None:
    """The page leaves for its panel's login, coming back to where it was after. It keeps
    its ended identity meanwhile, so whatever it still sends is refused."""
    if client.is_deleted or not client.has_socket_connection:
        return
    try:
        here = client.request.url.path + (f"?{client.request.url.query}" if client.request.url.query else "")
    except RuntimeError:
        here = HOME_PATH[identity.actor.kind]
    with client:
        ui.navigate.to(f"{LOGIN_PATH[identity.actor.kind]}?next={quote(here, safe='')}")


def sign_out(kind: Kind) -> None:
    """Ends `kind`'s identity in this browser: the storage forgets it, and every other open
    page of the browser that shows it goes to the login at once."""
    try:
        here = ui.context.client
    except RuntimeError:  # not from a page (a test, a script): only the storage forgets
        app.storage.user.pop(kind, None)
        app.storage.user.pop(stamp_key(kind), None)
        return
    stored = page_storage()
    stored.pop(kind, None)
    stored.pop(stamp_key(kind), None)
    browser = browser_of(here)
    for client, identity in list(_open_pages.items()):
        if identity.browser == browser and identity.actor.kind == kind and client is not here:
            send_to_login(client, identity)


def end_everywhere(actor: Actor) -> None:
    """A person deactivated, trashed or given a new password is signed out of every browser
    this process knows, and their open pages go to the login. (Another instance's pages
    find out at their next page or event: the database no longer lets the person in.)"""
    for stored in list(app.storage._users.values()):  # see _storage_of
        if stored.get(actor.kind) == actor.id:
            stored.pop(actor.kind, None)
            stored.pop(stamp_key(actor.kind), None)
    for client, identity in list(_open_pages.items()):
        if identity.actor == actor:
            send_to_login(client, identity)


def begin_sign_in(actor: Actor, stamp: str, target: str) -> str:
    """After the password was checked: the address that finishes signing in over HTTP, so
    the browser receives a new session id (a cookie planted before the login carries no
    identity). The one-time code lives in this browser's storage for a minute."""
    code = secrets.token_urlsafe(24)
    until = time.time() + PENDING_SECONDS
    page_storage()[PENDING] = {"code": code, "kind": actor.kind, "id": actor.id, "stamp": stamp, "until": until}
    return f"{SIGNED_IN_PATH}?code={quote(code)}&next={quote(target, safe='')}"


async def finish_sign_in(request: Request, code: str = "", next: str = "") -> RedirectResponse:
    """GET /auth/signed-in: moves the identity to a fresh session id and forgets the old one."""
    old = app.storage.user
    pending = old.pop(PENDING, None)
    valid = (
        isinstance(pending, dict)
        and isinstance(pending.get("code"), str)
        and secrets.compare_digest(pending["code"].encode(), code.encode())
        and pending.get("kind") in LOGIN_PATH
        and isinstance(pending.get("id"), int)
        and float(pending.get("until", 0)) >= time.time()
    )
    if not valid:
        kind: Kind = "customer" if next.startswith("/portal") else "agent"
        return RedirectResponse(LOGIN_PATH[kind], status_code=303)
    assert isinstance(pending, dict)
    kind = pending["kind"]
    # The other panel's identity, if any, moves along: one browser, one person per panel.
    kept = {
        key: old[key]
        for other in LOGIN_PATH
        if other != kind and isinstance(old.get(other), int)
        for key in (other, stamp_key(other))  # type: ignore[arg-type]
        if key in old
    }
    old.clear()
    fresh = str(uuid.uuid4())
    request.session["id"] = fresh
    await app.storage._create_user_storage(fresh)  # as NiceGUI's middleware does per request
    app.storage.user.update(kept)
    app.storage.user[kind] = pending["id"]
    app.storage.user[stamp_key(kind)] = pending.get("stamp")
    return RedirectResponse(safe_next(next, kind), status_code=303)


def safe_next(target: str | None, kind: Kind) -> str:
    """Back to the page first asked for, but only a path on this site (no open redirect)."""
    if not target:
        return HOME_PATH[kind]
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME_PATH[kind]
    prefix = "/agent" if kind == "agent" else "/portal"
    if not (target == prefix or target.startswith(prefix + "/")) or target.startswith(LOGIN_PATH[kind]):
        return HOME_PATH[kind]
    return target


@dataclass
class FirstRead:
    """A page's first read (a read-only use case taking the reader as its actor, then
    `args`), done in the transaction of the page's sign-in check: see
    `auth.signed_in_reading`. After `require`, `value` is its result, the DomainError that
    refused it, or None when it was not read (signed out; `privileged_only` and the reader
    is neither a manager nor an admin)."""

    use_case: Callable[..., object]
    args: tuple[object, ...] = ()
    privileged_only: bool = False
    value: object = None
    seen: int = -1  # the live events' sequence number from before the read

    def missed_events(self) -> bool:
        """Whether events were published since the read, before the page subscribed to
        them: the page then reads again, once it is drawn."""
        return self.seen != ctx().live.sequence


async def require(
    kind: Kind, path: str, first: FirstRead | None = None
) -> tuple[Actor, tuple[str, str, bool, str | None, str | None]] | None:
    """Page guard: the signed-in, still active person, or a redirect to the login. With
    `first`, the page's first read comes along, in the same transaction."""
    actor = current_actor(kind)
    if actor is not None:
        try:
            if first is None:
                me, stamp = await call(auth.signed_in_as, actor)
            else:
                first.seen = ctx().live.sequence
                (me, stamp), first.value = await call(
                    auth.signed_in_reading, actor, first.use_case, first.args, privileged_only=first.privileged_only
                )
        except NotAuthenticated:
            sign_out(kind)
        else:
            stored = page_storage()
            if stored.get(stamp_key(kind)) is None:
                stored[stamp_key(kind)] = stamp  # a sign-in from before stamps were kept
            if stored[stamp_key(kind)] != stamp:
                sign_out(kind)  # signed in with a password changed since
            else:
                saved_locale = me[3]
                if saved_locale and not stored.get("locale"):
                    stored["locale"] = saved_locale  # the person's own choice, on any browser
                zone = me[4] or ""
                if stored.get("timezone", "") != zone:  # read on every page: a change elsewhere shows
                    stored["timezone"] = zone
                remember_page(actor)
                return actor, me
    ui.navigate.to(f"{LOGIN_PATH[kind]}?next={quote(path)}")
    return None


def still_signed_in(actor: Actor) -> bool:
    """Whether this browser is still signed in as `actor`; when not (signed out in another
    tab), says so. An open page must not act for someone who has left."""
    if current_actor(actor.kind) == actor:
        return True
    ui.notify(translate(SIGNED_OUT), type="negative")
    return False
