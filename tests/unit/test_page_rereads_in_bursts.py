"""A burst of live events re-reads an open page a bounded number of times, and the page
still ends on the last state: 5,000 deadlines expiring in one minute made every open
`/agent` page re-read its list back to back for the whole minute (docs/benchmarks.md §5).
A page's own action is never held back by the pace, and a page nobody is looking at
re-reads once its browser connects instead of on every event."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ui.refresh import BURST_READS, Coalesced


class Database:
    """What the page reads; the re-read records what it saw."""

    def __init__(self) -> None:
        self.value = 0
        self.shown: list[int] = []

    async def reread(self) -> None:
        seen = self.value
        await asyncio.sleep(0.005)  # the read itself, off the loop
        self.shown.append(seen)


class Browser:
    """The parts of a NiceGUI client a page's re-reads look at."""

    def __init__(self, connected: bool) -> None:
        self.has_socket_connection = connected
        self.is_deleted = False
        self.handlers: list[Callable[[], None]] = []

    def on_connect(self, handler: Callable[[], None]) -> None:
        self.handlers.append(handler)

    def connect(self) -> None:
        self.has_socket_connection = True
        for handler in self.handlers:
            handler()


async def settled(refresh: Coalesced) -> None:
    while refresh._running:  # the last re-read is done
        await asyncio.sleep(0.01)


async def test_a_burst_of_events_rereads_a_bounded_number_of_times_and_shows_the_last_state() -> None:
    db = Database()
    refresh = Coalesced(db.reread, spacing=0.2)
    loop = asyncio.get_running_loop()
    began = loop.time()
    for event in range(1, 401):  # 400 commits, a few ms apart, as an expiry burst arrives
        db.value = event
        refresh.soon()
        await asyncio.sleep(0.002)
    lasted = loop.time() - began
    await settled(refresh)

    assert db.shown[-1] == 400  # nothing lost: the last read saw the last commit
    # At most the first reads at once, then one per spacing, and the one after the burst.
    assert refresh.reads <= BURST_READS + lasted / refresh.spacing + 2
    assert refresh.reads < 400 / 4


async def test_a_single_event_rereads_at_once() -> None:
    db = Database()
    refresh = Coalesced(db.reread, spacing=3600)  # a pace that would never end the test
    db.value = 1
    refresh.soon()
    await asyncio.wait_for(settled(refresh), 10)
    assert db.shown == [1]


async def test_the_pages_own_action_is_not_held_back_by_a_burst() -> None:
    db = Database()
    refresh = Coalesced(db.reread, spacing=3600)
    for event in range(1, 11):
        db.value = event
        refresh.soon()
        await asyncio.sleep(0.001)
    # The burst has used up the page's reads: the events' next re-read waits for the pace.
    db.value = 99  # the page's own change, committed
    await asyncio.wait_for(refresh(), 10)  # returns with it shown, without waiting an hour
    assert db.shown[-1] == 99


async def test_a_page_whose_browser_is_away_rereads_once_when_it_connects() -> None:
    db = Database()
    browser = Browser(connected=False)
    refresh = Coalesced(db.reread, client=browser)  # type: ignore[arg-type]
    for event in range(1, 51):
        db.value = event
        refresh.soon()
    await asyncio.sleep(0.05)
    assert db.shown == []  # nobody sees it: no reads

    browser.connect()
    await asyncio.wait_for(settled(refresh), 10)
    assert db.shown == [50]


async def test_an_event_while_connected_still_rereads_at_once() -> None:
    db = Database()
    browser = Browser(connected=True)  # NiceGUI holds its clients; the page only weakly
    refresh = Coalesced(db.reread, client=browser)  # type: ignore[arg-type]
    db.value = 7
    refresh.soon()
    await asyncio.wait_for(settled(refresh), 10)
    assert db.shown == [7]
