"""A burst of outbox reports reaches the open pages once, not once per message: a
request to 1,000 managers makes the delivery worker report 2,000 messages, and each
report used to wake every subscriber of every open page (bench/fanout.py). Now the reports
reach only the pages that ask for them (the admins' outbox page), folded into one per burst."""

from __future__ import annotations

import asyncio

from domain.events import ActionRequested, DomainEvent, OutboxChanged
from ui.live import OUTBOX_BURST_SECONDS, LiveEvents


async def test_a_burst_of_outbox_reports_reaches_the_pages_once_and_other_events_at_once() -> None:
    live = LiveEvents()
    live.bind_loop()
    seen: list[DomainEvent] = []
    live.event.subscribe(seen.append)
    live.outbox_event.subscribe(seen.append)
    live.publish_local([OutboxChanged(message_id) for message_id in range(1, 2001)])
    live.publish_local([ActionRequested(request_id=1, ticket_id=1, ticket_number=1, action_name="Reembolso")])
    await asyncio.sleep(0)
    assert [type(e) for e in seen] == [ActionRequested]  # not held back by the burst
    await asyncio.sleep(OUTBOX_BURST_SECONDS * 2)
    assert [e for e in seen if isinstance(e, OutboxChanged)] == [OutboxChanged(2000)]  # the newest


async def test_outbox_reports_from_a_worker_thread_still_reach_the_pages() -> None:
    live = LiveEvents()
    live.bind_loop()
    seen: list[DomainEvent] = []
    live.outbox_event.subscribe(seen.append)
    await asyncio.to_thread(live.publish, [OutboxChanged(7)])
    await asyncio.sleep(OUTBOX_BURST_SECONDS * 2)
    assert seen == [OutboxChanged(7)]


async def test_pages_that_do_not_ask_for_outbox_reports_never_get_them() -> None:
    live = LiveEvents()
    live.bind_loop()
    seen: list[DomainEvent] = []
    live.event.subscribe(seen.append)
    requested = ActionRequested(request_id=1, ticket_id=1, ticket_number=1, action_name="Reembolso")
    live.publish_local([OutboxChanged(1), requested, OutboxChanged(2)])
    await asyncio.sleep(OUTBOX_BURST_SECONDS * 2)
    assert seen == [requested]
