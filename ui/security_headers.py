"""HTTP response headers every answer of the app carries: no page of Aval may be framed by
another site (a hidden Aprovar button under a decoy is clickjacking), files are never
sniffed into another type, links out do not tell other sites which ticket was open, and
behind https the browser never again tries plain http.

A page may run only the scripts Aval sent: its own files (`'self'`) and the inline blocks
of this very answer, named by their SHA-256 in the header. Text someone typed is drawn as
text, but were an attribute like `onerror=` or a `javascript:` link ever to reach a page,
the browser would refuse to run it. NiceGUI evaluates the code it sends over its socket
(`run_javascript`, its Vue templates), hence `'unsafe-eval'`."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000")
# Everything but the page's inline scripts, which each answer lists by hash.
POLICY = (
    "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "script-src 'self' 'unsafe-eval'"
)
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def policy_for(body: bytes | None) -> bytes:
    """The Content-Security-Policy of one answer: with the hash of each inline script of
    an HTML page, so those run and nothing else inline does."""
    hashes = ""
    for match in INLINE_SCRIPT.finditer(body or b""):
        digest = base64.b64encode(hashlib.sha256(match.group(1)).digest()).decode()
        hashes += f" 'sha256-{digest}'"
    return (POLICY + hashes).encode()


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers unless already set. An HTML answer is held
    until its body is complete (pages are a few kB) to hash its inline scripts."""

    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.headers = (*HEADERS, HSTS) if https else HEADERS

    def _complete(self, start: Message, body: bytes | None) -> Message:
        headers = list(start.get("headers", []))
        present = {name.lower() for name, _value in headers}
        headers += [(name, value) for name, value in self.headers if name not in present]
        if b"content-security-policy" not in present:
            headers.append((b"content-security-policy", policy_for(body)))
        start["headers"] = headers
        return start

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []
        chunks: list[bytes] = []

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    held.append(message)
                    return
                await send(self._complete(message, None))
                return
            if held and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(chunks)
                await send(self._complete(held.pop(), body))
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, send_with_headers)
