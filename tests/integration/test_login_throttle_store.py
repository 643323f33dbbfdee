"""The login throttle's counters in the database, on SQLite and PostgreSQL: growing delays
per account+address pair, a hard limit per address, nobody else's guesses locking the
owner out, counters shared by every instance and kept across a restart, parallel tries
seeing each other, and refused guesses storing nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from persistence_support import Database
from sqlalchemy import func, select

from persistence.login_throttle import SqlLoginThrottle
from persistence.tables import login_throttle

BRUNO = "bruno.agente@demo.test"
HOME = "198.51.100.10"  # Bruno's own address
STRANGER = "203.0.113.66"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def fail(throttle: SqlLoginThrottle, account: str, address: str, times: int) -> None:
    for _ in range(times):
        assert throttle.begin(account, address) == timedelta(0)


def rows(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(login_throttle)).scalar_one())


def test_a_pair_waits_longer_after_each_failure_past_the_fifth(database: Database) -> None:
    clock = Clock()
    throttle = SqlLoginThrottle(database.engine, clock=clock)
    fail(throttle, BRUNO, STRANGER, 5)
    assert throttle.begin(BRUNO, STRANGER) == timedelta(seconds=15)
    for delay in (15, 30, 60, 120, 240, 480, 900, 900):
        clock.advance(delay - 1)
        assert throttle.begin(BRUNO, STRANGER) == timedelta(seconds=1), delay
        clock.advance(1)
        assert throttle.begin(BRUNO, STRANGER) == timedelta(0), delay  # one more try, counted


def test_a_stranger_guessing_cannot_lock_the_owner_out(database: Database) -> None:
    clock = Clock()
    throttle = SqlLoginThrottle(database.engine, clock=clock)
    fail(throttle, BRUNO, STRANGER, 5)
    assert throttle.begin(BRUNO, STRANGER) > timedelta(0)
    # Bruno, from his own address, at the same moment: in at once.
    assert throttle.begin(BRUNO, HOME) == timedelta(0)
    throttle.succeeded(BRUNO, HOME)
    # The stranger is still slowed; succeeding elsewhere gave them nothing.
    assert throttle.begin(BRUNO, STRANGER) > timedelta(0)


def test_an_address_is_refused_after_twenty_failures_for_any_accounts(database: Database) -> None:
    clock = Clock()
    throttle = SqlLoginThrottle(database.engine, clock=clock)
    for index in range(20):
        fail(throttle, f"guess{index}@demo.test", STRANGER, 1)
    assert throttle.begin(BRUNO, STRANGER) > timedelta(minutes=14)
    assert throttle.begin(BRUNO, HOME) == timedelta(0)  # only that address
    clock.advance(15 * 60)
    assert throttle.begin(BRUNO, STRANGER) == timedelta(0)


def test_a_success_forgets_the_pair_and_gives_the_address_its_try_back(database: Database) -> None:
    clock = Clock()
    throttle = SqlLoginThrottle(database.engine, clock=clock)
    fail(throttle, BRUNO, HOME, 4)
    fail(throttle, BRUNO, HOME, 1)  # the right password this time
    throttle.succeeded(BRUNO, HOME)
    fail(throttle, BRUNO, HOME, 5)  # a fresh budget for the pair
    # The address counted 4 failures and 5 more: 11 other tries reach its 20 (without the
    # try given back, the 11th would be refused).
    for index in range(11):
        fail(throttle, f"other{index}@demo.test", HOME, 1)
    assert throttle.begin("one-more@demo.test", HOME) > timedelta(0)


def test_counters_are_shared_by_instances_and_survive_a_restart(database: Database) -> None:
    clock = Clock()
    first, second = SqlLoginThrottle(database.engine, clock=clock), SqlLoginThrottle(database.engine, clock=clock)
    fail(first, BRUNO, STRANGER, 3)
    fail(second, BRUNO, STRANGER, 2)
    assert first.begin(BRUNO, STRANGER) > timedelta(0)
    restarted = SqlLoginThrottle(database.engine, clock=clock)  # a new process, same database
    assert restarted.begin(BRUNO, STRANGER) > timedelta(0)


def test_parallel_tries_see_each_other(database: Database) -> None:
    throttle = SqlLoginThrottle(database.engine)
    with ThreadPoolExecutor(max_workers=8) as pool:
        waits = list(pool.map(lambda _: throttle.begin(BRUNO, STRANGER), range(8)))
    assert sorted(w == timedelta(0) for w in waits) == [False] * 3 + [True] * 5


def test_refused_guesses_store_nothing(database: Database) -> None:
    clock = Clock()
    throttle = SqlLoginThrottle(database.engine, clock=clock)
    for index in range(20):
        fail(throttle, f"guess{index}@demo.test", STRANGER, 1)
    stored = rows(database)
    assert stored == 21  # 20 pairs and the address
    for index in range(300):  # a refused address trying ever new e-mails
        assert throttle.begin(f"other{index}@demo.test", STRANGER) > timedelta(0)
    assert rows(database) == stored
    clock.advance(31 * 60)
    fail(throttle, BRUNO, HOME, 1)  # old rows go as new ones come
    assert rows(database) == 2


def test_what_is_kept_of_a_typed_account_is_bounded(database: Database) -> None:
    throttle = SqlLoginThrottle(database.engine)
    fail(throttle, "x" * 5000 + "@demo.test", "a" * 500, 1)
    with database.engine.connect() as connection:
        keys = connection.execute(select(login_throttle.c.key)).scalars().all()
    assert max(len(key) for key in keys) <= 400
