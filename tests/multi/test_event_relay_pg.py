"""The PostgreSQL relay carries committed domain events to the other instances: a request
committed through instance A's unit of work reaches instance B's listener, with the
audience B needs to refresh the right managers' badges."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import psycopg
import pytest
from sqlalchemy.orm import Session

from domain import approvals, demo
from domain.access import Actor
from domain.events import ActionRequested, Audience, DomainEvent, TicketChanged
from domain.ports import UnitOfWork
from domain.service import Services
from persistence.database import make_engine, make_session_factory
from persistence.event_relay import PostgresEventRelay, libpq_url
from persistence.migrate import upgrade
from persistence.passwords import Argon2Hasher
from persistence.tables import start_mappers
from persistence.uow import BeforeCommit, SqlUnitOfWork

pytestmark = pytest.mark.postgres


@dataclass
class Instance:
    """What one app process has: a relay, and services whose commits notify through it."""

    relay: PostgresEventRelay
    services: Services
    received: queue.Queue[list[DomainEvent]]

    def next_events(self, timeout: float = 5.0) -> list[DomainEvent]:
        return self.received.get(timeout=timeout)

    def nothing_within(self, seconds: float) -> bool:
        try:
            self.received.get(timeout=seconds)
        except queue.Empty:
            return True
        return False


MakeInstance = Callable[..., Instance]


@pytest.fixture
def make_instance(postgres_url: str) -> Iterator[MakeInstance]:
    engine = make_engine(postgres_url)
    upgrade(engine)
    start_mappers()
    session_factory = make_session_factory(engine)
    seeded = Services(lambda: SqlUnitOfWork(session_factory))
    seeded.run(demo.seed_demo, Argon2Hasher())
    started: list[PostgresEventRelay] = []

    def make(*, listen: bool = True, before_commit: BeforeCommit | None = None) -> Instance:
        received: queue.Queue[list[DomainEvent]] = queue.Queue()
        relay = PostgresEventRelay(postgres_url, received.put, poll_seconds=0.2, max_backoff_seconds=1.0)
        hook = before_commit or relay.notify
        services = Services(lambda: SqlUnitOfWork(session_factory, None, hook))
        if listen:
            relay.start()
            started.append(relay)
            assert relay.listening.wait(10), "the relay never started listening"
        return Instance(relay, services, received)

    yield make
    for relay in started:
        relay.stop()
    engine.dispose()


def _ids(uow: UnitOfWork) -> dict[str, int]:
    with uow:
        people: dict[str, int] = {a.email: a.id or 0 for a in uow.agents.list()}
        people |= {c.email: c.id or 0 for c in uow.customers.list()}
        people["Reembolso"] = next(a.id or 0 for a in uow.catalog.list() if a.name == "Reembolso")
        return people


def _ticket_changed(number: int, agent_id: int) -> Callable[[UnitOfWork], None]:
    def use_case(uow: UnitOfWork) -> None:
        with uow:
            uow.record(TicketChanged(ticket_id=number, ticket_number=number,
                                     audience=Audience(agent_ids=frozenset({agent_id}))))
            uow.commit()

    return use_case


def test_a_request_committed_on_one_instance_reaches_the_other(make_instance: MakeInstance) -> None:
    b = make_instance()
    a = make_instance(listen=False)
    ids = a.services.run(_ids)

    request_id = a.services.run(approvals.request_action, Actor.agent(ids["bruno.agente@demo.test"]), 1,
                                ids["Reembolso"], "Cobrança em dobro")

    events = b.next_events()
    requested = [event for event in events if isinstance(event, ActionRequested)]
    assert len(requested) == 1
    assert requested[0].request_id == request_id
    assert requested[0].ticket_number == 1
    assert requested[0].action_name == "Reembolso"
    # Ticket #1 is João's, of Filial Norte: its manager and the parent's manager are told.
    assert requested[0].audience.manager_ids == {ids["fabio.gerente@demo.test"], ids["marcia.gerente@demo.test"]}


def test_an_instance_does_not_get_its_own_events_back_but_the_others_do(make_instance: MakeInstance) -> None:
    a = make_instance()
    b = make_instance()

    a.services.run(_ticket_changed(3, 2))

    (event,) = b.next_events()
    assert event == TicketChanged(ticket_id=3, ticket_number=3, audience=Audience(agent_ids=frozenset({2})))
    assert a.nothing_within(0.8)


def test_nothing_is_announced_when_the_transaction_does_not_commit(make_instance: MakeInstance) -> None:
    b = make_instance()
    sender = make_instance(listen=False)

    def notify_then_fail(session: Session, events: list[DomainEvent]) -> None:
        sender.relay.notify(session, events)
        raise RuntimeError("the commit never happens")

    failing = make_instance(listen=False, before_commit=notify_then_fail)
    with pytest.raises(RuntimeError):
        failing.services.run(_ticket_changed(4, 2))
    assert b.nothing_within(1.0)

    sender.services.run(_ticket_changed(5, 2))  # the channel itself works
    assert b.next_events()[0].ticket_number == 5


def test_a_batch_too_big_for_one_notification_arrives_whole_and_in_order(make_instance: MakeInstance) -> None:
    b = make_instance()
    a = make_instance(listen=False)
    crowd = Audience(manager_ids=frozenset(range(1000, 1300)))
    batch = [TicketChanged(ticket_id=n, ticket_number=n, audience=crowd) for n in range(12)]
    batch.append(batch[0])  # equal events in one transaction must both arrive
    assert 1 < len(a.relay.payloads(batch)) < len(batch)  # split, as few as fit

    def commit_batch(uow: UnitOfWork) -> None:
        with uow:
            for event in batch:
                uow.record(event)
            uow.commit()

    a.services.run(commit_batch)
    arrived: list[DomainEvent] = []
    while len(arrived) < len(batch):
        arrived.extend(b.next_events())
    assert arrived == batch


def test_the_listener_reconnects_after_losing_its_connection(make_instance: MakeInstance, postgres_url: str) -> None:
    b = make_instance()
    a = make_instance(listen=False)
    with psycopg.connect(libpq_url(postgres_url), autocommit=True) as admin:
        killed = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query LIKE 'LISTEN%%' AND pid <> pg_backend_pid()"
        ).fetchall()
    assert killed, "found no listening connection to cut"

    # Events sent while it is away are not replayed; one sent after it is back arrives.
    deadline = time.monotonic() + 15
    number = 100
    while time.monotonic() < deadline:
        number += 1
        a.services.run(_ticket_changed(number, 2))
        try:
            events = b.next_events(timeout=0.5)
        except queue.Empty:
            continue
        assert isinstance(events[0], TicketChanged)
        break
    else:
        pytest.fail("the relay did not come back within 15 s")
