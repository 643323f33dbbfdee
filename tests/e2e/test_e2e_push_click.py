"""The service worker (delivery/static/sw.js, served at /sw.js) in real Chromium: a Web
Push message about a new request shows a notification with *Aprovar* / *Reprovar*
buttons, and clicking one opens that manager's `/e/{token}` page — which still decides
nothing until its own button is pressed (spec §11).

What is real and what is not. Chromium offers no way to click a notification from a test
(no DevTools command, no WebDriver one), so:
  * real: the app's sw.js registered in the manager's browser; a push message delivered
    through Chromium's push machinery (DevTools `ServiceWorker.deliverPushMessage`) with
    the payload our delivery code makes for that manager's request (links from the mail
    the SMTP sink received); the notification the worker shows, read back with
    `registration.getNotifications()`; then the worker's own `notificationclick` listener
    run inside the worker (DevTools `Runtime.evaluate` on its target) with that very
    notification and the button's action, seeing the real open tabs (`clients.matchAll`);
    and the page it asked for, opened in the manager's browser;
  * replaced: `clients.openWindow` and `WindowClient.focus` only — Chromium lets a worker
    open or focus a window only during a click the user really made ("Not allowed to
    open a window"), so the test records what the handler asks them for instead;
  * watched: `showNotification` is wrapped (calling the real one) so the test knows when
    the push handler finished before it reads the notification back.
Not covered: the operating system's notification and a person's real click on it."""

from __future__ import annotations

import itertools
import json
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from typing import Any

import pytest
from e2e_support import BRUNO, DIALOG, FABIO, MENU, Aval, Browser, People, eventually
from websockets.sync.client import ClientConnection, connect

from delivery.messages import render_push
from delivery.webpush_sender import encode_payload
from domain.model import Channel, OutboxMessage

pytestmark = pytest.mark.e2e

ACTION = "Reembolso"


class DevTools:
    """The browser's DevTools protocol over its own websocket: selenium's CDP call reaches
    only the page, not the service worker's target, and cannot wait for events."""

    def __init__(self, browser: Browser) -> None:
        address = browser.driver.capabilities["goog:chromeOptions"]["debuggerAddress"]
        with urllib.request.urlopen(f"http://{address}/json/version", timeout=10) as answer:
            endpoint = json.load(answer)["webSocketDebuggerUrl"]
        self._closing = ExitStack()
        self.socket: ClientConnection = self._closing.enter_context(connect(endpoint, max_size=None, open_timeout=10))
        self.events: list[dict[str, Any]] = []
        self.worker = ""  # the session on the service worker, once attached
        self._ids = itertools.count(1)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        number = next(self._ids)
        message: dict[str, Any] = {"id": number, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        while True:
            answer = json.loads(self.socket.recv(timeout=30))
            if answer.get("id") != number:
                self.events.append(answer)
            elif "error" in answer:
                raise AssertionError(f"{method}: {answer['error']}")
            else:
                return dict(answer.get("result", {}))

    def wait_event(self, method: str) -> dict[str, Any]:
        def seen() -> dict[str, Any] | None:
            found = [e for e in self.events if e.get("method") == method]
            if found:
                return dict(found[-1]["params"])
            with suppress(TimeoutError):
                self.events.append(json.loads(self.socket.recv(timeout=0.5)))
            return None

        return eventually(seen, f"DevTools event {method}")

    def attach(self, kind: str) -> str:
        """A session on the first target of that kind ("page", "service_worker")."""
        targets = self.send("Target.getTargets")["targetInfos"]
        target = next(t for t in targets if t["type"] == kind)
        return str(self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})["sessionId"])

    def evaluate(self, expression: str) -> Any:
        """The value of a script run (awaited) in the service worker."""
        answer = self.send(
            "Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True}, self.worker
        )
        assert "exceptionDetails" not in answer, answer
        return answer["result"].get("value")

    def close(self) -> None:
        self._closing.close()


