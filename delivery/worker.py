"""The outbox worker: a daemon thread inside the app process that sends what the use
cases queued in the outbox (e-mail over SMTP, Web Push), off the event loop.

Delivery is at least once and never twice for what already went:
- a round claims due messages for a lease (`claimed_until`) in one transaction, with
  SKIP LOCKED on PostgreSQL, so two app instances never send the same message;
- each message is marked sent in its own transaction right after it went out;
- a failure is retried with exponential backoff, then given up as `failed`; a message a
  retry cannot help (recipient refused) fails at once;
- messages left pending by a crash are taken up on the next start (a graceful stop gives
  its claims back at once; a crashed worker's claims run out with the lease).

Without SMTP (the demo), e-mails are held, readable on the admins' outbox page, and go
out once the app restarts with AVAL_SMTP_HOST set.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Protocol, TypeVar

from delivery.config import SmtpConfig
from delivery.email_sender import EmailMessage, SmtpEmailSender
from delivery.errors import DeliveryError, SubscriptionGone
from delivery.messages import render_email, render_push
from delivery.vapid import VapidKeys
from delivery.webhook_sender import WebhookSender, encode_body
from delivery.webpush_sender import PushPayload, PushSubscriptionInfo, WebPushSender
from domain import outbox
from domain.events import DomainEvent
from domain.model import Channel, OutboxMessage
from domain.outbox import RetryPolicy
from domain.service import Services

log = logging.getLogger(__name__)
R = TypeVar("R")


class EmailSending(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class PushSending(Protocol):
    def send(self, sub: PushSubscriptionInfo, payload: PushPayload) -> None: ...


class WebhookSending(Protocol):
    def send(self, url: str, secret: str, message_id: str, body: str) -> None: ...


class OutboxWorker:
    def __init__(
        self,
        services: Services,
        *,
        email_sender: EmailSending | None,
        push_sender: PushSending | None,
        base_url: str,
        default_locale: str,
        poll_interval: float = 5.0,
        retry: RetryPolicy | None = None,
        batch_size: int = 10,
        # Longer than a batch can take to send (SMTP timeout 15 s per message), so a live
        # worker never loses its claim; a dead one's messages wait this long at most.
        lease: timedelta = timedelta(minutes=5),
        name: str = "outbox-worker",
        # After a wake-up: the commit that woke it is still being handed to the event
        # loop and drawn in the open pages, and a round taken at once competes with that
        # for the GIL (docs/benchmarks.md, latency). Mail 50 ms later is no loss.
        settle: float = 0.05,
        webhook_sender: WebhookSending | None = None,
    ) -> None:
        self.services = services
        self.email_sender = email_sender
        self.push_sender = push_sender
        self.webhook_sender = webhook_sender
        self.base_url = base_url
        self.default_locale = default_locale
        self.poll_interval = poll_interval
        self.retry = retry or RetryPolicy()
        self.batch_size = batch_size
        self.lease = lease
        self.name = name
        self.settle = settle
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finishes the message being sent, gives the other claimed ones back, and returns."""
        self._stopping.set()
        self._wakeup.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("outbox worker still sending after %.0f s; leaving it to finish", timeout)

    async def stop_async(self) -> None:
        """`stop` for the app's shutdown hook: waiting for a send must not block the event loop."""
        await asyncio.get_running_loop().run_in_executor(None, self.stop)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        """Thread-safe: something may have been queued; look now instead of at the next poll."""
        self._wakeup.set()

    def on_events(self, events: list[DomainEvent]) -> None:
        """A listener for committed domain events (LiveEvents.listeners): a commit may have
        queued messages, or an admin asked for a retry. (The worker's own marks wake it
        too; that costs one empty round.)"""
        if events:
            self.wake()

    def _run(self) -> None:
        self._guarded(self.release_held)
        while not self._stopping.is_set():
            self._wakeup.clear()
            claimed = self._guarded(self.run_once) or 0
            # A full batch means more may be due right now; otherwise wait for a wake-up
            # (or the next poll), then let the commit that woke us reach the pages first.
            if claimed < self.batch_size and self._wakeup.wait(self.poll_interval) and self.settle:
                self._stopping.wait(self.settle)

    def _guarded(self, step: Callable[[], R]) -> R | None:
        # The worker must never take the app down, nor die itself: a broken round (the
        # database briefly away) is logged, and the next poll tries again.
        try:
            return step()
        except Exception:
            log.exception("outbox worker: %s failed; trying again in %.1f s", step.__name__, self.poll_interval)
            return None

    # -- one round ----------------------------------------------------------------------

    def release_held(self) -> int:
        channels = [channel for channel, able in self._can_send().items() if able]
        released = self.services.run(outbox.release_held, channels)
        if released:
            log.info("outbox: %d held message(s) queued again now that their channel is configured", released)
        return released

    def _can_send(self) -> dict[Channel, bool]:
        return {
            Channel.EMAIL: self.email_sender is not None,
            Channel.PUSH: self.push_sender is not None,
            Channel.WEBHOOK: self.webhook_sender is not None,
        }

    def run_once(self) -> int:
        """Claims one batch of due messages and delivers it; returns how many were claimed."""
        unsendable = {channel: _NOT_SENT[channel] for channel, able in self._can_send().items() if not able}
        if unsendable:
            self.services.run(outbox.hold_due, unsendable)
        sendable = [channel for channel in Channel if channel not in unsendable]
        if not sendable:
            return 0
        messages = self.services.run(outbox.claim_due, self.batch_size, self.lease, sendable)
        for index, message in enumerate(messages):
            if self._stopping.is_set():
                self._give_back(messages[index:])
                break
            self._deliver(message)
        return len(messages)

    def _give_back(self, messages: Sequence[OutboxMessage]) -> None:
        self.services.run(outbox.release, [m.id for m in messages if m.id is not None])

    def _deliver(self, message: OutboxMessage) -> None:
        try:
            if message.channel == Channel.EMAIL:
                self._deliver_email(message)
            elif message.channel == Channel.WEBHOOK:
                self._deliver_webhook(message)
            else:
                self._deliver_push(message)
        except Exception as error:
            # A bug or a database hiccup while recording: the claim runs out and the
            # message is tried again; it is never dropped.
            log.exception("outbox: message %s could not be handled", message.id)
            note = outbox.failure_note(outbox.DeliveryFailure.INTERNAL, f"internal error: {error!r}")
            self._record_failure(message, note, permanent=False)

    def _deliver_email(self, message: OutboxMessage) -> None:
        assert message.id is not None and self.email_sender is not None  # else held (run_once)
        mail = render_email(message, self.base_url, self.default_locale)
        try:
            self.email_sender.send(mail)
        except DeliveryError as error:
            self._record_failure(message, outbox.failure_note(error.kind, error.message), permanent=error.permanent)
            return
        self._record(outbox.mark_sent, message.id)

    def _deliver_webhook(self, message: OutboxMessage) -> None:
        assert message.id is not None and self.webhook_sender is not None  # else held (run_once)
        endpoint = self.services.run(outbox.webhook_endpoint, message.recipient_id)
        if endpoint is None or not endpoint.active:
            self._record(outbox.mark_skipped, message.id, outbox.WEBHOOK_ENDPOINT_OFF)
            return
        try:
            # One id per delivery, the same on every attempt: receivers drop repeats by it.
            self.webhook_sender.send(endpoint.url, endpoint.secret, f"msg_{message.id}", encode_body(message.payload))
        except DeliveryError as error:
            self._record_failure(message, outbox.failure_note(error.kind, error.message), permanent=error.permanent)
            return
        self._record(outbox.mark_sent, message.id)

    def _deliver_push(self, message: OutboxMessage) -> None:
        assert message.id is not None and self.push_sender is not None  # else held (run_once)
        subscriptions = self.services.run(outbox.push_subscriptions_of, message.recipient_id)
        if not subscriptions:
            self._record(outbox.mark_skipped, message.id, outbox.NO_PUSH_SUBSCRIPTION)
            return
        payload = render_push(message, self.base_url, self.default_locale)
        pushed = set(_ids(message.payload.get(outbox.PUSHED_KEY)))
        refused = set(_ids(message.payload.get(outbox.REFUSED_KEY)))
        temporary: list[str] = []
        permanent: list[str] = []
        kinds: list[outbox.DeliveryFailure] = []
        for subscription in subscriptions:
            assert subscription.id is not None
            if subscription.id in pushed or subscription.id in refused:
                continue
            info = PushSubscriptionInfo(subscription.endpoint, subscription.p256dh, subscription.auth)
            try:
                self.push_sender.send(info, payload)
            except SubscriptionGone:
                self._record(outbox.drop_subscription, subscription.endpoint)
            except DeliveryError as error:
                (permanent if error.permanent else temporary).append(error.message)
                kinds.append(error.kind)
                if error.permanent:
                    refused.add(subscription.id)
            else:
                pushed.add(subscription.id)
        def note(details: list[str]) -> str:
            return outbox.failure_note(kinds[0], "; ".join(details))

        if temporary:
            self._record_failure(message, note(temporary + permanent), permanent=False, pushed=pushed,
                                 refused=refused)
        elif pushed:
            self._record(outbox.mark_sent, message.id, note(permanent) if permanent else "")
        elif permanent:
            self._record_failure(message, note(permanent), permanent=True)
        else:  # every subscription was gone
            self._record(outbox.mark_skipped, message.id, outbox.NO_PUSH_SUBSCRIPTION)

    def _record_failure(
        self, message: OutboxMessage, error: str, *, permanent: bool, pushed: set[int] | None = None,
        refused: set[int] | None = None,
    ) -> None:
        assert message.id is not None
        status = self._record(
            outbox.record_failure,
            message.id,
            error,
            permanent=permanent,
            policy=self.retry,
            pushed=sorted(pushed or ()),
            refused=sorted(refused or ()),
        )
        log.warning("outbox: %s to %s not delivered (%s, now %s): %s", message.channel, message.recipient_email,
                    "permanent" if permanent else "will retry", status, error)

    def _record(self, step: Callable[..., R], *args: object, **kwargs: object) -> R:
        """Writes an outcome, insisting a little: a message that went out but is not marked
        sent would go out again when its claim runs out."""
        for attempt in range(3):
            try:
                return self.services.run(step, *args, **kwargs)
            except Exception:
                if attempt == 2:
                    raise
                time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")


