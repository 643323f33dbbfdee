"""The tickets counted by triggers (migration 0014): reading the count of a (status,
trash) pair, and folding the rows the triggers add.

Each ticket written adds a row (+n or −n for its pair) instead of updating a counter, so
no writer waits for another. The sum is exact in any transaction: a row comes with the
ticket change that made it, in the same commit."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select
from sqlalchemy.orm import Session

from .tables import ticket_tallies

# More rows than pairs by this much and a fold is worth its write: the sum over a few
# hundred rows still costs next to nothing, so a quiet desk writes nothing at all.
FOLD_AFTER = 200


def tickets_counted(session: Session, in_trash: bool, status: str | None = None) -> int:
    """The number of tickets in (or out of) the trash, of one status or of all."""
    query = select(func.coalesce(func.sum(ticket_tallies.c.n), 0)).where(ticket_tallies.c.in_trash.is_(in_trash))
    if status is not None:
        query = query.where(ticket_tallies.c.status == status)
    return int(session.scalar(query) or 0)


def fold(connection: Connection, *, at_least: int = FOLD_AFTER) -> int:
    """Replaces the rows by one per pair (none for a pair at zero) when there are at least
    `at_least` of them; returns how many rows it took. The caller commits.

    One DELETE … RETURNING takes exactly the rows it sums: on PostgreSQL a row committed
    meanwhile is left for the next fold (a SELECT then a DELETE would delete it uncounted),
    and two folds at once take disjoint rows, since the second skips what the first deleted."""
    if int(connection.scalar(select(func.count()).select_from(ticket_tallies)) or 0) < at_least:
        return 0
    taken = connection.execute(
        delete(ticket_tallies).returning(ticket_tallies.c.status, ticket_tallies.c.in_trash, ticket_tallies.c.n)
    ).all()
    sums: Counter[tuple[str, bool]] = Counter()
    for status, in_trash, n in taken:
        sums[(status, bool(in_trash))] += n
    rows: list[dict[str, Any]] = [
        {"status": status, "in_trash": in_trash, "n": n} for (status, in_trash), n in sorted(sums.items()) if n
    ]
    if rows:
        connection.execute(insert(ticket_tallies), rows)
    return len(taken)


def fold_now(engine: Engine) -> int:
    """`fold` in a transaction of its own (the due worker's upkeep, a bulk load's end)."""
    with engine.begin() as connection:
        return fold(connection)
