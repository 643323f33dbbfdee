"""Re-reading a page when committed events concern it, shared by both panels.

Events come in bursts (a request, its history, a trashed customer's tickets, 5,000
deadlines expiring in one minute). One re-read runs at a time; calls arriving meanwhile
fold into one more run after it, so the screen always ends on what the database holds and
a slower older read never overwrites a newer one.

A long burst is paced: a page's first two re-reads run at once, later ones at most one per
`BURST_SPACING` seconds, the last one always done. Without the pace every open page
re-read its list back to back for as long as the burst lasted (docs/benchmarks.md §5).
A page whose browser is not connected (still loading, or gone and not yet deleted) does
not re-read on events: it re-reads once when the browser connects, since what it would
draw meanwhile reaches no one."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import TypeVar

from nicegui import Client, background_tasks, core
from nicegui.context import context
from nicegui.slot import Slot

T = TypeVar("T")

# During a burst, the shortest time between two of a page's re-reads (after its first two).
BURST_SPACING = 1.0
# Re-reads a page may make at once before the pace applies: an event and the click that
# caused it each get theirs without waiting.
BURST_READS = 2


_tasks: set[asyncio.Task[None]] = set()


def _page_client() -> Client | None:
    return context.client if Slot.get_stack() else None


class Coalesced:
    """Wraps an async re-read.

    `await refresh()` is for the page's own actions: it returns once a re-read that
    started after the call has finished (so a handler can rely on the page showing its own
    change), and never waits for the burst pace. `refresh.soon()` is for live events:
    it never awaits, and is paced and skipped while the browser is away."""

    def __init__(
        self,
        reread: Callable[[], Awaitable[None]],
        *,
        spacing: float = BURST_SPACING,
        client: Client | None = None,
    ) -> None:
        self._reread = reread
        self.spacing = spacing
        self.reads = 0  # how many re-reads ran (for tests and benchmarks)
        self._running = False
        self._again = False  # an event asked for a re-read after the running one
        self._next: asyncio.Future[None] | None = None  # callers awaiting the next re-read
        self._urgent: asyncio.Event | None = None  # a caller waits: stop pacing
        self._credit = float(BURST_READS)
        self._stamp: float | None = None
        self._stale = False
        page_client = client if client is not None else _page_client()
        # Weakly: a closed tab's client must go as soon as NiceGUI lets go of it (pages of
        # a browser that are still alive are signed out with it, ui/session.py).
        self._client_ref = weakref.ref(page_client) if page_client is not None else None
        if page_client is not None:
            page_client.on_connect(self._on_connect)

    @classmethod
    def of(cls, load: Callable[[], Awaitable[T]], draw: Callable[[T], None]) -> Coalesced:
        """Read, then draw at once: the drawing never awaits, so two refreshes cannot
        interleave their elements."""

        async def reread() -> None:
            draw(await load())

        return cls(reread)

    async def __call__(self) -> None:
        if self._running:
            if self._next is None:
                self._next = asyncio.get_running_loop().create_future()
            if self._urgent is not None:
                self._urgent.set()
            await asyncio.shield(self._next)
            return
        self._running = True
        await self._run(urgent=True)

    @property
    def _client(self) -> Client | None:
        return self._client_ref() if self._client_ref is not None else None

    def soon(self) -> None:
        """A live event concerns the page: re-read it, paced, without waiting."""
        client = self._client
        if self._client_ref is not None and (client is None or client.is_deleted or not client.has_socket_connection):
            self._stale = True  # re-read when the browser (re)connects
            return
        if self._running:
            self._again = True
            return
        self._running = True  # taken now: events until the task starts fold into it
        loop = asyncio.get_running_loop()
        if core.loop is not loop:  # outside a running app (unit tests)
            task = loop.create_task(self._run(urgent=False))
            _tasks.add(task)
            task.add_done_callback(_tasks.discard)
            return
        slot = context.slot if Slot.get_stack() else None
        background_tasks.create(self._run(urgent=False), name="page re-read", context=slot)

    def _on_connect(self) -> None:
        if self._stale:
            self._stale = False
            self.soon()

    async def _run(self, *, urgent: bool) -> None:
        """Re-reads until nobody asks for more; the caller has set `_running`."""
        try:
            while True:
                if not urgent:
                    await self._pace()
                    client = self._client
                    gone = self._client_ref is not None and (client is None or client.is_deleted)
                    if gone and self._next is None:
                        return  # the tab closed while the re-read waited for its turn
                self._spend()
                waiters, self._next = self._next, None
                self._again = False
                try:
                    await self._reread()
                    self.reads += 1
                except BaseException as error:
                    for pending in (waiters, self._next):
                        if pending is not None and not pending.done():
                            if isinstance(error, Exception):
                                pending.set_exception(error)
                            else:
                                pending.cancel()
                    self._next = None
                    raise
                if waiters is not None:
                    waiters.set_result(None)
                if self._next is None and not self._again:
                    return
                urgent = self._next is not None  # someone awaits it: no pace
        finally:
            self._running = False

    def _refill(self, now: float) -> None:
        if self._stamp is not None:
            self._credit = min(float(BURST_READS), self._credit + (now - self._stamp) / self.spacing)
        self._stamp = now

    def _spend(self) -> None:
        self._refill(asyncio.get_running_loop().time())
        self._credit = max(0.0, self._credit - 1.0)

    async def _pace(self) -> None:
        loop = asyncio.get_running_loop()
        self._refill(loop.time())
        wait = (1.0 - self._credit) * self.spacing
        if wait <= 0 or self._next is not None:
            return
        self._urgent = asyncio.Event()
        try:
            await asyncio.wait_for(self._urgent.wait(), wait)
        except TimeoutError:
            pass
        finally:
            self._urgent = None
