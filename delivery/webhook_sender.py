"""Blocking webhook sender (the outbox worker calls it from its thread): one signed POST
per delivery, per the Standard Webhooks specification (`standardwebhooks` library).

Server-side request forgery is refused at the moment of sending, not only when the URL
was registered: the name is resolved here, every address it resolves to must be public,
and the connection goes to the address checked (the name is not resolved again by the
HTTP client, which would let a DNS answer change in between). TLS still verifies the
certificate against the name (SNI). Redirects are never followed; timeouts are short.

Certificates are checked against the public CAs (certifi's bundle, as httpx ships it) and,
when given (AVAL_WEBHOOK_CA_FILE), the CAs of one more PEM file: a receiver whose
certificate comes from a company's own CA. Nothing, not even AVAL_WEBHOOK_ALLOW_INSECURE,
turns the check off."""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from standardwebhooks.webhooks import Webhook

from delivery.errors import DeliveryError
from domain.outbox import DeliveryFailure
from domain.webhooks import address_is_public, url_allowed

Resolver = Callable[..., list[Any]]
USER_AGENT = "Aval-Webhooks/1"


def encode_body(payload: dict[str, object]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def tls_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """The public CAs, plus those of `ca_file`; certificate and name always checked.
    Made once per sender: loading the CA bundle costs more than a small POST."""
    context = httpx.create_ssl_context(trust_env=False)
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    return context


def _connection_failure(error: BaseException) -> DeliveryFailure:
    """What the chain of a failed connection says went wrong (httpx wraps httpcore,
    which wraps the socket's or the TLS layer's own error)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError | ssl.CertificateError):
            return DeliveryFailure.TLS
        if isinstance(seen, ConnectionRefusedError):
            return DeliveryFailure.CONNECTION_REFUSED
        if isinstance(seen, TimeoutError | httpx.TimeoutException):
            return DeliveryFailure.TIMEOUT
        seen = seen.__cause__ or seen.__context__
    return DeliveryFailure.UNREACHABLE


class WebhookSender:
    def __init__(
        self,
        *,
        allow_insecure: bool = False,
        timeout: float = 5.0,
        connect_timeout: float = 3.0,
        resolver: Resolver = socket.getaddrinfo,
        ca_file: Path | None = None,
    ) -> None:
        self.allow_insecure = allow_insecure
        self.timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self.resolver = resolver
        self.tls = tls_context(ca_file)

    def send(self, url: str, secret: str, message_id: str, body: str) -> None:
        """POSTs `body` signed with `secret`; raises DeliveryError (permanent when retrying
        cannot help: a refused address, a redirect, 410 Gone)."""
        if not url_allowed(url, allow_insecure=self.allow_insecure):
            raise DeliveryError(f"refused: {url[:200]} is not a public https address", permanent=True,
                                kind=DeliveryFailure.ADDRESS_REFUSED)
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
            with httpx.Client(
                timeout=self.timeout, follow_redirects=False, trust_env=False, verify=self.tls
            ) as client:
                answer = client.post(target, content=body.encode(), headers=headers, extensions=extensions)
        except httpx.HTTPError as error:
            # Retried: a receiver that is down, or whose certificate is fixed, may take it later.
            raise DeliveryError(f"cannot reach {host}: {error!r}", permanent=False,
                                kind=_connection_failure(error)) from error
        if answer.is_success:
            return
        if answer.is_redirect:
            location = answer.headers.get("location", "")[:200]
            raise DeliveryError(f"endpoint answered {answer.status_code} to {location!r}: redirects are not followed",
                                permanent=True, kind=DeliveryFailure.REDIRECTED)
        detail = " ".join(answer.text.split())[:200]
        reason = f"endpoint answered {answer.status_code}" + (f": {detail}" if detail else "")
        # 410: the receiver says this endpoint is gone for good (Standard Webhooks).
        raise DeliveryError(reason, permanent=answer.status_code == 410, kind=DeliveryFailure.SERVER_REFUSED)

    def _resolve(self, host: str, port: int) -> str:
        try:
            infos = self.resolver(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise DeliveryError(f"cannot resolve {host}: {error}", permanent=False,
                                kind=DeliveryFailure.HOST_NOT_FOUND) from error
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        if not addresses:
            raise DeliveryError(f"cannot resolve {host}", permanent=False, kind=DeliveryFailure.HOST_NOT_FOUND)
        if not self.allow_insecure:
            refused = [str(a) for a in addresses if not address_is_public(a)]
            if refused:
                raise DeliveryError(
                    f"refused: {host} resolves to a non-public address ({', '.join(refused)})", permanent=True,
                    kind=DeliveryFailure.ADDRESS_REFUSED,
                )
        return str(addresses[0])
