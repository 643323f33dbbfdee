"""Committed domain events to every instance, through PostgreSQL's LISTEN/NOTIFY.

Several Aval processes behind one proxy share one PostgreSQL database; a manager's browser
is connected to one of them while the agent's request may be committed by another. Each
unit of work sends its events with `pg_notify` inside its own transaction — PostgreSQL
delivers a notification only when that transaction commits, and then to every listener —
so no event is announced for a change that rolled back, and none is lost when the process
dies right after the commit. A thread per instance listens and hands the events of the
other instances to `on_remote_events` (the local fan-out to this instance's clients);
its own events come back too and are skipped by their instance id.

Events that arrive while the listening connection is down are not replayed: the pages
concerned refresh on the next event or reload (the data itself is always in the database)."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Sequence

import psycopg
from sqlalchemy import URL, make_url, text
from sqlalchemy.orm import Session

from domain.events import DomainEvent

from . import event_codec

log = logging.getLogger(__name__)

CHANNEL = "aval_events"
# PostgreSQL refuses a NOTIFY payload of 8000 bytes or more.
PAYLOAD_LIMIT = 7999

RemoteEvents = Callable[[list[DomainEvent]], None]


def libpq_url(url: str | URL) -> str:
    """The SQLAlchemy URL (`postgresql+psycopg://…`) as a plain libpq connection URI."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class PostgresEventRelay:
    def __init__(
        self,
        url: str | URL,
        on_remote_events: RemoteEvents,
        *,
        instance_id: str | None = None,
        poll_seconds: float = 1.0,
        max_backoff_seconds: float = 30.0,
    ) -> None:
        self.conninfo = libpq_url(url)
        self.on_remote_events = on_remote_events
        self.instance_id = instance_id or uuid.uuid4().hex
        self.poll_seconds = poll_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Set once LISTEN is active: from then on no committed event is missed.
        self.listening = threading.Event()

    # --- sending: inside the committing transaction -------------------------------------

    def payloads(self, events: Sequence[DomainEvent]) -> list[str]:
        """The batch in as few notifications as fit under the limit, in order. (One per
        event, whenever the whole batch did not fit, was 10,000 `pg_notify` calls during a
        burst of 5,000 expiries: docs/benchmarks.md §5.) Each carries a sequence number:
        PostgreSQL folds identical notifications of one transaction into one, and two
        equal events must both arrive."""
        encoded = [event_codec.to_dict(event) for event in events]
        result: list[str] = []
        chunk: list[dict[str, object]] = []

        def payload(items: list[dict[str, object]]) -> str:
            return _dumps({"i": self.instance_id, "n": len(result), "e": items})

        for item in encoded:
            if chunk and len(payload([*chunk, item]).encode()) <= PAYLOAD_LIMIT:
                chunk.append(item)
                continue
            if chunk:
                result.append(payload(chunk))
            chunk = [item]
            if len(payload(chunk).encode()) > PAYLOAD_LIMIT:
                # Only an audience of about a thousand people gets here; other instances
                # miss this live refresh, the data itself is committed.
                log.warning("domain event %s too large to relay to other instances", item["type"])
                chunk = []
        if chunk:
            result.append(payload(chunk))
        return result

    def notify(self, session: Session, events: Sequence[DomainEvent]) -> None:
        """The unit of work's before-commit hook: queue the events in the transaction."""
        for payload in self.payloads(events):
            session.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload})

    # --- receiving: one listener thread per instance ------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="aval-event-relay", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                # Keepalives: a connection cut without a word (a network partition) is
                # noticed within about a minute instead of waiting silently forever.
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=10, keepalives=1,
                                     keepalives_idle=30, keepalives_interval=10, keepalives_count=3) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    log.info("listening for domain events of other instances (instance %s)", self.instance_id)
                    backoff = 0.5
                    while not self._stop.is_set():
                        # The generator ends after the timeout, so a stop request is seen.
                        for notification in connection.notifies(timeout=self.poll_seconds):
                            self.receive(notification.payload)
            except Exception as error:
                self.listening.clear()
                if self._stop.is_set():
                    break
                if isinstance(error, psycopg.Error):
                    log.warning("event relay lost PostgreSQL (%s); retrying in %.1f s", error, backoff)
                else:
                    log.exception("event relay failed; retrying in %.1f s", backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff_seconds)
        self.listening.clear()

    def receive(self, payload: str) -> None:
        """Decode one notification and hand on the events of other instances."""
        try:
            message = json.loads(payload)
            if message.get("i") == self.instance_id:
                return
            items = list(message.get("e", []))
        except (ValueError, TypeError, AttributeError):
            log.warning("ignored an undecodable domain event notification: %.200s", payload)
            return
        events: list[DomainEvent] = []
        for item in items:
            try:
                events.append(event_codec.from_dict(item))
            except (ValueError, TypeError, KeyError, AttributeError):
                # An event of a newer instance during a rolling upgrade: the others still count.
                log.warning("ignored an undecodable domain event: %.200s", item)
        if not events:
            return
        try:
            self.on_remote_events(events)
        except Exception:
            log.exception("handing on remote domain events failed")
