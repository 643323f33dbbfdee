"""Shared by the outbox delivery tests: a migrated, demo-seeded database with the real use
cases over it, a real SMTP server (aiosmtpd) that can be stopped and started again on the
same port, and a way to wait for the worker thread."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage as MimeMessage
from email.policy import default as default_policy
from typing import Any, Concatenate, ParamSpec, TypeVar

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session
from sqlalchemy import Engine, text

from delivery.config import SmtpConfig
from delivery.email_sender import SmtpEmailSender
from delivery.worker import EmailSending, OutboxWorker, PushSending
from domain import approvals, demo
from domain.access import Actor
from domain.admin import PasswordHasher
from domain.events import DomainEvent
from domain.model import OutboxMessage, OutboxStatus
from domain.outbox import RetryPolicy
from domain.ports import UnitOfWork
from domain.service import Services
from persistence.database import make_engine, make_session_factory
from persistence.migrate import upgrade
from persistence.tables import start_mappers
from persistence.uow import SqlUnitOfWork

P = ParamSpec("P")
R = TypeVar("R")

HOST = "127.0.0.1"
BASE_URL = "https://aval.example.test"
FAST_RETRY = RetryPolicy(base=timedelta(seconds=0.05), cap=timedelta(seconds=0.2), max_attempts=1000)

ANA = "ana.admin@demo.test"
BRUNO = "bruno.agente@demo.test"
CARLA = "carla.agente@demo.test"
MARCIA = "marcia.gerente@demo.test"
FABIO = "fabio.gerente@demo.test"
JOAO = "joao.cliente@demo.test"
LIVIA = "livia.avulsa@demo.test"


class PlainHasher(PasswordHasher):
    """Argon2 is slow on purpose; nothing here checks a password."""

    def hash(self, password: str) -> str:
        return f"plain:{password}"

    def verify(self, password: str, password_hash: str) -> bool:
        return password_hash == f"plain:{password}"


@dataclass
class Desk:
    """The demo help desk on a real database, with the services wired as main.build does:
    committed events go to the listeners (there: the worker's wake-up)."""

    engine: Engine
    listeners: list[Callable[[list[DomainEvent]], None]] = field(default_factory=list)
    workers: list[OutboxWorker] = field(default_factory=list)

    def __post_init__(self) -> None:
        factory = make_session_factory(self.engine)
        self.services = Services(lambda: SqlUnitOfWork(factory, self._publish))

    def _publish(self, events: list[DomainEvent]) -> None:
        for listener in self.listeners:
            listener(events)

    def run(self, use_case: Callable[Concatenate[UnitOfWork, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
        return self.services.run(use_case, *args, **kwargs)

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()

    def agent(self, email_address: str) -> Actor:
        return Actor.agent(int(self.scalar("SELECT id FROM agents WHERE email = :e", e=email_address)))

    def customer(self, email_address: str) -> Actor:
        return Actor.customer(int(self.scalar("SELECT id FROM customers WHERE email = :e", e=email_address)))

    def action_id(self, name: str) -> int:
        return int(self.scalar("SELECT id FROM catalog_actions WHERE name = :n", n=name))

    def request(self, agent_email: str, ticket: int, action: str = "Reembolso", note: str = "") -> int:
        return self.run(approvals.request_action, self.agent(agent_email), ticket, self.action_id(action), note)

    def outbox(self) -> list[OutboxMessage]:
        def read(uow: UnitOfWork) -> list[OutboxMessage]:
            with uow:
                return uow.outbox.recent(limit=1000)

        return self.run(read)

    def worker(
        self,
        email_sender: EmailSending | None,
        push_sender: PushSending | None = None,
        **options: Any,
    ) -> OutboxWorker:
        """A worker as main.build makes it, with test-sized poll and backoff; the caller
        starts it (and the fixture stops it)."""
        settings: dict[str, Any] = {"poll_interval": 0.05, "retry": FAST_RETRY, "base_url": BASE_URL,
                                    "default_locale": "pt_BR"}
        settings.update(options)
        worker = OutboxWorker(self.services, email_sender=email_sender, push_sender=push_sender, **settings)
        self.listeners.append(worker.on_events)
        self.workers.append(worker)
        return worker

    def settled(self) -> bool:
        """Nothing left for a worker to do: every message sent, failed, held or skipped."""
        return all(m.status != OutboxStatus.PENDING for m in self.outbox())

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.engine.dispose()


def open_desk(url: str) -> Desk:
    engine = make_engine(url)
    upgrade(engine)
    start_mappers()
    desk = Desk(engine)
    desk.run(demo.seed_demo, PlainHasher())
    return desk


# --- a real SMTP server ---------------------------------------------------------------------


@dataclass
class Mail:
    to: list[str]
    message: MimeMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return str(part.get_content()).replace("\r\n", "\n")

    @property
    def html(self) -> str:
        part = self.message.get_body(("html",))
        assert part is not None
        return str(part.get_content())


class Mailbox:
    """What an SMTP server received, refusing the recipients it was told to refuse and
    optionally taking its time over each message."""

    def __init__(self, refuse: dict[str, str] | None = None, delay: float = 0.0) -> None:
        self.refuse = refuse or {}
        self.delay = delay
        self.mails: list[Mail] = []
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        assert isinstance(envelope.content, bytes)
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, MimeMessage)
        with self.lock:
            self.mails.append(Mail(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Mail]:
        with self.lock:
            return [mail for mail in self.mails if address in mail.to]

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.mails)

    def recipients(self) -> list[str]:
        with self.lock:
            return sorted(address for mail in self.mails for address in mail.to)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class SmtpServer:
    """An aiosmtpd server on a fixed port that the test can take down and bring back."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname=HOST, port=self.port, ready_timeout=5)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def sender(self) -> SmtpEmailSender:
        return SmtpEmailSender(SmtpConfig(host=HOST, port=self.port, tls="none", timeout=5.0,
                                          mail_from="Aval <aval@demo.test>"))


@contextmanager
def running(*workers: OutboxWorker) -> Iterator[None]:
    for worker in workers:
        worker.start()
    try:
        yield
    finally:
        for worker in workers:
            worker.stop()


def wait_until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
