"""Every page of both panels, and every dialog and menu they open, has no axe-core
violation (WCAG 2.0/2.1 A and AA, and best practices) in Portuguese and in English
(spec §16). A failure names the rule, the element and what axe says to fix.

HOW TO ADD A PAGE: add one `Check` line to CHECKS below —
    Check("/agent/profile", ANA, opens=(("Add token",),)),
  * the address (a `{ticket}` or `{request}` in it is filled in by the module's setup:
    an open ticket with an action awaiting approval, and that request's id);
  * who signs in: ANA (agent, admin), BRUNO (agent), MARCIA (manager), JOAO (customer),
    or SIGNED_OUT for a page seen without a session;
  * opens: each entry is one dialog or menu to check, as the texts a person clicks, in
    order, to open it — English message ids (the Portuguese run translates them with the
    app's own catalogs); a button known only by its icon is clicked by the icon's name;
    "select:LABEL" opens the options of the select with that label; "type:LABEL=TEXT"
    types TEXT into the field with that label; "see:TEXT" waits for TEXT to show (a
    dialog that follows another).
The page itself is checked as it loads, then once per entry of `opens`, freshly loaded.

The `/e/{token}` pages (a manager's one-decision link, ui/email_link_page.py) are seen
without a session and speak their manager's language: their links are Márcia's, whose
language the checks of her portal pages just above them switched to the run's."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest
from axe_support import AXE_VERSION, run_axe
from e2e_support import (
    ANA,
    BRUNO,
    DIALOG,
    JOAO,
    LIVIA,
    MARCIA,
    MENU,
    MOVING,
    Aval,
    Browser,
    People,
    chrome,
    eventually,
)

from i18n_catalog import translations
from ui.frame import HTML_LANGUAGE
from ui.i18n import LANGUAGE_NAMES

pytestmark = pytest.mark.e2e

SIGNED_OUT = ""
LANGUAGE_MENU = ("translate",)  # the icon's name: the button's only visible text
USER_MENU = ("account_circle",)
# The access token section's second dialog: the new token, shown once.
NEW_TOKEN = ("New access token", "type:Name=axe", "Create",
             "see:Copy it now: it will not be shown again. Anyone holding it acts as you.")


@dataclass(frozen=True)
class Check:
    path: str
    who: str
    opens: tuple[tuple[str, ...], ...] = ()


CHECKS = [
    Check("/agent/login", SIGNED_OUT),
    Check("/portal/login", SIGNED_OUT),
    Check("/agent", ANA, opens=(("New ticket",), ("select:Status",), LANGUAGE_MENU, USER_MENU)),
    Check("/agent/tickets/{ticket}", ANA, opens=(("Cancel",),)),
    Check(
        "/agent/tickets/2",
        ANA,
        opens=(("More",), ("More", "Request action"), ("select:Assigned agent",), ("Delete",)),
    ),
    Check("/agent/notifications", ANA),
    Check("/agent/trash", ANA),
    Check("/agent/admin/settings", ANA, opens=(("Create action",),)),
    Check("/agent/admin/agents", ANA, opens=(("New agent",),)),
    Check("/agent/admin/organizations", ANA, opens=(("New organization",),)),
    Check("/agent/admin/customers", ANA, opens=(("New customer",), ("Absences",))),
    Check("/agent/admin/outbox", ANA),
    Check("/agent/admin/settings", BRUNO),  # an agent who is not the admin: told so
    Check("/agent/profile", BRUNO, opens=(("New access token",), NEW_TOKEN)),
    # Its period is two date fields: their picker is the browser's own, outside the page.
    Check("/agent/reports", ANA),
    Check("/agent/admin/tokens", ANA, opens=(("Revoke",),)),  # Bruno's token, made by the setup
    # With the setup's endpoint and its delivery log.
    Check("/agent/admin/webhooks", ANA, opens=(("New webhook",), ("Events",), ("Remove",))),
    Check("/portal", JOAO, opens=(("New ticket",), USER_MENU)),
    Check("/portal/tickets/1", JOAO),
    Check("/portal", MARCIA, opens=(USER_MENU,)),
    Check("/portal/approvals", MARCIA),
    Check("/portal/profile", MARCIA, opens=(("New access token",), NEW_TOKEN)),
    Check("/portal/approvals/{request}", MARCIA, opens=(("Approve",), ("Reject",))),
    Check("/e/{approve}", SIGNED_OUT),  # the decision page: Confirmar aprovação
    Check("/e/{reject}", SIGNED_OUT),  # Confirmar reprovação, with its reason
    Check("/e/{used}", SIGNED_OUT),  # a link that decided, opened again
    Check("/e/{ended}", SIGNED_OUT),  # a link of a request another link decided
    Check("/e/not-a-token", SIGNED_OUT),  # the one page for every bad link
]
LANGUAGES = ("pt_BR", "en")

ACTION = "Reembolso"  # a demo catalog action
setup: dict[str, str] = {}
spoken: dict[str, str] = {}  # the language each browser shows now


def words(text: str, language: str) -> str:
    return translations(language).gettext(text) if language != "en" else text


def cases() -> list[pytest.param]:
    found = []
    for language in LANGUAGES:
        for check in CHECKS:
            page = f"{language} {check.who or 'visitor'} {check.path}"
            found.append(pytest.param(language, check, (), id=page))
            for clicks in check.opens:
                found.append(pytest.param(language, check, clicks, id=f"{page} {' > '.join(clicks)}"))
    return found


@pytest.fixture(scope="module", autouse=True)
def pending_request(aval: Aval, people: People) -> None:
    """Ana adds a webhook and Bruno an access token; Bruno asks for an action on ticket 1
    (marcia's list links to it) and on ticket 3, which Márcia approves from her mail."""
    ana = people.agent(ANA, "/agent/admin/webhooks")
    ana.click("Novo webhook")
    ana.type_into("URL do endpoint", "https://hooks.example.com/aval", within=DIALOG)
    ana.click("Criar", within=DIALOG)
    ana.should_see("Segredo de assinatura")
    ana.click("Concluir", within=DIALOG)
    ana.should_see("https://hooks.example.com/aval")
    bruno = people.agent(BRUNO, "/agent/profile")
    bruno.click("Novo token de acesso")
    bruno.type_into("Nome", "deploy")
    bruno.click("Criar", within=DIALOG)
    bruno.click("Concluir", within=DIALOG)
    for number in ("1", "3"):
        request_on(bruno, number)
    ticket_1, ticket_3 = (mail_links(aval, f"#{number}:") for number in ("1", "3"))
    marcia = people.customer(MARCIA, "/portal/approvals")
    eventually(lambda: marcia.links_to(f"/portal/approvals/{ticket_1['request']}"), "the request in marcia's list")
    status, _page = post(f"{aval.base_url}/e/{ticket_3['Aprovar']}", {"confirm": "1"})
    assert status == 200
    ana.open("/agent/admin/webhooks")
    ana.should_see("Tentativas")  # the delivery log has entries (the requests' events)
    setup.update(ticket="1", request=ticket_1["request"], approve=ticket_1["Aprovar"],
                 reject=ticket_1["Reprovar"], used=ticket_3["Aprovar"], ended=ticket_3["Reprovar"])


def request_on(bruno: Browser, number: str) -> None:
    bruno.open(f"/agent/tickets/{number}")
    bruno.click("Mais")
    bruno.click("Solicitar Ação", within=MENU)
    bruno.choose("Ação", ACTION)
    bruno.click("Solicitar", within=DIALOG)
    bruno.should_see("Ação solicitada; os gerentes da organização foram avisados.")


def mail_links(aval: Aval, ticket: str) -> dict[str, str]:
    """Márcia's Aprovar and Reprovar tokens in the request mail about that ticket, and
    the request's id."""
    [mail] = [m for m in aval.mail.wait_for(MARCIA, "aprovação solicitada", count=2) if ticket in m.subject]
    found = dict(re.findall(r"^(Aprovar|Reprovar): \S+/e/(\S+)", mail.text, re.MULTILINE))
    request = re.search(r"/portal/approvals/(\d+)", mail.text)
    assert set(found) == {"Aprovar", "Reprovar"} and request is not None, mail.text
    return {**found, "request": request.group(1)}


def post(url: str, form: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode())
    with urllib.request.urlopen(request, timeout=20) as answer:
        return answer.status, answer.read().decode()


def visitor(people: People, language: str) -> Browser:
    """A browser without a session. For English, someone chose English there and signed
    out: the sign-in forms then speak the language chosen last in that browser."""
    key = f"visitor-{language}"
    browser = people.browsers.get(key)
    if browser is None:
        browser = Browser(chrome(), people.base_url, key)
        people.browsers[key] = browser
        if language != "pt_BR":
            browser.login("customer", LIVIA, "/portal")
            speak(browser, language)
            browser.click(USER_MENU[0])
            browser.click(words("Sign out", language), within=MENU)
            eventually(lambda: browser.path().startswith("/portal/login"), "the visitor to be signed out")
    return browser


def speak(browser: Browser, language: str) -> None:
    """Switches the signed-in person's language with the header's menu."""
    if spoken.get(browser.name, "pt_BR") == language:
        return
    browser.click(LANGUAGE_MENU[0])
    browser.click(LANGUAGE_NAMES[language], within=MENU)
    lang = HTML_LANGUAGE[language]
    eventually(lambda: browser.js("return document.documentElement.lang") == lang, f"{browser.name}'s page in {lang}")
    browser.wait_connected()
    spoken[browser.name] = language


def arrive(people: People, check: Check, language: str) -> Browser:
    path = check.path.format(**setup)
    if check.who == SIGNED_OUT:
        browser = visitor(people, language)
        if path.startswith("/e/"):  # plain HTML, no NiceGUI page to wait for
            browser.driver.get(browser.base_url + path)
        else:
            browser.open(path)
        return browser
    kind = "agent" if check.who in (ANA, BRUNO) else "customer"
    browser = people.agent(check.who, path) if kind == "agent" else people.customer(check.who, path)
    speak(browser, language)
    browser.open(path)
    return browser


def settled(browser: Browser) -> bool:
    return not browser.driver.find_elements("xpath", MOVING)


@pytest.mark.parametrize(("language", "check", "clicks"), cases())
def test_no_axe_violation(people: People, language: str, check: Check, clicks: tuple[str, ...]) -> None:
    browser = arrive(people, check, language)
    for text in clicks:
        if text.startswith("select:"):
            browser.open_select(words(text.removeprefix("select:"), language))
        elif text.startswith("type:"):
            label, typed = text.removeprefix("type:").split("=", 1)
            browser.type_into(words(label, language), typed)
        elif text.startswith("see:"):
            browser.should_see(words(text.removeprefix("see:"), language))
        else:
            browser.click(words(text, language))
    if clicks:
        eventually(lambda: browser.visible(f"{DIALOG}|{MENU}"), f"a dialog or menu after {' > '.join(clicks)}")
    eventually(lambda: settled(browser), "the page to stop moving")
    version, violations = run_axe(browser)
    assert version == AXE_VERSION
    assert not violations, f"axe-core {version} on {browser.path()} ({language}):\n" + "\n".join(
        violation.describe() for violation in violations
    )
