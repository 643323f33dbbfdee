"""/agent/admin/webhooks: the account manager registers an endpoint (public https only),
reads its signing secret once, changes its events, switches it off, removes it, and
follows its deliveries live with a Reenviar button and what went wrong in words; other
agents are refused (spec §14)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
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

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "delivery"))

from webhook_receiver import Receiver, server_context

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


async def events_of(endpoint_id: int) -> list[str]:
    endpoints = await run_use_case(webhooks.list_endpoints, await agent(ANA))
    return next(e.events for e in endpoints if e.id == endpoint_id)


async def test_the_account_manager_changes_the_events_of_an_endpoint(user: User) -> None:
    made = await run_use_case(
        webhooks.create_endpoint, await agent(ANA), "https://hooks.example.com/aval", ["request.created"]
    )
    endpoint_id = made.endpoint.id
    await login(user, ANA, then=PAGE)
    user.find(marker=f"webhook-edit-{endpoint_id}").click()
    await user.should_see(marker="webhook-events-dialog", retries=100)
    await user.should_see("request.approved — a solicitação foi aprovada")
    assert element(user, "webhook-event-request.created").value is True
    assert element(user, "webhook-event-request.approved").value is False

    # No event chosen: refused, said why, the dialog stays and nothing changes.
    element(user, "webhook-event-request.created").set_value(False)
    user.find(marker="webhook-events-save").click()
    await user.should_see("Escolha pelo menos um evento.", retries=100)
    await user.should_see(marker="webhook-events-dialog")
    assert await events_of(endpoint_id) == ["request.created"]

    element(user, "webhook-event-request.approved").set_value(True)
    element(user, "webhook-event-request.rejected").set_value(True)
    user.find(marker="webhook-events-save").click()
    await user.should_see("Eventos salvos.", retries=100)
    await should_see_within(user, f"webhook-{endpoint_id}", "request.rejected")
    assert await events_of(endpoint_id) == ["request.approved", "request.rejected"]
    with user.scope(marker=f"webhook-{endpoint_id}"):
        await user.should_not_see("request.created")


async def test_the_events_dialog_starts_from_what_is_stored_now(user: User) -> None:
    """Another admin's change since the page drew: the dialog shows it, and an endpoint
    removed meanwhile is said to be gone."""
    made = await run_use_case(
        webhooks.create_endpoint, await agent(ANA), "https://hooks.example.com/aval", ["request.created"]
    )
    endpoint_id = made.endpoint.id
    await login(user, ANA, then=PAGE)
    await user.should_see(marker=f"webhook-edit-{endpoint_id}", retries=100)
    await run_use_case(webhooks.set_endpoint_events, await agent(ANA), endpoint_id, ["request.expired"])
    user.find(marker=f"webhook-edit-{endpoint_id}").click()
    await user.should_see(marker="webhook-events-dialog", retries=100)
    assert element(user, "webhook-event-request.expired").value is True
    assert element(user, "webhook-event-request.created").value is False
    user.find(marker="dialog-back").click()
    await user.should_not_see(marker="webhook-events-dialog", retries=100)
    await run_use_case(webhooks.delete_endpoint, await agent(ANA), endpoint_id)
    user.find(marker=f"webhook-edit-{endpoint_id}").click()
    await user.should_see("Endpoint de webhook não encontrado.", retries=100)
    await user.should_see("Nenhum webhook ainda.", retries=100)


async def test_removing_an_endpoint(user: User) -> None:
    made = await run_use_case(
        webhooks.create_endpoint, await agent(ANA), "https://hooks.example.com/aval", ["request.created"]
    )
    await login(user, ANA, then=PAGE)
    user.find(marker=f"webhook-remove-{made.endpoint.id}").click()
    await user.should_see(marker="confirm-dialog", retries=100)
    user.find(marker="confirm").click()
    await user.should_see("Nenhum webhook ainda.", retries=100)
    assert await run_use_case(webhooks.list_endpoints, await agent(ANA)) == []


@pytest.fixture
def untrusted_receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """An HTTPS receiver on 127.0.0.1 whose certificate no CA of the help desk vouches for.
    Loopback needs the insecure setting, set before the app (the `user` fixture) starts;
    it does not turn the certificate check off."""
    monkeypatch.setenv("AVAL_WEBHOOK_ALLOW_INSECURE", "1")
    receiver = Receiver(tls=server_context(trustme.CA(organization_name="Nobody trusts this"), "127.0.0.1"))
    receiver.start()
    yield receiver
    receiver.stop()


async def test_an_untrusted_certificate_shows_in_the_log_in_words_and_will_be_retried(
    untrusted_receiver: Receiver, user: User
) -> None:
    made = await run_use_case(
        webhooks.create_endpoint, await agent(ANA), untrusted_receiver.url, ["request.created"], allow_insecure=True
    )
    assert made.endpoint.url.startswith("https://127.0.0.1:")
    await login(user, ANA, then=PAGE)
    await request_action(1)
    await should_see_within(
        user,
        "webhook-deliveries",
        "A conexão segura (TLS) com o receptor do webhook falhou: o certificado dele não é confiável, "
        "expirou ou é de outro nome.",
    )
    [delivery] = await run_use_case(webhooks.deliveries, await agent(ANA))
    with user.scope(marker=f"webhook-delivery-{delivery.id}"):
        await user.should_see("Pendente")  # tried again later, with backoff
        await user.should_see("Próxima tentativa em", retries=1)
        await user.should_not_see("Traceback", retries=1)
    assert untrusted_receiver.all() == []
