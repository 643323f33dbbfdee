"""The in-process limiter behind /e/{token}: an address that keeps presenting bad links
is held back for the window, others are not, and memory stays bounded."""

from __future__ import annotations

from ui.rate_limit import StrikeLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_address_is_blocked_after_its_limit_and_freed_after_the_window() -> None:
    clock = Clock()
    limiter = StrikeLimiter(limit=3, window=60, now=clock)
    for _ in range(2):
        limiter.strike("10.0.0.1")
    assert not limiter.blocked("10.0.0.1")
    limiter.strike("10.0.0.1")
    assert limiter.blocked("10.0.0.1")
    assert not limiter.blocked("10.0.0.2")  # per client address
    clock.now += 61
    assert not limiter.blocked("10.0.0.1")


def test_it_forgets_the_oldest_addresses_beyond_its_size() -> None:
    limiter = StrikeLimiter(limit=1, window=60, max_addresses=100, now=Clock())
    for index in range(1000):
        limiter.strike(f"10.0.{index // 256}.{index % 256}")
    assert len(limiter._strikes) == 100
    assert limiter.blocked("10.0.3.231") and not limiter.blocked("10.0.0.0")