# Why a channel that is not configured keeps its messages (shown on the admins' outbox page).
_NOT_SENT = {
    Channel.EMAIL: outbox.NOT_SENT_NO_SMTP,
    Channel.PUSH: outbox.NOT_SENT_NO_PUSH,
    Channel.WEBHOOK: outbox.WEBHOOK_ENDPOINT_OFF,
}


def _ids(raw: object) -> list[int]:
    return [int(i) for i in raw] if isinstance(raw, list) else []


def vapid_subject(base_url: str, mail_from: str | None) -> str:
    """Who push services may contact about our messages: the site when it is public
    (https), else the sender address of our e-mails."""
    if base_url.startswith("https://"):
        return base_url
    address = parseaddr(mail_from or "")[1]
    return f"mailto:{address or 'aval@localhost'}"


def create_worker(
    services: Services,
    *,
    smtp: SmtpConfig | None,
    vapid: VapidKeys,
    base_url: str,
    default_locale: str,
    webhook_allow_insecure: bool = False,
    webhook_ca_file: Path | None = None,
    **options: Any,
) -> OutboxWorker:
    """The worker with the senders the configuration allows: no SMTP, no e-mail sender."""
    email_sender = SmtpEmailSender(smtp) if smtp is not None else None
    push_sender = WebPushSender(vapid, subject=vapid_subject(base_url, smtp.mail_from if smtp else None))
    if smtp is None:
        log.info("no SMTP configured (AVAL_SMTP_HOST): e-mails are kept in the outbox, readable by admins")
    return OutboxWorker(
        services,
        email_sender=email_sender,
        push_sender=push_sender,
        base_url=base_url,
        default_locale=default_locale,
        webhook_sender=WebhookSender(allow_insecure=webhook_allow_insecure, ca_file=webhook_ca_file),
        **options,
    )
