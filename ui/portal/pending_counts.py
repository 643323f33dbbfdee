"""The managers' badge counts, read together.

A request of an organization concerns all its managers at once, and every open portal
tab of each of them re-reads its "Aprovar Ações (N)" count. One by one, 1,000 tabs were
1,000 transactions queued in the worker threads, about 3 s before the last badge moved
(docs/benchmarks.md, fan-out). The tabs that ask in the same turn of the event loop (all
those one event reaches) now share one `approvals.pending_counts` call, and each hands in
a callback rather than awaiting: a task per tab, 1,000 of them per request, was a tenth
of the event loop's work in the fan-out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from nicegui import background_tasks

from domain import approvals
from domain.access import Actor
from domain.errors import DomainError

from ..context import call

log = logging.getLogger(__name__)


class CountBatch:
    def __init__(self) -> None:
        # Per person, the callbacks of the tabs that asked (a set: a commit's several
        # events for one tab ask once).
        self._callbacks: dict[Actor, set[Callable[[int], None]]] = {}
        self._scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def recheck(self, actor: Actor, done: Callable[[int], None]) -> None:
        """Reads `actor`'s count with the others asked in this turn, then calls `done` with
        it on the event loop (0 when the person may no longer approve: signed out,
        deactivated). Must be called on the loop."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # A new event loop (the app restarted, or the next test): nothing scheduled on
            # the old one will ever run.
            self._loop, self._callbacks, self._scheduled = loop, {}, False
        self._callbacks.setdefault(actor, set()).add(done)
        if not self._scheduled:
            self._scheduled = True
            # call_soon runs after the tasks already scheduled: every subscriber the same
            # event woke has asked by then.
            loop.call_soon(lambda: background_tasks.create(self._read(), name="pending counts"))

    async def _read(self) -> None:
        self._scheduled = False
        callbacks, self._callbacks = self._callbacks, {}
        try:
            counts = await call(approvals.pending_counts, list(callbacks))
        except DomainError:
            counts = {}
        except Exception:
            log.exception("reading the managers' pending counts failed")
            return
        for actor, dones in callbacks.items():
            for done in dones:
                try:
                    done(counts.get(actor, 0))
                except Exception:  # one page's failure must not keep the others from their count
                    log.exception("a pending count callback failed")


batch = CountBatch()
