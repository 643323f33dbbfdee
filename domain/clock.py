"""One place that tells the time, so tests can pin it, and the installation's time zone
(AVAL_TIMEZONE) for people who did not pick their own. The domain keeps UTC; a person's
zone matters to it only for their night (reminders wait for the morning)."""

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "America/Sao_Paulo"


def _utc_now() -> datetime:
    return datetime.now(UTC)


now: Callable[[], datetime] = _utc_now
default_zone: str = DEFAULT_ZONE


@cache
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_of(name: str | None) -> ZoneInfo:
    """The zone of this name; the installation's for none or an unknown one (a zone removed
    from the database since it was picked must not break anything)."""
    return (_zone(name) if name else None) or _zone(default_zone) or ZoneInfo("UTC")
