"""Socket.IO clients that open a NiceGUI page the way a browser tab does, without a browser.

A tab loads the page's HTML, reads its client id and first message id from the inline
`createApp(..., {query: {...}})` call, and connects a Socket.IO socket to
/_nicegui_ws/socket.io with that query plus a document id and a tab id (nicegui.js,
`mounted()`), with `implicit_handshake` so the server accepts it on connect. Like a
browser it sends the session cookie with both, and acknowledges received messages (the
`ack` nicegui.js sends every 3 s) so the server can drop its replay history.

A `PageClient` records when a watched element's text last changed, by element id,
from the `update` messages the server pushes."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import html
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
import socketio

QUERY = re.compile(r"query: (\{.*?\}),\n")
ELEMENTS = re.compile(r"parseElements\(String\.raw`(.*?)`\)", re.DOTALL)


def page_query(page_html: str) -> dict[str, Any]:
    match = QUERY.search(page_html)
    if match is None:
        raise ValueError("no socket query in the page (not a NiceGUI page?)")
    return dict(ast.literal_eval(match.group(1)))


def page_elements(page_html: str) -> dict[str, dict[str, Any]]:
    match = ELEMENTS.search(page_html)
    if match is None:
        raise ValueError("no elements in the page")
    return dict(json.loads(html.unescape(match.group(1))))


def find_element(elements: dict[str, dict[str, Any]], text: Callable[[str], bool]) -> str:
    """The id of the first element whose text matches."""
    for element_id, element in elements.items():
        if isinstance(element.get("text"), str) and text(element["text"]):
            return element_id
    raise LookupError("no element with such a text on the page")


@dataclass
class PageClient:
    base: str
    http: aiohttp.ClientSession
    cookie: str = ""
    client_id: str = ""
    watched: str = ""
    text: str = ""
    changed_at: float = 0.0
    changes: int = 0
    next_message_id: int = 0
    acked: int = 0
    sio: socketio.AsyncClient | None = None
    messages: int = 0
    disconnects: list[str] = field(default_factory=list)
    disconnected_at: list[float] = field(default_factory=list)
    on_change: list[Callable[[PageClient], None]] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": self.cookie} if self.cookie else {}

    async def sign_in(self, path: str) -> None:
        """Calls a bench login route and keeps the session cookie it sets."""
        async with self.http.get(self.base + path) as response:
            response.raise_for_status()
            morsel = response.cookies.get("session")
            if morsel is None:
                raise RuntimeError(f"{path} set no session cookie")
            self.cookie = f"session={morsel.value}"

    async def open(self, path: str, watch: Callable[[str], bool]) -> None:
        """Loads the page and connects its socket; watches the element whose text matches."""
        async with self.http.get(self.base + path, headers=self.headers) as response:
            response.raise_for_status()
            body = await response.text()
        query = page_query(body)
        elements = page_elements(body)
        self.watched = find_element(elements, watch)
        self.text = elements[self.watched]["text"]
        self.client_id = str(query["client_id"])
        self.next_message_id = int(query["next_message_id"])
        socket_query = {
            "client_id": self.client_id,
            "next_message_id": self.next_message_id,
            "implicit_handshake": "true",
            "document_id": str(uuid.uuid4()),
            "tab_id": str(uuid.uuid4()),
        }
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("update", self._on_update)
        self.sio.on("disconnect", self._on_disconnect)
        for name in ("run_javascript", "notify", "open", "load_js_components", "download"):
            self.sio.on(name, self._on_other)
        await self.sio.connect(
            f"{self.base}/?{urlencode(socket_query)}",
            headers=self.headers,
            transports=["websocket"],
            socketio_path="/_nicegui_ws/socket.io",
            wait_timeout=30,
        )

    async def _on_disconnect(self, reason: Any = None) -> None:
        self.disconnects.append(str(reason))
        self.disconnected_at.append(time.time())

    def _count(self, message: dict[str, Any]) -> None:
        self.messages += 1
        message_id = message.pop("_id", None)
        if isinstance(message_id, int):
            self.next_message_id = max(self.next_message_id, message_id + 1)

    async def _on_update(self, message: dict[str, Any]) -> None:
        self._count(message)
        element = message.get(self.watched)
        if isinstance(element, dict) and element.get("text") != self.text:
            self.changed_at = time.monotonic()
            self.text = str(element.get("text"))
            self.changes += 1
            for callback in self.on_change:
                callback(self)

    async def _on_other(self, message: Any = None) -> None:
        if isinstance(message, dict):
            self._count(message)

    async def ack(self) -> None:
        if self.sio is not None and self.sio.connected and self.acked < self.next_message_id:
            await self.sio.emit("ack", {"client_id": self.client_id, "next_message_id": self.next_message_id})
            self.acked = self.next_message_id

    async def close(self) -> None:
        if self.sio is not None and self.sio.connected:
            await self.sio.disconnect()


class Acknowledger:
    """Every 3 s, as nicegui.js does, each client acknowledges what it received."""

    def __init__(self, clients: list[PageClient]) -> None:
        self.clients = clients
        self.task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(3)
            for client in list(self.clients):
                await client.ack()

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


def http_session() -> aiohttp.ClientSession:
    """One HTTP session for all clients; cookies are handled per client, not by a jar."""
    return aiohttp.ClientSession(
        cookie_jar=aiohttp.DummyCookieJar(),
        connector=aiohttp.TCPConnector(limit=0),
        # No total timeout: it would also end every websocket after that long.
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=30),
    )
