"""/agent/admin/webhooks: the account manager registers an endpoint (public https only),
reads its signing secret once, switches it off, and follows its deliveries live with a
Reenviar button; other agents are refused (spec §14)."""

from __future__ import annotations

from agent_support import (
    ANA,
    BRUNO,
    agent,
    element,
    eventually,
    login,
    request_action,
    run_use_case,
    should_see_within,
)
from nicegui.testing import User

from domain import webhooks

PAGE = "/agent/admin/webhooks"


async def register_endpoint(user: User, url: str) -> None:
    user.find(marker="new-webhook").click()
    await user.should_see(marker="webhook-dialog", retries=100)
    user.find(marker="webhook-url").type(url)
    user.find(marker="webhook-save").click()


async def test_the_account_manager_registers_a_webhook_and_reads_its_secret_once(user: User) -> None:
    await login(user, ANA, then=PAGE)
    await user.should_see("Nenhum webhook ainda.", retries=100)
    await register_endpoint(user, "https://169.254.169.254/latest")
    await user.should_see("Informe um endereço https:// público para o webhook.", retries=100)
    element(user, "webhook-url").set_value("https://hooks.example.com/aval")
    element(user, "webhook-event-request.expired").set_value(False)
    user.find(marker="webhook-save").click()
    await user.should_see(marker="webhook-secret", retries=100)
    secret = str(element(user, "webhook-secret-value").value)
    assert secret.startswith("whsec_")
    user.find(marker="webhook-secret-done").click()
    await user.should_see("https://hooks.example.com/aval", retries=100)
    await user.should_not_see(secret)
    [endpoint] = await run_use_case(webhooks.list_endpoints, await agent(ANA))
    assert endpoint.secret == secret and "request.expired" not in endpoint.events and endpoint.active


async def test_deliveries_show_live_and_can_be_resent(user: User) -> None:
    made = await run_use_case(
        webhooks.create_endpoint, await agent(ANA), "https://hooks.example.com/aval", ["request.created"]
    )
    await login(user, ANA, then=PAGE)
    await user.should_see("Nenhuma entrega ainda.", retries=100)
    await request_action(1)
    await should_see_within(user, "webhook-deliveries", "request.created")
    [delivery] = await run_use_case(webhooks.deliveries, await agent(ANA))
    assert delivery.recipient_id == made.endpoint.id
    user.find(marker=f"webhook-resend-{delivery.id}").click()
    await user.should_see("Entrega colocada na fila de novo.", retries=100)


async def test_switching_an_endpoint_off(user: User) -> None:
    made = await run_use_case(
        webhooks.create_endpoint, await agent(ANA), "https://hooks.example.com/aval", ["request.created"]
    )
    await login(user, ANA, then=PAGE)
    await user.should_see(marker=f"webhook-active-{made.endpoint.id}", retries=100)
    element(user, f"webhook-active-{made.endpoint.id}").set_value(False)

    async def active() -> bool:
        [endpoint] = await run_use_case(webhooks.list_endpoints, await agent(ANA))
        return bool(endpoint.active)

    await eventually(active, False)


async def test_other_agents_may_not_open_the_page(user: User) -> None:
    await login(user, BRUNO, then=PAGE)
    await user.should_see(marker="forbidden", retries=100)
    await user.should_not_see(marker="new-webhook")
