"""Ticket numbers stay unique when many tickets are opened at the same moment."""

from __future__ import annotations

import threading

from persistence_support import BRUNO, JOAO, Database, run_together

from domain import tickets

THREADS = 6
TICKETS_EACH = 5


def test_concurrent_creations_get_distinct_consecutive_numbers(database: Database) -> None:
    bruno, joao = database.agent(BRUNO), database.customer(JOAO)
    start = threading.Barrier(THREADS, timeout=10)

    def open_tickets(worker: int) -> list[int]:
        start.wait()
        return [
            database.run(tickets.create_ticket, bruno, f"Worker {worker} #{i}", "", customer_id=joao.id)
            for i in range(TICKETS_EACH)
        ]

    results = run_together(*[lambda w=w: open_tickets(w) for w in range(THREADS)])
    numbers = [n for result in results for n in result]  # type: ignore[union-attr]
    assert len(numbers) == len(set(numbers)) == THREADS * TICKETS_EACH
    assert sorted(numbers) == list(range(6, 6 + THREADS * TICKETS_EACH))  # the demo has #1-#5
    assert database.scalar("SELECT count(DISTINCT number) FROM tickets") == 5 + THREADS * TICKETS_EACH
    assert database.scalar("SELECT last_ticket_number FROM account_settings") == 5 + THREADS * TICKETS_EACH
