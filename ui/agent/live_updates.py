"""How an agent page follows committed domain events and redraws itself."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from nicegui import ui
from nicegui.storage import request_contextvar

from domain.events import DomainEvent

from ..context import ctx

T = TypeVar("T")


def follow(on_event: Callable[[DomainEvent], Awaitable[None]]) -> None:
    """Subscribe the page being built to committed events (unsubscribed when it closes).

    Events arrive from the worker thread that committed them, outside any request; the
    handler runs with this page's request again so that `_()` speaks the language of the
    person looking at the page, not the installation's default."""
    client = ui.context.client

    async def handle(event: DomainEvent) -> None:
        if client.is_deleted:
            return
        request_contextvar.set(client.request)
        await on_event(event)

    ctx().live.subscribe(handle)


class Redraw(Generic[T]):
    """Re-read, then redraw at once: the drawing itself never awaits, so two refreshes
    racing each other cannot interleave their elements, and a slower older read never
    overwrites a newer one."""

    def __init__(self, load: Callable[[], Awaitable[T]], draw: Callable[[T], None]) -> None:
        self.load = load
        self.draw = draw
        self._generation = 0

    async def __call__(self) -> None:
        self._generation += 1
        generation = self._generation
        data = await self.load()
        if generation == self._generation:
            self.draw(data)
