"""Script injection, in a real browser: every free-text field is stored with dozens of
XSS payloads (HTML, attribute breakouts, `javascript:` links, Vue template injection,
template literals, srcdoc iframes, unicode-escaped variants…) through the use cases, and
every page that shows them is loaded in headless Chromium against `python main.py`.
Nothing may run — the payloads try to set `window.__xss` or open an alert, both
watched — and every payload must read as the text it is. Toasts and the browser's own
notifications carry user text too, and must not run it either."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from security_process import AppProcess, Browser, app_process, chrome, direct_services, eventually, sqlite_url

from domain import admin, approvals, demo, tickets
from domain.access import Actor
from domain.admin import PasswordHasher
from domain.ports import UnitOfWork
from domain.service import Services
from persistence.passwords import Argon2Hasher

pytestmark = pytest.mark.e2e

PAYLOADS = [
    '<img src=x onerror="window.__xss=1">',
    "<svg onload=window.__xss=1>",
    '"><script>window.__xss=1</script>',
    "'><script>window.__xss=1</script>",
    "javascript:window.__xss=1",
    '<a href="javascript:window.__xss=1">clique aqui</a>',
    "{{constructor.constructor('window.__xss=1')()}}",
    "{{ $el.ownerDocument.defaultView.__xss=1 }}",
    "{{_openBlock.constructor('window.__xss=1')()}}",
    "${window.__xss=1}",
    "`${window.__xss=1}`",
    "<iframe srcdoc=\"<script>parent.__xss=1</script>\"></iframe>",
    "</textarea><script>window.__xss=1</script>",
    "</title><script>window.__xss=1</script>",
    "</script><script>window.__xss=1</script>",
    "<body onload=window.__xss=1>",
    "<details open ontoggle=window.__xss=1>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    "\\u003cimg src=x onerror=window.__xss=1\\u003e",
    "\\x3csvg onload=window.__xss=1\\x3e",
    "＜script＞window.__xss=1＜/script＞",
    "<scr<script>ipt>window.__xss=1</scr</script>ipt>",
    "<img src=x onerror=&#119;indow.__xss=&#49;>",
    "<input autofocus onfocus=window.__xss=1>",
    "<video><source onerror=window.__xss=1></video>",
    "<style>@import 'javascript:window.__xss=1';</style>",
    '<object data="javascript:window.__xss=1"></object>',
    "[clique](javascript:window.__xss=1)",
    "<div v-html=\"'<img src=x onerror=window.__xss=1>'\"></div>",
    '<div v-on:click="window.__xss=1" :id="window.__xss=1">x</div>',
    "<script>alert(1)</script>",
    "';alert(1);//",
    "<img src=x onerror=alert(document.domain)>",
    "<!--<img src=\"--><img src=x onerror=window.__xss=1//\">",
    "%3Cimg%20src%3Dx%20onerror%3Dwindow.__xss%3D1%3E",
    "\u200f<img src=x onerror=window.__xss=1>\u200d\u0301🙂",
]
assert len(PAYLOADS) >= 30 and len(set(PAYLOADS)) == len(PAYLOADS)
MARCIA_NAME = "<img src=x onerror=window.__xss='marcia'> Márcia"
AGENT_NAMES = ["<svg onload=window.__xss='agent'>", "{{constructor.constructor('window.__xss=2')()}}"]
ANA = "ana.admin@demo.test"
MARCIA = "marcia.gerente@demo.test"


class SameHash(PasswordHasher):
    """The payload people never sign in; one real argon2 hash for all keeps seeding fast."""

    def __init__(self, stored: str) -> None:
        self.stored = stored

    def hash(self, password: str) -> str:
        return self.stored

    def verify(self, password: str, password_hash: str) -> bool:
        return False


@dataclass
class Stored:
    showcase: int  # the ticket whose page shows every payload in every field
    pending: list[int]  # one pending request per payload, on its own ticket
    payload_tickets: list[int]


def _ids(uow: UnitOfWork) -> dict[str, int]:
    with uow:
        found = {a.email: a.id for a in uow.agents.list()}
        found |= {c.email: c.id for c in uow.customers.list()}
        found |= {f"org:{o.name}": o.id for o in uow.organizations.list()}
        return {k: v for k, v in found.items() if v is not None}


def store_payloads(services: Services) -> Stored:
    run = services.run
    hasher = Argon2Hasher()
    run(demo.seed_demo, hasher)
    same = SameHash(hasher.hash("never-used"))
    ids = run(_ids)
    ana, bruno = Actor.agent(ids[ANA]), ids["bruno.agente@demo.test"]
    matriz = ids["org:Matriz Ltda"]
    marcia = Actor.customer(ids[MARCIA])
    run(admin.update_customer, ana, same, marcia.id,
        admin.CustomerFields(name=MARCIA_NAME, email=MARCIA, organization_id=matriz, is_manager=True))
    writers = [Actor.agent(run(admin.create_agent, ana, same, name, f"xss.agent{i}@demo.test", "irrelevant"))
               for i, name in enumerate(AGENT_NAMES)]
    everything = "\n".join(PAYLOADS)
    customers: list[Actor] = []
    actions: list[int] = []
    numbers: list[int] = []
    for i, payload in enumerate(PAYLOADS):
        organization = run(admin.create_organization, ana, payload, matriz)
        customer = run(admin.create_customer, ana, same, admin.CustomerFields(
            name=payload, email=f"xss{i}@demo.test", organization_id=organization, password="irrelevant"))
        customers.append(Actor.customer(customer))
        actions.append(run(admin.create_action, ana, f"{payload} ·{i}", payload))
        numbers.append(run(tickets.create_ticket, ana, payload, everything, customer_id=customer,
                           assigned_agent_id=bruno))
    showcase = numbers[0]
    for writer in writers:
        run(tickets.reply, writer, showcase, everything)
    run(tickets.reply, customers[0], showcase, everything)
    run(tickets.reply, ana, showcase, everything)
    # Every action, note and reason on the showcase ticket: requested, then rejected.
    for i, payload in enumerate(PAYLOADS):
        request_id = run(approvals.request_action, ana, showcase, actions[i], payload)
        run(approvals.reject, marcia, request_id, payload)
    pending = [run(approvals.request_action, ana, number, actions[i], PAYLOADS[i])
               for i, number in enumerate(numbers)]
    # The trash: two more tickets and a customer, named with payloads.
    for payload in PAYLOADS[:2]:
        extra = run(tickets.create_ticket, ana, payload, payload, customer_id=customers[1].id)
        run(tickets.trash_ticket, ana, extra)
    trashed = run(admin.create_customer, ana, same, admin.CustomerFields(
        name=PAYLOADS[2], email="xss.trash@demo.test", password="irrelevant"))
    run(tickets.trash_customer, ana, trashed)
    return Stored(showcase=showcase, pending=pending, payload_tickets=numbers)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Scene:
    app: AppProcess
    stored: Stored
    agent: Browser
    manager: Browser


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    data_dir = tmp_path_factory.mktemp("xss") / "data"
    data_dir.mkdir(parents=True)
    stored = store_payloads(direct_services(sqlite_url(data_dir)))
    with app_process(data_dir) as app:
        agent, manager = Browser(chrome(), app.base_url), Browser(chrome(), app.base_url)
        try:
            agent.login("agent", ANA, "/agent")
            manager.login("customer", MARCIA, "/portal")
            yield Scene(app, stored, agent, manager)
        finally:
            agent.quit()
            manager.quit()


def assert_clean(browser: Browser, where: str, settle: float = 0.5) -> None:
    time.sleep(settle)  # an onerror / onload fires within moments of drawing
    state = browser.xss_state()
    assert state["xss"] is None, f"script ran on {where}: window.__xss = {state['xss']}"
    assert state["alerted"] == [], f"an alert opened on {where}: {state['alerted']}"
    assert not browser.alert_open(), f"an alert is open on {where}"
    assert state["scriptLinks"] == [], f"script links on {where}: {state['scriptLinks']}"
    assert state["iframes"] == 0, f"an injected frame/object on {where}"
    assert state["injectedImages"] == 0, f"an injected element on {where}"


def visit(browser: Browser, path: str, shows: list[str], marker_text: str | None = None) -> str:
    browser.open(path)
    if marker_text is not None:
        eventually(lambda: flat(marker_text) in flat(browser.text()), f"{marker_text!r} on {path}")
    text = flat(browser.text())
    missing = [p for p in shows if flat(p) not in text]
    assert not missing, f"{path} does not show as text: {missing[:5]}"
    assert_clean(browser, path)
    return text


def test_the_agent_panel_shows_every_payload_as_text_and_runs_none(scene: Scene) -> None:
    stored, ana = scene.stored, scene.agent
    names = [f"{p} ·{i}" for i, p in enumerate(PAYLOADS)]
    # The showcase ticket: subject, description, replies, every action, note and reason.
    visit(ana, f"/agent/tickets/{stored.showcase}", PAYLOADS + names + AGENT_NAMES + [MARCIA_NAME],
          marker_text=names[-1])
    visit(ana, f"/agent/tickets/{stored.payload_tickets[-1]}", [PAYLOADS[-1], names[-1]], marker_text=names[-1])
    # The list: 25 newest tickets, with their customer and organization names.
    text = visit(ana, "/agent", [], marker_text=PAYLOADS[-1])
    assert sum(flat(p) in text for p in PAYLOADS) >= 20
    visit(ana, "/agent/notifications", names + PAYLOADS + [MARCIA_NAME], marker_text=names[-1])
    visit(ana, "/agent/admin/settings", names + PAYLOADS, marker_text=names[-1])
    visit(ana, "/agent/admin/organizations", PAYLOADS, marker_text=PAYLOADS[-1])
    visit(ana, "/agent/admin/customers", [*PAYLOADS, MARCIA_NAME], marker_text=PAYLOADS[-1])
    visit(ana, "/agent/admin/agents", AGENT_NAMES, marker_text=AGENT_NAMES[-1])
    visit(ana, "/agent/trash", PAYLOADS[:3], marker_text=PAYLOADS[2])
    visit(ana, "/agent/admin/outbox", [], marker_text="E-mail")
    # The outbox's full texts quote the notes and names: open a few of them.
    ana.js("document.querySelectorAll('.q-expansion-item__toggle, .q-item').forEach((e, i) => i < 30 && e.click())")
    assert_clean(ana, "the outbox's opened messages", settle=1.0)


def test_the_portal_shows_every_payload_as_text_and_runs_none(scene: Scene) -> None:
    stored, marcia = scene.stored, scene.manager
    names = [f"{p} ·{i}" for i, p in enumerate(PAYLOADS)]
    # The approvals list: every pending request, its subject, customer, organization, action;
    # oldest first, twenty a page.
    visit(marcia, "/portal/approvals", PAYLOADS[:20] + names[:20], marker_text=names[19])
    marcia.click_text("2")
    eventually(lambda: flat(names[-1]) in flat(marcia.text()), "the second page of /portal/approvals")
    text = flat(marcia.text())
    missing = [p for p in PAYLOADS[20:] + names[20:] if flat(p) not in text]
    assert not missing, f"the second page of /portal/approvals does not show as text: {missing[:5]}"
    assert_clean(marcia, "the second page of /portal/approvals")
    visit(marcia, f"/portal/approvals/{stored.pending[5]}", [PAYLOADS[5], names[5], PAYLOADS[-1]],
          marker_text=names[5])
    text = visit(marcia, "/portal", [], marker_text="#")
    assert sum(flat(p) in text for p in PAYLOADS) >= 15
    visit(marcia, f"/portal/tickets/{stored.showcase}", PAYLOADS + AGENT_NAMES, marker_text=AGENT_NAMES[-1])


def test_toasts_and_browser_notifications_with_user_text_run_nothing(scene: Scene) -> None:
    stored, ana, marcia = scene.stored, scene.agent, scene.manager
    # Ana (who requested everything) waits on her hub, her tab "in the background".
    ana.open("/agent/notifications")
    ana.driver.execute_cdp_cmd(
        "Browser.grantPermissions", {"origin": scene.app.base_url, "permissions": ["notifications"]}
    )
    ana.js(RECORD_NOTIFICATIONS)
    # Márcia approves one in the portal: Ana's panel gets a toast and a system notification
    # quoting the action's name and Márcia's name — both payloads.
    index = 7
    marcia.open(f"/portal/approvals/{stored.pending[index]}")
    marcia.click_text("Aprovar")
    eventually(lambda: len(marcia.driver.find_elements("xpath", "//*[contains(@class,'q-dialog')]")) > 0, "confirm")
    marcia.js("[...document.querySelectorAll('.q-dialog button')].find(b => b.innerText.includes('APROVAR') "
              "|| b.innerText.includes('Aprovar')).click()")
    eventually(lambda: "Aprovada" in marcia.text(), "the approval")
    toast = eventually(lambda: ana.js(TOASTS), "Ana's toast")
    assert flat(f"{PAYLOADS[index]} ·{index}") in flat(toast) and flat(MARCIA_NAME) in flat(toast)
    notes = eventually(lambda: ana.js(RECORDED), "Ana's browser notification")
    assert flat(f"{PAYLOADS[index]} ·{index}") in flat(notes[0]["body"])
    assert_clean(ana, "Ana's toast and notification", settle=1.0)
    assert_clean(marcia, "Márcia's approval")
    # A decision somebody else made first: the refusal's toast quotes that person's name.
    other = stored.pending[8]
    marcia.open(f"/portal/approvals/{other}")
    services = direct_services(sqlite_url(scene.app.data_dir))
    marcia_id = services.run(_ids)[MARCIA]
    services.run(approvals.approve, Actor.customer(marcia_id), other)
    marcia.click_text("Aprovar")
    eventually(lambda: len(marcia.driver.find_elements("xpath", "//*[contains(@class,'q-dialog')]")) > 0, "confirm")
    marcia.js("[...document.querySelectorAll('.q-dialog button')].find(b => b.innerText.includes('APROVAR') "
              "|| b.innerText.includes('Aprovar')).click()")
    toast = eventually(lambda: marcia.js(TOASTS), "Márcia's refusal toast")
    assert flat(MARCIA_NAME) in flat(toast)
    assert_clean(marcia, "the refusal toast", settle=1.0)


TOASTS = "return [...document.querySelectorAll('.q-notification')].map(n => n.innerText).join(' | ')"
RECORDED = "return (window.__notifications || []).map(n => ({title: n.__title, body: n.__body}))"
RECORD_NOTIFICATIONS = """
Object.defineProperty(document, 'hidden', {value: true, configurable: true});
Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
const Real = window.Notification;
window.__notifications = [];
class Recorded extends Real {
  constructor(title, options = {}) {
    super(title, options);
    this.__title = title; this.__body = options.body || '';
    window.__notifications.push(this);
  }
}
window.Notification = Recorded;
"""


def test_payload_storage_kept_every_text_as_typed(scene: Scene) -> None:
    """The stored text is what was typed: no escaping on the way in, none needed."""
    services = direct_services(sqlite_url(scene.app.data_dir))
    ids = services.run(_ids)
    view = services.run(tickets.ticket_view, Actor.agent(ids[ANA]), scene.stored.showcase)
    decided = view.requests[:-1]  # the last one is the showcase ticket's own pending request
    assert [r.note for r in decided] == PAYLOADS
    assert [r.reason for r in decided] == PAYLOADS
    assert view.ticket.description == "\n".join(PAYLOADS)



def test_the_watch_would_catch_a_payload_that_ran(scene: Scene) -> None:
    """The control: the same payloads put into the page as HTML do trip the watch."""
    browser = scene.agent
    browser.open("/agent")
    for payload in ('<img src=x onerror="window.__xss=1">', "<script>alert(1)</script>"):
        browser.js("window.__xss = undefined; window.__alerted = [];"
                   "const d = document.createElement('div'); document.body.appendChild(d);"
                   "d.innerHTML = arguments[0]; if (d.querySelector('script')) window.alert('1');", payload)
        with pytest.raises(AssertionError):
            assert_clean(browser, "the control")
    browser.open("/agent")
    assert_clean(browser, "a fresh page")
