"""Takes the README's screenshots (docs/screenshots/*.png) from a fresh demo of Aval.

    .venv/bin/python scripts/screenshots.py [output folder]

Starts the app as its own process on a free port with a throw-away data dir, drives
headless Chromium like the end-to-end tests do (tests/e2e/e2e_support.py), and saves
1280x800 PNGs, and one of a phone (390x844 CSS pixels at twice the density). Needs
chromium and chromedriver (Debian: apt-get install chromium
chromium-driver). Not a test: it asserts only what it needs to reach each screen."""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from e2e_support import (  # noqa: E402 (the helpers live beside the tests)
    ANA,
    BRUNO,
    DIALOG,
    FABIO,
    MARCIA,
    MENU,
    Browser,
    chrome,
    eventually,
    running_app,
)

WIDTH, HEIGHT = 1280, 800
PHONE_WIDTH, PHONE_HEIGHT = 390, 844
# Toasts come and go; a screenshot shows the screen, not the last click's confirmation.
QUIET = "document.head.insertAdjacentHTML('beforeend', '<style>.q-notifications{display:none}</style>')"


def window(base_url: str, name: str, *, phone: bool = False) -> Browser:
    browser = Browser(chrome(), base_url, name)
    size = {"width": PHONE_WIDTH, "height": PHONE_HEIGHT} if phone else {"width": WIDTH, "height": HEIGHT}
    browser.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {**size, "deviceScaleFactor": 2 if phone else 1, "mobile": phone}
    )
    return browser


def shoot(browser: Browser, folder: Path, name: str) -> None:
    browser.js(QUIET)
    time.sleep(0.6)  # dialogs and menus fade in
    path = folder / f"{name}.png"
    browser.screenshot(path)
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size // 1024} KB")


def request(agent: Browser, number: int, action: str, note: str, folder: Path | None = None) -> None:
    agent.open(f"/agent/tickets/{number}")
    agent.click("Mais")
    agent.click("Solicitar Ação", within=MENU)
    agent.choose("Ação", action)
    agent.type_into("Observação (opcional)", note)
    if folder is not None:
        shoot(agent, folder, "agent-request-action")
    agent.click("Solicitar", within=DIALOG)
    agent.should_see("Aguardando Aprovação")


def mailed_link(data_dir: Path, manager: str, ticket_number: int, decision: str) -> str:
    """The path of a manager's Aprovar / Reprovar button in the request mail, read from
    the outbox (no SMTP here: the mail is held there, as admins see it)."""
    with closing(sqlite3.connect(data_dir / "aval.sqlite3")) as db:
        rows = db.execute(
            "SELECT o.payload FROM outbox_messages o JOIN customers c ON c.id = o.recipient_id "
            "WHERE o.kind = 'request_created' AND o.channel = 'email' AND c.email = ?",
            (manager,),
        ).fetchall()
    payload = next(p for p in (json.loads(row[0]) for row in rows) if p["ticket_number"] == ticket_number)
    return str(payload[f"{decision}_path"])


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="aval-shots-") as scratch, running_app(Path(scratch) / "data", None) as app:
        people: list[Browser] = []
        try:
            for name in ("ana", "bruno", "fabio", "marcia"):
                people.append(window(app.base_url, name))
            people.append(window(app.base_url, "marcia-phone", phone=True))
            ana, bruno, fabio, marcia, marcia_phone = people

            ana.login("agent", ANA, "/agent/admin/settings")
            ana.click("Criar ação")
            ana.type_into("Nome", "Trocar equipamento")
            ana.type_into("Descrição", "Enviar um equipamento novo ao cliente.")
            ana.click("Criar", within=DIALOG)
            ana.should_see("Enviar um equipamento novo ao cliente.")
            eventually(lambda: not ana.visible(DIALOG), "the dialog to close")
            shoot(ana, folder, "admin-settings")

            bruno.login("agent", BRUNO, "/agent")
            request(bruno, 2, "Reiniciar produção", "O cliente autorizou a janela das 22h.")
            request(bruno, 1, "Reembolso", "Cobrança duplicada confirmada no financeiro.", folder)

            marcia.login("customer", MARCIA, "/portal/approvals")
            marcia.should_see("Aprovar Ações (2)")
            marcia.should_see("#2 — Servidor de produção lento")
            shoot(marcia, folder, "portal-approvals")

            # Márcia's Aprovar button of the mail about ticket #2: no sign-in, one decision.
            from_mail = window(app.base_url, "marcia-from-mail")
            people.append(from_mail)
            from_mail.driver.get(app.base_url + mailed_link(Path(scratch) / "data", MARCIA, 2, "approve"))
            from_mail.should_see("Confirmar aprovação")
            shoot(from_mail, folder, "email-link-page")

            fabio.login("customer", FABIO, "/portal/approvals")
            fabio.click("#1 — Cobrança em duplicidade na fatura de outubro")
            fabio.click("Aprovar")
            fabio.should_see("Aprovar esta ação?")
            shoot(fabio, folder, "portal-approve-confirm")
            fabio.click("Aprovar", within=DIALOG)
            fabio.should_see("Aprovada por Fábio Gerente")

            marcia_phone.login("customer", MARCIA, "/portal/approvals")
            marcia_phone.click("#2 — Servidor de produção lento")
            marcia_phone.should_see("Reiniciar produção")
            shoot(marcia_phone, folder, "phone-portal-request")

            marcia.open("/portal")
            marcia.should_see("Servidor de produção lento")
            marcia.click("account_circle")  # the user menu, with this browser's push entry
            marcia.should_see("Ativar notificações push")
            shoot(marcia, folder, "portal-tickets")

            bruno.should_see("Aprovada")
            bruno.should_see("aprovou a ação “Reembolso”")
            bruno.js("document.querySelector('.q-timeline').closest('.q-card').scrollIntoView({block: 'end'})")
            shoot(bruno, folder, "agent-ticket-approved")

            ana.open("/agent/reports")
            ana.should_see("Tempo até a decisão por organização")
            ana.should_see("Aguardando agora")
            time.sleep(1.0)  # the charts draw themselves after the page
            shoot(ana, folder, "agent-reports")
        finally:
            for browser in people:
                browser.quit()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
