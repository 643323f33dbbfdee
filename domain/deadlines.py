"""Deadlines of action requests (spec §12): the deadline a request gets — its action's
default (*Prazo para aprovação*) or the agent's choice — and its expiry once it passes,
run by the due-work worker of whichever instance claims it first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final, Literal

from . import clock
from .errors import InvalidInput
from .messages import N_
from .model import ActionRequest, CatalogAction, DueKind, DueWork
from .ports import UnitOfWork

MAX_AHEAD = timedelta(days=90)
MAX_DEFAULT_HOURS = 90 * 24
# What `request_action` gets when the caller says nothing about the deadline: the action's
# default. (None is a choice too: no deadline.)
CatalogDefault = Literal["catalog default"]
CATALOG_DEFAULT: Final[CatalogDefault] = "catalog default"
EXPIRY_BATCH = 50
# A request whose ticket sits in the trash is not touched (spec §8); it is looked at again
# this much later, and expires then if its ticket came back still past the deadline.
TRASHED_RECHECK = timedelta(minutes=1)

DEADLINE_IN_PAST = N_("The deadline must be in the future.")
DEADLINE_TOO_FAR = N_("The deadline may be at most 90 days ahead.")
DEADLINE_HOURS_RANGE = N_("The approval deadline is a whole number of hours from 1 to 2160, or empty.")


def checked_deadline(deadline: datetime, now: datetime) -> datetime:
    """A deadline an agent picked: in the future, at most 90 days ahead; kept in UTC."""
    if deadline.tzinfo is None:
        raise InvalidInput(N_("The deadline needs a time zone."))
    if deadline <= now:
        raise InvalidInput(DEADLINE_IN_PAST)
    if deadline > now + MAX_AHEAD:
        raise InvalidInput(DEADLINE_TOO_FAR)
    return deadline.astimezone(UTC)


def checked_default_hours(hours: int | None) -> int | None:
    """A catalog action's default deadline, in hours (None: no deadline)."""
    if hours is None:
        return None
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= MAX_DEFAULT_HOURS:
        raise InvalidInput(DEADLINE_HOURS_RANGE)
    return hours


def default_deadline(action: CatalogAction, now: datetime) -> datetime | None:
    return now + timedelta(hours=action.deadline_hours) if action.deadline_hours else None


def deadline_for(
    action: CatalogAction, chosen: datetime | CatalogDefault | None, now: datetime
) -> datetime | None:
    if chosen == CATALOG_DEFAULT:
        return default_deadline(action, now)
    if chosen is None:
        return None
    assert isinstance(chosen, datetime)
    return checked_deadline(chosen, now)


def schedule_expiry(uow: UnitOfWork, request: ActionRequest) -> None:
    """Writes down, in the request's own transaction, that it expires at its deadline."""
    if request.deadline is not None and request.id is not None:
        uow.due_work.add(DueWork(kind=DueKind.EXPIRE_REQUEST, subject_id=request.id, due_at=request.deadline))


def is_overdue(request: ActionRequest, now: datetime | None = None) -> bool:
    return request.is_pending and request.deadline is not None and request.deadline <= (now or clock.now())
