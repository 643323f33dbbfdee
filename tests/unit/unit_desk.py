"""Domain tests run the real use cases against the real SQLite unit of work, built the way
`main.build` builds it. The demo is migrated and seeded once per session into a template
file; each test gets its own copy, so tests stay independent and the suite stays fast."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from domain import admin, approvals, tickets
from domain.access import Actor
from domain.admin import CustomerFields, PasswordHasher
from domain.events import DomainEvent
from domain.model import (
    ActionRequest,
    Agent,
    AgentNotification,
    AgentRole,
    CatalogAction,
    Customer,
    HistoryEntry,
    OutboxMessage,
    Ticket,
)
from domain.service import Services
from persistence.database import make_session_factory
from persistence.migrate import upgrade
from persistence.tables import start_mappers
from persistence.uow import SqlUnitOfWork

P = ParamSpec("P")
R = TypeVar("R")


class FastHasher(PasswordHasher):
    """argon2 is slow on purpose; the rules under test do not depend on the hash."""

    def hash(self, password: str) -> str:
        return "sha256$" + hashlib.sha256(password.encode()).hexdigest()

    def verify(self, password: str, password_hash: str) -> bool:
        return self.hash(password) == password_hash


def build_services(engine: Engine, events: list[DomainEvent] | None = None) -> Services:
    upgrade(engine)
    start_mappers()
    factory = make_session_factory(engine)
    publisher = events.extend if events is not None else None
    return Services(lambda: SqlUnitOfWork(factory, publisher))


def copy_database(source: Path, target: Path) -> None:
    # The backup API copies a consistent snapshot, WAL content included.
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def open_desk(engine: Engine, template: Path) -> Desk:
    """A Desk on a fresh copy of `template`, under an engine that outlives the test."""
    engine.dispose()  # close pooled connections before the file under them is replaced
    database = Path(engine.url.database or "")
    for leftover in database.parent.glob(database.name + "*"):
        leftover.unlink()
    copy_database(template, database)
    events: list[DomainEvent] = []
    factory = make_session_factory(engine)
    services = Services(lambda: SqlUnitOfWork(factory, events.extend))
    return Desk(services=services, events=events, session_factory=factory)


@dataclass
class Desk:
    """The demo help desk of spec §10, plus helpers to grow it and to look inside."""

    services: Services
    events: list[DomainEvent] = field(default_factory=list)
    hasher: FastHasher = field(default_factory=FastHasher)
    known: dict[str, Actor] = field(default_factory=dict)  # e-mail -> actor; ids never change
    # For tests that build their own unit of work over the same database (failing commits).
    session_factory: sessionmaker[Session] | None = None

    def run(self, use_case: Callable[Concatenate[Any, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
        return self.services.run(use_case, *args, **kwargs)

    def _read(self, reader: Callable[[Any], Any]) -> Any:
        uow = self.services.uow_factory()
        with uow:
            return reader(uow)

    # --- who is who ---------------------------------------------------------------------

    def agent_actor(self, email: str) -> Actor:
        if email not in self.known:
            agent: Agent | None = self._read(lambda uow: uow.agents.by_email(email))
            assert agent is not None and agent.id is not None
            self.known[email] = Actor.agent(agent.id)
        return self.known[email]

    def customer_actor(self, email: str) -> Actor:
        if email not in self.known:
            customer: Customer | None = self._read(lambda uow: uow.customers.by_email(email))
            assert customer is not None and customer.id is not None
            self.known[email] = Actor.customer(customer.id)
        return self.known[email]

    @property
    def ana(self) -> Actor:
        return self.agent_actor("ana.admin@demo.test")

    @property
    def bruno(self) -> Actor:
        return self.agent_actor("bruno.agente@demo.test")

    @property
    def carla(self) -> Actor:
        return self.agent_actor("carla.agente@demo.test")

    @property
    def marcia(self) -> Actor:
        return self.customer_actor("marcia.gerente@demo.test")

    @property
    def fabio(self) -> Actor:
        return self.customer_actor("fabio.gerente@demo.test")

    @property
    def joao(self) -> Actor:
        return self.customer_actor("joao.cliente@demo.test")

    @property
    def livia(self) -> Actor:
        return self.customer_actor("livia.avulsa@demo.test")

    # --- reading what is stored ---------------------------------------------------------

    def agent(self, actor: Actor) -> Agent:
        return self._read(lambda uow: uow.agents.get(actor.id))

    def customer(self, actor: Actor) -> Customer:
        return self._read(lambda uow: uow.customers.get(actor.id))

    def organization_id(self, name: str) -> int:
        found = [o.id for o in self._read(lambda uow: uow.organizations.list()) if o.name == name]
        assert found, name
        return found[0]

    def action_id(self, name: str) -> int:
        found = [a.id for a in self._read(lambda uow: uow.catalog.list()) if a.name == name]
        assert found, name
        return found[0]

    def catalog_action(self, action_id: int) -> CatalogAction:
        return self._read(lambda uow: uow.catalog.get(action_id))

    def ticket(self, number: int) -> Ticket:
        ticket = self._read(lambda uow: uow.tickets.by_number(number))
        assert ticket is not None
        return ticket

    def request(self, request_id: int) -> ActionRequest:
        request = self._read(lambda uow: uow.requests.get(request_id))
        assert request is not None
        return request

    def requests_of(self, number: int) -> list[ActionRequest]:
        ticket_id = self.ticket(number).id
        rows = self._read(lambda uow: uow.requests.rows_of_ticket(ticket_id))
        return [self.request(row.id) for row in rows]

    def history(self, number: int) -> list[HistoryEntry]:
        ticket_id = self.ticket(number).id
        return self._read(lambda uow: uow.history.of_ticket(ticket_id))

    def outbox(self) -> list[OutboxMessage]:
        return sorted(self._read(lambda uow: uow.outbox.recent(limit=1000)), key=lambda m: m.id or 0)

    def hub(self, actor: Actor) -> list[AgentNotification]:
        return self._read(lambda uow: uow.notifications.of_agent(actor.id, 1000))

    def events_of(self, event_type: type[DomainEvent]) -> list[Any]:
        return [event for event in self.events if isinstance(event, event_type)]

    def change(self, writer: Callable[[Any], None]) -> None:
        """Set up a state no use case produces directly (e.g. an older timestamp)."""
        uow = self.services.uow_factory()
        with uow:
            writer(uow)
            uow.commit()

    # --- growing the demo ---------------------------------------------------------------

    def new_organization(self, name: str, parent: str | None = None) -> int:
        parent_id = self.organization_id(parent) if parent else None
        return self.run(admin.create_organization, self.ana, name, parent_id)

    def new_customer(
        self, name: str, organization: str | None = None, *, manager: bool = False, active: bool = True
    ) -> Actor:
        email = name.lower().replace(" ", ".") + "@example.test"
        organization_id = self.organization_id(organization) if organization else None
        fields = CustomerFields(name, email, organization_id, manager, active, password="secret-123")
        return Actor.customer(self.run(admin.create_customer, self.ana, self.hasher, fields))

    def new_agent(self, name: str, *, admin_role: bool = False) -> Actor:
        email = name.lower().replace(" ", ".") + "@example.test"
        role = AgentRole.ADMIN if admin_role else AgentRole.AGENT
        return Actor.agent(self.run(admin.create_agent, self.ana, self.hasher, name, email, "secret-123", role))

    def set_customer(self, actor: Actor, **changes: Any) -> None:
        """Change a customer through the admin use case (manager flag, active flag, org)."""
        current = self.customer(actor)
        values = {
            "name": current.name,
            "email": current.email,
            "organization_id": current.organization_id,
            "is_manager": current.is_manager,
            "active": current.active,
        }
        values.update(changes)
        self.run(admin.update_customer, self.ana, self.hasher, actor.id, CustomerFields(**values))

    def new_ticket(self, customer: Actor, subject: str = "Problema novo", assigned: Actor | None = None) -> int:
        assignee = assigned if assigned is not None else self.bruno
        return self.run(tickets.create_ticket, self.bruno, subject, "Detalhes.", customer.id, assignee.id)

    def ask(self, number: int = 1, by: Actor | None = None, action: str = "Reembolso", note: str = "") -> int:
        """An agent (Bruno unless told) requests a catalog action on a ticket."""
        agent = by if by is not None else self.bruno
        return self.run(approvals.request_action, agent, number, self.action_id(action), note)


