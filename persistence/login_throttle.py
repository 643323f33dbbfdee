"""The login throttle's counters in the database (table `login_throttle`): one row per
account+address pair and per address, shared by every instance and kept across restarts.
Rules are in domain/login_throttle.py.

Each attempt reads and writes its two rows in one transaction that holds them alone:
SQLite's writers queue (BEGIN IMMEDIATE, persistence/database.py), PostgreSQL takes a
transaction-scoped advisory lock per key. Parallel tries therefore see each other's count."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, insert, select, text, update

from domain.login_throttle import Counter, ThrottlePolicy, account_key, address_key

from .tables import login_throttle as table


def _now() -> datetime:
    return datetime.now(UTC)


class SqlLoginThrottle:
    def __init__(
        self, engine: Engine, policy: ThrottlePolicy | None = None, clock: Callable[[], datetime] = _now
    ) -> None:
        self.engine = engine
        self.policy = policy or ThrottlePolicy()
        self.clock = clock

    @staticmethod
    def keys(account: str, address: str) -> tuple[str, str]:
        where = address_key(address)
        return f"pair:{where}|{account_key(account)}", f"address:{where}"

    def _lock(self, connection: Connection, keys: tuple[str, ...]) -> None:
        if connection.dialect.name == "postgresql":
            for key in sorted(keys):  # one order everywhere: no deadlock between two attempts
                connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})

    def _read(self, connection: Connection, keys: tuple[str, ...]) -> dict[str, Counter]:
        rows = connection.execute(select(table).where(table.c.key.in_(keys)))
        return {row.key: Counter(row.failures, row.since, row.last) for row in rows}

    def begin(self, account: str, address: str) -> timedelta:
        pair_key, address_key_ = keys = self.keys(account, address)
        with self.engine.begin() as connection:
            self._lock(connection, keys)
            now = self.clock()  # after the lock: the attempt before this one is written down
            stored = self._read(connection, keys)
            pair = self.policy.pair_current(stored.get(pair_key), now)
            where = self.policy.address_current(stored.get(address_key_), now)
            wait = self.policy.wait(pair, where, now)
            if wait > timedelta(0):
                return wait  # a refused attempt stores nothing
            for key, counter in ((pair_key, pair), (address_key_, where)):
                values = {
                    "failures": counter.failures + 1 if counter else 1,
                    "since": counter.since if counter else now,
                    "last": now,
                }
                if key in stored:
                    connection.execute(update(table).where(table.c.key == key).values(**values))
                else:
                    connection.execute(insert(table).values(key=key, **values))
            # Rows whose window has passed mean nothing any more.
            connection.execute(delete(table).where(table.c.last < now - self.policy.memory))
        return timedelta(0)

    def succeeded(self, account: str, address: str) -> None:
        pair_key, address_key_ = keys = self.keys(account, address)
        with self.engine.begin() as connection:
            self._lock(connection, keys)
            connection.execute(delete(table).where(table.c.key == pair_key))
            given_back = update(table).where(table.c.key == address_key_, table.c.failures > 0)
            connection.execute(given_back.values(failures=table.c.failures - 1))
