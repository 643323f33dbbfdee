"""Web Push opt-in (spec §6): the service worker is served at the site's root, and a
manager turns push on (the browser's subscription reaches the server) and off from the
user menu."""

from __future__ import annotations

import re
from typing import Any

from nicegui.testing import User
from portal_support import JOAO, MARCIA, customer, login, run_use_case

from domain import push
from ui.context import ctx

ENDPOINT = "https://push.example.test/send/abc123"


async def test_the_service_worker_is_served_at_the_root(user: User) -> None:
    response = await user.http_client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.headers["service-worker-allowed"] == "/"
    assert "addEventListener('push'" in response.text


def header_of(user: User) -> Any:
    return user.find(marker="app-header").elements.pop()


async def test_a_manager_turns_push_on_and_off(user: User) -> None:
    keys_sent: list[str] = []

    def browser_subscribes(match: re.Match[str]) -> dict[str, Any]:
        keys_sent.append(match.group(1))
        return {"endpoint": ENDPOINT, "expirationTime": None, "keys": {"p256dh": "BPUBLIC", "auth": "AUTH"}}

    user.javascript_rules[re.compile(r'.*avalPush\.subscribe\("([^"]+)"\)')] = browser_subscribes
    user.javascript_rules[re.compile(r".*avalPush\.unsubscribe\(\)")] = lambda _: {"endpoint": ENDPOINT}
    await login(user, MARCIA)
    await user.open("/portal/approvals")
    assert header_of(user).props["push"]  # the user menu offers push
    marcia = await customer(MARCIA)

    # The user menu's "Ativar notificações push" (ui/app_header.js asks the browser's permission first)
    user.find(marker="app-header").trigger("push_on")
    await user.should_see("Notificações push ativadas neste navegador.", retries=100)
    assert keys_sent == [ctx().vapid_public_key] and keys_sent[0]
    assert await run_use_case(push.has_subscription, marcia)

    user.find(marker="app-header").trigger("push_off")
    await user.should_see("Notificações push desativadas neste navegador.", retries=100)
    assert not await run_use_case(push.has_subscription, marcia)


async def test_a_refused_permission_stores_nothing_and_says_why(user: User) -> None:
    user.javascript_rules[re.compile(r".*avalPush\.subscribe\(")] = lambda _: {"error": "denied"}
    await login(user, MARCIA)
    user.find(marker="app-header").trigger("push_on")
    await user.should_see("As notificações deste site estão bloqueadas", retries=100)
    assert not await run_use_case(push.has_subscription, await customer(MARCIA))


async def test_plain_customers_get_no_push_controls(user: User) -> None:
    await login(user, JOAO)
    assert not header_of(user).props["push"]
    user.find(marker="app-header").trigger("push_on")  # even when the browser sends it anyway
    await user.open("/portal/approvals")
    assert not header_of(user).props["push"]
    assert not await run_use_case(push.has_subscription, await customer(JOAO))
