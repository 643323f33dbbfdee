"""The outbox as the delivery worker works it: claim what is due, then record the outcome
of each message in its own transaction, right after sending it (spec §6: a mail server
that is down delays email, it does not drop it).

These are system steps, run by the worker in the app process, not by a signed-in person;
the admins' view of the outbox is in `push.py`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from . import clock
from .events import OutboxChanged
from .link_tokens import LINK_KEYS
from .messages import N_
from .model import Channel, OutboxMessage, OutboxStatus, PushSubscription, WebhookEndpoint
from .ports import UnitOfWork

# Notes kept in `last_error`; msgids, so the admin page shows them translated.
NOT_SENT_NO_SMTP = N_("not sent: no SMTP configured")
NOT_SENT_NO_PUSH = N_("not sent: Web Push is not available")
NO_PUSH_SUBSCRIPTION = N_("no push subscription")
WEBHOOK_ENDPOINT_OFF = N_("not sent: the webhook endpoint is off or was removed")

ERROR_MAX = 2000


class DeliveryFailure(StrEnum):
    """What went wrong with one attempt, in terms an admin can act on. The page says it
    in the admin's language; the sender's technical detail is kept beside it."""

    CONNECTION_REFUSED = "connection_refused"
    TIMEOUT = "timeout"
    HOST_NOT_FOUND = "host_not_found"
    UNREACHABLE = "unreachable"
    AUTH_FAILED = "auth_failed"
    TLS = "tls"
    RECIPIENT_REFUSED = "recipient_refused"
    MESSAGE_REFUSED = "message_refused"
    SERVER_REFUSED = "server_refused"
    PUSH_FAILED = "push_failed"
    INTERNAL = "internal"
    # Webhooks only: the address is not public https (checked again when sending), or
    # the receiver answered with a redirect, which is never followed.
    ADDRESS_REFUSED = "address_refused"
    REDIRECTED = "redirected"


_NOTE = re.compile(r"\[([a-z_]+)\] (.*)", re.DOTALL)


def failure_note(kind: DeliveryFailure, detail: str) -> str:
    """How a failure is kept in `last_error`: its kind, then the technical detail."""
    return f"[{kind.value}] {detail}"


def read_note(note: str) -> tuple[DeliveryFailure | None, str]:
    """A kept note as (kind, detail); kind is None for our own msgid notes and for errors
    kept before failures had a kind."""
    match = _NOTE.fullmatch(note)
    if match is not None:
        try:
            return DeliveryFailure(match.group(1)), match.group(2)
        except ValueError:
            pass
    return None, note
# Keys of the payload where a push message remembers the browsers already done, so that
# a retry after one browser failed does not push twice to the others.
PUSHED_KEY = "_pushed_subscriptions"
REFUSED_KEY = "_refused_subscriptions"


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: base · 2^(attempts-1), at most `cap`; after `max_attempts`
    failed attempts the message is given up (`failed`, retried only by an admin)."""

    base: timedelta = timedelta(seconds=10)
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 12

    def delay(self, attempts: int) -> timedelta:
        exponent = min(max(attempts - 1, 0), 40)  # past the cap anyway; keeps timedelta in range
        return min(self.base * (2**exponent), self.cap)


def claim_due(
    uow: UnitOfWork, limit: int, lease: timedelta, channels: Sequence[Channel] | None = None
) -> list[OutboxMessage]:
    """Takes up to `limit` due messages (of `channels`, default all) for this worker until `now + lease`. On
    PostgreSQL the rows are read with SKIP LOCKED, so a second instance claiming at the
    same moment gets other rows; on SQLite the write lock serializes claims."""
    with uow:
        now = clock.now()
        wanted = None if channels is None else [channel.value for channel in channels]
        messages = uow.outbox.due(now, limit, wanted)
        for message in messages:
            message.claimed_until = now + lease
        if messages:
            uow.commit()
        return messages


def release(uow: UnitOfWork, message_ids: Sequence[int]) -> None:
    """Gives claimed messages back (the worker stops before sending them)."""
    with uow:
        for message_id in message_ids:
            message = uow.outbox.get(message_id)
            if message is not None and message.status == OutboxStatus.PENDING:
                message.claimed_until = None
        uow.commit()


