"""The portal on a phone (spec §16): at 390 × 844 the ticket list, the approvals list, a
request and its confirmation dialogs fit the width without sideways scrolling, and every
link, button and field is at least 44 px square. The agent panel fits the width too.
And the portal is an installable web app: Chromium reads its manifest without errors."""

from __future__ import annotations

import json
import urllib.request

import pytest
from e2e_support import BRUNO, DIALOG, MARCIA, MENU, Browser, People, eventually

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 390, 844
ACTION = "Reembolso"
TARGET = 44
setup: dict[str, str] = {}

# The visible controls a finger aims at, with their size (a field's whole box counts).
SMALL_TARGETS = """
const small = [];
const controls = 'a, button, [role=button], [role=menuitem], [role=option], .q-field__control';
for (const el of document.querySelectorAll(controls)) {
  const box = el.getBoundingClientRect();
  if (!box.width || !el.checkVisibility({visibilityProperty: true})) continue;
  if (box.width < arguments[0] - 0.5 || box.height < arguments[0] - 0.5) {
    small.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.getAttribute('aria-label') || '').trim()
      .replace(/\\s+/g, ' ').slice(0, 40)}" ${Math.round(box.width)}×${Math.round(box.height)}`);
  }
}
return small;
"""


def phone(browser: Browser) -> Browser:
    browser.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 3, "mobile": True},
    )
    return browser


@pytest.fixture(scope="module", autouse=True)
def pending_request(people: People) -> None:
    bruno = people.agent(BRUNO, "/agent/tickets/1")
    bruno.click("Mais")
    bruno.click("Solicitar Ação", within=MENU)
    bruno.choose("Ação", ACTION)
    bruno.click("Solicitar", within=DIALOG)
    bruno.should_see("Ação solicitada; os gerentes da organização foram avisados.")
    marcia = phone(people.customer(MARCIA, "/portal/approvals"))
    setup["request"] = eventually(lambda: marcia.links_to("/portal/approvals/"), "the request in the list")[0]


def fits(browser: Browser) -> None:
    eventually(lambda: not browser.visible("//*[contains(@class, '-enter-active')]"), "the page to settle")
    width = browser.js("return Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    assert width <= WIDTH, f"{browser.path()} scrolls sideways on a phone: {width} px wide"
    small = browser.js(SMALL_TARGETS, TARGET)
    assert not small, f"targets under {TARGET} px on {browser.path()}: {small}"


@pytest.mark.parametrize(
    ("path", "opens"),
    [
        ("/portal", ""),
        ("/portal", "Novo chamado"),
        ("/portal/tickets/1", ""),
        ("/portal/approvals", ""),
        ("{request}", ""),
        ("{request}", "Aprovar"),
        ("{request}", "Reprovar"),
    ],
)
def test_the_portal_fits_a_phone(people: People, path: str, opens: str) -> None:
    marcia = phone(people.customer(MARCIA, path.format(**setup)))
    if opens:
        marcia.click(opens)
        eventually(lambda: marcia.visible(DIALOG), f"the dialog of {opens!r}")
    fits(marcia)


@pytest.mark.parametrize("path", ["/agent", "/agent/tickets/1"])
def test_the_agent_panel_fits_a_phones_width(people: People, path: str) -> None:
    bruno = phone(people.agent(BRUNO, path))
    width = bruno.js("return Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    assert width <= WIDTH, f"{path} scrolls sideways on a phone: {width} px wide"


def test_chromium_reads_the_portals_manifest_without_errors(people: People) -> None:
    marcia = people.customer(MARCIA, "/portal/approvals")
    answer = marcia.driver.execute_cdp_cmd("Page.getAppManifest", {})
    assert answer["url"].endswith("/portal/manifest.webmanifest"), answer
    assert answer["errors"] == [], answer["errors"]
    parsed = answer.get("parsed") or {}  # newer Chromiums say what they understood
    manifest = json.loads(answer["data"])
    assert manifest["start_url"] == "/portal/approvals"
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        with urllib.request.urlopen(marcia.base_url + icon["src"]) as response:
            assert response.headers["content-type"] == "image/png"
            assert response.read(8) == b"\x89PNG\r\n\x1a\n"
    if parsed:
        assert parsed.get("scope", "").endswith("/portal"), parsed
    # The service worker's scope ("/", with the header allowing it) covers the app's scope.
    with urllib.request.urlopen(marcia.base_url + "/sw.js") as response:
        assert response.headers["service-worker-allowed"] == "/"
    assert manifest["scope"].startswith("/")
    apple = "link[rel=apple-touch-icon], meta[name=apple-mobile-web-app-capable], meta[name=theme-color]"
    assert marcia.js(f"return document.head.querySelectorAll('{apple}').length") == 3
