"""A burst of committed events (5,000 deadlines expiring in one minute, docs/benchmarks.md
§5) re-reads the agent's open ticket list a bounded number of times, and the list still
ends on what the database holds: a request made at the end of the burst shows."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from agent_support import BRUNO, login, request_action, until
from nicegui.testing import User

from domain import tickets
from domain.events import TicketChanged
from ui.context import ctx
from ui.refresh import BURST_READS, BURST_SPACING


async def test_a_burst_of_events_rereads_the_ticket_list_a_few_times_and_ends_on_the_last_state(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    await login(user, BRUNO, then="/agent")
    await user.should_see(marker="ticket-row-1", retries=100)
    await user.should_not_see(marker="pending-1")

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

    await user.should_see(marker="pending-1", retries=200)
    await until(lambda: bool(reads) and time.monotonic() - reads[-1] > BURST_SPACING)  # the burst is over
    # Before, the page re-read after nearly every commit; now the first reads at once,
    # then one per BURST_SPACING, and the last one.
    assert len(reads) <= BURST_READS + lasted / BURST_SPACING + 2
    assert len(reads) < 300 / 4
