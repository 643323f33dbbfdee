"""Signing in. Unknown e-mail and wrong password get the same answer and cost the same
time (a dummy hash is verified), so the form does not tell which accounts exist."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Literal

from . import standins
from .access import Actor, require_agent, require_customer
from .admin import PasswordHasher
from .errors import DomainError, InvalidInput, NotAuthenticated
from .messages import N_
from .model import Agent, Customer
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


def credential_stamp(password_hash: str) -> str:
    """Changes whenever the password does: a sign-in made before the change stops counting."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _person(uow: UnitOfWork, actor: Actor | None) -> Agent | Customer:
    if actor is not None and actor.kind == "agent":
        return require_agent(uow, actor)
    return require_customer(uow, actor)


def _me(uow: UnitOfWork, person: Agent | Customer) -> tuple[str, str, bool, str | None, str | None]:
    if isinstance(person, Agent):
        return person.name, person.email, person.is_admin, person.locale, person.timezone
    # A stand-in during their period has a manager's pages (spec §13).
    privileged = person.is_active_manager or standins.stands_in_now(uow, person)
    return person.name, person.email, privileged, person.locale, person.timezone


@read_only
def whoami(uow: UnitOfWork, actor: Actor | None) -> tuple[str, str, bool, str | None, str | None]:
    """(name, e-mail, is_admin_or_manager, locale, time zone) of a signed-in person still
    allowed in."""
    with uow:
        return _me(uow, _person(uow, actor))


@read_only
def signed_in_as(
    uow: UnitOfWork, actor: Actor | None
) -> tuple[tuple[str, str, bool, str | None, str | None], str]:
    """`whoami` and the person's `credential_stamp`, in one read: what every page checks."""
    with uow:
        person = _person(uow, actor)
        return _me(uow, person), credential_stamp(person.password_hash)


Signed = tuple[tuple[str, str, bool, str | None, str | None], str]


@read_only
def signed_in_reading(
    uow: UnitOfWork,
    actor: Actor | None,
    read: Callable[..., object],
    args: tuple[object, ...] = (),
    *,
    privileged_only: bool = False,
) -> tuple[Signed, object]:
    """`signed_in_as`, then a page's first read (a read-only use case taking the same
    actor), in one transaction. A page load made them two, each with its own transaction
    and worker-thread hop, and under a burst every hop waited its turn (docs/benchmarks.md
    §5). The read runs only once the person is known to be signed in; a refusal of the read
    comes back in place of its value. With `privileged_only` it is skipped (None) for
    someone without a manager's or admin's pages."""
    with uow:
        signed = signed_in_as(uow, actor)
        if privileged_only and not signed[0][2]:
            return signed, None
        try:
            return signed, read(uow, actor, *args)
        except DomainError as error:
            return signed, error


def set_locale(uow: UnitOfWork, actor: Actor, locale: str | None) -> None:
    """A person's language; None goes back to the installation's default."""
    if locale is not None and locale not in SUPPORTED_LOCALES:
        raise InvalidInput(N_("Choose one of the languages offered."))
    with uow:
        person = require_agent(uow, actor) if actor.kind == "agent" else require_customer(uow, actor)
        person.locale = locale
        uow.commit()