@pytest.fixture(scope="module")
def links(aval: Aval, people: People) -> dict[str, str]:
    """Bruno asks for an action on ticket 1; Fábio's mail brings his two links."""
    bruno = people.agent(BRUNO, "/agent/tickets/1")
    bruno.click("Mais")
    bruno.click("Solicitar Ação", within=MENU)
    bruno.choose("Ação", ACTION)
    bruno.click("Solicitar", within=DIALOG)
    bruno.should_see("Ação solicitada; os gerentes da organização foram avisados.")
    [mail] = aval.mail.wait_for(FABIO, "aprovação solicitada")
    found = dict(re.findall(r"^(Aprovar|Reprovar): (\S+)", mail.text, re.MULTILINE))
    request = re.search(r"/portal/approvals/(\d+)", mail.text)
    assert set(found) == {"Aprovar", "Reprovar"} and request is not None, mail.text
    return {"approve": found["Aprovar"], "reject": found["Reprovar"], "request": request.group(1)}


@pytest.fixture(scope="module")
def fabio(people: People) -> Browser:
    return people.customer(FABIO, "/portal/approvals")


@pytest.fixture(scope="module")
def devtools(fabio: Browser) -> Iterator[DevTools]:
    tools = DevTools(fabio)
    yield tools
    tools.close()


def push_document(aval: Aval, links: dict[str, str], kind: str = "request_created") -> str:
    """What delivery sends Fábio about the request: render_push + encode_payload of his
    request_created (or request_reminder) row, carrying the links his mail carried."""
    message = OutboxMessage(
        dedup_key="test",
        channel=Channel.PUSH,
        kind=kind,
        recipient_kind="customer",
        recipient_id=0,
        recipient_email=FABIO,
        locale="pt_BR",
        payload={
            "request_id": int(links["request"]),
            "ticket_number": 1,
            "ticket_subject": "Impressora",
            "action_name": ACTION,
            "requested_by_name": "Bruno",
            "path": f"/portal/approvals/{links['request']}",
            "approve_path": urllib.parse.urlsplit(links["approve"]).path,
            "reject_path": urllib.parse.urlsplit(links["reject"]).path,
        },
    )
    return encode_payload(render_push(message, aval.base_url, "pt_BR"))


