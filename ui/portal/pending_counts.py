"""The managers' badge counts, read together.

A request of an organization concerns all its managers at once, and every open portal
tab of each of them re-reads its "Aprovar Ações (N)" count. One by one, 1,000 tabs were
1,000 transactions queued in the worker threads, about 3 s before the last badge moved
(docs/benchmarks.md, fan-out). The tabs that ask in the same turn of the event loop (all
those one event reaches) now share one `approvals.pending_counts` call."""

from __future__ import annotations

import asyncio

from nicegui import background_tasks

from domain import approvals
from domain.access import Actor

from ..context import call


class CountBatch:
    def __init__(self) -> None:
        self._waiting: dict[Actor, list[asyncio.Future[int]]] = {}
        self._scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None

    async def count(self, actor: Actor) -> int:
        """The pending count of `actor` (0 when not an active manager); raises what the
        batch's use case raised."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # A new event loop (the app restarted, or the next test): nothing scheduled on
            # the old one will ever run.
            self._loop, self._waiting, self._scheduled = loop, {}, False
        future: asyncio.Future[int] = loop.create_future()
        self._waiting.setdefault(actor, []).append(future)
        if not self._scheduled:
            self._scheduled = True
            # call_soon runs after the tasks already scheduled: every subscriber the same
            # event woke has asked by then.
            loop.call_soon(lambda: background_tasks.create(self._read(), name="pending counts"))
        return await future

    async def _read(self) -> None:
        self._scheduled = False
        waiting, self._waiting = self._waiting, {}
        try:
            counts = await call(approvals.pending_counts, list(waiting))
        except Exception as error:
            for futures in waiting.values():
                for future in futures:
                    if not future.done():
                        future.set_exception(error)
            return
        for actor, futures in waiting.items():
            for future in futures:
                if not future.done():
                    future.set_result(counts.get(actor, 0))


batch = CountBatch()
