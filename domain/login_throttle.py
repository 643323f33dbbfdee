"""How sign-in guessing is slowed without letting a stranger lock the owner out.

Failures are counted per account *and* address pair, and per address. A pair's first
five failures cost nothing; each further attempt of that pair waits a delay that doubles
(15 s, 30 s, 1 min, … at most 15 min) after its last failure; a success, or 15 minutes
without a try once the delay ran out, forgets the pair. Someone guessing Bruno's password
from elsewhere therefore slows only their own pair: Bruno, from his own address, signs
in as ever. An address that failed 20 times in 15 minutes, for whatever accounts, is
refused until that window passes (a hard limit on spraying from one place; people behind
one shared address share it too). What is counted is an attempt as it starts, so tries sent in
parallel cannot all pass the check before the first failure is written down."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

ACCOUNT_MAX = 320  # what is kept of a typed e-mail (the longest possible address)
ADDRESS_MAX = 64


@dataclass(frozen=True)
class Counter:
    """One key's failures: how many since `since`, the last at `last`."""

    failures: int
    since: datetime
    last: datetime


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int = 5
    first_delay: timedelta = timedelta(seconds=15)
    longest_delay: timedelta = timedelta(minutes=15)
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)

    def pair_delay(self, failures: int) -> timedelta:
        """The wait after the last failure before the pair's next attempt."""
        if failures < self.free_failures:
            return timedelta(0)
        steps = min(failures - self.free_failures, 16)  # 2**16 × 15 s is far past the cap
        return min(self.first_delay * 2**steps, self.longest_delay)

    def pair_current(self, counter: Counter | None, now: datetime) -> Counter | None:
        """A pair starts again from zero 15 minutes after its delay ran out without a try."""
        if counter is None or now - counter.last >= self.pair_delay(counter.failures) + self.window:
            return None
        return counter

    @property
    def memory(self) -> timedelta:
        """After this long without a failure, no counter means anything any more."""
        return self.longest_delay + self.window

    def address_current(self, counter: Counter | None, now: datetime) -> Counter | None:
        """An address counts in windows of 15 minutes from its first failure."""
        if counter is None or now - counter.since >= self.window:
            return None
        return counter

    def wait(self, pair: Counter | None, address: Counter | None, now: datetime) -> timedelta:
        """How long this attempt must still wait; zero when it may go ahead. The counters
        are the current ones (`pair_current`, `address_current`)."""
        waits = [timedelta(0)]
        if pair is not None and pair.failures >= self.free_failures:
            waits.append(pair.last + self.pair_delay(pair.failures) - now)
        if address is not None and address.failures >= self.per_address:
            waits.append(address.since + self.window - now)
        return max(waits)


def account_key(account: str) -> str:
    return (account or "").strip().lower()[:ACCOUNT_MAX]


def address_key(address: str) -> str:
    return (address or "?")[:ADDRESS_MAX]


class LoginThrottle(Protocol):
    """Where the counters live (persistence/login_throttle.py: the database, so every
    instance shares them and a restart forgets nothing)."""

    def begin(self, account: str, address: str) -> timedelta:
        """Counts an attempt about to be checked and returns zero, or returns how long
        it must still wait and counts nothing."""
        ...

    def succeeded(self, account: str, address: str) -> None:
        """The attempt was right: the pair starts again, the address gets its try back."""
        ...
