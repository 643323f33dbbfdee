"""What one instance puts on the PostgreSQL channel and what another makes of it, without a
server: batches fit the NOTIFY limit, an instance skips its own events, and an event a
newer version sent (rolling upgrade) does not cost the others in its batch."""

from __future__ import annotations

import json

from domain.events import ActionRequested, Audience, DomainEvent, TicketChanged
from persistence.event_relay import PAYLOAD_LIMIT, PostgresEventRelay

URL = "postgresql+psycopg://aval:p%40ss@db.example.com:5432/aval"


def _relay(received: list[list[DomainEvent]], instance_id: str) -> PostgresEventRelay:
    return PostgresEventRelay(URL, received.append, instance_id=instance_id)


def test_the_listener_connects_with_the_apps_credentials_through_libpq() -> None:
    assert _relay([], "a").conninfo == "postgresql://aval:p%40ss@db.example.com:5432/aval"


def test_a_small_batch_is_one_notification_and_reaches_another_instance() -> None:
    received: list[list[DomainEvent]] = []
    sender, listener = _relay([], "a"), _relay(received, "b")
    batch: list[DomainEvent] = [
        ActionRequested(1, 2, 3, "Reembolso", Audience(manager_ids=frozenset({4, 5}))),
        TicketChanged(2, 3),
    ]
    (payload,) = sender.payloads(batch)
    listener.receive(payload)
    assert received == [batch]


def test_an_instance_skips_what_it_sent_itself() -> None:
    received: list[list[DomainEvent]] = []
    relay = _relay(received, "a")
    for payload in relay.payloads([TicketChanged(2, 3)]):
        relay.receive(payload)
    assert received == []


def test_a_big_batch_is_split_into_notifications_under_the_limit() -> None:
    crowd = Audience(customer_ids=frozenset(range(10_000, 10_400)))
    batch: list[DomainEvent] = [TicketChanged(n, n, crowd) for n in range(5)]
    payloads = _relay([], "a").payloads(batch)
    assert 1 < len(payloads) < 5  # as few as fit, not one per event
    assert all(len(p.encode()) <= PAYLOAD_LIMIT for p in payloads)
    received: list[list[DomainEvent]] = []
    listener = _relay(received, "b")
    for payload in payloads:
        listener.receive(payload)
    assert [event for events in received for event in events] == batch  # whole and in order


def test_an_expiry_batch_goes_in_a_few_notifications() -> None:
    # A due-work batch: 50 requests, each its expiry and two hub entries' worth of events.
    batch: list[DomainEvent] = [
        TicketChanged(n, n, Audience(manager_ids=frozenset({n, n + 1}), agent_ids=frozenset({1})))
        for n in range(150)
    ]
    payloads = _relay([], "a").payloads(batch)
    assert len(payloads) <= 10
    assert all(len(p.encode()) <= PAYLOAD_LIMIT for p in payloads)


def test_an_unknown_event_is_dropped_alone_and_garbage_is_ignored() -> None:
    received: list[list[DomainEvent]] = []
    listener = _relay(received, "b")
    known = {"type": "TicketChanged", "data": {"ticket_id": 7, "ticket_number": 7}}
    newer = {"type": "ActionTeleported", "data": {"where": "Mars"}}
    listener.receive(json.dumps({"i": "a", "n": 0, "e": [newer, known]}))
    listener.receive("not json at all")
    listener.receive(json.dumps({"i": "a", "n": 0, "e": [newer]}))
    assert received == [[TicketChanged(7, 7)]]
