"""Web Push subscriptions of customers, and the outbox as admins see it."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from . import clock
from .access import Actor, require_admin, require_customer
from .errors import InvalidInput, NotFound
from .events import OutboxChanged
from .messages import N_
from .model import OutboxMessage, OutboxStatus, PushSubscription
from .ports import UnitOfWork
from .service import read_only


def endpoint_allowed(endpoint: str, *, allow_insecure: bool = False) -> bool:
    """The server will POST to this address, so a crafted subscription must not point it
    at internal hosts: real push services are public https. Plain http and private
    addresses are for local test push services only (`allow_insecure`)."""
    parts = urlsplit(endpoint)
    if allow_insecure:
        return parts.scheme in ("https", "http") and bool(parts.hostname)
    if parts.scheme != "https" or not parts.hostname:
        return False
    host = parts.hostname
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # a public push service's name
    return address.is_global


def subscribe(
    uow: UnitOfWork, actor: Actor, endpoint: str, p256dh: str, auth: str, *, allow_insecure: bool = False
) -> None:
    with uow:
        customer = require_customer(uow, actor)
        valid = endpoint_allowed(endpoint, allow_insecure=allow_insecure)
        if not valid or not p256dh or not auth or len(endpoint) > 2000 or len(p256dh) > 200 or len(auth) > 100:
            raise InvalidInput(N_("The browser sent an invalid push subscription."))
        assert customer.id is not None
        existing = uow.push_subscriptions.by_endpoint(endpoint)
        if existing is not None:
            existing.customer_id, existing.p256dh, existing.auth = customer.id, p256dh, auth
        else:
            uow.push_subscriptions.add(
                PushSubscription(customer_id=customer.id, endpoint=endpoint, p256dh=p256dh, auth=auth)
            )
        uow.commit()


def unsubscribe(uow: UnitOfWork, actor: Actor, endpoint: str) -> None:
    with uow:
        customer = require_customer(uow, actor)
        existing = uow.push_subscriptions.by_endpoint(endpoint)
        if existing is not None and existing.customer_id == customer.id:
            uow.push_subscriptions.delete(existing)
            uow.commit()


@read_only
def has_subscription(uow: UnitOfWork, actor: Actor) -> bool:
    with uow:
        customer = require_customer(uow, actor)
        assert customer.id is not None
        return bool(uow.push_subscriptions.of_customer(customer.id))


def outbox(uow: UnitOfWork, actor: Actor, status: str | None = None) -> list[OutboxMessage]:
    with uow:
        require_admin(uow, actor)
        return uow.outbox.recent(status=status)


def retry_message(uow: UnitOfWork, actor: Actor, message_id: int) -> None:
    with uow:
        require_admin(uow, actor)
        message = uow.outbox.get(message_id)
        if message is None:
            raise NotFound(N_("Message not found."))
        if message.status != OutboxStatus.SENT:
            message.status, message.next_attempt_at = OutboxStatus.PENDING, clock.now()
            uow.record(OutboxChanged(message_id))  # wakes the delivery worker at once
            uow.commit()
