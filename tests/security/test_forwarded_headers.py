"""The login throttle against raw requests to the running app (`python main.py`), the
form driven over Socket.IO as NiceGUI's page script drives it: an `X-Forwarded-For` is
believed only from a configured proxy (AVAL_TRUSTED_PROXIES), and a stranger's wrong
passwords never lock the owner out."""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import socketio
from security_process import AppProcess, app_process, close_socket

BRUNO = "bruno.agente@demo.test"
PASSWORD = "demo1234"
WRONG = "E-mail ou senha incorretos."
TOO_MANY = "Muitas tentativas sem sucesso. Aguarde alguns minutos e tente novamente."
SOCKET_PATH = "/_nicegui_ws/socket.io"


class LoginForm:
    """One /agent/login page, fetched with the given headers and driven over its socket."""

    def __init__(self, app: AppProcess, headers: dict[str, str]) -> None:
        request = urllib.request.Request(app.base_url + "/agent/login", headers=headers)
        with urllib.request.urlopen(request, timeout=20) as answer:
            page = answer.read().decode()
            cookie = next(h for h in answer.headers.get_all("Set-Cookie") or [] if h.startswith("session="))
        self.client_id = re.search(r"'client_id': '([0-9a-f-]+)'", page).group(1)  # type: ignore[union-attr]
        match = re.search(r"parseElements\(String\.raw`(.*?)`\)", page, re.DOTALL)
        assert match is not None
        self.elements: dict[str, Any] = json.loads(match.group(1))
        self.error_id = next(i for i, e in self.elements.items() if "text-negative" in (e.get("class") or []))
        self.answers: list[str] = []
        self.opened: list[str] = []
        self.changed = threading.Event()
        self.socket = socketio.Client(reconnection=False)
        self.socket.on("update", self._on_update)
        self.socket.on("open", self._on_open)
        session = cookie.split(";")[0]
        self.socket.connect(app.base_url, socketio_path=SOCKET_PATH, transports=["polling"],
                            headers={"Cookie": session, "Origin": app.base_url}, wait_timeout=10)
        accepted = self.socket.call(
            "handshake", {"client_id": self.client_id, "tab_id": "t", "document_id": "d"}, timeout=10
        )
        assert accepted is True

    def _on_update(self, data: dict[str, Any]) -> None:
        element = data.get(self.error_id)
        if element and element.get("text"):
            self.answers.append(str(element["text"]))
            self.changed.set()

    def _on_open(self, data: dict[str, Any]) -> None:
        self.opened.append(str(data.get("path")))
        self.changed.set()

    def _listener(self, label: str, event: str) -> tuple[int, str]:
        for element_id, element in self.elements.items():
            if (element.get("props") or {}).get("label") == label:
                return int(element_id), next(e["listener_id"] for e in element["events"] if e["type"] == event)
        raise AssertionError(label)

    def _send(self, label: str, event: str, args: list[str]) -> None:
        element_id, listener_id = self._listener(label, event)
        self.socket.emit("event", {"id": element_id, "client_id": self.client_id, "listener_id": listener_id,
                                   "args": args})

    def try_login(self, email: str, password: str) -> str:
        """The form's first answer: its error text, or "signed in" when it sends the
        browser on. (Once per page: a second equal error text would send no update.)"""
        self.changed.clear()
        self._send("E-mail", "update:value", [json.dumps(email)])
        self._send("Senha", "update:value", [json.dumps(password)])
        self._send("Entrar", "click", [])
        assert self.changed.wait(30), "the form never answered"
        if self.opened and self.opened[-1].startswith("/auth/signed-in"):
            return "signed in"
        return self.answers[-1]

    def close(self) -> None:
        close_socket(self.socket)


def attempt(app: AppProcess, headers: dict[str, str], email: str, password: str) -> str:
    form = LoginForm(app, headers)
    try:
        return form.try_login(email, password)
    finally:
        form.close()


@pytest.fixture(scope="module")
def no_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    with app_process(tmp_path_factory.mktemp("noproxy") / "data") as app:
        yield app


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    with app_process(tmp_path_factory.mktemp("proxy") / "data", AVAL_TRUSTED_PROXIES="127.0.0.1") as app:
        yield app


def test_a_forwarded_address_from_an_untrusted_peer_is_not_believed(no_proxy: AppProcess) -> None:
    # Twenty failures, each claiming another address: they all count for the one that
    # really connected (loopback), which is then refused whatever it claims next.
    for index in range(20):
        spoofed = {"X-Forwarded-For": f"203.0.113.{index + 1}"}
        assert attempt(no_proxy, spoofed, f"guess{index}@demo.test", "wrong") == WRONG
    answer = attempt(no_proxy, {"X-Forwarded-For": "198.51.100.99"}, BRUNO, PASSWORD)
    assert answer == TOO_MANY


def test_behind_the_configured_proxy_the_forwarded_address_counts(behind_proxy: AppProcess) -> None:
    for index in range(20):
        assert attempt(behind_proxy, {"X-Forwarded-For": "203.0.113.7"}, f"guess{index}@demo.test", "x") == WRONG
    refused = attempt(behind_proxy, {"X-Forwarded-For": "203.0.113.7"}, BRUNO, PASSWORD)
    assert refused == TOO_MANY
    # Another visitor of the same proxy has a budget of their own.
    assert attempt(behind_proxy, {"X-Forwarded-For": "198.51.100.20"}, BRUNO, PASSWORD) == "signed in"


def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out(behind_proxy: AppProcess) -> None:
    stranger = {"X-Forwarded-For": "192.0.2.66"}
    for _ in range(5):
        assert attempt(behind_proxy, stranger, BRUNO, "wrong") == WRONG
    assert attempt(behind_proxy, stranger, BRUNO, PASSWORD) == TOO_MANY  # the stranger is slowed
    # Bruno, from his own address: in at once.
    assert attempt(behind_proxy, {"X-Forwarded-For": "198.51.100.10"}, BRUNO, PASSWORD) == "signed in"
