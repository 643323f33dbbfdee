"""Webhooks as an outbox channel (spec §14), against a real receiver on loopback that
verifies each delivery's signature with the `standardwebhooks` library: each event once,
nothing lost while the receiver is down, a resend under the same id; and the refusals
that keep the server from being turned against its own network (SSRF)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from outbox_support import ANA, BRUNO, FABIO, MARCIA, Desk, open_desk, running, wait_until
from standardwebhooks.webhooks import Webhook
from webhook_receiver import Receiver, resolving

from delivery.errors import DeliveryError
from delivery.webhook_sender import WebhookSender
from domain import approvals, outbox, tickets, webhooks
from domain.errors import Forbidden, InvalidInput
from domain.model import Channel, OutboxMessage, OutboxStatus, TicketStatus, WebhookEvent
from domain.outbox import DeliveryFailure

ALL_EVENTS = [e.value for e in WebhookEvent]


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    desk = open_desk(f"sqlite:///{tmp_path / 'webhooks.sqlite3'}")
    yield desk
    desk.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.stop()


def deliveries(desk: Desk) -> list[OutboxMessage]:
    return [m for m in desk.outbox() if m.channel == Channel.WEBHOOK]


def webhook_settled(desk: Desk) -> bool:
    return all(m.status != OutboxStatus.PENDING for m in deliveries(desk))


def register(desk: Desk, url: str, events: list[str] = ALL_EVENTS) -> webhooks.NewEndpoint:
    return desk.run(webhooks.create_endpoint, desk.agent(ANA), url, events, allow_insecure=True)


def verified(secret: str, receiver: Receiver) -> list[dict[str, Any]]:
    """Every body the receiver got, each checked against its signature."""
    return [Webhook(secret).verify(r.body, r.headers) for r in receiver.all()]


def test_each_request_event_reaches_the_endpoint_once_signed(desk: Desk, receiver: Receiver) -> None:
    new = register(desk, receiver.url)
    assert new.secret.startswith("whsec_")
    bruno, fabio, marcia = desk.agent(BRUNO), desk.customer(FABIO), desk.customer(MARCIA)
    approved = desk.request(BRUNO, 1)
    desk.run(approvals.approve, fabio, approved)
    rejected = desk.request(BRUNO, 2)
    desk.run(approvals.reject, marcia, rejected, "Não")
    cancelled = desk.request(BRUNO, 3)
    desk.run(approvals.cancel, bruno, cancelled)
    expired = desk.request(BRUNO, 1)
    desk.run(tickets.set_status, bruno, 1, TicketStatus.CLOSED)
    worker = desk.worker(None, webhook_sender=WebhookSender(allow_insecure=True))
    with running(worker):
        wait_until(lambda: len(receiver.all()) >= 8 and webhook_settled(desk), what="eight deliveries")
    bodies = verified(new.secret, receiver)
    seen = Counter((b["type"], b["data"]["request_id"]) for b in bodies)
    assert seen == Counter(
        {
            ("request.created", approved): 1,
            ("request.approved", approved): 1,
            ("request.created", rejected): 1,
            ("request.rejected", rejected): 1,
            ("request.created", cancelled): 1,
            ("request.cancelled", cancelled): 1,
            ("request.created", expired): 1,
            ("request.expired", expired): 1,
        }
    )
    assert len({r.headers["webhook-id"] for r in receiver.all()}) == len(bodies)
    rejection = next(b for b in bodies if b["type"] == "request.rejected")
    assert rejection["data"]["reason"] == "Não" and rejection["data"]["state"] == "rejected"
    assert all(m.status == OutboxStatus.SENT for m in deliveries(desk))


def test_only_the_chosen_events_of_active_endpoints_are_sent(desk: Desk, receiver: Receiver) -> None:
    only_approved = register(desk, receiver.url, ["request.approved"])
    off = register(desk, receiver.url + "?off", ALL_EVENTS)
    assert off.endpoint.id is not None
    desk.run(webhooks.set_endpoint_active, desk.agent(ANA), off.endpoint.id, False)
    request_id = desk.request(BRUNO, 1)
    desk.run(approvals.approve, desk.customer(FABIO), request_id)
    with running(desk.worker(None, webhook_sender=WebhookSender(allow_insecure=True))):
        wait_until(lambda: len(receiver.all()) >= 1 and webhook_settled(desk), what="one delivery")
    assert [b["type"] for b in verified(only_approved.secret, receiver)] == ["request.approved"]
    assert all(r.path == "/hook" for r in receiver.all())


def test_a_receiver_down_gets_the_delivery_once_when_it_is_back(desk: Desk, receiver: Receiver) -> None:
    new = register(desk, receiver.url, ["request.created"])
    receiver.stop()
    request_id = desk.request(BRUNO, 1)
    worker = desk.worker(None, webhook_sender=WebhookSender(allow_insecure=True, timeout=1, connect_timeout=1))
    with running(worker):
        wait_until(lambda: deliveries(desk)[0].attempts >= 2, what="failed attempts while the receiver is down")
        pending = deliveries(desk)[0]
        assert pending.status == OutboxStatus.PENDING and "cannot reach" in pending.last_error
        receiver.start()
        wait_until(lambda: deliveries(desk)[0].status == OutboxStatus.SENT, what="the delivery after the restart")
        wait_until(lambda: len(receiver.all()) >= 1, what="the receiver to record it")
    assert [(b["type"], b["data"]["request_id"]) for b in verified(new.secret, receiver)] == [
        ("request.created", request_id)
    ]


def test_resend_sends_the_same_delivery_again_under_the_same_id(desk: Desk, receiver: Receiver) -> None:
    new = register(desk, receiver.url, ["request.created"])
    desk.request(BRUNO, 1)
    worker = desk.worker(None, webhook_sender=WebhookSender(allow_insecure=True))
    with running(worker):
        wait_until(lambda: len(receiver.all()) == 1 and webhook_settled(desk), what="the first delivery")
        [delivery] = desk.run(webhooks.deliveries, desk.agent(ANA))
        assert delivery.id is not None
        with pytest.raises(Forbidden):
            desk.run(webhooks.resend, desk.agent(BRUNO), delivery.id)
        desk.run(webhooks.resend, desk.agent(ANA), delivery.id)
        wait_until(lambda: len(receiver.all()) == 2, what="the resend")
    first, second = receiver.all()
    assert first.headers["webhook-id"] == second.headers["webhook-id"] and first.body == second.body
    assert len(verified(new.secret, receiver)) == 2


def test_a_refused_delivery_is_failed_with_the_reason_and_the_receiver_sees_nothing(desk: Desk) -> None:
    """A URL accepted when registered (here under AVAL_WEBHOOK_ALLOW_INSECURE) but sent by
    an instance without it: the sender refuses it on its own."""
    register(desk, "http://127.0.0.1:9/hook", ["request.created"])
    desk.request(BRUNO, 1)
    with running(desk.worker(None, webhook_sender=WebhookSender())):
        wait_until(lambda: webhook_settled(desk), what="the refusal")
    [delivery] = deliveries(desk)
    kind, detail = outbox.read_note(delivery.last_error)
    assert delivery.status == OutboxStatus.FAILED and kind == DeliveryFailure.ADDRESS_REFUSED
    assert detail.startswith("refused")


# --- SSRF --------------------------------------------------------------------------------

PRIVATE_URLS = [
    "https://127.0.0.1/hook",
    "https://127.1.2.3:8443/hook",
    "https://10.1.2.3/hook",
    "https://172.16.0.1/hook",
    "https://192.168.1.10/hook",
    "https://169.254.169.254/latest/meta-data",
    "https://[::1]/hook",
    "https://[fe80::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://0.0.0.0/hook",
    "https://224.0.0.1/hook",
    "https://localhost/hook",
    "https://printer.local/hook",
    "https://2130706433/hook",
    "http://hooks.example.com/hook",
    "https://user:pass@hooks.example.com/hook",
    "ftp://hooks.example.com/hook",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_non_public_urls_are_refused_when_registered_and_when_sent(desk: Desk, url: str) -> None:
    with pytest.raises(InvalidInput):
        desk.run(webhooks.create_endpoint, desk.agent(ANA), url, ALL_EVENTS)
    with pytest.raises(DeliveryError) as refused:
        WebhookSender().send(url, webhooks.new_secret(), "msg_1", "{}")
    assert refused.value.permanent


@pytest.mark.parametrize(
    "addresses", [["127.0.0.1"], ["10.0.0.7"], ["169.254.169.254"], ["::1"], ["93.184.215.14", "192.168.0.1"]],
    ids=["loopback", "private", "link-local", "ipv6-loopback", "one-public-one-private"],
)
def test_a_public_name_resolving_to_a_private_address_is_refused_at_sending(addresses: list[str]) -> None:
    sender = WebhookSender(resolver=resolving({"hooks.example.com": addresses}))
    assert webhooks.url_allowed("https://hooks.example.com/hook")
    with pytest.raises(DeliveryError) as refused:
        sender.send("https://hooks.example.com/hook", webhooks.new_secret(), "msg_1", "{}")
    assert refused.value.permanent and "non-public" in refused.value.message


def test_the_connection_goes_to_the_address_that_was_checked(receiver: Receiver) -> None:
    """The HTTP client is handed the checked address and never resolves the name itself
    (it could not: the name exists only for this resolver)."""
    sender = WebhookSender(allow_insecure=True, resolver=resolving({"hooks.example.test": ["127.0.0.1"]}))
    secret = webhooks.new_secret()
    sender.send(f"http://hooks.example.test:{receiver.port}/hook", secret, "msg_7", '{"type":"x"}')
    [got] = receiver.all()
    assert got.headers["host"] == f"hooks.example.test:{receiver.port}"
    assert Webhook(secret).verify(got.body, got.headers) == {"type": "x"}


def test_a_redirect_is_not_followed(receiver: Receiver) -> None:
    target = Receiver()
    target.start()
    try:
        receiver.status, receiver.location = 307, target.url
        with pytest.raises(DeliveryError) as refused:
            WebhookSender(allow_insecure=True).send(receiver.url, webhooks.new_secret(), "msg_1", "{}")
        assert refused.value.permanent and "redirects are not followed" in refused.value.message
        assert len(receiver.all()) == 1 and target.all() == []
    finally:
        target.stop()


def test_only_the_account_manager_manages_webhooks(desk: Desk) -> None:
    with pytest.raises(Forbidden):
        desk.run(webhooks.create_endpoint, desk.agent(BRUNO), "https://hooks.example.com/x", ALL_EVENTS)
    with pytest.raises(Forbidden):
        desk.run(webhooks.list_endpoints, desk.agent(BRUNO))
    with pytest.raises(InvalidInput):
        desk.run(webhooks.create_endpoint, desk.agent(ANA), "https://hooks.example.com/x", [])
    made = desk.run(webhooks.create_endpoint, desk.agent(ANA), "https://hooks.example.com/x", ["request.created"])
    assert [e.url for e in desk.run(webhooks.list_endpoints, desk.agent(ANA))] == [made.endpoint.url]


def test_only_the_account_manager_changes_an_endpoint_and_bad_events_change_nothing(desk: Desk) -> None:
    ana, bruno = desk.agent(ANA), desk.agent(BRUNO)
    made = desk.run(webhooks.create_endpoint, ana, "https://hooks.example.com/x", ["request.created"])
    endpoint_id = made.endpoint.id
    assert endpoint_id is not None

    def stored() -> tuple[list[str], bool]:
        [endpoint] = desk.run(webhooks.list_endpoints, ana)
        return endpoint.events, endpoint.active

    for attempt in (
        lambda: desk.run(webhooks.set_endpoint_events, bruno, endpoint_id, ALL_EVENTS),
        lambda: desk.run(webhooks.set_endpoint_active, bruno, endpoint_id, False),
        lambda: desk.run(webhooks.delete_endpoint, bruno, endpoint_id),
    ):
        with pytest.raises(Forbidden):
            attempt()
    for events in ([], ["request.created", "ticket.deleted"]):
        with pytest.raises(InvalidInput) as refused:
            desk.run(webhooks.set_endpoint_events, ana, endpoint_id, events)
        assert refused.value.message == webhooks.NO_EVENTS
    assert stored() == (["request.created"], True)
    desk.run(webhooks.set_endpoint_events, ana, endpoint_id, ["request.expired", "request.approved"])
    assert stored() == (["request.approved", "request.expired"], True)  # in the events' own order
    desk.run(webhooks.delete_endpoint, ana, endpoint_id)
    assert desk.run(webhooks.list_endpoints, ana) == []
