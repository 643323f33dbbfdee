"""Webhooks (spec §14): endpoints the account manager registers, and the request events
queued for them in the outbox, in the transaction of the change, like e-mail and push.

The address rules here are the ones that need no network (scheme, literal addresses,
local names); the sender resolves the name at delivery time and refuses private
addresses again then (delivery/webhook_sender.py)."""

from __future__ import annotations

import base64
import ipaddress
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from . import clock
from .access import Actor, require_admin
from .errors import InvalidInput, NotFound
from .events import OutboxChanged
from .messages import N_
from .model import (
    ActionRequest,
    Channel,
    OutboxMessage,
    OutboxStatus,
    Ticket,
    WebhookEndpoint,
    WebhookEvent,
)
from .ports import UnitOfWork
from .service import read_only

URL_MAX = 2000
ENDPOINT_NOT_FOUND = N_("Webhook endpoint not found.")
DELIVERY_NOT_FOUND = N_("Delivery not found.")
BAD_URL = N_("Enter a public https:// address for the webhook.")
NO_EVENTS = N_("Choose at least one event.")
LOCAL_NAMES = ("localhost",)
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


def address_is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Neither private, loopback, link-local (cloud metadata at 169.254.169.254),
    multicast, reserved nor unspecified; IPv4 inside IPv6 is judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def url_allowed(url: str, *, allow_insecure: bool = False) -> bool:
    """An https URL to a public name or address, without credentials in it.
    `allow_insecure` (AVAL_WEBHOOK_ALLOW_INSECURE) also lets plain http and local
    addresses through, for test receivers on this machine."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if len(url) > URL_MAX or not parts.hostname or parts.username or parts.password or any(c.isspace() for c in url):
        return False
    if allow_insecure:
        return parts.scheme in ("https", "http")
    if parts.scheme != "https" or (port is not None and not 0 < port < 65536):
        return False
    host = parts.hostname.rstrip(".").lower()
    if host in LOCAL_NAMES or host.endswith(LOCAL_SUFFIXES) or ("." not in host and ":" not in host):
        return False
    try:
        return address_is_public(ipaddress.ip_address(host))
    except ValueError:
        return True  # a name: resolved and checked when delivering


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown once


def _events(events: Sequence[str]) -> list[str]:
    known = {e.value for e in WebhookEvent}
    chosen = [e.value for e in WebhookEvent if e.value in set(events)]
    if not chosen or any(e not in known for e in events):
        raise InvalidInput(NO_EVENTS)
    return chosen


def create_endpoint(
    uow: UnitOfWork, actor: Actor, url: str, events: Sequence[str], *, allow_insecure: bool = False
) -> NewEndpoint:
    with uow:
        require_admin(uow, actor)
        url = (url or "").strip()
        if not url_allowed(url, allow_insecure=allow_insecure):
            raise InvalidInput(BAD_URL)
        endpoint = WebhookEndpoint(url=url, secret=new_secret(), events=_events(events))
        uow.webhooks.add(endpoint)
        uow.commit()
        return NewEndpoint(endpoint=endpoint, secret=endpoint.secret)


@read_only
def list_endpoints(uow: UnitOfWork, actor: Actor) -> list[WebhookEndpoint]:
    with uow:
        require_admin(uow, actor)
        return uow.webhooks.list()


def _endpoint(uow: UnitOfWork, endpoint_id: int) -> WebhookEndpoint:
    endpoint = uow.webhooks.get(endpoint_id)
    if endpoint is None:
        raise NotFound(ENDPOINT_NOT_FOUND)
    return endpoint


def set_endpoint_active(uow: UnitOfWork, actor: Actor, endpoint_id: int, active: bool) -> None:
    """Off: no new delivery is queued for it, and queued ones are skipped."""
    with uow:
        require_admin(uow, actor)
        _endpoint(uow, endpoint_id).active = active
        uow.commit()


def set_endpoint_events(uow: UnitOfWork, actor: Actor, endpoint_id: int, events: Sequence[str]) -> None:
    with uow:
        require_admin(uow, actor)
        _endpoint(uow, endpoint_id).events = _events(events)
        uow.commit()


def delete_endpoint(uow: UnitOfWork, actor: Actor, endpoint_id: int) -> None:
    """Its deliveries stay in the log; those not sent yet are skipped."""
    with uow:
        require_admin(uow, actor)
        uow.webhooks.delete(_endpoint(uow, endpoint_id))
        uow.commit()


@read_only
def deliveries(uow: UnitOfWork, actor: Actor, limit: int = 200) -> list[OutboxMessage]:
    with uow:
        require_admin(uow, actor)
        return uow.outbox.recent(limit=limit, channels=[Channel.WEBHOOK.value])


def resend(uow: UnitOfWork, actor: Actor, message_id: int) -> None:
    """'Reenviar': the same delivery (same webhook-id, so a receiver can tell it is a
    repeat) goes out again, also after it was delivered or given up."""
    with uow:
        require_admin(uow, actor)
        message = uow.outbox.get(message_id)
        if message is None or message.channel != Channel.WEBHOOK:
            raise NotFound(DELIVERY_NOT_FOUND)
        message.status, message.next_attempt_at, message.claimed_until = OutboxStatus.PENDING, clock.now(), None
        uow.record(OutboxChanged(message_id))  # wakes the delivery worker at once
        uow.commit()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def queue_deliveries(uow: UnitOfWork, event: WebhookEvent, ticket: Ticket, request: ActionRequest) -> None:
    """One outbox message per active endpoint that chose this event. The body is fixed
    here, so every attempt (and a resend) sends the same bytes under the same id."""
    endpoints = [e for e in uow.webhooks.active() if event.value in e.events]
    if not endpoints:
        return
    body = {
        "type": event.value,
        "timestamp": clock.now().isoformat(),
        "data": {
            "request_id": request.id,
            "state": request.state.value,
            "ticket_number": ticket.number,
            "ticket_subject": ticket.subject,
            "action_name": request.action_name,
            "note": request.note,
            "reason": request.reason,
            "requested_at": _iso(request.requested_at),
            "decided_at": _iso(request.decided_at),
        },
    }
    for endpoint in endpoints:
        assert endpoint.id is not None
        uow.outbox.add(
            OutboxMessage(
                dedup_key=f"request:{request.id}:{event.value}:webhook:{endpoint.id}",
                channel=Channel.WEBHOOK,
                kind=event.value,
                recipient_kind="webhook",
                recipient_id=endpoint.id,
                recipient_email=endpoint.url[:254],
                locale=None,
                payload=body,
            )
        )
