"""The approval flow with the keyboard alone (spec §16): bruno requests an action with
*Mais > Solicitar Ação* and marcia approves it, each only pressing TAB, ENTER, SPACE,
ESCAPE and the arrows — no click. Every control reached shows where the focus is (a
visible outline), and a dialog closed with ESCAPE gives the focus back to its opener."""

from __future__ import annotations

import time

import pytest
from e2e_support import BRUNO, DIALOG, MARCIA, MENU, Browser, People, eventually
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

pytestmark = pytest.mark.e2e

ACTION = "Reembolso"
MOST_TABS = 60  # more stops than any page has before its last control

FOCUSED = """
const el = document.activeElement;
if (!el || el === document.body) return null;
const style = getComputedStyle(el);
return {
  text: (el.innerText || el.getAttribute('aria-label') || el.value || '').trim().replace(/\\s+/g, ' '),
  // An outline, a ring of shadow (buttons), or a field's focused underline.
  visible: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1)
    || (el.matches(':focus-visible') && style.boxShadow !== 'none')
    || !!el.closest('.q-field--focused'),
  inDialog: !!el.closest('.q-dialog'),
  inMenu: !!el.closest('.q-menu'),
  role: el.getAttribute('role'),
  id: el.id,
};
"""


def press(browser: Browser, *keys: str) -> None:
    actions = ActionChains(browser.driver)
    for key in keys:
        actions.send_keys(key)
    actions.perform()


def focused(browser: Browser) -> dict[str, object] | None:
    answer = browser.js(FOCUSED)
    return dict(answer) if answer else None


def tab_to(browser: Browser, text: str = "", *, role: str | None = None) -> dict[str, object]:
    """Presses TAB until the focused control says `text` (and has `role`); each control
    passed on the way must show its focus (a field draws its underline a moment later)."""
    for _ in range(MOST_TABS):
        press(browser, Keys.TAB)
        now = focused(browser)
        if now is None:
            continue
        if not now["visible"]:
            what = f"{browser.name}'s focus on {now['text']!r} to be visible"
            now = eventually(lambda: (seen := focused(browser)) and seen["visible"] and seen, what, timeout=3)
        if str(now["text"]).upper().endswith(text.upper()) and (role is None or now["role"] == role):
            return now
    raise AssertionError(f"{browser.name}: TAB never reached {text!r} on {browser.path()}")


def focus_is_on(browser: Browser, text: str, role: str | None = None) -> bool:
    now = focused(browser)
    return bool(now) and str(now["text"]).upper().endswith(text.upper()) and (role is None or now["role"] == role)


def test_an_agent_requests_an_action_with_the_keyboard(people: People) -> None:
    bruno = people.agent(BRUNO, "/agent/tickets/1")
    bruno.should_see("Cobrança em duplicidade na fatura de outubro")
    opener = tab_to(bruno, "Mais")
    press(bruno, Keys.ENTER)
    eventually(lambda: bruno.visible(MENU), "the More menu")
    eventually(lambda: (focused(bruno) or {}).get("inMenu"), "the focus inside the menu")
    press(bruno, Keys.ARROW_DOWN)
    eventually(lambda: focus_is_on(bruno, "Solicitar Ação", "menuitem"), "the focus on Solicitar Ação")
    press(bruno, Keys.ENTER)
    eventually(lambda: bruno.visible(DIALOG), "the request dialog")
    eventually(lambda: (focused(bruno) or {}).get("inDialog"), "the focus inside the dialog")

    press(bruno, Keys.ESCAPE)  # changed his mind: the focus goes back to the menu's button
    eventually(lambda: not bruno.visible(DIALOG), "the dialog to close")
    eventually(lambda: focused(bruno) and focused(bruno)["id"] == opener["id"], "the focus back on Mais")

    press(bruno, Keys.ENTER)
    eventually(lambda: bruno.visible(MENU), "the More menu again")
    eventually(lambda: (focused(bruno) or {}).get("inMenu"), "the focus inside the menu")
    press(bruno, Keys.ARROW_DOWN)
    eventually(lambda: focus_is_on(bruno, "Solicitar Ação", "menuitem"), "the focus on Solicitar Ação")
    press(bruno, Keys.ENTER)
    eventually(lambda: bruno.visible(DIALOG), "the request dialog")
    tab_to(bruno, role="combobox")  # the select of the action
    options = f"{MENU}//*[@role='option']"

    def open_options() -> bool:
        if not bruno.visible(options):
            press(bruno, Keys.ARROW_DOWN)  # opens the options
            time.sleep(0.3)
        return bool(bruno.visible(options))

    eventually(open_options, "the actions to choose from")
    highlighted = f"{MENU}//*[@role='option'][contains(@class, 'q-manual-focusable--focused')][.//text()='{ACTION}']"
    for _ in range(5):
        if bruno.visible(highlighted):
            break
        press(bruno, Keys.ARROW_DOWN)
    press(bruno, Keys.ENTER)
    bruno.should_see("Devolver o valor cobrado ao cliente.")  # the chosen action's description
    tab_to(bruno, "Solicitar")
    press(bruno, Keys.ENTER)
    bruno.should_see("Ação solicitada; os gerentes da organização foram avisados.")


def test_a_manager_approves_with_the_keyboard(people: People) -> None:
    marcia = people.customer(MARCIA, "/portal/approvals")
    marcia.should_see("Cobrança em duplicidade na fatura de outubro")
    tab_to(marcia, "Avaliar")
    press(marcia, Keys.ENTER)
    eventually(lambda: marcia.path().startswith("/portal/approvals/"), "the request's page")
    marcia.wait_connected()

    approve = tab_to(marcia, "Aprovar")
    press(marcia, Keys.ENTER)
    eventually(lambda: marcia.visible(DIALOG), "the confirmation")
    eventually(lambda: (focused(marcia) or {}).get("inDialog"), "the focus inside the confirmation")
    press(marcia, Keys.ESCAPE)
    eventually(lambda: not marcia.visible(DIALOG), "the confirmation to close")
    eventually(lambda: focused(marcia) and focused(marcia)["id"] == approve["id"], "the focus back on Aprovar")

    press(marcia, Keys.SPACE)  # a button answers to SPACE as to ENTER
    eventually(lambda: marcia.visible(DIALOG), "the confirmation again")
    eventually(lambda: (focused(marcia) or {}).get("inDialog"), "the focus inside the confirmation")
    tab_to(marcia, "Aprovar")  # Voltar, then the dialog's own Aprovar
    assert (focused(marcia) or {}).get("inDialog"), "TAB left the open dialog"
    press(marcia, Keys.ENTER)
    marcia.should_see("Ação aprovada.")
