"""NiceGUI's simulated `User` points the global `ui.navigate`, `ui.notify` and
`ui.download` at whichever User a test touched last. With several users (`create_user`),
a message that one user's page sends in the background touches that User, and another
user's click handler, still awaiting its use case, then navigates (or toasts) in the
wrong simulated browser. Here each call goes to the User whose page the handler runs in,
as it does with real browsers.

A simulated click or trigger runs its handler under whatever request the test last
touched, where a real browser's event runs under the request of the page it belongs to
(NiceGUI sets it from the listener): `find` now points it at the User's own page, so
`app.storage.user` in a handler is that browser's storage even after signing in gave the
browser a new session id.

A path that redirects (signing in finishes at /auth/signed-in, which sends the browser on)
is recorded in the history as the address the browser ends at, as a real address bar shows."""

from __future__ import annotations

import weakref
from typing import Any
from urllib.parse import urlsplit

import pytest
from nicegui import context, ui
from nicegui.storage import request_contextvar
from nicegui.testing import User

_users: weakref.WeakSet[User] = weakref.WeakSet()
_last: list[User] = []


class _Routed:
    def __init__(self, name: str) -> None:
        self._name = name

    def _target(self) -> Any:
        try:
            client = context.client
        except RuntimeError:
            client = None
        owner = next((user for user in list(_users) if object.__getattribute__(user, "client") is client), None)
        if owner is None and _last:
            owner = _last[-1]
        assert owner is not None, "no simulated user has opened a page"
        return object.__getattribute__(owner, self._name)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._target(), attribute)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._target()(*args, **kwargs)


_ROUTED = {name: _Routed(name) for name in ("navigate", "notify", "download")}
_original_init = User.__init__
_original_open = User.open
_original_find = User.find


def _init(self: User, *args: Any, **kwargs: Any) -> None:
    _original_init(self, *args, **kwargs)
    _users.add(self)


def _getattribute(self: User, name: str) -> Any:
    if name not in _ROUTED:
        _last[:] = [self]
        for routed_name, routed in _ROUTED.items():
            setattr(ui, routed_name, routed)
    return object.__getattribute__(self, name)


async def _open(self: User, path: str, *, clear_forward_history: bool = True) -> Any:
    client = await _original_open(self, path, clear_forward_history=clear_forward_history)
    url = client.request.url
    if url.path != urlsplit(path).path:
        self.back_history[-1] = url.path + (f"?{url.query}" if url.query else "")
    return client


def _find(self: User, *args: Any, **kwargs: Any) -> Any:
    client = object.__getattribute__(self, "client")
    if client is not None:
        request_contextvar.set(client.request)
    return _original_find(self, *args, **kwargs)


def route_user_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(User, "__init__", _init)
    monkeypatch.setattr(User, "open", _open)
    monkeypatch.setattr(User, "find", _find)
    monkeypatch.setattr(User, "__getattribute__", _getattribute)
    monkeypatch.setattr(ui, "navigate", ui.navigate)
    monkeypatch.setattr(ui, "notify", ui.notify)
    monkeypatch.setattr(ui, "download", ui.download)