def _settle(message: OutboxMessage, status: OutboxStatus, note: str) -> None:
    message.status = status
    message.last_error = note[:ERROR_MAX]
    message.claimed_until = None
    if status == OutboxStatus.SENT:
        message.sent_at = clock.now()
    if status in (OutboxStatus.SENT, OutboxStatus.SKIPPED) and any(key in message.payload for key in LINK_KEYS):
        # A message done with forgets the manager's one-decision links it carried: they
        # live in the mailbox (or nowhere, when skipped), not at rest in our database.
        # A new dict: the mapped JSON column notices only a new value.
        message.payload = {k: v for k, v in message.payload.items() if k not in LINK_KEYS}


def _finish(uow: UnitOfWork, message: OutboxMessage, status: OutboxStatus, note: str) -> None:
    _settle(message, status, note)
    assert message.id is not None
    uow.record(OutboxChanged(message.id))
    uow.commit()


def mark_sent(uow: UnitOfWork, message_id: int, note: str = "") -> None:
    with uow:
        message = uow.outbox.get(message_id)
        if message is None:
            return
        message.attempts += 1
        _finish(uow, message, OutboxStatus.SENT, note)


def mark_skipped(uow: UnitOfWork, message_id: int, note: str) -> None:
    with uow:
        message = uow.outbox.get(message_id)
        if message is None:
            return
        _finish(uow, message, OutboxStatus.SKIPPED, note)


def hold_due(uow: UnitOfWork, notes: Mapping[Channel, str]) -> int:
    """Keeps the due messages of channels that cannot send here (no SMTP configured)
    readable for admins, each with its channel's note; `release_held` sends them once the
    channel is configured. One statement per channel: without SMTP a request to 1,000
    managers is 1,000 mails to hold, and a transaction each kept the worker busy beside
    the live updates for seconds (docs/benchmarks.md, fan-out)."""
    with uow:
        now = clock.now()
        held = sum(uow.outbox.hold_due(channel.value, note, now) for channel, note in notes.items())
        if held:
            uow.record(OutboxChanged(0))
            uow.commit()
        return held


def record_failure(
    uow: UnitOfWork,
    message_id: int,
    error: str,
    *,
    permanent: bool,
    policy: RetryPolicy,
    pushed: Sequence[int] = (),
    refused: Sequence[int] = (),
) -> OutboxStatus:
    """One failed attempt: retried later with backoff, or given up when retrying cannot
    help or the attempts are used up. Returns the message's new status."""
    with uow:
        message = uow.outbox.get(message_id)
        if message is None:
            return OutboxStatus.FAILED
        message.attempts += 1
        if pushed or refused:
            # A new dict: the mapped JSON column notices only a new value.
            message.payload = {**message.payload, PUSHED_KEY: sorted(pushed), REFUSED_KEY: sorted(refused)}
        if permanent or message.attempts >= policy.max_attempts:
            _finish(uow, message, OutboxStatus.FAILED, error)
        else:
            message.next_attempt_at = clock.now() + policy.delay(message.attempts)
            _finish(uow, message, OutboxStatus.PENDING, error)
        return message.status


def release_held(uow: UnitOfWork, channels: Sequence[Channel]) -> int:
    """Messages held while their channel was not configured go out now that it is."""
    with uow:
        released = uow.outbox.release_held([channel.value for channel in channels], clock.now())
        uow.commit()
        return released


def push_subscriptions_of(uow: UnitOfWork, customer_id: int) -> list[PushSubscription]:
    with uow:
        return uow.push_subscriptions.of_customer(customer_id)


def drop_subscription(uow: UnitOfWork, endpoint: str) -> None:
    """The push service said the browser's subscription is gone (404/410)."""
    with uow:
        subscription = uow.push_subscriptions.by_endpoint(endpoint)
        if subscription is not None:
            uow.push_subscriptions.delete(subscription)
            uow.commit()


def webhook_endpoint(uow: UnitOfWork, endpoint_id: int) -> WebhookEndpoint | None:
    """Where a webhook delivery goes, as configured now (None: removed)."""
    with uow:
        return uow.webhooks.get(endpoint_id)
