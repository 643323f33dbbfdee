"""A person's night (20:00–08:00 on their own clock): reminders falling in it wait until
08:00 (spec §12). Pure calendar arithmetic; the zone database knows each zone's DST."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

NIGHT_STARTS = time(20, 0)
DAY_STARTS = time(8, 0)


def quiet_until(now: datetime, zone: ZoneInfo) -> datetime | None:
    """None in the person's daytime; in their night, the next 08:00 on their clock (UTC)."""
    local = now.astimezone(zone)
    if DAY_STARTS <= local.time() < NIGHT_STARTS:
        return None
    day = local.date() if local.time() < DAY_STARTS else local.date() + timedelta(days=1)
    # Built on the local calendar, not by adding hours: a DST change in the night moves it.
    return datetime.combine(day, DAY_STARTS, tzinfo=zone).astimezone(UTC)


def next_daytime(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment`, or 08:00 after it when it falls in the person's night."""
    return quiet_until(moment, zone) or moment
