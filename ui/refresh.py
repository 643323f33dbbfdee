"""Re-reading a page when committed events concern it, shared by both panels.

Events come in bursts (a request, its history, a trashed customer's tickets). One re-read
runs at a time; calls arriving meanwhile fold into one more run after it, so the screen
always ends on what the database holds, a slower older read never overwrites a newer
one, and a burst costs two reads instead of one per event."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


class Coalesced:
    """Wraps an async re-read. Awaiting a call returns once a re-read that started after
    the call has finished, so a handler can rely on the page showing its own change."""

    def __init__(self, reread: Callable[[], Awaitable[None]]) -> None:
        self._reread = reread
        self._running = False
        self._next: asyncio.Future[None] | None = None

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
            await asyncio.shield(self._next)
            return
        self._running = True
        waiter: asyncio.Future[None] | None = None
        try:
            while True:
                await self._reread()
                if waiter is not None:
                    waiter.set_result(None)
                waiter, self._next = self._next, None
                if waiter is None:
                    return
        except BaseException as error:
            for pending in (waiter, self._next):
                if pending is not None and not pending.done():
                    pending.set_exception(error) if isinstance(error, Exception) else pending.cancel()
            self._next = None
            raise
        finally:
            self._running = False
