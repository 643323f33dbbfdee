"""Blocking Web Push sender (RFC 8030 / 8291 / 8292); the caller runs ``send`` in a worker thread."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid, VapidException
from pywebpush import WebPushException, webpush

from delivery.errors import DeliveryError, SubscriptionGone
from delivery.vapid import VapidKeys, load_private_key

# Push services accept one aes128gcm record of at most 4096 bytes; its header takes 86
# bytes, the padding delimiter 1 and the auth tag 16.
MAX_PLAINTEXT_BYTES = 4096 - 86 - 1 - 16


@dataclass(frozen=True)
class PushSubscriptionInfo:
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class PushAction:
    """A notification button (where the browser shows them): `action` names it to the
    service worker, which opens `url` — a page, never a decision by itself."""

    action: str
    title: str
    url: str


@dataclass(frozen=True)
class PushPayload:
    title: str
    body: str
    url: str
    actions: tuple[PushAction, ...] = ()


class WebPushSender:
    def __init__(
        self,
        keys: VapidKeys,
        subject: str = "mailto:aval@localhost",
        ttl: int = 86400,
        timeout: float = 10.0,
    ) -> None:
        if ttl <= 0:
            # TTL 0 makes push services drop the message unless the browser is online
            # right now, which defeats the point of pushing to managers who are away.
            raise ValueError(f"ttl must be positive, got {ttl}")
        self._vapid = Vapid(private_key=load_private_key(keys.private_pem_path))
        try:
            # A dry run, so that a subject push services would refuse fails at startup
            # instead of on every single message.
            self._vapid.sign({"sub": subject, "aud": "https://push.example"})
        except VapidException as exc:
            raise ValueError(f"VAPID subject must be a mailto: or https: URL, got {subject!r}") from exc
        self._subject = subject
        self._ttl = ttl
        self._timeout = timeout

    def send(self, sub: PushSubscriptionInfo, payload: PushPayload) -> None:
        """Deliver one message; SubscriptionGone means the subscription should be deleted."""
        _check_subscription(sub)
        origin = urlsplit(sub.endpoint)
        info = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
        try:
            webpush(
                subscription_info=info,
                data=encode_payload(payload),
                vapid_private_key=self._vapid,
                # A fresh dict per call: webpush() writes aud/exp into the one it is given.
                vapid_claims={"sub": self._subject, "aud": f"{origin.scheme}://{origin.netloc}"},
                content_encoding="aes128gcm",
                ttl=self._ttl,
                timeout=self._timeout,
            )
        except WebPushException as exc:
            raise _classify(exc) from exc
        except requests.RequestException as exc:
            # Refused connections, DNS failures, timeouts: the push service may come back.
            raise DeliveryError(f"cannot reach push service {origin.netloc}: {exc!r}", permanent=False) from exc


def encode_payload(payload: PushPayload) -> str:
    """The JSON the service worker reads, with the body cut to fit a single push record."""
    doc: dict[str, object] = {"title": payload.title, "body": payload.body, "url": payload.url}
    if payload.actions:
        doc["actions"] = [{"action": a.action, "title": a.title, "url": a.url} for a in payload.actions]
    data = json.dumps(doc, ensure_ascii=False)
    body = payload.body
    # A too large message is refused (413) and lost; a shortened body still leads the
    # manager to the request through the url. Every character cut frees at least one
    # byte, so cutting the excess (plus room for the ellipsis) converges quickly.
    while len(data.encode()) > MAX_PLAINTEXT_BYTES and body:
        excess = len(data.encode()) - MAX_PLAINTEXT_BYTES
        body = body[: -(excess + len("…".encode()))]
        doc["body"] = body + "…"
        data = json.dumps(doc, ensure_ascii=False)
    return data


def _check_subscription(sub: PushSubscriptionInfo) -> None:
    # An endpoint that is no URL, or keys that are not a P-256 point and a 16-byte secret,
    # can never receive anything; reporting them as gone lets the caller drop them
    # instead of retrying forever.
    endpoint = urlsplit(sub.endpoint)
    if endpoint.scheme not in ("https", "http") or not endpoint.hostname:
        raise SubscriptionGone(f"subscription endpoint is not an http(s) URL: {sub.endpoint[:100]!r}")
    try:
        point = _b64url_decode(sub.p256dh)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        valid = len(point) == 65 and len(_b64url_decode(sub.auth)) == 16
    except (ValueError, binascii.Error):
        valid = False
    if not valid:
        raise SubscriptionGone(f"subscription for {urlsplit(sub.endpoint).netloc} has invalid keys")


def _b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _classify(exc: WebPushException) -> DeliveryError:
    status = exc.status_code
    if status is None:
        return DeliveryError(f"push not sent: {exc.message}", permanent=True)
    # Push services explain refusals in the body (e.g. a VAPID key mismatch); keep a bit.
    detail = " ".join(getattr(exc.response, "text", "").split())[:200]
    reason = f"push service answered {status}" + (f": {detail}" if detail else "")
    if status in (404, 410):
        return SubscriptionGone(reason)
    # 408 and 429 are the push service asking us to come back later.
    if status >= 500 or status in (408, 429):
        return DeliveryError(reason, permanent=False)
    return DeliveryError(reason, permanent=True)
