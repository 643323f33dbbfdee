"""The stand-ins' absences (spec §13), read by stand-in or by manager, running or not."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.standins import Absence

from .tables import absences


class SqlAbsences:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, absence: Absence) -> None:
        self.session.add(absence)

    def get(self, absence_id: int) -> Absence | None:
        return self.session.get(Absence, absence_id)

    def many(self, absence_ids: Sequence[int]) -> list[Absence]:
        if not absence_ids:
            return []
        return list(self.session.scalars(select(Absence).where(absences.c.id.in_(list(absence_ids)))))

    def of_manager(self, manager_id: int) -> list[Absence]:
        """Latest first."""
        query = select(Absence).where(absences.c.manager_id == manager_id)
        return list(self.session.scalars(query.order_by(absences.c.starts_at.desc(), absences.c.id.desc())))

    def running_for_standins(self, standin_ids: Sequence[int], now: datetime) -> list[Absence]:
        if not standin_ids:
            return []
        query = select(Absence).where(
            absences.c.standin_id.in_(list(standin_ids)), absences.c.ends_at > now, absences.c.starts_at <= now
        )
        return list(self.session.scalars(query.order_by(absences.c.id)))

    def running_for_managers(self, manager_ids: Sequence[int], now: datetime) -> list[Absence]:
        if not manager_ids:
            return []
        query = select(Absence).where(
            absences.c.manager_id.in_(list(manager_ids)), absences.c.ends_at > now, absences.c.starts_at <= now
        )
        return list(self.session.scalars(query.order_by(absences.c.id)))

    def delete(self, absence: Absence) -> None:
        self.session.delete(absence)
