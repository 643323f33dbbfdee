"""A burst of committed events (5,000 deadlines expiring in one minute, docs/benchmarks.md
§5) re-reads the agent's open ticket list a bounded number of times, and the list still
ends on what the database holds: a request made at the end of the burst shows. A burst of
hub entries is announced by one toast, then one for the rest, not one per entry."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from agent_support import (
    BRUNO,
    agent,
    login,
    pending_numbers,
    request_action,
    until,
    until_pending,
    until_ticket_listed,
)
from nicegui.testing import User

from domain import tickets
from domain.events import AgentNotificationCreated, TicketChanged
from ui import browser
from ui.agent.bell import TOAST_SPACING
from ui.context import ctx
from ui.refresh import BURST_READS, BURST_SPACING


async def test_a_burst_of_events_rereads_the_ticket_list_a_few_times_and_ends_on_the_last_state(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    await login(user, BRUNO, then="/agent")
    await until_ticket_listed(user, 1)
    assert 1 not in pending_numbers(user)

    reads: list[float] = []
    real_list_tickets = tickets.list_tickets

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(time.monotonic())
        return real_list_tickets(*args, **kwargs)

    monkeypatch.setattr(tickets, "list_tickets", counted)
    live = ctx().live
    began = time.monotonic()

    def burst() -> None:
        # 300 commits of 5 events each, from a worker thread as the due worker commits them.
        for commit in range(300):
            live.publish([TicketChanged(ticket_id=n, ticket_number=n) for n in range(commit * 5, commit * 5 + 5)])
            time.sleep(0.005)

    await asyncio.get_running_loop().run_in_executor(None, burst)
    await request_action(1, "Reembolso")  # the burst's last commit changes what the list shows
    lasted = time.monotonic() - began

    await until_pending(user, 1, timeout=20)
    await until(lambda: bool(reads) and time.monotonic() - reads[-1] > BURST_SPACING)  # the burst is over
    # Before, the page re-read after nearly every commit; now the first reads at once,
    # then one per BURST_SPACING, and the last one.
    assert len(reads) <= BURST_READS + lasted / BURST_SPACING + 2
    assert len(reads) < 300 / 4


async def test_a_burst_of_hub_entries_is_announced_once_then_together(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[tuple[str, ...]] = []
    monkeypatch.setattr(browser, "notify_in_background", lambda *texts: told.append(texts))
    await login(user, BRUNO, then="/agent")
    await until_ticket_listed(user, 1)
    bruno = (await agent(BRUNO)).id
    entries = [
        AgentNotificationCreated(
            agent_id=bruno, notification_id=n, ticket_number=n, request_id=n, kind="expired",
            action_name="Reembolso", actor_name="",
        )
        for n in range(1, 31)
    ]
    await asyncio.get_running_loop().run_in_executor(None, ctx().live.publish, entries)  # one commit of 30

    await until(lambda: len(told) == 2)  # the first entry at once, the other 29 together after
    assert told[1] == ("Aval", "29 novas notificações", "/agent/notifications")
    await user.should_see("29 novas notificações")
    await asyncio.sleep(TOAST_SPACING * 2)
    assert len(told) == 2  # not one per entry
