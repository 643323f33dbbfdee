"""The tokens behind the one-decision links of spec §11: 256 random bits each, made for
one manager, one request and one decision, stored only as their SHA-256 (the database
holds nothing that opens a link)."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Sequence
from datetime import timedelta

from . import clock
from .model import ActionRequest, Customer, LinkBatch, LinkDecision
from .ports import UnitOfWork

DEFAULT_LINK_DAYS = 7
# The payload keys of a request_created or request_reminder outbox row that carry the
# manager's raw links.
# A mail waiting in a queue holds its links like any mailed link does; once the message
# is sent, the row forgets them (domain/outbox.py), and the admins' outbox page never
# shows them (an admin is not a manager and must not decide as one).
LINK_KEYS = ("approve_path", "reject_path")
LINK_PREFIX = "/e/"

_TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
# Hashed in place of a malformed token, so that every bad token costs one lookup.
_NO_TOKEN = "-" * 43


def _urlsafe(random: memoryview) -> str:
    return base64.urlsafe_b64encode(random).rstrip(b"=").decode("ascii")


def new_token() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the database keeps of a token. A malformed token hashes a fixed stand-in,
    so a lookup happens for every input (and nothing odd reaches the database)."""
    shaped = token if _TOKEN_SHAPE.fullmatch(token) else _NO_TOKEN
    return hashlib.sha256(shaped.encode("ascii")).hexdigest()


def well_formed(token: str) -> bool:
    return bool(_TOKEN_SHAPE.fullmatch(token))


def link_path(token: str) -> str:
    return LINK_PREFIX + token


def issue_links(
    uow: UnitOfWork, request: ActionRequest, managers: Sequence[Customer], days: int
) -> dict[int, dict[LinkDecision, str]]:
    """An approve and a reject token for each manager, stored (hashed) in one bulk write
    in the request's transaction; returns the raw tokens by manager id, for the mail."""
    return issue_links_for(uow, [(request, managers)], days).get(request.id or 0, {})


def issue_links_for(
    uow: UnitOfWork, asks: Sequence[tuple[ActionRequest, Sequence[Customer]]], days: int
) -> dict[int, dict[int, dict[LinkDecision, str]]]:
    """`issue_links` for several requests at once (a reminder round: fresh links for
    each manager reminded), still one bulk write; raw tokens by request id, then by
    manager id."""
    now = clock.now()
    expires = now + timedelta(days=days)
    decisions = tuple(LinkDecision)
    count = sum(len(managers) for _request, managers in asks)
    # One read of the system's randomness for all of them (a request to 1,000 managers
    # makes 2,000 tokens), cut into 32-byte tokens, each as secrets.token_urlsafe makes it.
    randomness = memoryview(secrets.token_bytes(_TOKEN_BYTES * len(decisions) * count))
    raw: dict[int, dict[int, dict[LinkDecision, str]]] = {}
    batches: list[LinkBatch] = []
    index = 0
    for request, managers in asks:
        assert request.id is not None
        of_request = raw.setdefault(request.id, {})
        rows: list[tuple[int, LinkDecision, str]] = []
        for manager in managers:
            assert manager.id is not None
            tokens = {
                decision: _urlsafe(randomness[(index * len(decisions) + slot) * _TOKEN_BYTES :][:_TOKEN_BYTES])
                for slot, decision in enumerate(decisions)
            }
            index += 1
            of_request[manager.id] = tokens
            rows += [(manager.id, decision, token_hash(token)) for decision, token in tokens.items()]
        batches.append(LinkBatch(request.id, now, expires, tuple(rows)))
    if count:
        uow.email_links.add_many(*batches)
    return raw
