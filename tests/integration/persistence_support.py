"""Helpers shared by the persistence tests: the database under test, demo logins, seeding
and a unit of work that holds its transaction at a barrier to force a race."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from domain.access import Actor
from domain.admin import PasswordHasher
from domain.events import DomainEvent
from domain.model import Ticket
from domain.ports import UnitOfWork
from domain.service import Services
from persistence.database import make_engine, make_session_factory
from persistence.migrate import upgrade
from persistence.tables import start_mappers
from persistence.uow import SqlUnitOfWork

P = ParamSpec("P")
R = TypeVar("R")

ANA = "ana.admin@demo.test"
BRUNO = "bruno.agente@demo.test"
CARLA = "carla.agente@demo.test"
MARCIA = "marcia.gerente@demo.test"
FABIO = "fabio.gerente@demo.test"
JOAO = "joao.cliente@demo.test"
LIVIA = "livia.avulsa@demo.test"


class PlainHasher(PasswordHasher):
    """Argon2 is slow on purpose; these tests never check a password."""

    def hash(self, password: str) -> str:
        return f"plain:{password}"

    def verify(self, password: str, password_hash: str) -> bool:
        return password_hash == f"plain:{password}"


@dataclass
class Database:
    """A migrated database and the services over it, wired as main.build wires them."""

    kind: str
    url: str
    engine: Engine
    session_factory: sessionmaker[Session]
    events: list[DomainEvent] = field(default_factory=list)

    def publish(self, events: list[DomainEvent]) -> None:
        self.events.extend(events)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.session_factory, self.publish)

    @property
    def services(self) -> Services:
        return Services(self.uow)

    def run(self, use_case: Callable[Concatenate[UnitOfWork, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
        return self.services.run(use_case, *args, **kwargs)

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as connection:
            return list(connection.execute(text(sql), params).all())

    def agent(self, email: str) -> Actor:
        return Actor.agent(int(self.scalar("SELECT id FROM agents WHERE email = :email", email=email)))

    def customer(self, email: str) -> Actor:
        return Actor.customer(int(self.scalar("SELECT id FROM customers WHERE email = :email", email=email)))

    def action_id(self, name: str) -> int:
        return int(self.scalar("SELECT id FROM catalog_actions WHERE name = :name", name=name))

    def add_tickets(
        self, customer_email: str, count: int, *, subject: str = "Ticket", agent_email: str = BRUNO
    ) -> list[int]:
        """Tickets straight through the repositories (numbers from the real counter)."""
        customer_id = self.customer(customer_email).id
        agent_id = self.agent(agent_email).id
        with self.uow() as uow:
            numbers = []
            for index in range(count):
                number = uow.settings.next_ticket_number()
                uow.tickets.add(Ticket(number=number, subject=f"{subject} {index + 1}", description="",
                                       customer_id=customer_id, assigned_agent_id=agent_id))
                numbers.append(number)
            uow.commit()
        return numbers


def open_database(kind: str, url: str) -> Database:
    engine = make_engine(url)
    upgrade(engine)
    start_mappers()
    return Database(kind=kind, url=url, engine=engine, session_factory=make_session_factory(engine))


class RacingUnitOfWork(SqlUnitOfWork):
    """Waits at `barrier` just before its first write. Every racer has then read the
    state it decides on, and none has written yet: the database alone must settle it.

    Only for PostgreSQL: on SQLite the first racer holds the write lock from its first
    read (BEGIN IMMEDIATE), so the others could never reach the barrier."""

    def __init__(self, db: Database, barrier: threading.Barrier) -> None:
        super().__init__(db.session_factory, db.publish)
        self.barrier = barrier
        self.reached_barrier = False

    def __enter__(self) -> RacingUnitOfWork:
        super().__enter__()
        assert self.session is not None
        event.listen(self.session, "before_flush", self._wait_once)
        return self

    def _wait_once(self, *_args: object) -> None:
        if not self.reached_barrier:
            self.reached_barrier = True
            self.barrier.wait()


def run_together(*calls: Callable[[], Any], timeout: float = 60) -> list[Any]:
    """Runs each call in its own thread; returns each one's result or the exception it
    raised, in the order given. The calls synchronise among themselves (a Barrier)."""
    results: list[Any] = [None] * len(calls)

    def runner(index: int, call: Callable[[], Any]) -> None:
        try:
            results[index] = call()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=runner, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a racer hung (deadlock?)"
    return results
