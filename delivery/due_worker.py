"""The due-work worker: a daemon thread inside the app process that does what the
database says is due (a request's deadline passed, a reminder to send), by calling domain
use cases. It sleeps until the next due time — read from the database — and is woken
earlier by every commit of this instance or another (a new deadline may be sooner).

Durability and exactly-once are the database's: each step claims due rows in its own
transaction (SKIP LOCKED on PostgreSQL, the write lock on SQLite), does the work and
deletes or moves the rows in that same transaction. A crash rolls the step back and the
rows stay due; a start runs every step at once, so what fell due while the app was down
happens then; two instances never take the same row."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from domain import clock, due_work
from domain.events import DomainEvent, OutboxChanged
from domain.ports import UnitOfWork
from domain.service import Services

log = logging.getLogger(__name__)

Step = Callable[[UnitOfWork], int]  # does one batch of due work; returns how many rows it took


class DueWorker:
    def __init__(
        self,
        services: Services,
        steps: Sequence[Step],
        *,
        batch_size: int = 50,
        # A ceiling on any sleep, against a wake-up lost with the connection to the other
        # instances; the next due time normally decides.
        max_sleep: float = 300.0,
        retry_after: float = 5.0,
        busy_elsewhere: float = 1.0,
        # Between two full batches: on SQLite every writer queues for one lock, and batches
        # taken back to back would keep the agents' and managers' clicks waiting.
        between_batches: float = 0.02,
        # The shortest time between two rounds. Deadlines falling close together then
        # expire in one batch: 5,000 spread over a minute took ~700 rounds of one or two
        # requests, each a transaction, a commit and a burst of live events for every open
        # page (docs/benchmarks.md §5). Expiry stays well within its 30 s.
        gather: float = 1.0,
        # Storage upkeep that is due "now and then" rather than at a time in the database
        # (the tickets' tallies folded): run at start, then at most this often, on a wake-up.
        upkeep: Callable[[], object] | None = None,
        upkeep_every: float = 60.0,
        name: str = "due-worker",
    ) -> None:
        self.services = services
        self.steps = list(steps)
        self.batch_size = batch_size
        self.max_sleep = max_sleep
        self.retry_after = retry_after
        self.busy_elsewhere = busy_elsewhere
        self.between_batches = between_batches
        self.gather = gather
        self.upkeep = upkeep
        self.upkeep_every = upkeep_every
        self._upkept_at: float | None = None
        self.name = name
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        self._wakeup.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    async def stop_async(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.stop)

    def wake(self) -> None:
        """Thread-safe: the next due time may have changed; look again now."""
        self._wakeup.set()

    def on_events(self, events: list[DomainEvent]) -> None:
        # Its own commits and the outbox's bookkeeping change no due time; the outbox
        # worker's reports alone woke it once per message sent.
        if threading.current_thread() is self._thread:
            return
        if any(not isinstance(event, OutboxChanged) for event in events):
            self.wake()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wakeup.clear()
            began = time.monotonic()
            try:
                taken = self.run_due()
                self._upkeep()
                delay = self.seconds_to_next_due()
                if delay == 0 and not taken:
                    # Due, yet nothing to take: another instance holds those rows right now.
                    delay = self.busy_elsewhere
            except Exception:
                log.exception("due work failed; trying again in %.0f s", self.retry_after)
                delay = self.retry_after
            self._wakeup.wait(delay)
            rest = self.gather - (time.monotonic() - began)
            if rest > 0:
                self._stopping.wait(rest)

    def run_due(self) -> int:
        """Every step until none has a full batch left; returns how many rows were taken."""
        total = 0
        for step in self.steps:
            while not self._stopping.is_set():
                taken = self.services.run(step, self.batch_size)  # type: ignore[arg-type]
                total += taken
                if taken < self.batch_size:
                    break
                self._stopping.wait(self.between_batches)
        return total

    def _upkeep(self) -> None:
        now = time.monotonic()
        if self.upkeep is None or (self._upkept_at is not None and now - self._upkept_at < self.upkeep_every):
            return
        self._upkept_at = now
        self.upkeep()

    def seconds_to_next_due(self, now: datetime | None = None) -> float:
        due = self.services.run(due_work.next_due)
        if due is None:
            return self.max_sleep
        wait = (due - (now or clock.now())).total_seconds()
        return min(max(wait, 0.0), self.max_sleep)
