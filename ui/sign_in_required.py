"""Protected pages answer `303 See Other` to their panel's login (with `?next=`) before
any page is built: an anonymous request never receives a page shell that then leaves over
the websocket. Whether the person is still allowed in is checked again by the page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote

from nicegui import app

from .session import LOGIN_PATH, Kind

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PANELS: tuple[tuple[str, Kind], ...] = (("/agent", "agent"), ("/portal", "customer"))


def panel_of(path: str) -> Kind | None:
    """The kind of person a path is for; None for the logins and everything else."""
    for prefix, kind in PANELS:
        if (path == prefix or path.startswith(prefix + "/")) and path != LOGIN_PATH[kind]:
            return kind
    return None


def signed_in(kind: Kind) -> bool:
    try:
        return isinstance(app.storage.user.get(kind), int)
    except (RuntimeError, AssertionError, KeyError):  # no session on this request
        return False


class SignInRequired:
    """Pure ASGI middleware; it runs inside NiceGUI's session middleware, which has read
    the cookie and loaded the browser's storage by then."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = panel_of(scope.get("path", "")) if scope["type"] == "http" else None
        if kind is None or signed_in(kind):
            await self.app(scope, receive, send)
            return
        target = scope["path"] + (f"?{scope['query_string'].decode('latin-1')}" if scope.get("query_string") else "")
        location = f"{LOGIN_PATH[kind]}?next={quote(target, safe='')}"
        headers = [(b"location", location.encode("latin-1")), (b"content-length", b"0")]
        headers.append((b"cache-control", b"no-store"))
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
