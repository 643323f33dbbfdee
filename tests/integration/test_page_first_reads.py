"""A page's sign-in check and its first read share one transaction
(`auth.signed_in_reading`): the read runs only for someone still signed in, a refusal
comes back in place of its value, and a manager-only read is skipped for anyone else."""

from __future__ import annotations

from persistence_support import BRUNO, FABIO, JOAO, Database
from sqlalchemy import event

from domain import approvals, auth, tickets
from domain.errors import DomainError, NotAuthenticated
from domain.views import TicketFilter


def test_the_check_and_the_read_are_one_transaction(database: Database) -> None:
    bruno = database.agent(BRUNO)
    begun: list[object] = []
    event.listen(database.engine, "begin", begun.append)
    (me, stamp), page = database.run(auth.signed_in_reading, bruno, tickets.list_tickets, (TicketFilter(),))
    assert me[1] == BRUNO and stamp
    assert page.total == 5  # type: ignore[attr-defined]
    assert len(begun) == 1


def test_nothing_is_read_for_someone_no_longer_allowed_in(database: Database) -> None:
    bruno = database.agent(BRUNO)
    with database.engine.begin() as connection:
        connection.exec_driver_sql(f"UPDATE agents SET active = false WHERE id = {bruno.id}")
    read: list[object] = []

    def spying(uow: object, actor: object) -> None:
        read.append(actor)

    try:
        database.run(auth.signed_in_reading, bruno, spying)
    except NotAuthenticated:
        pass
    else:
        raise AssertionError("a deactivated agent passed the sign-in check")
    assert read == []


def test_a_refused_read_comes_back_as_its_refusal(database: Database) -> None:
    (me, _stamp), value = database.run(
        auth.signed_in_reading, database.customer(JOAO), tickets.list_tickets, (TicketFilter(),)
    )
    assert me[1] == JOAO and isinstance(value, DomainError)  # a customer has no agents' list


def test_a_manager_only_read_is_skipped_for_others(database: Database) -> None:
    (_me, _stamp), value = database.run(
        auth.signed_in_reading, database.customer(JOAO), approvals.pending_count, privileged_only=True
    )
    assert value is None
    (me, _stamp), count = database.run(
        auth.signed_in_reading, database.customer(FABIO), approvals.pending_count, privileged_only=True
    )
    assert me[2] is True and count == database.run(approvals.pending_count, database.customer(FABIO))
