"""Personal access tokens: how a program calls the API as a person (spec §14).

A token acts with its owner's rights as they are at the moment of each call: it is
checked against the person as stored now, so it stops with the owner's deactivation (or
trash) without anyone revoking it. Only a SHA-256 of the secret is kept: the secret is 256
random bits, so a fast hash cannot be reversed by guessing, and each API call can look the
token up by its hash in one indexed read.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import clock
from .access import Actor, require_admin, require_agent, require_customer
from .errors import InvalidInput, NotAuthenticated, NotFound
from .messages import N_
from .model import AccessToken
from .ports import UnitOfWork
from .service import read_only
from .validation import clean_text

# Recognisable by secret scanners (a leaked token in a repository or a log can be found
# and revoked); what follows is 43 url-safe characters of 256 random bits.
TOKEN_PREFIX = "aval_pat_"
SHOWN_PREFIX_LENGTH = len(TOKEN_PREFIX) + 6
TOKEN_NAME_MAX = 80
# Writing "last used" on every call would make each read a write; once a minute is as
# precise as a person reading the list needs.
LAST_USED_RESOLUTION = timedelta(minutes=1)

INVALID_TOKEN = N_("The access token is invalid, expired or revoked.")
TOKEN_NOT_FOUND = N_("Access token not found.")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class TokenRow:
    """A token as its owner and the admins see it: never its secret."""

    id: int
    owner_kind: str
    owner_id: int
    owner_name: str
    owner_email: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    expired: bool

    @property
    def usable(self) -> bool:
        return self.revoked_at is None and not self.expired


@dataclass(frozen=True)
class NewToken:
    row: TokenRow
    secret: str  # shown once, never stored


def _owner(uow: UnitOfWork, actor: Actor) -> tuple[str, str]:
    person = require_agent(uow, actor) if actor.kind == "agent" else require_customer(uow, actor)
    return person.name, person.email


def _row(token: AccessToken, owner_name: str, owner_email: str, now: datetime) -> TokenRow:
    assert token.id is not None
    return TokenRow(
        id=token.id,
        owner_kind=token.owner_kind,
        owner_id=token.owner_id,
        owner_name=owner_name,
        owner_email=owner_email,
        name=token.name,
        prefix=token.prefix,
        created_at=token.created_at,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
        expired=token.expires_at is not None and token.expires_at <= now,
    )


def create_token(uow: UnitOfWork, actor: Actor, name: str, expires_at: datetime | None = None) -> NewToken:
    """A new token of the caller; its secret is in the answer and nowhere else."""
    with uow:
        owner_name, owner_email = _owner(uow, actor)
        name = clean_text(name, label=N_("Name"), max_len=TOKEN_NAME_MAX, required=True)
        now = clock.now()
        if expires_at is not None and expires_at <= now:
            raise InvalidInput(N_("The expiry date must be in the future."))
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = AccessToken(
            owner_kind=actor.kind,
            owner_id=actor.id,
            name=name,
            token_hash=hash_secret(secret),
            prefix=secret[:SHOWN_PREFIX_LENGTH],
            expires_at=expires_at,
        )
        uow.access_tokens.add(token)
        uow.flush()
        row = _row(token, owner_name, owner_email, now)
        uow.commit()
        return NewToken(row=row, secret=secret)


@read_only
def my_tokens(uow: UnitOfWork, actor: Actor) -> list[TokenRow]:
    with uow:
        owner_name, owner_email = _owner(uow, actor)
        now = clock.now()
        return [_row(t, owner_name, owner_email, now) for t in uow.access_tokens.of_owner(actor.kind, actor.id)]


def revoke_token(uow: UnitOfWork, actor: Actor, token_id: int) -> None:
    """The owner revokes their own token; the account manager may revoke anyone's."""
    with uow:
        token = uow.access_tokens.get(token_id)
        owns = token is not None and (token.owner_kind, token.owner_id) == (actor.kind, actor.id)
        if owns:
            _owner(uow, actor)
        else:
            require_admin(uow, actor)
        if token is None:
            raise NotFound(TOKEN_NOT_FOUND)
        if token.revoked_at is None:
            token.revoked_at = clock.now()
            uow.commit()


@read_only
def all_tokens(uow: UnitOfWork, actor: Actor) -> list[TokenRow]:
    """Every token of the account, for the account manager."""
    with uow:
        require_admin(uow, actor)
        now = clock.now()
        agents = {a.id: a for a in uow.agents.list()}
        tokens = uow.access_tokens.list()
        customer_ids = sorted({t.owner_id for t in tokens if t.owner_kind == "customer"})
        customers = {c.id: c for c in uow.customers.many(customer_ids)}
        rows = []
        for token in tokens:
            owner = agents.get(token.owner_id) if token.owner_kind == "agent" else customers.get(token.owner_id)
            rows.append(_row(token, owner.name if owner else "?", owner.email if owner else "", now))
        return rows


def authenticate(uow: UnitOfWork, secret: str) -> Actor:
    """The person a token acts for, checked now: unknown, revoked or expired tokens, and
    tokens of people deactivated or in the trash, are refused alike."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        raise NotAuthenticated(INVALID_TOKEN)
    with uow:
        token = uow.access_tokens.by_hash(hash_secret(secret))
        now = clock.now()
        if token is None or not token.usable_at(now):
            raise NotAuthenticated(INVALID_TOKEN)
        actor = Actor(token.owner_kind, token.owner_id)  # type: ignore[arg-type]
        try:
            _owner(uow, actor)
        except NotAuthenticated:
            raise NotAuthenticated(INVALID_TOKEN) from None
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            token.last_used_at = now
            uow.commit()
        return actor

