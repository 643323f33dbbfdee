"""Who is signed in, kept in NiceGUI's per-browser user storage, and checked against the
database on every page: a deactivated person is signed out on their next request."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Literal
from urllib.parse import quote, urlsplit

from nicegui import app, ui

from domain import auth
from domain.access import SIGNED_OUT, Actor
from domain.errors import NotAuthenticated

from .context import call
from .i18n import translate

Kind = Literal["agent", "customer"]
LOGIN_PATH = {"agent": "/agent/login", "customer": "/portal/login"}
HOME_PATH = {"agent": "/agent", "customer": "/portal"}
PROFILE_PATH = {"agent": "/agent/profile", "customer": "/portal/profile"}


def current_actor(kind: Kind) -> Actor | None:
    data = app.storage.user.get(kind)
    if not isinstance(data, int):
        return None
    return Actor(kind, data)


def sign_in(actor: Actor) -> None:
    app.storage.user[actor.kind] = actor.id


def sign_out(kind: Kind) -> None:
    app.storage.user.pop(kind, None)


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


async def require(kind: Kind, path: str) -> tuple[Actor, tuple[str, str, bool, str | None, str | None]] | None:
    """Page guard: the signed-in, still active person, or a redirect to the login."""
    actor = current_actor(kind)
    if actor is not None:
        try:
            me = await call(auth.whoami, actor)
        except NotAuthenticated:
            sign_out(kind)
        else:
            saved_locale = me[3]
            if saved_locale and not app.storage.user.get("locale"):
                app.storage.user["locale"] = saved_locale  # the person's own choice, on any browser
            zone = me[4] or ""
            if app.storage.user.get("timezone", "") != zone:  # read on every page: a change elsewhere shows
                app.storage.user["timezone"] = zone
            return actor, me
    ui.navigate.to(f"{LOGIN_PATH[kind]}?next={quote(path)}")
    return None


class LoginThrottle:
    """Slows guessing: after 5 failures in 15 minutes for one account or 20 for one client
    address, further attempts are refused until the window passes.

    An attempt counts from the moment it starts (`begin`), not when its password check
    fails: tries sent in parallel (many tabs, a script) cannot all pass the check before
    the first failure is written down. A success takes its own attempt back."""

    def __init__(self, per_account: int = 5, per_client: int = 20, window: float = 900.0) -> None:
        self.per_account, self.per_client, self.window = per_account, per_client, window
        self.failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str) -> int:
        queue = self.failures.get(key)
        if queue is None:  # looking must not store anything: refused guesses cost no memory
            return 0
        now = time.monotonic()
        while queue and now - queue[0] > self.window:
            queue.popleft()
        if not queue:
            del self.failures[key]
        return len(queue)

    def blocked(self, account: str, client: str) -> bool:
        return self._recent(f"a:{account}") >= self.per_account or self._recent(f"c:{client}") >= self.per_client

    def begin(self, account: str, client: str) -> float:
        """Counts an attempt about to be checked; give the stamp back to `succeeded`."""
        return self.failed(account, client)

    def failed(self, account: str, client: str) -> float:
        now = time.monotonic()
        self.failures[f"a:{account}"].append(now)
        self.failures[f"c:{client}"].append(now)
        return now

    def succeeded(self, account: str, client: str | None = None, stamp: float | None = None) -> None:
        self.failures.pop(f"a:{account}", None)
        queue = self.failures.get(f"c:{client}") if client is not None else None
        if queue is not None and stamp is not None and stamp in queue:
            queue.remove(stamp)


throttle = LoginThrottle()


def reset_throttle() -> None:
    throttle.failures.clear()


def still_signed_in(actor: Actor) -> bool:
    """Whether this browser is still signed in as `actor`; when not (signed out in another
    tab), says so. An open page must not act for someone who has left."""
    if current_actor(actor.kind) == actor:
        return True
    ui.notify(translate(SIGNED_OUT), type="negative")
    return False
