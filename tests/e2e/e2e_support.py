"""What the end-to-end tests and `scripts/screenshots.py` share: Aval started as its own
process (`python main.py`) on a free port with its own data dir, an SMTP sink the outbox
worker really delivers to, and headless Chromium sessions driven by Selenium that read
and click the pages the way a person does — by the words on the screen."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

from aiosmtpd.controller import Controller
from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    JavascriptException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo1234"
ANA = "ana.admin@demo.test"
BRUNO = "bruno.agente@demo.test"
CARLA = "carla.agente@demo.test"
MARCIA = "marcia.gerente@demo.test"
FABIO = "fabio.gerente@demo.test"
JOAO = "joao.cliente@demo.test"
LIVIA = "livia.avulsa@demo.test"

CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,800",
    "--lang=pt-BR",
)
WAIT = 15.0  # seconds a page may take to show what a step expects (2 shared cores)
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def eventually(probe: Callable[[], T], what: str, timeout: float = WAIT) -> T:
    """Polls `probe` until it answers something truthy (browsers and the worker are
    asynchronous); fails with `what` and the last answer."""
    deadline = time.monotonic() + timeout
    answer: Any = None
    while True:
        with suppress(StaleElementReferenceException, JavascriptException):
            answer = probe()
            if answer:
                return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} (last: {answer!r})")
        time.sleep(0.1)


# --- the SMTP sink -------------------------------------------------------------------


@dataclass
class Mail:
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""


@dataclass
class SmtpSink:
    """Collects every message the app's outbox worker delivers."""

    mails: list[Mail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.mails.append(Mail(list(envelope.rcpt_tos), message))
        return "250 OK"

    def received(self) -> list[Mail]:
        with self.lock:
            return list(self.mails)

    def to(self, address: str, subject_contains: str = "") -> list[Mail]:
        return [m for m in self.received() if address in m.recipients and subject_contains in m.subject]

    def wait_for(self, address: str, subject_contains: str, count: int = 1) -> list[Mail]:
        return eventually(
            lambda: (found := self.to(address, subject_contains)) and len(found) >= count and found,
            f"{count} mail(s) to {address} about {subject_contains!r}; got {[m.subject for m in self.received()]}",
            timeout=30,
        )


@contextmanager
def smtp_sink() -> Iterator[tuple[SmtpSink, int]]:
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


# --- the app as a process ------------------------------------------------------------


@dataclass
class RunningApp:
    base_url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def running_app(data_dir: Path, smtp_port: int | None) -> Iterator[RunningApp]:
    """`python main.py` with the demo seeded into a fresh data dir; stopped afterwards."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # Without PYTEST_CURRENT_TEST: NiceGUI would take itself for a `screen` test server.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AVAL_", "NICEGUI_", "PYTEST_"))}
    env.update(
        AVAL_DATA_DIR=str(data_dir),
        AVAL_DEMO="1",
        AVAL_PORT=str(port),
        AVAL_HOST="127.0.0.1",
        AVAL_BASE_URL=base_url,
        AVAL_LOCALE="pt_BR",
    )
    if smtp_port is not None:
        env.update(AVAL_SMTP_HOST="127.0.0.1", AVAL_SMTP_PORT=str(smtp_port), AVAL_SMTP_TLS="none")
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir.parent / "app.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "main.py"], cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    app = RunningApp(base_url, data_dir, process, log_path)
    try:
        _wait_healthy(app)
        yield app
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_healthy(app: RunningApp, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise RuntimeError(f"the app exited with {app.process.returncode}:\n{app.log()}")
        with suppress(OSError), urllib.request.urlopen(app.base_url + "/healthz", timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the app never answered /healthz:\n{app.log()}")


# --- browsers ------------------------------------------------------------------------


def chrome() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    binary = os.environ.get("CHROME_BINARY_LOCATION") or shutil.which("chromium") or "/usr/bin/chromium"
    options.binary_location = binary
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(driver_path))
    driver.set_window_size(1280, 800)
    return driver


def _literal(text: str) -> str:
    """An XPath string literal for any text (XPath 1 has no escape for quotes)."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ', "\'", '.join(f"'{part}'" for part in text.split("'")) + ")"


def _displayed(elements: list[WebElement]) -> list[WebElement]:
    shown = []
    for element in elements:
        with suppress(StaleElementReferenceException):
            if element.is_displayed():
                shown.append(element)
    return shown


class Browser:
    """One person at one browser window."""

    def __init__(self, driver: webdriver.Chrome, base_url: str, name: str) -> None:
        self.driver = driver
        self.base_url = base_url
        self.name = name

    # navigation and signing in

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)
        self.wait_connected()

    def wait_connected(self) -> None:
        """The page is drawn and its websocket is up (events reach it from now on)."""
        eventually(
            lambda: self.js(CONNECTED),
            f"{self.name}'s page to connect",
        )

    def login(self, kind: str, address: str, then: str) -> None:
        login_path = "/agent/login" if kind == "agent" else "/portal/login"
        self.open(f"{login_path}?next={then}")
        self.field("E-mail").send_keys(address)
        self.field("Senha").send_keys(PASSWORD)
        self.click("Entrar")
        eventually(lambda: self.path() == then, f"{self.name} to land on {then} (at {self.path()})", timeout=30)
        self.wait_connected()

    def path(self) -> str:
        url = str(self.driver.current_url)
        return url[len(self.base_url) :] if url.startswith(self.base_url) else url

    def js(self, script: str, *args: object) -> Any:
        return self.driver.execute_script(script, *args)

    # reading

    def body_text(self) -> str:
        return str(self.js("return document.body.innerText"))

    def sees(self, text: str) -> bool:
        """Some text node on screen holds `text` (as written, not as CSS capitalises it)."""
        return bool(self.js(SEES, text))

    def should_see(self, text: str, timeout: float = WAIT) -> None:
        eventually(lambda: self.sees(text), f"{self.name} to see {text!r}", timeout)

    def should_not_see(self, text: str, timeout: float = WAIT) -> None:
        eventually(lambda: not self.sees(text), f"{self.name} to stop seeing {text!r}", timeout)

    def visible(self, xpath: str) -> list[WebElement]:
        return _displayed(self.driver.find_elements(By.XPATH, xpath))

    def with_text(self, text: str, within: str = "") -> list[WebElement]:
        """Visible elements carrying exactly this text themselves (a button's label span,
        a menu item's label, a link)."""
        return self.visible(f"{within}//*[text()[normalize-space()={_literal(text)}]]")

    def one(self, text: str, within: str = "", timeout: float = WAIT) -> WebElement:
        found = eventually(lambda: self.with_text(text, within), f"{self.name} to show {text!r}", timeout)
        return found[-1]  # the newest: a dialog or menu is added after the page

    def field(self, label: str, within: str = "") -> WebElement:
        xpath = f"{within}//*[(self::input or self::textarea) and @aria-label={_literal(label)}]"
        return eventually(lambda: self.visible(xpath), f"{self.name}'s field {label!r}")[-1]

    def title(self) -> str:
        return str(self.driver.title)

    # acting

    def click(self, text: str, within: str = "", timeout: float = WAIT) -> None:
        def attempt() -> bool:
            if within and self.driver.find_elements(By.XPATH, MOVING):
                return False  # a dialog or menu still sliding in: a click now can land on nothing
            found = self.with_text(text, within)
            if not found:
                return False
            try:
                found[-1].click()
            except (ElementClickInterceptedException, ElementNotInteractableException):
                return False  # a closing dialog or a toast is in the way for a moment
            return True

        eventually(attempt, f"{self.name} to click {text!r}", timeout)

    def type_into(self, label: str, text: str, within: str = "") -> None:
        element = self.field(label, within)
        element.send_keys(Keys.CONTROL, "a")
        element.send_keys(Keys.DELETE)
        element.send_keys(text)

    def open_select(self, label: str) -> None:
        """Opens the options of a select (q-select) found by its label."""
        caption = f"[contains(@class, 'q-field__label')][normalize-space()={_literal(label)}]"
        xpath = f"//label[contains(@class, 'q-select')][.//*{caption}]"
        eventually(lambda: self.visible(xpath), f"{self.name}'s select {label!r}")[-1].click()

    def choose(self, label: str, option: str) -> None:
        """Picks an option of a select (q-select) by its label."""
        def attempt() -> bool:
            if not self.visible(MENU):
                self.open_select(label)
            try:
                self.click(option, within=MENU, timeout=3)
            except AssertionError:
                return False  # the options never opened (clicked while the page was busy): again
            return True

        eventually(attempt, f"{self.name} to choose {option!r} in {label!r}")
        eventually(lambda: not self.visible(MENU), f"{self.name}'s options to close")

    def switch(self, label: str) -> WebElement:
        xpath = f"//*[@role='switch'][.//text()[normalize-space()={_literal(label)}]]"
        return eventually(lambda: self.visible(xpath), f"{self.name}'s switch {label!r}")[-1]

    def switch_is_on(self, label: str) -> bool:
        return self.switch(label).get_attribute("aria-checked") == "true"

    def set_switch(self, label: str, on: bool) -> None:
        if self.switch_is_on(label) != on:
            self.switch(label).click()
        eventually(lambda: self.switch_is_on(label) == on, f"{self.name}'s switch {label!r} to be {on}")

    def bell_count(self) -> int:
        """The unread count on the agent's bell (0 while the badge is hidden)."""
        badges = self.visible(BELL_BADGE)
        return int(badges[0].text) if badges and badges[0].text.strip() else 0

    def links_to(self, prefix: str) -> list[str]:
        """The paths of the visible links that start with `prefix`."""
        hrefs = [e.get_attribute("href") or "" for e in self.visible(f"//a[contains(@href, {_literal(prefix)})]")]
        return [h[len(self.base_url) :] if h.startswith(self.base_url) else h for h in hrefs]

    def press_escape(self) -> None:
        self.driver.switch_to.active_element.send_keys(Keys.ESCAPE)

    # the page itself

    def mark_no_reload(self) -> None:
        """A marker that survives only as long as this very page (a reload drops it)."""
        self.js("window.__noReload = 1")

    def assert_not_reloaded(self) -> None:
        assert self.js("return window.__noReload === 1"), f"{self.name}'s page was reloaded"

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(path))

    def quit(self) -> None:
        with suppress(WebDriverException):
            self.driver.quit()

    # the system notifications of the browser (spec §6: the tab in the background)

    def record_notifications(self, *, hidden: bool) -> None:
        """Allows this site's notifications, makes the page believe its tab is in the
        background (or not), and records every notification the page creates (each is
        still made by the real API)."""
        self.driver.execute_cdp_cmd(
            "Browser.grantPermissions", {"origin": self.base_url, "permissions": ["notifications"]}
        )
        self.js(RECORD_NOTIFICATIONS, hidden)

    def notifications(self) -> list[dict[str, str]]:
        return list(self.js(RECORDED))

    def click_notification(self, index: int = 0) -> None:
        self.js("window.__notifications[arguments[0]].onclick()", index)


