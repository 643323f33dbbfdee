"""What the one-decision links (spec §11) add to a request, in process: one
`approvals.request_action` to 1,000 managers of one organization (the fan-out's seed),
timed with the links and with link making switched off, on SQLite and PostgreSQL; and
the SQL statements each sends (all of them, and those writing `email_links`).

Between rounds the request is cancelled, so every round creates one on the same ticket.
No server and no browser: this isolates the cost the links add to the request's own
transaction (2,000 tokens: 2,000 `secrets.token_urlsafe(32)` + SHA-256, one bulk insert,
two longer outbox payloads per manager), which the fan-out's end-to-end figure contains.

    .venv/bin/python -m bench.link_cost [--managers 1000] [--rounds 15] [--engines sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from domain import approvals, link_tokens
from domain.access import Actor

from .fanout import ACTION_ID, AGENT_ID, TICKET_NUMBER, WORK, seed
from .support import drop_postgres, load, open_database, save

PG_DATABASE = "aval_bench_link_cost"


@contextmanager
def links_off() -> Iterator[None]:
    """request_action as it was before the links: no token made, none stored."""
    timed = link_tokens.issue_links
    link_tokens.issue_links = lambda *_args, **_kwargs: {}  # type: ignore[assignment]
    try:
        yield
    finally:
        link_tokens.issue_links = timed


def measure(engine: str, managers: int, rounds: int) -> dict[str, Any]:
    url = seed(engine, managers, sqlite_path=WORK / "link_cost.sqlite3", pg_database=PG_DATABASE)
    db = open_database(url)
    agent = Actor.agent(AGENT_ID)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)

    inside: list[float] = []
    original = link_tokens.issue_links

    def timed_issue(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            inside.append(time.perf_counter() - started)

    def one() -> tuple[float, int, int]:
        statements.clear()
        started = time.perf_counter()
        request_id = db.run(approvals.request_action, agent, TICKET_NUMBER, ACTION_ID, "bench")
        elapsed = time.perf_counter() - started
        total = len(statements)
        links = sum(1 for s in statements if "email_links" in s and s.lstrip().upper().startswith("INSERT"))
        db.run(approvals.cancel, agent, request_id)
        return elapsed, total, links

    figures: dict[str, Any] = {}
    try:
        link_tokens.issue_links = timed_issue  # type: ignore[assignment]
        for label, switch in (("with links", None), ("without links", links_off)):
            for _ in range(2):  # warm-up
                if switch is None:
                    one()
                else:
                    with switch():
                        one()
            runs = []
            for _ in range(rounds):
                if switch is None:
                    runs.append(one())
                else:
                    with switch():
                        runs.append(one())
            times = sorted(r[0] * 1000 for r in runs)
            figures[label] = {
                "median_ms": round(statistics.median(times), 1),
                "min_ms": round(times[0], 1),
                "max_ms": round(times[-1], 1),
                "statements": runs[-1][1],
                "email_links_inserts": runs[-1][2],
            }
        link_tokens.issue_links = original
        spent = sorted(seconds * 1000 for seconds in inside[2:])  # the warm-up's left out
        figures["issue_links_ms"] = {"median": round(statistics.median(spent), 1), "min": round(spent[0], 1)}
        figures["added_ms"] = round(figures["with links"]["median_ms"] - figures["without links"]["median_ms"], 1)
        figures["email_links_rows"] = int(db.scalar("SELECT count(*) FROM email_links"))
    finally:
        link_tokens.issue_links = original
        event.remove(db.engine, "before_cursor_execute", count)
        db.close()
        if engine == "postgresql":
            drop_postgres(PG_DATABASE)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--managers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    result: dict[str, Any] = {"managers": args.managers, "rounds": args.rounds, "load_before": load()}
    for engine in args.engines.split(","):
        result[engine] = measure(engine, args.managers, args.rounds)
        print(engine, result[engine], flush=True)
    result["load_after"] = load()
    print("load", result["load_before"], "→", result["load_after"])
    print("saved", save("link_cost", result))


if __name__ == "__main__":
    main()
