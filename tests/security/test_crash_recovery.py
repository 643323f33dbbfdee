"""Crashes: Aval (`python main.py`, its outbox worker sending to an SMTP sink) is SIGKILLed
in the middle of a burst of requests and decisions made concurrently from this process,
then started again; and a second process running use cases in a tight loop is SIGKILLed
mid-transaction. Afterwards the database is consistent — never two requests awaiting on
one ticket, every final request decided exactly once with exactly one history entry for
its decision — and every e-mail of the outbox reaches the sink: each row's message at
least once (by its stable Message-ID), a second copy only for the one message that was
on the wire when its sender was killed."""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from security_process import AppProcess, direct_services, eventually, free_port, sqlite_url
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from delivery.messages import email_message_id
from domain import approvals, demo, tickets
from domain.access import Actor
from domain.admin import PasswordHasher
from domain.errors import DomainError
from domain.model import OutboxMessage, TicketStatus
from domain.ports import UnitOfWork
from domain.service import Services

HERE = Path(__file__).resolve().parent
EXTRA_TICKETS = 14
POSTGRES_URL = os.environ.get("AVAL_TEST_POSTGRES_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class QuickHasher(PasswordHasher):
    """Nobody signs in here; argon2's deliberate slowness would only slow the seeding."""

    def hash(self, password: str) -> str:
        return "plain:" + password

    def verify(self, password: str, password_hash: str) -> bool:
        return password_hash == "plain:" + password


@dataclass
class Sink:
    """The SMTP server: slow enough (a few ms a message) that a backlog builds up."""

    message_ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        await asyncio.sleep(0.01)
        content = envelope.content.decode("utf-8", "replace")
        header = next(line for line in content.splitlines() if line.lower().startswith("message-id:"))
        with self.lock:
            self.message_ids.append(header.split(":", 1)[1].strip().strip("<>").split("@")[0])
        return "250 OK"

    def received(self) -> list[str]:
        with self.lock:
            return list(self.message_ids)


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    handler = Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "data")
        return
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except OperationalError as error:
        admin.dispose()
        if os.environ.get("CI", "").lower() in {"true", "1"}:
            pytest.fail(f"PostgreSQL is required in CI: {error.orig}")
        pytest.skip(f"PostgreSQL not reachable: {error.orig}")
    name = f"aval_crash_{os.getpid()}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@dataclass(frozen=True)
class People:
    ana: Actor
    agents: list[Actor]
    managers: list[Actor]
    numbers: list[int]
    actions: list[int]