MENU = "//div[contains(@class, 'q-menu')]"
DIALOG = "//div[contains(@class, 'q-dialog')]"
# Quasar's enter/leave transitions, while they run.
MOVING = "//*[contains(@class, '-enter-active') or contains(@class, '-leave-active')]"
BELL_BADGE = "//header//button[.//i[normalize-space()='notifications']]//*[contains(@class, 'q-badge')]"

CONNECTED = "return !!(window.did_handshake && window.socket?.connected) && document.readyState === 'complete'"
RECORDED = "return (window.__notifications || []).map(n => ({title: n.__title, body: n.__body, tag: n.__tag}))"
SEES = """
const needle = arguments[0];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  const parent = node.parentElement;
  if (node.nodeValue.includes(needle) && parent && parent.checkVisibility({visibilityProperty: true})) return true;
}
return false;
"""

RECORD_NOTIFICATIONS = """
const hidden = arguments[0];
Object.defineProperty(document, 'hidden', {value: hidden, configurable: true});
Object.defineProperty(document, 'visibilityState', {value: hidden ? 'hidden' : 'visible', configurable: true});
if (Notification.permission !== 'granted') throw new Error('notifications not granted: ' + Notification.permission);
const Real = window.Notification;
window.__notifications = [];
class Recorded extends Real {
  constructor(title, options = {}) {
    super(title, options);
    this.__title = title; this.__body = options.body || ''; this.__tag = options.tag || '';
    window.__notifications.push(this);
  }
}
window.Notification = Recorded;
"""


# --- what the fixtures hand to the tests -----------------------------------------------


@dataclass
class Aval:
    app: RunningApp
    mail: SmtpSink

    @property
    def base_url(self) -> str:
        return self.app.base_url


@dataclass
class People:
    """One browser window per person, opened the first time a step needs them."""

    base_url: str
    browsers: dict[str, Browser] = field(default_factory=dict)

    def _get(self, kind: str, address: str, path: str) -> Browser:
        browser = self.browsers.get(address)
        if browser is None:
            browser = Browser(chrome(), self.base_url, address.split(".")[0])
            self.browsers[address] = browser
            browser.login(kind, address, path)
        else:
            browser.open(path)
        return browser

    def agent(self, address: str, path: str = "/agent") -> Browser:
        return self._get("agent", address, path)

    def customer(self, address: str, path: str = "/portal") -> Browser:
        return self._get("customer", address, path)

    def quit(self) -> None:
        for browser in self.browsers.values():
            browser.quit()