def show_notification(
    aval: Aval, fabio: Browser, devtools: DevTools, links: dict[str, str], kind: str = "request_created"
) -> list[dict[str, Any]]:
    """Registers /sw.js as the portal's opt-in does, lets the site notify, delivers the
    push message to the worker and returns the notifications it shows."""
    fabio.open("/portal/approvals")
    fabio.driver.set_script_timeout(30)
    state = fabio.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "navigator.serviceWorker.register('/sw.js', {scope: '/'})"
        "  .then(() => navigator.serviceWorker.ready)"
        "  .then(async (r) => { (await r.getNotifications()).forEach((n) => n.close()); done(r.active.scriptURL); })"
        "  .catch((e) => done(String(e)));"
    )  # a step's notification only: the previous steps' are closed
    assert state == f"{aval.base_url}/sw.js", state
    # `ready` may answer while the worker is still activating; a push delivered then is lost.
    eventually(
        lambda: fabio.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "navigator.serviceWorker.ready.then((r) => done(r.active.state === 'activated'));"
        ),
        "the worker to be activated",
    )
    devtools.send("Browser.grantPermissions", {"origin": aval.base_url, "permissions": ["notifications"]})
    page = devtools.attach("page")
    devtools.send("ServiceWorker.enable", session=page)
    registrations = devtools.wait_event("ServiceWorker.workerRegistrationUpdated")["registrations"]
    [registration] = [r for r in registrations if r["scopeURL"] == f"{aval.base_url}/" and not r["isDeleted"]]
    # A session on the worker, where the test watches the push handler and runs the click.
    devtools.worker = devtools.attach("service_worker")
    shown_before = devtools.evaluate(COUNT_SHOWN)
    push = {"origin": aval.base_url, "registrationId": registration["registrationId"],
            "data": push_document(aval, links, kind)}
    devtools.send("ServiceWorker.deliverPushMessage", push, session=page)

    # Read the notifications only once the worker's showNotification settled: read while
    # one is being displayed, headless Chromium may drop it (its notification store is
    # trimmed to the notifications displayed at that moment).
    settled = eventually(lambda: devtools.evaluate(COUNT_SHOWN)[len(shown_before):], "the push handler to finish")
    assert settled == ["shown"], settled

    def shown() -> list[dict[str, Any]] | None:
        notes = fabio.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((ns) => done(ns.map((n) => ("
            "  {title: n.title, body: n.body, actions: n.actions.map((a) => [a.action, a.title]), data: n.data}))));"
        )
        return list(notes) or None

    return eventually(shown, "the worker's notification")


# Counts, inside the worker, how its showNotification calls ended ("shown" or the error),
# wrapping the browser's own method once; what the worker does is unchanged.
COUNT_SHOWN = """(() => {
  if (!self.testShown) {
    self.testShown = [];
    const show = ServiceWorkerRegistration.prototype.showNotification;
    ServiceWorkerRegistration.prototype.showNotification = function (...args) {
      const showing = show.apply(this, args);
      showing.then(() => self.testShown.push('shown'), (error) => self.testShown.push(String(error)));
      return showing;
    };
  }
  return self.testShown.slice();
})()"""

# Runs the worker's own notificationclick listener on the notification it showed, as a
# click on `action` ('' = the notification's body) would; records what it asks to open or
# focus (see the module's docstring for why those two are replaced).
CLICK = """(async (action) => {
  const asked = [];
  Clients.prototype.openWindow = function (url) { asked.push(['open', url]); return Promise.resolve(null); };
  WindowClient.prototype.focus = function () { asked.push(['focus', this.url]); return Promise.resolve(this); };
  const [notification] = await self.registration.getNotifications();
  const event = new NotificationEvent('notificationclick', {notification, action});
  const pending = [];
  // A script-made event has no lifetime for waitUntil to extend: collect what it is given.
  Object.defineProperty(event, 'waitUntil', {value: (promise) => pending.push(promise)});
  self.dispatchEvent(event);
  await Promise.all(pending);
  return {asked, left: (await self.registration.getNotifications()).length};
})(%s)"""


def click(devtools: DevTools, action: str) -> dict[str, Any]:
    return dict(devtools.evaluate(CLICK % json.dumps(action)))


def test_a_push_about_a_request_shows_aprovar_and_reprovar(
    aval: Aval, fabio: Browser, devtools: DevTools, links: dict[str, str]
) -> None:
    [note] = show_notification(aval, fabio, devtools, links)
    assert note["title"] == "Ação aguardando sua aprovação"
    assert note["actions"] == [["approve", "Aprovar"], ["reject", "Reprovar"]]
    assert note["data"] == {
        "url": f"{aval.base_url}/portal/approvals/{links['request']}",
        "actions": {"approve": links["approve"], "reject": links["reject"]},
    }


def test_aprovar_opens_the_managers_decision_page_which_decides_nothing_by_itself(
    aval: Aval, people: People, fabio: Browser, devtools: DevTools, links: dict[str, str]
) -> None:
    show_notification(aval, fabio, devtools, links)
    assert click(devtools, "approve") == {"asked": [["open", links["approve"]]], "left": 0}  # and it closed
    fabio.driver.get(links["approve"])
    fabio.should_see("Confirmar aprovação")
    bruno = people.agent(BRUNO, "/agent/tickets/1")
    bruno.should_see("Aguardando Aprovação")  # the worker opened a page; nobody decided


def test_reprovar_opens_its_own_page_and_the_body_the_request(
    aval: Aval, fabio: Browser, devtools: DevTools, links: dict[str, str]
) -> None:
    show_notification(aval, fabio, devtools, links)
    assert click(devtools, "reject")["asked"] == [["open", links["reject"]]]
    show_notification(aval, fabio, devtools, links)
    request_page = f"{aval.base_url}/portal/approvals/{links['request']}"
    assert click(devtools, "")["asked"] == [["open", request_page]]


def test_a_tab_already_on_the_page_is_focused_not_opened_again(
    aval: Aval, fabio: Browser, devtools: DevTools, links: dict[str, str]
) -> None:
    show_notification(aval, fabio, devtools, links)
    fabio.driver.get(links["approve"])  # Fábio's tab shows his Aprovar page already
    fabio.should_see("Confirmar aprovação")
    assert click(devtools, "approve")["asked"] == [["focus", links["approve"]]]


def test_a_reminders_push_offers_the_same_two_buttons(
    aval: Aval, fabio: Browser, devtools: DevTools, links: dict[str, str]
) -> None:
    """A reminder carries fresh links of its own (domain/reminders.py); the worker treats
    its buttons as a new request's."""
    [note] = show_notification(aval, fabio, devtools, links, kind="request_reminder")
    assert note["title"] == "Lembrete: uma ação aguarda sua aprovação"
    assert note["actions"] == [["approve", "Aprovar"], ["reject", "Reprovar"]]
    assert click(devtools, "reject")["asked"] == [["open", links["reject"]]]
