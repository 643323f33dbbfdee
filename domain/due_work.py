"""Work due at a time (deadlines, reminders; later webhook retries, the end of a stand-in's
period), as the due-work worker sees it: when is the next thing due. What to do with each
kind lives with its rule (deadlines.py, reminders.py); each step claims its own kind."""

from __future__ import annotations

from datetime import datetime

from .ports import UnitOfWork
from .service import read_only


@read_only
def next_due(uow: UnitOfWork) -> datetime | None:
    """The earliest due time of any kind, or None when nothing is scheduled."""
    with uow:
        return uow.due_work.next_due_at()
