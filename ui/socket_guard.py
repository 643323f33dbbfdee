"""The smallest guard around NiceGUI's websocket (Socket.IO under /_nicegui_ws/).

- Only the app's own origin (AVAL_BASE_URL) may open a socket from a browser: another
  site's page cannot talk to Aval with the visitor's cookie.
- NiceGUI treats a page's `client_id` as a capability: whoever knows it may send that
  page's events. Here a socket may handshake with a page, and send it events, JavaScript
  answers and acknowledgements, only if it carries the same browser session (the signed
  session cookie) as the request that built the page. A leaked or guessed `client_id`
  is then useless from any other browser or script.
- A page whose identity ended (signed out in another tab, deactivated, new password) runs
  no further event: it is sent to the login instead (ui/session.py).

Sockets of NiceGUI's simulated test users (`test-…`) have no environment and pass."""

from __future__ import annotations

import functools
import inspect
import json
import logging
from base64 import b64decode
from collections.abc import Callable, Iterable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

import itsdangerous
import socketio
from nicegui import Client

from .session import browser_of, identity_holds, page_identity, send_to_login

log = logging.getLogger(__name__)
SESSION_COOKIE = "session"  # Starlette's SessionMiddleware default, as NiceGUI uses it
SESSION_MAX_AGE = 14 * 24 * 60 * 60  # ditto
LOOPBACK = ("localhost", "127.0.0.1", "[::1]")


def allowed_origins(base_url: str) -> list[str]:
    """The base URL's origin; for a loopback address also its other loopback spellings
    (a developer's browser at 127.0.0.1 when the default base URL says localhost)."""
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    host = parts.hostname or ""
    if host not in {"localhost", "127.0.0.1", "::1"}:
        return [origin]
    port = f":{parts.port}" if parts.port else ""
    return [f"{parts.scheme}://{name}{port}" for name in LOOPBACK]


class SocketGuard:
    def __init__(self, sio: socketio.AsyncServer, storage_secret: str) -> None:
        self.sio = sio
        self.signer = itsdangerous.TimestampSigner(str(storage_secret))

    def browser_of_socket(self, environ: dict[str, Any]) -> str | None:
        """The session id the socket's cookie carries, verified as Starlette does."""
        return self._browser_of_cookie(environ.get("HTTP_COOKIE", ""))

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one guard per process; a socket sends many events)
    def _browser_of_cookie(self, header: str) -> str | None:
        cookie = SimpleCookie()
        try:
            cookie.load(header)
            data = self.signer.unsign(cookie[SESSION_COOKIE].value.encode(), max_age=SESSION_MAX_AGE)
            browser = json.loads(b64decode(data)).get("id")
        except (KeyError, ValueError, itsdangerous.BadSignature, AttributeError):
            return None
        return browser if isinstance(browser, str) else None

    def same_browser(self, sid: str, client: Client, environ: dict[str, Any] | None = None) -> bool:
        if sid.startswith("test-"):
            return True
        if environ is None:
            try:
                environ = self.sio.get_environ(sid)
            except KeyError:
                return False
        page_browser = browser_of(client)
        return page_browser is not None and self.browser_of_socket(environ or {}) == page_browser

    def _refused(self, what: str, sid: str, client_id: object) -> None:
        log.warning("refused %s from socket %s for page %s: not the browser session of that page", what, sid, client_id)

    def wrap(self, names: Iterable[str]) -> None:
        handlers: dict[str, Callable[..., Any]] = self.sio.handlers["/"]
        for name in names:
            self.sio.on(name, self._guarded(name, handlers[name]))

    def _guarded(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        if name == "connect":

            async def on_connect(sid: str, environ: dict[str, Any], auth: Any = None) -> Any:
                query = parse_qs(environ.get("QUERY_STRING", ""))
                client = Client.instances.get((query.get("client_id") or [""])[0])
                if client is not None and not self.same_browser(sid, client, environ):
                    self._refused("a connection", sid, client.id)
                    # NiceGUI's page script reloads on this very message: the browser then
                    # gets a page for the session it really has (or the login).
                    raise socketio.exceptions.ConnectionRefusedError("Implicit handshake failed")
                return await original(sid, environ, auth)

            return on_connect

        async def guarded(sid: str, msg: Any) -> Any:
            client = Client.instances.get(msg.get("client_id")) if isinstance(msg, dict) else None
            if client is None:
                return False if name == "handshake" else None
            if not self.same_browser(sid, client):
                self._refused(f"a {name}", sid, client.id)
                return False if name == "handshake" else None
            if name == "event":
                identity = page_identity(client)
                if identity is not None and not identity_holds(identity):
                    send_to_login(client, identity)  # signed out elsewhere: no action runs
                    return None
            result = original(sid, msg)
            return await result if inspect.isawaitable(result) else result

        return guarded


def install(sio: socketio.AsyncServer, *, base_url: str, storage_secret: str) -> None:
    """Once at start, before the server runs."""
    sio.eio.cors_allowed_origins = allowed_origins(base_url)
    SocketGuard(sio, storage_secret).wrap(("connect", "handshake", "event", "javascript_response", "ack", "log"))
