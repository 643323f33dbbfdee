"""Two app instances on one PostgreSQL database each run an outbox worker: every mail goes
out exactly once, because a claim reads the rows with SKIP LOCKED and leases them.

Needs the PostgreSQL server named by AVAL_TEST_POSTGRES_URL (default: the local `test`
database, where a throwaway database is created and dropped). Skipped without one, except
in CI (CI=true), where that is a failure."""

from __future__ import annotations

import os
import secrets
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
from outbox_support import BRUNO, CARLA, FABIO, MARCIA, Desk, Mailbox, SmtpServer, open_desk, running, wait_until
from sqlalchemy.engine import make_url

from domain import approvals, clock, outbox
from domain.model import Channel, OutboxStatus
from persistence.database import make_engine, make_session_factory
from persistence.event_relay import libpq_url
from persistence.uow import SqlUnitOfWork

pytestmark = pytest.mark.postgres
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    server = os.environ.get("AVAL_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    try:
        admin = psycopg.connect(libpq_url(server), autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        reason = f"PostgreSQL not reachable: {error}"
        if os.environ.get("CI", "").lower() in {"true", "1"}:
            pytest.fail(f"{reason} (CI=true: PostgreSQL is required)", pytrace=False)
        pytest.skip(reason)
    name = f"aval_outbox_{os.getpid()}_{secrets.token_hex(5)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(server).set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def instances(postgres_url: str) -> Iterator[tuple[Desk, Desk]]:
    first = open_desk(postgres_url)
    second = Desk(make_engine(postgres_url))  # another process: its own engine and pool
    yield first, second
    first.close()
    second.close()


def test_a_claim_skips_rows_another_instance_holds(instances: tuple[Desk, Desk]) -> None:
    first, second = instances
    first.request(BRUNO, 1)
    first.request(BRUNO, 2)
    due = first.outbox()
    assert len(due) == 4  # two managers × an e-mail × two requests

    # The first instance is in the middle of its claim: it has read (and locked) two rows.
    holding = SqlUnitOfWork(make_session_factory(first.engine))
    with holding:
        locked = {m.id for m in holding.outbox.due(clock.now(), 2)}
        assert len(locked) == 2
        started = time.monotonic()
        taken = second.run(outbox.claim_due, 20, timedelta(minutes=5))
        assert time.monotonic() - started < 2  # skipped, not waited for
        holding.rollback()

    assert {m.id for m in taken}.isdisjoint(locked)
    assert len(taken) == 2


def test_two_workers_send_every_mail_exactly_once(instances: tuple[Desk, Desk], mailbox: Mailbox) -> None:
    first, second = instances
    mailbox.delay = 0.02
    server = SmtpServer(mailbox)
    server.start()
    try:
        with running(first.worker(server.sender(), batch_size=2), second.worker(server.sender(), batch_size=2)):
            requests = [first.request(CARLA, ticket) for ticket in (1, 2, 3)]
            for request_id in requests:
                second.run(approvals.approve, second.customer(FABIO), request_id)
            # 3 × 2 managers, then 3 × (bruno, the assignee + carla, the requester)
            wait_until(lambda: mailbox.count >= 12 and first.settled(), timeout=20, what="twelve mails")
            time.sleep(0.3)
    finally:
        server.stop()

    assert Counter(mailbox.recipients()) == {FABIO: 3, MARCIA: 3, BRUNO: 3, CARLA: 3}
    assert len({(mail.to[0], mail.subject) for mail in mailbox.mails}) == 12
    emails = [m for m in first.outbox() if m.channel == Channel.EMAIL]
    assert len(emails) == 12 and all(m.status == OutboxStatus.SENT and m.attempts == 1 for m in emails)


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()
