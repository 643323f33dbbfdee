"""A person's own settings, kept on their profile page: language and time zone (and,
as other sections join the page, what those sections keep)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from zoneinfo import available_timezones

from .access import Actor, require_agent, require_customer
from .auth import set_locale as set_locale
from .errors import InvalidInput
from .messages import N_
from .model import Agent, Customer
from .ports import UnitOfWork
from .service import read_only

UNKNOWN_ZONE = N_("Choose one of the time zones offered.")


@dataclass(frozen=True)
class Profile:
    name: str
    email: str
    locale: str | None  # None: the installation's default
    timezone: str | None  # None: the installation's default


@cache
def time_zones() -> tuple[str, ...]:
    """The zones a person may pick: the IANA names of the zone database (tzdata)."""
    return tuple(sorted(name for name in available_timezones() if "/" in name and not name.startswith("Etc/")))


def _person(uow: UnitOfWork, actor: Actor) -> Agent | Customer:
    return require_agent(uow, actor) if actor.kind == "agent" else require_customer(uow, actor)


@read_only
def my_profile(uow: UnitOfWork, actor: Actor) -> Profile:
    with uow:
        person = _person(uow, actor)
        return Profile(person.name, person.email, person.locale, person.timezone)


def set_time_zone(uow: UnitOfWork, actor: Actor, zone: str | None) -> None:
    """A person's time zone; None goes back to the installation's default."""
    if zone is not None and zone not in time_zones():
        raise InvalidInput(UNKNOWN_ZONE)
    with uow:
        person = _person(uow, actor)
        person.timezone = zone
        uow.commit()
