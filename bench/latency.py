"""Notification latency in real browsers: from the agent's confirm
click (Mais > Solicitar Ação > Solicitar) to the manager's badge change.

Two headless Chromium sessions (Selenium, Debian's chromium + chromedriver, loopback
only): Bruno on /agent/tickets/1, Fábio (manager of the ticket's organization) on
/portal. Both times come from the browsers' clocks, `performance.timeOrigin + …`, which
on one machine share the wall clock: the agent page records the click's event time (a
capturing listener), the manager page a MutationObserver's time when the text of the
"Aprovar Ações (N)" badge changes. After each request the bench server cancels it, and
the next round starts once the badge is back and the menu enabled again.

The framework's floor, in the same run and the same two browsers: bench.hello_server's
/send button emits a `nicegui.Event` that a label on / follows.

    .venv/bin/python -m bench.latency [--requests 50]

People sign in through bench.app_server's login route (the session a login form gives).
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar

from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    JavascriptException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from .support import CACHE, Server, chromium_version, load, save, start_server, stop_on_sigterm, summary_ms

WORK = CACHE / "latency"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
         "--window-size=1280,900", "--lang=pt-BR")
BRUNO, FABIO, TICKET = 2, 2, 1  # ids of the demo seed (agents: ana, bruno…; customers: márcia, fábio…)
T = TypeVar("T")

# Records every change of a watched text: [{text, at}] in window.__changes.
WATCH = """
const pattern = new RegExp(arguments[0]);
window.__changes = [];
const current = () => {
  for (const el of document.querySelectorAll('a, div, span')) {
    if (el.children.length === 0 && pattern.test(el.textContent.trim())) return el.textContent.trim();
  }
  return null;
};
let last = current();
new MutationObserver(() => {
  const now = performance.timeOrigin + performance.now();
  const text = current();
  if (text !== last) { last = text; window.__changes.push({text, at: now}); }
}).observe(document.body, {subtree: true, childList: true, characterData: true});
return last;
"""
# Records the time of every click on a button with this label: window.__clicks.
CLICKS = """
const label = arguments[0];
window.__clicks = [];
document.addEventListener('click', (event) => {
  const button = event.target.closest('button');
  if (button && button.textContent.trim() === label) window.__clicks.push(performance.timeOrigin + event.timeStamp);
}, true);
"""
CONNECTED = "return !!(window.socket && window.socket.connected && window.did_handshake)"


def eventually(probe: Callable[[], T], what: str, timeout: float = 20) -> T:
    deadline = time.monotonic() + timeout
    answer: Any = None
    while True:
        with suppress(StaleElementReferenceException, JavascriptException):
            answer = probe()
            if answer:
                return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} (last: {answer!r})")
        time.sleep(0.02)


def chrome() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in FLAGS:
        options.add_argument(flag)
    service = webdriver.ChromeService(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(options=options, service=service)


class Page:
    def __init__(self, driver: webdriver.Chrome, server: Server) -> None:
        self.driver, self.server = driver, server

    def open(self, path: str) -> None:
        self.driver.get(self.server.base + path)
        eventually(lambda: self.driver.execute_script(CONNECTED), f"{path} to connect")

    def js(self, script: str, *args: object) -> Any:
        return self.driver.execute_script(script, *args)

    def visible(self, xpath: str) -> list[WebElement]:
        shown = []
        for element in self.driver.find_elements(By.XPATH, xpath):
            with suppress(StaleElementReferenceException):
                if element.is_displayed():
                    shown.append(element)
        return shown

    def click(self, text: str, within: str = "") -> None:
        def attempt() -> bool:
            found = self.visible(f"{within}//*[text()[normalize-space()='{text}']]")
            if not found:
                return False
            try:
                found[-1].click()
            except (ElementClickInterceptedException, ElementNotInteractableException):
                return False
            return True

        eventually(attempt, f"a click on {text!r}")

    def click_element(self, xpath: str) -> None:
        def attempt() -> bool:
            found = self.visible(xpath)
            if not found:
                return False
            try:
                found[-1].click()
            except (ElementClickInterceptedException, ElementNotInteractableException):
                return False
            return True

        eventually(attempt, f"a click on {xpath}")

    def changes(self) -> list[dict[str, Any]]:
        return list(self.js("return window.__changes || []"))

    def clicks(self) -> list[float]:
        return list(self.js("return window.__clicks || []"))


def post(server: Server, path: str) -> None:
    import urllib.request

    request = urllib.request.Request(server.base + path, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def get(server: Server, path: str) -> Any:
    import json
    import urllib.request

    with urllib.request.urlopen(server.base + path, timeout=30) as response:
        return json.loads(response.read())


CANCELLED_COUNT = "return (document.body.innerText.match(/Cancelada/g) || []).length"


def measure_aval(agent: Page, manager: Page, server: Server, rounds: int) -> dict[str, Any]:
    agent.driver.get(f"{server.base}/bench/login/agent/{BRUNO}")  # sets the session cookie
    manager.driver.get(f"{server.base}/bench/login/customer/{FABIO}")
    agent.open(f"/agent/tickets/{TICKET}")
    manager.open("/portal")
    badge = r"^(Aprovar Ações|Approve actions) \(\d+\)$"
    manager.js(WATCH, badge)
    agent.js(CLICKS, "Solicitar")
    latencies: list[float] = []
    to_loop: list[float] = []  # click → the committed event on the server's event loop
    for number in range(rounds + 2):  # the first two warm the pages up
        seen = len(manager.changes())
        agent.click("Mais")
        agent.click("Solicitar Ação", within="//*[contains(@class, 'q-menu')]")
        agent.click_element("//*[contains(@class, 'q-dialog')]//label[contains(@class, 'q-select')]")
        agent.click("Reembolso", within="//*[contains(@class, 'q-menu')]")
        eventually(lambda: not agent.visible("//*[contains(@class, 'q-menu')]"), "the options to close")
        agent.click("Solicitar", within="//*[contains(@class, 'q-dialog')]")
        change = eventually(lambda seen=seen: [c for c in manager.changes()[seen:] if c["text"].endswith("(1)")],
                            "the manager's badge to show (1)")[0]
        clicked = agent.clicks()[-1]
        if number >= 2:
            latencies.append((change["at"] - clicked) / 1000)
            emitted = [e["at"] for e in get(server, "/bench/emitted") if e["event"] == "ActionRequested"]
            if emitted and clicked <= emitted[-1] <= change["at"]:
                to_loop.append((emitted[-1] - clicked) / 1000)
        cancelled = agent.js(CANCELLED_COUNT)
        post(server, f"/bench/cancel-pending?ticket={TICKET}&agent={BRUNO}")
        eventually(lambda: manager.changes() and not manager.changes()[-1]["text"].endswith("(1)"),
                   "the badge to go back")
        # The agent's page redraws with one more cancelled request and the menu usable again
        # (a click on "Mais" before that redraw loses its menu to it).
        eventually(lambda cancelled=cancelled: agent.js(CANCELLED_COUNT) > cancelled, "the cancelled request")
        eventually(lambda: not agent.visible("//*[contains(@class, 'q-dialog')]"), "the dialog to close")
        time.sleep(0.3)
    return {
        "rounds": len(latencies),
        "latency": summary_ms(latencies),
        "latencies_ms": [round(value * 1000, 1) for value in latencies],  # in order, to see the tail's rounds
        # The rest is the fan-out: the badge's re-read, its update, the browser's render.
        "click_to_event_loop": summary_ms(to_loop),
        "load": load(),
    }


def measure_floor(sender: Page, watcher: Page, rounds: int) -> dict[str, Any]:
    watcher.open("/")
    sender.open("/send")
    watcher.js(WATCH, r"^count \d+$")
    sender.js(CLICKS, "send")
    latencies: list[float] = []
    for number in range(rounds + 2):
        seen = len(watcher.changes())
        sender.click("send")
        change = eventually(lambda seen=seen: watcher.changes()[seen:], "the label to change")[0]
        if number >= 2:
            latencies.append((change["at"] - sender.clicks()[-1]) / 1000)
        time.sleep(0.3)
    return {"rounds": len(latencies), "latency": summary_ms(latencies), "load": load()}


def split_cores(servers: list[Server]) -> None:
    """Every thread of the servers on CPU 0; this process, and so the chromedrivers and
    Chromiums it starts from now on, on the other CPUs."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        raise SystemExit("--split-cores needs at least 2 CPUs")
    for server in servers:
        for task in Path(f"/proc/{server.pid}/task").iterdir():
            os.sched_setaffinity(int(task.name), {cpus[0]})
    os.sched_setaffinity(0, set(cpus[1:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument(
        "--split-cores",
        action="store_true",
        help="servers on the first CPU, the two Chromiums on the others (as when the browsers are other machines)",
    )
    args = parser.parse_args()
    stop_on_sigterm()
    shutil.rmtree(WORK, ignore_errors=True)
    aval = start_server("bench.app_server", WORK / "aval", {"AVAL_DEMO": "1"}, "/healthz")
    hello = start_server("bench.hello_server", WORK / "hello")
    if args.split_cores:
        split_cores([aval, hello])
    drivers = [chrome(), chrome()]
    try:
        agent, manager = Page(drivers[0], aval), Page(drivers[1], aval)
        results: dict[str, Any] = {
            "chromium": chromium_version(),
            "load_before": load(),
            "cores": "servers on CPU 0, browsers on the others" if args.split_cores else "shared",
        }
        results["aval"] = measure_aval(agent, manager, aval, args.requests)
        print(f"aval: {results['aval']}", flush=True)
        results["floor"] = measure_floor(Page(drivers[0], hello), Page(drivers[1], hello), args.requests)
        print(f"floor: {results['floor']}", flush=True)
        results["p95_ratio_to_floor"] = round(results["aval"]["latency"]["p95_ms"]
                                              / results["floor"]["latency"]["p95_ms"], 2)
        results["target"] = "p95 <= 50 ms, <= 3x the floor's p95"
    finally:
        for driver in drivers:
            with suppress(Exception):
                driver.quit()
        aval.stop()
        hello.stop()
    save("latency", results)


if __name__ == "__main__":
    main()
