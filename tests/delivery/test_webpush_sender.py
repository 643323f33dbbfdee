"""WebPushSender against a real local HTTP server playing push service and browser.

The server accepts a message only if it would pass a real push service (valid VAPID JWT
for this origin, positive TTL, aes128gcm) and the browser could decrypt it with the
subscription's private key and auth secret.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from delivery.errors import DeliveryError, SubscriptionGone
from delivery.vapid import VapidKeys, load_or_create_vapid_keys
from delivery.webpush_sender import PushPayload, PushSubscriptionInfo, WebPushSender

PAYLOAD = PushPayload(
    title="Ação aguardando aprovação",
    body="Chamado #42 — “Trocar o servidor”: Bruno pede aprovação para Reembolso.",
    url="http://localhost:8080/portal/approvals/17",
)
# Status answered by the fake push service for each endpoint path.
STATUS_BY_PATH = {
    "/push/gone": 410,
    "/push/not-found": 404,
    "/push/error": 500,
    "/push/throttled": 429,
    "/push/bad-request": 400,
    "/push/forbidden": 403,
}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass
class Browser:
    """The subscriber side: what PushManager.subscribe() creates in a browser."""

    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    def subscription(self, endpoint: str) -> PushSubscriptionInfo:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return PushSubscriptionInfo(endpoint=endpoint, p256dh=b64url(point), auth=b64url(self.auth_secret))


@dataclass
class Delivered:
    path: str
    headers: dict[str, str]  # names lower-cased: HTTP header names are case-insensitive
    body: bytes
    claims: dict[str, Any]
    message: dict[str, Any]


class PushService:
    def __init__(self, browser: Browser, vapid_public_b64url: str) -> None:
        self.browser = browser
        self.vapid_public_b64url = vapid_public_b64url
        self.delivered: list[Delivered] = []
        self.rejections: list[str] = []
        self.requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"

    def endpoint(self, path: str = "/push/ok") -> str:
        return self.origin + path

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                service.requests += 1
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path == "/push/slow":
                    time.sleep(1.0)
                status = STATUS_BY_PATH.get(self.path) or service.accept(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                # The reason travels back so that a failing test shows why it was refused.
                reason = service.rejections[-1].encode() if status == 400 and service.rejections else b""
                self.send_response(status)
                self.send_header("Content-Length", str(len(reason)))
                self.end_headers()
                self.wfile.write(reason)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep pytest output clean

        return Handler

    def accept(self, path: str, headers: dict[str, str], body: bytes) -> int:
        try:
            claims = self.check_vapid(headers.get("authorization", ""))
            if int(headers.get("ttl", "0")) <= 0:
                raise ValueError(f"TTL must be positive: {headers.get('ttl')!r}")
            if headers.get("content-encoding") != "aes128gcm":
                raise ValueError(f"unexpected Content-Encoding {headers.get('content-encoding')!r}")
            if len(body) > 4096:
                raise ValueError(f"body of {len(body)} bytes exceeds the 4096 push services accept")
            plaintext = http_ece.decrypt(
                body,
                private_key=self.browser.private_key,
                auth_secret=self.browser.auth_secret,
                version="aes128gcm",
            )
            message = json.loads(plaintext.decode("utf-8"))
        except Exception as exc:  # any failure is a rejection the test reports
            self.rejections.append(repr(exc))
            return 400
        self.delivered.append(Delivered(path, headers, body, claims, message))
        return 201

    def check_vapid(self, authorization: str) -> dict[str, Any]:
        match = re.fullmatch(r"vapid t=([\w.-]+),\s*k=([\w-]+)", authorization)
        if not match:
            raise ValueError(f"not a VAPID Authorization header: {authorization!r}")
        token, key = match.groups()
        if key != self.vapid_public_b64url:
            raise ValueError("k is not the application server key the browser subscribed with")
        header_b64, claims_b64, signature_b64 = token.split(".")
        if json.loads(b64url_decode(header_b64)) != {"typ": "JWT", "alg": "ES256"}:
            raise ValueError(f"unexpected JWT header {b64url_decode(header_b64)!r}")
        signature = b64url_decode(signature_b64)
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
        try:
            public_key.verify(
                encode_dss_signature(int.from_bytes(signature[:32]), int.from_bytes(signature[32:])),
                f"{header_b64}.{claims_b64}".encode(),
                ec.ECDSA(hashes.SHA256()),
            )
        except InvalidSignature:
            raise ValueError("JWT signature does not verify with the VAPID public key") from None
        claims: dict[str, Any] = json.loads(b64url_decode(claims_b64))
        if claims.get("aud") != self.origin:
            raise ValueError(f"aud {claims.get('aud')!r} is not the endpoint origin {self.origin}")
        # RFC 8292 lets push services refuse tokens valid for more than 24 hours.
        if not time.time() < claims["exp"] <= time.time() + 24 * 3600:
            raise ValueError(f"exp {claims['exp']} is not within the next 24 hours")
        return claims


@pytest.fixture
def vapid_keys(tmp_path: Path) -> VapidKeys:
    return load_or_create_vapid_keys(tmp_path)


@pytest.fixture
def browser() -> Browser:
    return Browser()


@pytest.fixture
def push_service(browser: Browser, vapid_keys: VapidKeys, monkeypatch: pytest.MonkeyPatch) -> Iterator[PushService]:
    # A proxy configured on the host must not swallow requests to the loopback service.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    service = PushService(browser, vapid_keys.public_key_b64url)
    thread = threading.Thread(target=service.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield service
    service.server.shutdown()
    service.server.server_close()


def test_push_round_trip(push_service: PushService, browser: Browser, vapid_keys: VapidKeys) -> None:
    sender = WebPushSender(vapid_keys, subject="mailto:suporte@demo.test", ttl=3600)

    sender.send(browser.subscription(push_service.endpoint()), PAYLOAD)

    assert push_service.rejections == []
    [delivered] = push_service.delivered
    assert delivered.message == {"title": PAYLOAD.title, "body": PAYLOAD.body, "url": PAYLOAD.url}
    assert delivered.claims["sub"] == "mailto:suporte@demo.test"
    assert delivered.claims["aud"] == push_service.origin
    assert delivered.headers["ttl"] == "3600"


def test_one_sender_serves_many_messages(push_service: PushService, browser: Browser, vapid_keys: VapidKeys) -> None:
    sender = WebPushSender(vapid_keys)
    other = Browser()
    push_service.browser = other  # the service now plays a second browser

    sender.send(other.subscription(push_service.endpoint()), PAYLOAD)
    sender.send(other.subscription(push_service.endpoint()), PushPayload("Aprovada", "ok", "/portal"))

    assert push_service.rejections == []
    assert [d.message["title"] for d in push_service.delivered] == [PAYLOAD.title, "Aprovada"]
    assert push_service.delivered[0].claims["sub"] == "mailto:aval@localhost"
    assert int(push_service.delivered[0].headers["ttl"]) == 86400


def test_long_body_is_shortened_to_fit_one_push_record(
    push_service: PushService, browser: Browser, vapid_keys: VapidKeys
) -> None:
    long_body = "Descrição detalhada da ação. " * 400  # ~12 kB, mostly two-byte characters

    WebPushSender(vapid_keys).send(
        browser.subscription(push_service.endpoint()), PushPayload(PAYLOAD.title, long_body, PAYLOAD.url)
    )

    assert push_service.rejections == []
    [delivered] = push_service.delivered
    assert len(delivered.body) <= 4096
    assert delivered.message["url"] == PAYLOAD.url
    assert delivered.message["body"].endswith("…")
    assert long_body.startswith(delivered.message["body"][:-1])
    assert len(delivered.message["body"]) > 1000


@pytest.mark.parametrize("path", ["/push/gone", "/push/not-found"])
def test_gone_subscription(push_service: PushService, browser: Browser, vapid_keys: VapidKeys, path: str) -> None:
    with pytest.raises(SubscriptionGone) as caught:
        WebPushSender(vapid_keys).send(browser.subscription(push_service.endpoint(path)), PAYLOAD)
    assert caught.value.permanent


@pytest.mark.parametrize("path", ["/push/error", "/push/throttled"])
def test_service_trouble_is_temporary(
    push_service: PushService, browser: Browser, vapid_keys: VapidKeys, path: str
) -> None:
    with pytest.raises(DeliveryError) as caught:
        WebPushSender(vapid_keys).send(browser.subscription(push_service.endpoint(path)), PAYLOAD)
    assert not caught.value.permanent
    assert not isinstance(caught.value, SubscriptionGone)


@pytest.mark.parametrize("path", ["/push/bad-request", "/push/forbidden"])
def test_other_client_errors_are_permanent(
    push_service: PushService, browser: Browser, vapid_keys: VapidKeys, path: str
) -> None:
    with pytest.raises(DeliveryError) as caught:
        WebPushSender(vapid_keys).send(browser.subscription(push_service.endpoint(path)), PAYLOAD)
    assert caught.value.permanent
    assert not isinstance(caught.value, SubscriptionGone)


def test_unreachable_service_is_temporary(browser: Browser, vapid_keys: VapidKeys) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before the send: connection refused

    with pytest.raises(DeliveryError) as caught:
        WebPushSender(vapid_keys).send(browser.subscription(f"http://127.0.0.1:{port}/push/ok"), PAYLOAD)
    assert not caught.value.permanent


def test_slow_service_times_out_as_temporary(
    push_service: PushService, browser: Browser, vapid_keys: VapidKeys
) -> None:
    with pytest.raises(DeliveryError) as caught:
        WebPushSender(vapid_keys, timeout=0.2).send(browser.subscription(push_service.endpoint("/push/slow")), PAYLOAD)
    assert not caught.value.permanent


def test_subscription_with_broken_keys_is_gone_without_a_request(
    push_service: PushService, browser: Browser, vapid_keys: VapidKeys
) -> None:
    good = browser.subscription(push_service.endpoint())
    broken = [
        PushSubscriptionInfo(good.endpoint, p256dh="not-a-key", auth=good.auth),
        PushSubscriptionInfo(good.endpoint, p256dh=good.p256dh, auth=b64url(b"short")),
        PushSubscriptionInfo(good.endpoint, p256dh="@@@", auth=good.auth),
        PushSubscriptionInfo("push.example/abc", p256dh=good.p256dh, auth=good.auth),
        PushSubscriptionInfo("ftp://push.example/abc", p256dh=good.p256dh, auth=good.auth),
    ]
    for sub in broken:
        with pytest.raises(SubscriptionGone):
            WebPushSender(vapid_keys).send(sub, PAYLOAD)
    assert push_service.requests == 0


def test_settings_push_services_would_refuse_fail_at_construction(vapid_keys: VapidKeys) -> None:
    with pytest.raises(ValueError, match="ttl"):
        WebPushSender(vapid_keys, ttl=0)
    with pytest.raises(ValueError, match="subject"):
        WebPushSender(vapid_keys, subject="aval@demo.test")
    WebPushSender(vapid_keys, subject="https://aval.demo.test")


def test_service_rejects_a_key_the_browser_did_not_subscribe_with(
    push_service: PushService, browser: Browser, tmp_path: Path
) -> None:
    # Guards the fake service itself: its VAPID check must be able to fail.
    stranger = load_or_create_vapid_keys(tmp_path / "other")

    with pytest.raises(DeliveryError) as caught:
        WebPushSender(stranger).send(browser.subscription(push_service.endpoint()), PAYLOAD)

    assert caught.value.permanent
    assert "application server key" in str(caught.value)
    assert push_service.delivered == []
