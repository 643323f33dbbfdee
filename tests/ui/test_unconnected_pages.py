"""A page fetched by something that never connects its socket (a mail scanner, a link
preview, a prefetch) is let go after `UNCONNECTED_PAGE_SECONDS`; an open tab stays and
keeps working (ui/unconnected_pages.py)."""

from __future__ import annotations

import time

import pytest
from nicegui import Client
from nicegui.testing import User

from ui import unconnected_pages


async def test_a_page_no_browser_connected_to_is_let_go_and_an_open_tab_stays(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    await user.open("/agent/login")
    await user.should_see("Entrar")
    tab = user.client
    assert tab is not None and tab.has_socket_connection

    answer = await user.http_client.get("/portal/login")  # a scanner: HTML only, no socket
    assert answer.status_code == 200
    scanned = [c for c in Client.instances.values() if c is not tab and not c.has_socket_connection]
    assert scanned, "the GET built a page"

    unconnected_pages.prune()  # at once: younger than the limit, so kept
    assert all(c.id in Client.instances for c in scanned)

    monkeypatch.setattr(unconnected_pages, "UNCONNECTED_PAGE_SECONDS", 0.0)
    time.sleep(0.01)
    unconnected_pages.prune()
    assert all(c.id not in Client.instances for c in scanned)
    assert tab.id in Client.instances and not tab.is_deleted
    user.find("E-mail").type("bruno.agente@demo.test")
    user.find("Senha").type("demo1234")
    user.find("Entrar").click()
    await user.should_see("Chamados", retries=100)
