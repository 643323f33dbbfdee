"""Time for people: every instant a person reads (pages, e-mails, push, refusals) is
formatted here, with Babel, in that person's language and time zone. The database and the
domain keep UTC; nothing else turns an instant into text.

A top-level module beside i18n_catalog.py, because both the pages (ui/) and the outbox
worker's messages (delivery/) use it, and delivery must not depend on the UI."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_timedelta

from domain import clock

DEFAULT_ZONE = clock.DEFAULT_ZONE


def set_default_zone(name: str) -> None:
    """The installation's zone (AVAL_TIMEZONE), for people who did not pick their own."""
    ZoneInfo(name)  # refuses an unknown name
    clock.default_zone = name


def default_zone() -> str:
    return clock.default_zone


def zone(name: str | None) -> ZoneInfo:
    """The zone of this name; the installation's default for none or an unknown one."""
    return clock.zone_of(name)


def _babel_locale(locale: str | None) -> str:
    return locale or "pt_BR"


def format_when(value: datetime | None, locale: str | None, zone_name: str | None) -> str:
    """An instant as the reader expects it: '30/11/2026 09:22' in pt-BR, '11/30/26, 9:22 AM'
    in English, in the reader's zone."""
    if value is None:
        return ""
    return format_datetime(value, "short", tzinfo=zone(zone_name), locale=_babel_locale(locale))


def format_relative(moment: datetime, now: datetime, locale: str | None) -> str:
    """How far an instant is from now, with its direction: 'em 3 horas', 'há 10 minutos'."""
    delta: timedelta = moment - now
    return format_timedelta(delta, add_direction=True, locale=_babel_locale(locale))


def local_now(zone_name: str | None, now: datetime) -> datetime:
    """`now` on the reader's wall clock."""
    return now.astimezone(zone(zone_name))
