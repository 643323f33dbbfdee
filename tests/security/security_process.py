"""Aval as its own process (`python main.py`) for the security and crash tests: started on
a free port with its own data dir, stopped politely or killed outright; the use cases run
from the test process straight against the same database; and headless Chromium that
signs in through the real forms and watches for script that should never run."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from domain.service import Services
from persistence.database import make_engine, make_session_factory
from persistence.migrate import upgrade
from persistence.tables import start_mappers
from persistence.uow import SqlUnitOfWork

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo1234"
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,900",
    "--lang=pt-BR",
)
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def eventually(probe: Callable[[], T], what: str, timeout: float = 20.0, step: float = 0.1) -> T:
    deadline = time.monotonic() + timeout
    answer: Any = None
    while True:
        with suppress(Exception):
            answer = probe()
            if answer:
                return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} (last: {answer!r})")
        time.sleep(step)


@dataclass
class AppProcess:
    """One `python main.py`; start() may be called again after a stop or a kill."""

    data_dir: Path
    port: int
    extra_env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / "app.log"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AVAL_", "NICEGUI_", "PYTEST"))}
        env.update(
            AVAL_DATA_DIR=str(self.data_dir),
            AVAL_DEMO="1",
            AVAL_PORT=str(self.port),
            AVAL_HOST="127.0.0.1",
            AVAL_BASE_URL=self.base_url,
            AVAL_LOCALE="pt_BR",
        )
        env.update(self.extra_env)
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)  # the data dir itself is Aval's to make
        with self.log_path.open("ab") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, "main.py"], cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited with {self.process.returncode}:\n{self.log()[-4000:]}")
            with suppress(OSError), urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"the app never answered /healthz:\n{self.log()[-4000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, whatever the app was doing stays half-done."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def app_process(data_dir: Path, **extra_env: str) -> Iterator[AppProcess]:
    app = AppProcess(data_dir=data_dir, port=free_port(), extra_env=dict(extra_env))
    app.start()
    try:
        yield app
    finally:
        app.stop()


def direct_services(database_url: str) -> Services:
    """The use cases on the app's own database, from this process (no live events: the
    app's pages hear nothing of these commits, as from another instance)."""
    engine = make_engine(database_url)
    upgrade(engine)
    start_mappers()
    factory = make_session_factory(engine)
    return Services(lambda: SqlUnitOfWork(factory))


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'aval.sqlite3').resolve()}"


# --- the browser ------------------------------------------------------------------------

CONNECTED = "return !!(window.did_handshake && window.socket?.connected) && document.readyState === 'complete'"
# Runs before any script of every page: an alert, confirm or prompt trips the canary
# instead of blocking the page.
CANARY_TRAPS = """
window.__alerted = [];
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = (...args) => { window.__alerted.push(name + ':' + args.join(',')); };
}
"""
XSS_STATE = """
return {
  xss: typeof window.__xss === 'undefined' ? null : String(window.__xss),
  alerted: window.__alerted || [],
  scriptLinks: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))
    .filter(h => /^\\s*(javascript|data|vbscript):/i.test(h)),
  iframes: document.querySelectorAll('iframe, object, embed').length,
  injectedImages: [...document.querySelectorAll('img, svg, video, audio, details, marquee, math, input')]
    .filter(e => e.outerHTML.includes('__xss')).length,
};
"""


def chrome() -> Any:
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    binary = os.environ.get("CHROME_BINARY_LOCATION") or shutil.which("chromium") or "/usr/bin/chromium"
    options.binary_location = binary
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.set_capability("unhandledPromptBehavior", "ignore")
    service = webdriver.ChromeService(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CANARY_TRAPS})
    return driver


class Browser:
    def __init__(self, driver: Any, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url

    def js(self, script: str, *args: object) -> Any:
        return self.driver.execute_script(script, *args)

    def path(self) -> str:
        url = str(self.driver.current_url)
        return url[len(self.base_url) :] if url.startswith(self.base_url) else url

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)
        eventually(lambda: self.js(CONNECTED), f"{path} to connect")

    def text(self) -> str:
        return str(self.js("return document.body.innerText"))

    def login(self, kind: str, email: str, then: str) -> None:
        from selenium.webdriver.common.by import By

        self.open(("/agent/login" if kind == "agent" else "/portal/login") + f"?next={then}")
        self.driver.find_element(By.XPATH, "//input[@aria-label='E-mail']").send_keys(email)
        self.driver.find_element(By.XPATH, "//input[@aria-label='Senha']").send_keys(PASSWORD)
        self.click_text("Entrar")
        eventually(lambda: self.path() == then, f"landing on {then} (at {self.path()})", timeout=40)
        eventually(lambda: self.js(CONNECTED), f"{then} to connect")

    def click_text(self, text: str) -> None:
        from selenium.webdriver.common.by import By

        def attempt() -> bool:
            found = [e for e in self.driver.find_elements(By.XPATH, f"//*[text()[normalize-space()='{text}']]")
                     if e.is_displayed()]
            if not found:
                return False
            found[-1].click()
            return True

        eventually(attempt, f"a visible {text!r} to click")

    def xss_state(self) -> dict[str, Any]:
        return dict(self.js(XSS_STATE))

    def alert_open(self) -> bool:
        from selenium.common.exceptions import NoAlertPresentException

        try:
            self.driver.switch_to.alert  # noqa: B018 (the lookup itself is the probe)
        except NoAlertPresentException:
            return False
        return True

    def quit(self) -> None:
        with suppress(Exception):
            self.driver.quit()


def close_socket(client: Any) -> None:
    """Ends a python-socketio client on long-polling at once: a plain `disconnect()`
    waits for the open long-poll to return, 6 s a socket."""
    client.eio.disconnect(abort=True)
