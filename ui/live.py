"""Committed domain events, handed from the worker thread that committed them to the
event loop, where every open page that is concerned refreshes itself.

One `nicegui.Event` fans each event out to the subscribers of connected clients; a page
subscribes with a filter on the event's audience, so a manager's badge refreshes only
for requests of their organizations. No page polls."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Callable
from typing import Any

from nicegui import Client, Event, background_tasks, core, ui
from nicegui.context import context
from nicegui.slot import Slot
from nicegui.storage import request_contextvar

from domain.events import DomainEvent, OutboxChanged

log = logging.getLogger(__name__)
# OutboxChanged events closer together than this reach the pages as one.
OUTBOX_BURST_SECONDS = 0.25


class LiveEvents:
    def __init__(self) -> None:
        # Every committed domain event but the outbox's bookkeeping, one by one (for
        # observers outside the pages, e.g. the benchmarks' timestamps).
        self.event: Event[DomainEvent] = Event()
        # The same, as the list each commit made: what the pages subscribe to.
        self.batch_event: Event[list[DomainEvent]] = Event()
        # OutboxChanged, folded into bursts: only the admins' outbox page asks for it.
        self.outbox_event: Event[DomainEvent] = Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        # Counts events fanned out; a page that read data before subscribing compares it
        # to know whether something slipped past in between.
        self.sequence = 0
        # Extra sinks (e.g. the relay to other instances, the outbox worker's wake-up).
        self.listeners: list[Callable[[list[DomainEvent]], None]] = []
        # Sinks for events committed by other instances (relayed through PostgreSQL).
        self.remote_listeners: list[Callable[[list[DomainEvent]], None]] = []
        self._outbox_changed: OutboxChanged | None = None
        self._outbox_scheduled = False

    def bind_loop(self) -> None:
        self.loop = asyncio.get_running_loop()

    def publish(self, events: list[DomainEvent]) -> None:
        """Called by the unit of work after commit, from any thread. The open pages get
        the events first: the other sinks (the outbox worker's wake-up) can wait."""
        self.publish_local(events)
        for listener in self.listeners:
            try:
                listener(events)
            except Exception:  # a broken sink must not undo a committed change
                log.exception("live event listener failed")

    def publish_remote(self, events: list[DomainEvent]) -> None:
        """Events another instance committed: our own sinks that care, then our clients."""
        for listener in self.remote_listeners:
            try:
                listener(events)
            except Exception:
                log.exception("remote event listener failed")
        self.publish_local(events)

    def publish_local(self, events: list[DomainEvent]) -> None:
        loop = self.loop
        if loop is None or loop.is_closed() or not events:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        batch = list(events)
        if running is loop:
            self._emit(batch)
        else:
            # One hand-off per commit, not per event: an expiry batch commits ~150 events.
            loop.call_soon_threadsafe(self._emit, batch)

    def _emit(self, events: list[DomainEvent]) -> None:
        for_pages: list[DomainEvent] = []
        for domain_event in events:
            if isinstance(domain_event, OutboxChanged):
                # The delivery worker reports every message it handles: a request to 1,000
                # managers is 2,000 messages, and each event wakes every subscriber of every
                # open page (a task each). Only the admins' outbox page cares, and once per
                # burst is enough for it (docs/benchmarks.md, fan-out).
                self._outbox_changed = domain_event
                if not self._outbox_scheduled and self.loop is not None:
                    self._outbox_scheduled = True
                    self.loop.call_later(OUTBOX_BURST_SECONDS, self._emit_outbox_changed)
                continue
            self.sequence += 1
            self.event.emit(domain_event)
            for_pages.append(domain_event)
        if for_pages:
            # Each open page's subscription runs once per commit and picks its events:
            # entering a page's context once per event and page was most of the cost of
            # a burst of 5,000 expiries (docs/benchmarks.md §5).
            self.batch_event.emit(for_pages)

    def _emit_outbox_changed(self) -> None:
        self._outbox_scheduled = False
        if self._outbox_changed is not None:
            domain_event, self._outbox_changed = self._outbox_changed, None
            self.sequence += 1
            self.outbox_event.emit(domain_event)

    def subscribe(
        self,
        callback: Callable[[DomainEvent], Any],
        when: Callable[[DomainEvent], bool] | None = None,
        *,
        outbox: bool = False,
    ) -> None:
        """Subscribe from inside a page: the subscription ends with the client.

        `when` picks the events that concern the page. It runs at once for every open
        page, so it must be cheap and must not await; only events it accepts reach the
        callback (a request to 1,000 managers otherwise woke a task for every subscriber
        of every open page, agents' included). A plain callback runs at once; a coroutine
        function gets a task per event, so pages that only re-read use `Coalesced.soon`.
        `outbox` adds the outbox bookkeeping events (OutboxChanged), which nothing else
        receives.

        Events arrive from the thread that committed them, outside any request; the
        callback runs with its page's request again, so `_()` speaks the language of the
        person looking at the page rather than the installation's default."""
        client = ui.context.client
        subscription = PageSubscription(client, callback, when)
        client.on_connect(subscription.release)
        self.batch_event.subscribe(subscription.deliver)
        if outbox:
            self.outbox_event.subscribe(subscription.deliver_one)


class PageSubscription:
    """One page's interest in the committed events.

    Batches that arrive while no browser is connected to the page (still loading, or away
    until its reconnect timeout) are held and handed over in order when one connects.
    Offering each event to the filters of such pages was most of a 5,000-expiry burst's
    time: the pages of plain GETs (prefetches, mail scanners, the benchmark's clients) live
    60 s without a socket, hundreds of them (docs/benchmarks.md §5)."""

    def __init__(
        self,
        client: Client,
        callback: Callable[[DomainEvent], Any],
        when: Callable[[DomainEvent], bool] | None,
    ) -> None:
        self.client, self.callback, self.when = client, callback, when
        self.held: list[list[DomainEvent]] = []
        # Where the page subscribed: held events are handed over there, as live ones are.
        self.slot: Slot | None = context.slot if Slot.get_stack() else None

    def deliver(self, events: list[DomainEvent]) -> None:
        client = self.client
        if client.is_deleted:
            return
        if not client.has_socket_connection:
            self.held.append(events)
            return
        for domain_event in events:
            if self.when is not None and not self.when(domain_event):
                continue
            # Set here, before the callback's task is created: the task copies this context.
            request_contextvar.set(client.request)
            try:
                result = self.callback(domain_event)
            except Exception as error:  # one page's failure must not keep the next events from it
                core.app.handle_exception(error)
                continue
            if inspect.isawaitable(result):
                background_tasks.create(result, name="live event", context=self.slot)

    def deliver_one(self, domain_event: DomainEvent) -> None:
        self.deliver([domain_event])

    def release(self) -> None:
        with self.slot if self.slot is not None else contextlib.nullcontext():
            while self.held and self.client.has_socket_connection and not self.client.is_deleted:
                self.deliver(self.held.pop(0))
