"""A webhook receiver on this machine: a real HTTP server on loopback that records what it
is sent, answers a chosen status (and Location), and can be taken down and brought back
on the same port — plain HTTP, or HTTPS with a certificate the test made (`tls`), noting
the name each client asked for in the TLS handshake (SNI)."""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import trustme
from outbox_support import HOST, free_port


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str


@dataclass
class Receiver:
    port: int = field(default_factory=free_port)
    status: int = 204
    location: str = ""
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None
    tls: ssl.SSLContext | None = None
    # The host in `url`: a name (resolved by the test's own resolver) or the loopback address.
    host_name: str = HOST
    server_names: list[str | None] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host_name}:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length).decode()
                with receiver.lock:
                    receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((HOST, self.port), Handler)
        self.server.daemon_threads = True
        if self.tls is not None:
            self.tls.sni_callback = self._note_server_name
            # A handshake the client gives up (an untrusted certificate) fails the accept,
            # which the server skips: nothing is recorded, as nothing was received.
            self.server.socket = self.tls.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _note_server_name(self, _socket: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        with self.lock:
            self.server_names.append(name)

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def all(self) -> list[Received]:
        with self.lock:
            return list(self.received)


def resolving(names: dict[str, list[str]]) -> Any:
    """getaddrinfo as a DNS server would answer for these names (the test has no DNS)."""

    def resolver(host: str, port: int, **kwargs: Any) -> list[Any]:
        answers = []
        for address in names[host]:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            answers.append((family, socket.SOCK_STREAM, 6, "", (address, port)))
        return answers

    return resolver


def server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    """A receiver's TLS side: a certificate for `names` issued by `ca`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    return context
