"""Who is signed in, kept in NiceGUI's per-browser user storage, and checked against the
database on every page: a deactivated person is signed out on their next request."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Literal
from urllib.parse import quote, urlsplit

from nicegui import app, ui

from domain import auth
from domain.access import Actor
from domain.errors import NotAuthenticated

from .context import call

Kind = Literal["agent", "customer"]
LOGIN_PATH = {"agent": "/agent/login", "customer": "/portal/login"}
HOME_PATH = {"agent": "/agent", "customer": "/portal"}


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


async def require(kind: Kind, path: str) -> tuple[Actor, tuple[str, str, bool, str | None]] | None:
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
            return actor, me
    ui.navigate.to(f"{LOGIN_PATH[kind]}?next={quote(path)}")
    return None


class LoginThrottle:
    """Slows guessing: after 5 failures in 15 minutes for one account or 20 for one client
    address, further attempts are refused until the window passes."""

    def __init__(self, per_account: int = 5, per_client: int = 20, window: float = 900.0) -> None:
        self.per_account, self.per_client, self.window = per_account, per_client, window
        self.failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str) -> int:
        now = time.monotonic()
        queue = self.failures[key]
        while queue and now - queue[0] > self.window:
            queue.popleft()
        return len(queue)

    def blocked(self, account: str, client: str) -> bool:
        return self._recent(f"a:{account}") >= self.per_account or self._recent(f"c:{client}") >= self.per_client

    def failed(self, account: str, client: str) -> None:
        now = time.monotonic()
        self.failures[f"a:{account}"].append(now)
        self.failures[f"c:{client}"].append(now)

    def succeeded(self, account: str) -> None:
        self.failures.pop(f"a:{account}", None)


throttle = LoginThrottle()


def reset_throttle() -> None:
    throttle.failures.clear()
