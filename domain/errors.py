"""Typed refusals. Each carries a message fit to show a user (an English msgid the UI
translates) and the values to format into it."""

from typing import Any


class DomainError(Exception):
    """Base of every refusal: nothing was changed."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params


class NotAuthenticated(DomainError):
    """The caller is unknown, deactivated or in the trash."""


class Forbidden(DomainError):
    """The caller is known but may not do this (a 403)."""


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know it exists (a 404)."""


class InvalidInput(DomainError):
    """The input is wrong; the message says how to fix it."""


class Conflict(DomainError):
    """The state moved on: the operation no longer applies."""


class AlreadyAwaiting(Conflict):
    """The ticket already has an action awaiting approval."""


class AlreadyDecided(Conflict):
    """Someone else evaluated, cancelled or expired the request first."""
