"""Sessions that end when they should, driven as an attacker found them: real browser tabs
(signing out in one tab ends the others at once), the session cookie (a cookie planted
before the login carries nothing after it) and a Socket.IO client speaking NiceGUI's
protocol (a foreign origin is refused; a socket without the page's browser session
cannot drive that page, even knowing its `client_id`)."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import socketio
from security_process import (
    AppProcess,
    Browser,
    app_process,
    chrome,
    close_socket,
    direct_services,
    eventually,
    sqlite_url,
)
from selenium.webdriver.common.by import By

from domain import tickets
from domain.access import Actor
from tests import demo_lookups

ANA = "ana.admin@demo.test"
BRUNO = "bruno.agente@demo.test"
SOCKET_PATH = "/_nicegui_ws/socket.io"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    with app_process(tmp_path_factory.mktemp("sessions") / "data") as running:
        yield running


def history_bodies(app: AppProcess, number: int) -> list[str]:
    services = direct_services(sqlite_url(app.data_dir))
    ana = Actor.agent(services.run(demo_lookups.agent_id, ANA))
    view = services.run(tickets.ticket_view, ana, number)
    return [str(entry.body) for entry in view.history if getattr(entry, "body", None)]


def sign_out_here(browser: Browser) -> None:
    browser.driver.find_element(By.XPATH, "//button[@aria-label='Conta']").click()
    browser.click_text("Sair")


def fresh_cookie(app: AppProcess) -> str:
    """The session cookie a browser receives before signing in."""
    with urllib.request.urlopen(app.base_url + "/agent/login", timeout=10) as answer:
        raw = next(h for h in answer.headers.get_all("Set-Cookie") or [] if h.startswith("session="))
    return raw.split(";")[0].split("=", 1)[1]


# --- 1. signing out in one tab ends the others ------------------------------------------


def test_signing_out_in_one_tab_ends_the_identity_in_the_other_tabs_at_once(app: AppProcess) -> None:
    browser = Browser(chrome(), app.base_url)
    try:
        browser.login("agent", BRUNO, "/agent/tickets/2")
        first = browser.driver.current_window_handle
        browser.driver.switch_to.new_window("tab")
        browser.open("/agent/tickets/2")
        second = browser.driver.current_window_handle
        eventually(lambda: "Servidor de produção lento" in browser.text(), "the ticket in the second tab")
        reply = browser.driver.find_element(By.XPATH, "//textarea[@aria-label='Resposta']")
        reply.send_keys("resposta depois de sair")
        time.sleep(0.5)  # the typed text reaches the server, as it would while someone types

        browser.driver.switch_to.window(first)
        sign_out_here(browser)
        eventually(lambda: browser.path().startswith("/agent/login"), "the first tab at the login")

        # The second tab, already open and untouched, is sent to the login on its own...
        browser.driver.switch_to.window(second)
        eventually(lambda: browser.path().startswith("/agent/login"), f"the second tab at the login ({browser.path()})")
        assert "next=%2Fagent%2Ftickets%2F2" in browser.path()
        # ...and nothing it could still send goes through: the reply was never posted.
        assert "resposta depois de sair" not in history_bodies(app, 2)
    finally:
        browser.quit()


def test_an_event_a_tab_sends_after_the_sign_out_runs_nothing(app: AppProcess) -> None:
    """The race: a click that leaves the second tab before the news of the sign-out
    arrives. The server drops it (the page's identity is gone) instead of running it."""
    browser = Browser(chrome(), app.base_url)
    try:
        browser.login("agent", BRUNO, "/agent/tickets/3")
        first = browser.driver.current_window_handle
        browser.driver.switch_to.new_window("tab")
        browser.open("/agent/tickets/3")
        second = browser.driver.current_window_handle
        browser.driver.find_element(By.XPATH, "//textarea[@aria-label='Resposta']").send_keys("clique atrasado")
        time.sleep(0.5)
        # The second tab does not follow the server's "go to the login" (as if it had not
        # arrived yet), but still sends: its click goes out after the sign-out.
        browser.js("window.open = () => { window.__held = (window.__held || 0) + 1; };")
        browser.driver.switch_to.window(first)
        sign_out_here(browser)
        eventually(lambda: browser.path().startswith("/agent/login"), "the first tab at the login")
        browser.driver.switch_to.window(second)
        eventually(lambda: browser.js("return window.__held") == 1, "the server sending the tab to the login")
        browser.click_text("Enviar resposta")
        eventually(lambda: browser.js("return window.__held") == 2, "the click refused, the tab sent to login again")
        time.sleep(0.5)
        assert browser.path() == "/agent/tickets/3"
        assert "clique atrasado" not in history_bodies(app, 3)
    finally:
        browser.quit()


# --- 2. a new session id at sign-in ------------------------------------------------------


def test_the_cookie_from_before_the_login_carries_no_identity_after_it(app: AppProcess) -> None:
    planted = fresh_cookie(app)  # what an attacker would plant in the victim's browser
    browser = Browser(chrome(), app.base_url)
    try:
        browser.open("/agent/login")
        browser.driver.delete_cookie("session")
        browser.driver.add_cookie({"name": "session", "value": planted, "path": "/", "httpOnly": True})
        browser.login("agent", BRUNO, "/agent")
        after = str(browser.driver.get_cookie("session")["value"])
        assert after != planted
        assert json.loads(_payload(after))["id"] != json.loads(_payload(planted))["id"]
    finally:
        browser.quit()
    # The planted cookie opens nothing: the attacker holding it is sent to the login.
    request = urllib.request.Request(app.base_url + "/agent", headers={"Cookie": f"session={planted}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.url.startswith(app.base_url + "/agent/login"), answer.url
        assert 'aria-label="Conta"' not in answer.read().decode()


def _payload(cookie: str) -> str:
    import base64

    data = cookie.split(".")[0]
    return base64.b64decode(data + "=" * (-len(data) % 4)).decode()


# --- 6. the websocket -----------------------------------------------------------------------


def elements_of(page_source: str) -> dict[str, Any]:
    match = re.search(r"parseElements\(String\.raw`(.*?)`\)", page_source, re.DOTALL)
    assert match is not None
    return dict(json.loads(match.group(1)))


def listener(elements: dict[str, Any], label: str, event: str) -> tuple[int, str]:
    for element_id, element in elements.items():
        if (element.get("props") or {}).get("label") == label:
            for item in element.get("events") or []:
                if item["type"] == event:
                    return int(element_id), str(item["listener_id"])
    raise AssertionError(f"no {event} listener on {label!r}")


def connect(app: AppProcess, headers: dict[str, str]) -> socketio.Client:
    """A Socket.IO client on long-polling, which sends exactly the headers given (the
    websocket transport's library adds an Origin of its own)."""
    client = socketio.Client(reconnection=False)
    client.connect(app.base_url, socketio_path=SOCKET_PATH, transports=["polling"], headers=headers, wait_timeout=10)
    return client


def test_another_sites_origin_may_not_open_a_socket(app: AppProcess) -> None:
    cookie = f"session={fresh_cookie(app)}"
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(app, {"Origin": "https://evil.example", "Cookie": cookie})
    # The app's own origin still gets in.
    own = connect(app, {"Origin": app.base_url, "Cookie": cookie})
    assert own.connected
    close_socket(own)


def test_a_socket_without_the_pages_browser_session_cannot_drive_that_page(app: AppProcess) -> None:
    victim = Browser(chrome(), app.base_url)
    attacker: socketio.Client | None = None
    try:
        victim.login("agent", BRUNO, "/agent/tickets/4")
        client_id = str(victim.js("return window.clientId"))
        elements = elements_of(victim.driver.page_source)
        textarea, typed = listener(elements, "Resposta", "update:value")
        button, clicked = listener(elements, "Enviar resposta", "click")

        # The attacker knows the page's client_id but has a browser session of their own.
        attacker = connect(app, {"Origin": app.base_url, "Cookie": f"session={fresh_cookie(app)}"})
        accepted = attacker.call(
            "handshake", {"client_id": client_id, "tab_id": "forged", "document_id": "forged"}, timeout=10
        )
        assert accepted is False
        attacker.emit("event", {"id": textarea, "client_id": client_id, "listener_id": typed,
                                "args": [json.dumps("resposta forjada")]})
        attacker.emit("event", {"id": button, "client_id": client_id, "listener_id": clicked, "args": []})
        time.sleep(1.5)
        assert "resposta forjada" not in history_bodies(app, 4)
        assert "resposta forjada" not in victim.text()

        # The victim's own page still works.
        victim.driver.find_element(By.XPATH, "//textarea[@aria-label='Resposta']").send_keys("resposta legítima")
        victim.click_text("Enviar resposta")
        eventually(lambda: "resposta legítima" in history_bodies(app, 4), "the victim's own reply")
    finally:
        if attacker is not None:
            close_socket(attacker)
        victim.quit()
