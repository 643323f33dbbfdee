"""Web Push from the outbox worker against a local HTTP server playing the push service: it
checks the VAPID signature and decrypts each message as the manager's browser would (see
test_webpush_sender.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from outbox_support import BASE_URL, BRUNO, FABIO, MARCIA, Desk, open_desk, running, wait_until
from test_webpush_sender import Browser, PushService

from delivery.vapid import load_or_create_vapid_keys
from delivery.webpush_sender import WebPushSender
from domain import auth, push
from domain.model import Channel, OutboxMessage, OutboxStatus


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    desk = open_desk(f"sqlite:///{tmp_path / 'push.sqlite3'}")
    yield desk
    desk.close()


@pytest.fixture
def browser() -> Browser:
    return Browser()


@pytest.fixture
def service(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[PushService, WebPushSender]]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    keys = load_or_create_vapid_keys(tmp_path / "vapid")
    service = PushService(browser, keys.public_key_b64url)
    thread = threading.Thread(target=service.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield service, WebPushSender(keys, subject="mailto:aval@demo.test")
    service.server.shutdown()
    service.server.server_close()


def subscribe(desk: Desk, manager: str, browser: Browser, endpoint: str) -> None:
    sub = browser.subscription(endpoint)
    desk.run(push.subscribe, desk.customer(manager), sub.endpoint, sub.p256dh, sub.auth, allow_insecure=True)


def push_rows(desk: Desk) -> dict[str, OutboxMessage]:
    return {m.recipient_email: m for m in desk.outbox() if m.channel == Channel.PUSH}


def endpoints(desk: Desk) -> set[str]:
    with desk.engine.connect() as connection:
        return {row[0] for row in connection.exec_driver_sql("SELECT endpoint FROM push_subscriptions")}


def test_the_manager_s_browser_gets_the_request_and_a_gone_subscription_is_deleted(
    desk: Desk, service: tuple[PushService, WebPushSender], browser: Browser
) -> None:
    push_service, sender = service
    subscribe(desk, FABIO, browser, push_service.endpoint("/push/fabio"))
    subscribe(desk, MARCIA, browser, push_service.endpoint("/push/gone"))  # answers 410

    with running(desk.worker(None, sender)):
        request_id = desk.request(BRUNO, 1)
        wait_until(lambda: all(m.status != OutboxStatus.PENDING for m in push_rows(desk).values()),
                   what="both pushes handled")

    assert push_service.rejections == []
    [delivered] = push_service.delivered
    assert delivered.path == "/push/fabio"
    actions = delivered.message.pop("actions")
    assert delivered.message == {
        "title": "Ação aguardando sua aprovação",
        "body": "Chamado #1 — Cobrança em duplicidade na fatura de outubro: "
        "Bruno Agente pede aprovação para Reembolso.",
        "url": f"{BASE_URL}/portal/approvals/{request_id}",
    }
    # Spec §11: Aprovar / Reprovar buttons, each opening Fábio's own confirmation page.
    assert [(a["action"], a["title"]) for a in actions] == [("approve", "Aprovar"), ("reject", "Reprovar")]
    assert all(a["url"].startswith(f"{BASE_URL}/e/") for a in actions)
    assert actions[0]["url"] != actions[1]["url"]
    rows = push_rows(desk)
    assert rows[FABIO].status == OutboxStatus.SENT
    assert rows[MARCIA].status == OutboxStatus.SKIPPED
    assert rows[MARCIA].last_error == "no push subscription"
    assert endpoints(desk) == {push_service.endpoint("/push/fabio")}


def test_a_manager_without_subscription_gets_no_push_and_one_gone_meanwhile_is_skipped_with_a_note(
    desk: Desk, service: tuple[PushService, WebPushSender], browser: Browser
) -> None:
    push_service, sender = service
    desk.run(auth.set_locale, desk.customer(FABIO), "en")
    subscribe(desk, FABIO, browser, push_service.endpoint("/push/fabio"))

    with running(desk.worker(None, sender)):
        desk.request(BRUNO, 2, action="Reiniciar produção")
        wait_until(lambda: all(m.status != OutboxStatus.PENDING for m in push_rows(desk).values()),
                   what="the push handled")

    [delivered] = push_service.delivered
    assert delivered.message["title"] == "Action awaiting your approval"  # fabio reads English
    assert delivered.message["body"].startswith("Ticket #2 — Servidor de produção lento: Bruno Agente asks")
    assert set(push_rows(desk)) == {FABIO}  # Márcia never allowed push: nothing queued for her

    # Márcia allows push, then her browser withdraws before the worker gets to the message.
    subscribe(desk, MARCIA, browser, push_service.endpoint("/push/marcia"))
    desk.request(BRUNO, 3, action="Reiniciar produção")
    desk.run(push.unsubscribe, desk.customer(MARCIA), push_service.endpoint("/push/marcia"))
    with running(desk.worker(None, sender)):
        wait_until(lambda: all(m.status != OutboxStatus.PENDING for m in push_rows(desk).values()),
                   what="both pushes handled")
    marcia = next(m for m in desk.outbox() if m.channel == Channel.PUSH and m.recipient_email == MARCIA)
    assert (marcia.status, marcia.last_error, marcia.sent_at) == (OutboxStatus.SKIPPED, "no push subscription", None)


def test_a_failing_browser_is_retried_without_pushing_twice_to_the_others(
    desk: Desk, service: tuple[PushService, WebPushSender], browser: Browser
) -> None:
    push_service, sender = service
    subscribe(desk, FABIO, browser, push_service.endpoint("/push/fabio-phone"))
    subscribe(desk, FABIO, browser, push_service.endpoint("/push/error"))  # answers 500

    with running(desk.worker(None, sender)):
        desk.request(BRUNO, 1)
        wait_until(lambda: push_rows(desk)[FABIO].attempts >= 3, what="three attempts")

    row = push_rows(desk)[FABIO]
    assert row.status == OutboxStatus.PENDING
    assert "500" in row.last_error
    # The phone got it once; only the failing browser was tried again.
    assert [d.path for d in push_service.delivered] == ["/push/fabio-phone"]
    assert push_service.requests >= 1 + 3


def test_push_rows_do_not_wait_for_smtp(
    desk: Desk, service: tuple[PushService, WebPushSender], browser: Browser
) -> None:
    """Without SMTP the e-mails are held, and the push still goes out at once."""
    push_service, sender = service
    subscribe(desk, MARCIA, browser, push_service.endpoint("/push/marcia"))

    with running(desk.worker(None, sender)):
        started = time.monotonic()
        desk.request(BRUNO, 1)
        wait_until(lambda: len(push_service.delivered) == 1, what="marcia's push")
        assert time.monotonic() - started < 5
        wait_until(desk.settled, what="all messages handled")

    held = [m for m in desk.outbox() if m.channel == Channel.EMAIL]
    assert {m.status for m in held} == {OutboxStatus.HELD}
