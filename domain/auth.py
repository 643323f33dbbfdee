"""Signing in. Unknown e-mail and wrong password get the same answer and cost the same
time (a dummy hash is verified), so the form does not tell which accounts exist."""

from __future__ import annotations

from typing import Literal

from .access import Actor, require_agent, require_customer
from .admin import PasswordHasher
from .errors import InvalidInput, NotAuthenticated
from .messages import N_
from .ports import UnitOfWork
from .service import read_only

WRONG_LOGIN = N_("E-mail or password is wrong.")
# The languages Aval speaks; a person's choice must be one of them.
SUPPORTED_LOCALES = ("pt_BR", "en")


def authenticate(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    kind: Literal["agent", "customer"],
    email: str,
    password: str,
    dummy_hash: str,
) -> Actor:
    email = (email or "").strip().lower()
    with uow:
        person = uow.agents.by_email(email) if kind == "agent" else uow.customers.by_email(email)
    stored = person.password_hash if person is not None else dummy_hash
    matches = hasher.verify(password or "", stored)
    if person is None or not matches or person.id is None:
        raise NotAuthenticated(WRONG_LOGIN)
    if not person.active or getattr(person, "in_trash", False):
        raise NotAuthenticated(WRONG_LOGIN)
    return Actor(kind, person.id)


@read_only
def whoami(uow: UnitOfWork, actor: Actor | None) -> tuple[str, str, bool, str | None, str | None]:
    """(name, e-mail, is_admin_or_manager, locale, time zone) of a signed-in person still
    allowed in."""
    with uow:
        if actor is not None and actor.kind == "agent":
            agent = require_agent(uow, actor)
            return agent.name, agent.email, agent.is_admin, agent.locale, agent.timezone
        customer = require_customer(uow, actor)
        return customer.name, customer.email, customer.is_active_manager, customer.locale, customer.timezone


def set_locale(uow: UnitOfWork, actor: Actor, locale: str | None) -> None:
    """A person's language; None goes back to the installation's default."""
    if locale is not None and locale not in SUPPORTED_LOCALES:
        raise InvalidInput(N_("Choose one of the languages offered."))
    with uow:
        person = require_agent(uow, actor) if actor.kind == "agent" else require_customer(uow, actor)
        person.locale = locale
        uow.commit()