def _people(uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        return {
            "agents": {a.email: a.id for a in uow.agents.list()},
            "customers": {c.email: c.id for c in uow.customers.list()},
            "actions": [a.id for a in uow.catalog.list(active_only=True)],
        }


def seed(services: Services) -> People:
    services.run(demo.seed_demo, QuickHasher())
    found = services.run(_people)
    agents = {email.split(".")[0]: Actor.agent(i) for email, i in found["agents"].items()}
    customers = found["customers"]
    for index in range(EXTRA_TICKETS):
        services.run(
            tickets.create_ticket, agents["ana"], f"Chamado de carga {index}", "carga",
            customer_id=customers["joao.cliente@demo.test"],
            assigned_agent_id=(agents["bruno"] if index % 2 else agents["carla"]).id,
        )
    numbers = [1, 2, 3, *range(6, 6 + EXTRA_TICKETS)]  # João's: eligible for approvals
    managers = [Actor.customer(customers[e]) for e in ("fabio.gerente@demo.test", "marcia.gerente@demo.test")]
    return People(agents["ana"], [agents["bruno"], agents["carla"], agents["ana"]], managers, numbers,
                  found["actions"])


def burst(services: Services, people: People, stop: threading.Event, seconds: float) -> Counter[str]:
    """Agents request on every ticket, two managers decide whatever is pending — racing
    each other for the same requests — and the account manager closes and reopens."""
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def count(what: str) -> None:
        with lock:
            outcomes[what] += 1

    def attempt(use_case: Any, *args: Any) -> Any:
        try:
            result = services.run(use_case, *args)
        except DomainError as error:
            count(type(error).__name__)
            return None
        count(use_case.__name__)
        return result

    def requester(agent: Actor) -> None:
        rng = random.Random(agent.id)
        while not stop.is_set() and time.monotonic() < deadline:
            attempt(approvals.request_action, agent, rng.choice(people.numbers), rng.choice(people.actions), "carga")

    def decider(manager: Actor) -> None:
        rng = random.Random(manager.id)
        while not stop.is_set() and time.monotonic() < deadline:
            pending = services.run(approvals.pending_approvals, manager).items
            for row in pending[:3]:
                step = rng.randrange(6)
                if step < 3:
                    attempt(approvals.approve, manager, row.id)
                elif step < 5:
                    attempt(approvals.reject, manager, row.id, "motivo")
                else:
                    attempt(approvals.cancel, manager, row.id)
            time.sleep(0.02)

    def closer() -> None:
        rng = random.Random(7)
        while not stop.is_set() and time.monotonic() < deadline:
            number = rng.choice(people.numbers)
            attempt(tickets.set_status, people.ana, number, TicketStatus.CLOSED)
            attempt(tickets.set_status, people.ana, number, TicketStatus.OPEN)
            time.sleep(0.15)

    jobs = [lambda a=a: requester(a) for a in people.agents]
    jobs += [lambda m=m: decider(m) for m in people.managers] + [closer]
    with ThreadPoolExecutor(len(jobs)) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()
    return outcomes


def rows(services: Services, sql: str) -> list[Any]:
    def query(uow: UnitOfWork) -> list[Any]:
        with uow:
            return list(uow.session.execute(text(sql)).all())  # type: ignore[attr-defined]

    return services.run(query)


def assert_consistent(services: Services) -> dict[str, int]:
    doubles = rows(services, "SELECT ticket_id FROM action_requests WHERE state = 'awaiting_approval' "
                             "GROUP BY ticket_id HAVING COUNT(*) > 1")
    assert doubles == [], f"tickets with two requests awaiting: {doubles}"
    requests = rows(services, "SELECT id, state, decided_at, evaluated_by_customer_id, cancelled_by_agent_id, "
                              "cancelled_by_customer_id, ticket_id FROM action_requests")
    entries = rows(services, "SELECT request_id, kind FROM history_entries WHERE request_id IS NOT NULL")
    history = Counter((r[0], r[1]) for r in entries)
    emails = Counter(r[0] for r in rows(services, "SELECT dedup_key FROM outbox_messages WHERE channel = 'email'"))
    notifications = rows(services, "SELECT request_id, agent_id, kind, COUNT(*) FROM agent_notifications "
                                   "GROUP BY request_id, agent_id, kind HAVING COUNT(*) > 1")
    assert notifications == [], f"an agent told twice of one decision: {notifications}"
    decision_kinds = {"action_approved", "action_rejected", "action_cancelled", "action_expired"}
    states: Counter[str] = Counter()
    for request_id, state, decided_at, evaluator, by_agent, by_customer, _ticket in requests:
        states[state] += 1
        decisions = {kind: n for (rid, kind), n in history.items() if rid == request_id and kind in decision_kinds}
        assert history[(request_id, "action_requested")] == 1, f"request {request_id}: not requested exactly once"
        requested_mails = [k for k in emails if k.startswith(f"request:{request_id}:requested:customer:")]
        assert len(requested_mails) == 2, f"request {request_id}: managers' e-mails {requested_mails}"
        evaluated_mails = [k for k in emails if k.startswith(f"request:{request_id}:") and ":agent:" in k]
        if state == "awaiting_approval":
            assert decided_at is None and evaluator is None and by_agent is None and by_customer is None, request_id
            assert decisions == {}, f"pending request {request_id} has decisions {decisions}"
            assert evaluated_mails == []
            continue
        assert decided_at is not None, f"final request {request_id} has no decision time"
        assert decisions == {f"action_{state}": 1}, f"request {request_id} ({state}): decision entries {decisions}"
        if state in ("approved", "rejected"):
            assert evaluator is not None and by_agent is None and by_customer is None, request_id
            assert 1 <= len(evaluated_mails) <= 2, f"request {request_id}: agents' e-mails {evaluated_mails}"
        elif state == "cancelled":
            assert evaluator is None and (by_agent is None) != (by_customer is None), request_id
            assert evaluated_mails == []
        else:
            assert state == "expired" and evaluator is None and by_agent is None and by_customer is None, request_id
    assert all(n == 1 for n in emails.values())
    return dict(states)


def expected_message_ids(services: Services) -> set[str]:
    def read(uow: UnitOfWork) -> list[OutboxMessage]:
        with uow:
            return [m for m in uow.outbox.recent(limit=100_000) if m.channel == "email"]

    return {email_message_id(m) for m in services.run(read)}


def unsent(services: Services) -> int:
    return int(rows(services, "SELECT COUNT(*) FROM outbox_messages WHERE status = 'pending'")[0][0])


def loop_process(database_url: str, people: People) -> subprocess.Popen[str]:
    argument = json.dumps({
        "agents": [a.id for a in people.agents],
        "managers": [m.id for m in people.managers],
        "tickets": people.numbers,
        "actions": people.actions,
    })
    return subprocess.Popen([sys.executable, str(HERE / "crash_loop.py"), database_url, argument],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_killed_in_the_middle_the_app_restarts_consistent_and_delivers_everything(
    tmp_path: Path, database_url: str, sink: tuple[Sink, int]
) -> None:
    mails, smtp_port = sink
    data_dir = tmp_path / "data"
    data_dir.mkdir(exist_ok=True)
    services = direct_services(database_url)
    people = seed(services)
    app = AppProcess(data_dir, free_port(), {
        "AVAL_DATABASE_URL": database_url,
        "AVAL_SMTP_HOST": "127.0.0.1",
        "AVAL_SMTP_PORT": str(smtp_port),
        "AVAL_SMTP_TLS": "none",
        "AVAL_OUTBOX_LEASE_SECONDS": "2",
        "AVAL_LOG_LEVEL": "info",
    })
    app.start()
    try:
        # 1. A burst of use cases while the app's worker sends; the app is killed midway.
        stop = threading.Event()
        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(burst, services, people, stop, 8.0)
            eventually(lambda: len(mails.received()) >= 5 and unsent(services) > 0, "mail flowing, more queued")
            app.kill()
            killed_at = len(mails.received())
            time.sleep(1.0)  # the burst goes on while the app is down
            app.port = free_port()
            app.start()
            outcomes = running.result(timeout=60)
        assert outcomes["request_action"] >= 10 and outcomes["AlreadyAwaiting"] > 0, outcomes
        assert outcomes["approve"] + outcomes["reject"] + outcomes["cancel"] >= 5, outcomes
        assert unsent(services) > 0 or len(mails.received()) > killed_at
        # 2. Another process, SIGKILLed wherever it is in its use cases, twice.
        for _ in range(2):
            loop = loop_process(database_url, people)
            assert loop.stdout is not None
            assert loop.stdout.readline().strip() == "looping"
            time.sleep(random.uniform(0.3, 1.0))
            loop.kill()
            loop.wait(timeout=10)
        states = assert_consistent(services)
        assert sum(states.values()) >= 10 and len(states) >= 3, states
        # 3. Everything queued goes out: claims of the killed worker expire with their lease.
        eventually(lambda: unsent(services) == 0, "every outbox message handled", timeout=90, step=0.5)
        expected = expected_message_ids(services)
        eventually(lambda: expected <= set(mails.received()), "every e-mail in the sink", timeout=30, step=0.5)
        received = mails.received()
        assert set(received) == expected, "mail the outbox never queued"
        copies = len(received) - len(set(received))
        assert copies <= 1, f"{copies} e-mails went out twice; only the one on the wire at the kill may"
        failed = rows(services, "SELECT COUNT(*) FROM outbox_messages WHERE status = 'failed'")[0][0]
        assert failed == 0
        assert_consistent(services)
        # And a polite stop is clean (on PostgreSQL the event relay stops with it).
        app.stop()  # SIGTERM: uvicorn shuts down, then exits by the signal it got
        log = app.log()
        assert "shutdown failed" not in log and log.count("Application shutdown complete") == 1, log[-3000:]
    finally:
        app.stop()
