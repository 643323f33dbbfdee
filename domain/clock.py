"""One place that tells the time, so tests can pin it."""

from collections.abc import Callable
from datetime import UTC, datetime


def _utc_now() -> datetime:
    return datetime.now(UTC)


now: Callable[[], datetime] = _utc_now
