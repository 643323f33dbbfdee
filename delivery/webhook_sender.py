"""Blocking webhook sender (the outbox worker calls it from its thread): one signed POST
per delivery, per the Standard Webhooks specification (`standardwebhooks` library).

Server-side request forgery is refused at the moment of sending, not only when the URL
was registered: the name is resolved here, every address it resolves to must be public,
and the connection goes to the address checked (the name is not resolved again by the
HTTP client, which would let a DNS answer change in between). TLS still verifies the
certificate against the name (SNI). Redirects are never followed; timeouts are short."""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from standardwebhooks.webhooks import Webhook

from delivery.errors import DeliveryError
from domain.webhooks import address_is_public, url_allowed

Resolver = Callable[..., list[Any]]
USER_AGENT = "Aval-Webhooks/1"


def encode_body(payload: dict[str, object]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


class WebhookSender:
    def __init__(
        self,
        *,
        allow_insecure: bool = False,
        timeout: float = 5.0,
        connect_timeout: float = 3.0,
        resolver: Resolver = socket.getaddrinfo,
    ) -> None:
        self.allow_insecure = allow_insecure
        self.timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self.resolver = resolver

    def send(self, url: str, secret: str, message_id: str, body: str) -> None:
        """POSTs `body` signed with `secret`; raises DeliveryError (permanent when retrying
        cannot help: a refused address, a redirect, 410 Gone)."""
        if not url_allowed(url, allow_insecure=self.allow_insecure):
            raise DeliveryError(f"refused: {url[:200]} is not a public https address", permanent=True)
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = self._resolve(host, port)
        now = datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "host": parts.netloc.rsplit("@", 1)[-1],
            "webhook-id": message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(secret).sign(message_id, now, body),
        }
        target = httpx.URL(url).copy_with(host=address)
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        try:
            with httpx.Client(timeout=self.timeout, follow_redirects=False, trust_env=False) as client:
                answer = client.post(target, content=body.encode(), headers=headers, extensions=extensions)
        except httpx.HTTPError as error:
            raise DeliveryError(f"cannot reach {host}: {error!r}", permanent=False) from error
        if answer.is_success:
            return
        if answer.is_redirect:
            location = answer.headers.get("location", "")[:200]
            raise DeliveryError(f"endpoint answered {answer.status_code} to {location!r}: redirects are not followed",
                                permanent=True)
        detail = " ".join(answer.text.split())[:200]
        reason = f"endpoint answered {answer.status_code}" + (f": {detail}" if detail else "")
        # 410: the receiver says this endpoint is gone for good (Standard Webhooks).
        raise DeliveryError(reason, permanent=answer.status_code == 410)

    def _resolve(self, host: str, port: int) -> str:
        try:
            infos = self.resolver(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise DeliveryError(f"cannot resolve {host}: {error}", permanent=False) from error
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        if not addresses:
            raise DeliveryError(f"cannot resolve {host}", permanent=False)
        if not self.allow_insecure:
            refused = [str(a) for a in addresses if not address_is_public(a)]
            if refused:
                raise DeliveryError(
                    f"refused: {host} resolves to a non-public address ({', '.join(refused)})", permanent=True
                )
        return str(addresses[0])
