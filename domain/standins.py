"""Stand-ins (spec §13): a manager away names a stand-in for a period (*Ausência*).

While the period runs, the stand-in sees, is told about and may decide the absent
manager's requests as if they were a manager of that organization; the absent manager
keeps every right. Outside the period the stand-in has no right at all.

Every reader of "who may answer" asks here which absent managers a customer stands in
for now (`acting_for`) or who stands in for some managers now (`standins_of`), and gives
the answer to the pure rules of policy.py: eligibility stays the managers' (a stand-in
only acts for an active manager), the policy, the badge counts, the routing of messages
and the e-mail links all follow the same period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from . import answers, clock, policy
from .access import Actor, require_admin, require_customer
from .errors import DomainError, Forbidden, InvalidInput, NotFound
from .events import Audience, PendingVisibilityChanged
from .messages import N_
from .model import ActionRequest, Customer, DueKind, DueWork, Organization
from .ports import UnitOfWork
from .service import read_only

ABSENCE_MAX_DAYS = 366

NOT_A_MANAGER = N_("Only an active manager of an organization can name a stand-in.")
STANDIN_NOT_ALLOWED = N_(
    "The stand-in must be an active customer of the manager's organization or of its parent organization."
)
PERIOD_ORDER = N_("The absence must end after it starts.")
PERIOD_PAST = N_("The absence must end in the future.")
PERIOD_TOO_LONG = N_("An absence may last at most {days} days.")
ABSENCE_NOT_FOUND = N_("Absence not found.")
CUSTOMER_NOT_FOUND = N_("Customer not found.")


def _now() -> datetime:
    return clock.now()


@dataclass(eq=False)
class Absence:
    """*Ausência*: `standin_id` answers for `manager_id` from `starts_at` (included) to
    `ends_at` (excluded), both UTC."""

    manager_id: int
    standin_id: int
    starts_at: datetime
    ends_at: datetime
    created_at: datetime = field(default_factory=_now)
    id: int | None = None

    def running(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at


class AbsenceState(StrEnum):
    UPCOMING = "upcoming"
    RUNNING = "running"
    ENDED = "ended"


ABSENCE_STATE_LABELS = {
    AbsenceState.UPCOMING: N_("Scheduled"),
    AbsenceState.RUNNING: N_("Running now"),
    AbsenceState.ENDED: N_("Ended"),
}


@dataclass(frozen=True)
class AbsenceView:
    id: int
    manager_id: int
    manager_name: str
    standin_id: int
    standin_name: str
    starts_at: datetime
    ends_at: datetime
    state: AbsenceState


def state_of(absence: Absence, now: datetime) -> AbsenceState:
    if now < absence.starts_at:
        return AbsenceState.UPCOMING
    return AbsenceState.RUNNING if now < absence.ends_at else AbsenceState.ENDED


def check_period(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """From before to, ending in the future, at most a year long."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput(PERIOD_ORDER)
    if ends_at <= starts_at:
        raise InvalidInput(PERIOD_ORDER)
    if ends_at <= now:
        raise InvalidInput(PERIOD_PAST)
    if ends_at - starts_at > timedelta(days=ABSENCE_MAX_DAYS):
        raise InvalidInput(PERIOD_TOO_LONG, days=ABSENCE_MAX_DAYS)


def _still_valid(uow: UnitOfWork, manager: Customer, standin: Customer) -> bool:
    """The absence still means something: the manager manages, the stand-in is still an
    active customer of the manager's organization or its parent."""
    if not manager.is_active_manager or manager.organization_id is None:
        return False
    return policy.may_stand_in(manager, uow.organizations.get(manager.organization_id), standin)


def acting_for(uow: UnitOfWork, customer: Customer, now: datetime | None = None) -> list[Customer]:
    """The absent managers `customer` stands in for at this moment (none outside every
    period, or once either person was deactivated, trashed or moved away)."""
    return acting_for_many(uow, [customer], now).get(customer.id or 0, [])


def acting_for_many(
    uow: UnitOfWork, people: Sequence[Customer], now: datetime | None = None
) -> dict[int, list[Customer]]:
    """`acting_for` of many people in one read of the absences (a badge fan-out asks for
    1,000 at once); only those standing in for someone appear."""
    live = {p.id: p for p in people if p.id is not None and p.active and not p.in_trash}
    running = uow.absences.running_for_standins(sorted(live), now or clock.now())
    if not running:
        return {}
    managers = {m.id: m for m in uow.customers.many(sorted({a.manager_id for a in running}))}
    found: dict[int, list[Customer]] = {}
    for absence in running:
        manager, standin = managers.get(absence.manager_id), live[absence.standin_id]
        if manager is None or not _still_valid(uow, manager, standin):
            continue
        mine = found.setdefault(absence.standin_id, [])
        if manager not in mine:
            mine.append(manager)
    return found


def answers_as(uow: UnitOfWork, customer: Customer, organization: Organization | None) -> Customer | None:
    """Whose place `customer` takes for a ticket of `organization` now: their own as a
    manager of it, an absent manager's as that manager's stand-in, or nobody's (None).
    What the policy, the pages, the e-mail links and the API all ask."""
    if policy.manages(customer, organization):
        return customer
    return policy.answers_as(customer, organization, acting_for(uow, customer))


def place_for(uow: UnitOfWork, customer: Customer, request: ActionRequest) -> Customer:
    """Under a multi-answer rule: the approver's place `customer` fills with their next
    answer — their own first, then each absent manager's they stand in for — one answer
    per place. Raises the refusal that says best why none is open."""
    assert request.id is not None
    refusal: DomainError | None = None
    for person in [customer, *acting_for(uow, customer)]:
        assert person.id is not None
        approver = uow.answers.approver(request.id, person.id)
        answered = approver is not None and uow.answers.answer(request.id, person.id) is not None
        try:
            answers.check_may_answer(request, approver, answered)
        except DomainError as error:
            if refusal is None or approver is not None:  # a place's own reason beats "not asked"
                refusal = error
            continue
        return person
    assert refusal is not None
    raise refusal


def standins_of(uow: UnitOfWork, managers: Sequence[Customer], now: datetime | None = None) -> list[Customer]:
    """Who stands in now for any of `managers`: told of their requests, counted in their
    badges. One read of the absences whatever the number of managers."""
    found: dict[int, Customer] = {}
    for people in standins_by_manager(uow, managers, now).values():
        found.update((p.id, p) for p in people if p.id is not None)
    return list(found.values())


def standins_by_manager(
    uow: UnitOfWork, managers: Sequence[Customer], now: datetime | None = None
) -> dict[int, list[Customer]]:
    """`standins_of`, by the id of the manager each stands in for (a reminder goes to the
    stand-ins of the managers who have not answered)."""
    by_id = {m.id: m for m in managers if m.id is not None}
    running = uow.absences.running_for_managers(sorted(by_id), now or clock.now())
    if not running:
        return {}
    people = {c.id: c for c in uow.customers.many(sorted({a.standin_id for a in running}))}
    found: dict[int, list[Customer]] = {}
    for absence in running:
        standin = people.get(absence.standin_id)
        manager = by_id.get(absence.manager_id)
        if standin is None or manager is None or standin.id in by_id:
            continue  # a stand-in who is one of the managers is told already
        if _still_valid(uow, manager, standin) and standin not in found.get(absence.manager_id, []):
            found.setdefault(absence.manager_id, []).append(standin)
    return found


def with_deputies(people: Sequence[Customer], deputies: dict[int, list[Customer]]) -> list[Customer]:
    """`people` and, after them, the stand-ins (`standins_by_manager`) of those away now."""
    seen = {p.id for p in people}
    extra = [d for p in people for d in deputies.get(p.id or 0, []) if d.id not in seen]
    return [*people, *{d.id: d for d in extra}.values()]


def with_standins(uow: UnitOfWork, managers: Sequence[Customer]) -> list[Customer]:
    """`managers` and, after them, the stand-ins of those away now."""
    return [*managers, *standins_of(uow, managers)]


def concerned_by(uow: UnitOfWork, customer: Customer, *, was_manager: bool) -> frozenset[int]:
    """Whose badges a change of `customer` (deactivated, trashed, restored, moved) may
    move: theirs when they were or are a manager or stand in for someone now, and those of
    the people standing in for them now. Read from the absences as stored, whatever the
    change just did to the rights."""
    assert customer.id is not None
    now = clock.now()
    ids = {a.standin_id for a in uow.absences.running_for_managers([customer.id], now)}
    if was_manager or customer.is_active_manager or uow.absences.running_for_standins([customer.id], now):
        ids.add(customer.id)
    return frozenset(ids)


def stands_in_now(uow: UnitOfWork, customer: Customer) -> bool:
    return bool(acting_for(uow, customer))


def _manager_for(uow: UnitOfWork, actor: Actor, manager_id: int | None) -> Customer:
    """The manager whose absences `actor` may set: themselves (a customer), or any
    manager (an account manager, naming them)."""
    if actor.kind == "customer":
        me = require_customer(uow, actor)
        if manager_id is not None and manager_id != me.id:
            raise Forbidden(N_("You may only set your own absences."))
        return me
    require_admin(uow, actor)
    manager = uow.customers.get(manager_id) if manager_id is not None else None
    if manager is None or manager.in_trash:
        raise NotFound(CUSTOMER_NOT_FOUND)
    return manager


def _views(uow: UnitOfWork, absences: Sequence[Absence]) -> list[AbsenceView]:
    now = clock.now()
    people = sorted({i for a in absences for i in (a.manager_id, a.standin_id)})
    names = {c.id: c.name for c in uow.customers.many(people)}
    return [
        AbsenceView(
            a.id or 0,
            a.manager_id,
            names.get(a.manager_id, "?"),
            a.standin_id,
            names.get(a.standin_id, "?"),
            a.starts_at,
            a.ends_at,
            state_of(a, now),
        )
        for a in absences
    ]


@read_only
def absences(uow: UnitOfWork, actor: Actor, manager_id: int | None = None) -> list[AbsenceView]:
    """A manager's absences, latest first: their own (a customer), anyone's (an admin)."""
    with uow:
        manager = _manager_for(uow, actor, manager_id)
        assert manager.id is not None
        return _views(uow, uow.absences.of_manager(manager.id))


@read_only
def standin_choices(uow: UnitOfWork, actor: Actor, manager_id: int | None = None) -> list[tuple[int, str]]:
    """Who may stand in for the manager: (id, name) of the active customers of their
    organization and of its parent, the manager excepted. Empty for a non-manager."""
    with uow:
        manager = _manager_for(uow, actor, manager_id)
        if not manager.is_active_manager or manager.organization_id is None:
            return []
        scope = policy.organizations_in_scope(uow.organizations.get(manager.organization_id))
        people = uow.customers.active_of_organizations(scope)
        return [(c.id, c.name) for c in people if c.id is not None and c.id != manager.id]


def _tell(uow: UnitOfWork, absence: Absence) -> None:
    """The stand-in's open pages (badge, list) read again: their rights just changed."""
    uow.record(PendingVisibilityChanged(audience=Audience(manager_ids=frozenset({absence.standin_id}))))


def _schedule(uow: UnitOfWork, absence: Absence, now: datetime) -> None:
    """Wake the due-work worker when the period begins and ends, so that open pages move
    at those instants too (nothing changes in the database then: time passes)."""
    assert absence.id is not None
    if absence.starts_at > now:
        uow.due_work.add(DueWork(kind=DueKind.ABSENCE_STARTS, subject_id=absence.id, due_at=absence.starts_at))
    uow.due_work.add(DueWork(kind=DueKind.ABSENCE_ENDS, subject_id=absence.id, due_at=absence.ends_at))


def _unschedule(uow: UnitOfWork, absence: Absence) -> None:
    assert absence.id is not None
    for kind in (DueKind.ABSENCE_STARTS, DueKind.ABSENCE_ENDS):
        work = uow.due_work.of_subject(kind, absence.id)
        if work is not None:
            uow.due_work.delete(work)


def add_absence(
    uow: UnitOfWork,
    actor: Actor,
    standin_id: int | None,
    starts_at: datetime,
    ends_at: datetime,
    manager_id: int | None = None,
) -> int:
    """Names a stand-in for a period. Refused, changing nothing, unless the manager is an
    active manager and the stand-in an active customer of their organization or its
    parent, and the period well formed."""
    with uow:
        manager = _manager_for(uow, actor, manager_id)
        if not manager.is_active_manager or manager.organization_id is None:
            raise Forbidden(NOT_A_MANAGER)
        standin = uow.customers.get(standin_id) if standin_id is not None else None
        organization = uow.organizations.get(manager.organization_id)
        if standin is None or not policy.may_stand_in(manager, organization, standin):
            raise InvalidInput(STANDIN_NOT_ALLOWED)
        now = clock.now()
        check_period(starts_at, ends_at, now)
        assert manager.id is not None and standin.id is not None
        absence = Absence(manager.id, standin.id, starts_at, ends_at, created_at=now)
        uow.absences.add(absence)
        uow.flush()
        _schedule(uow, absence, now)
        if absence.running(now):
            _tell(uow, absence)
        uow.commit()
        assert absence.id is not None
        return absence.id


def end_absence(uow: UnitOfWork, actor: Actor, absence_id: int) -> None:
    """*Encerrar agora* for a running absence (it ends this instant, kept in the list);
    a scheduled or ended one is removed. Takes effect at once, live."""
    with uow:
        absence = uow.absences.get(absence_id)
        if absence is None:
            raise NotFound(ABSENCE_NOT_FOUND)
        if actor.kind == "customer":
            me = require_customer(uow, actor)
            if me.id != absence.manager_id:
                raise NotFound(ABSENCE_NOT_FOUND)
        else:
            require_admin(uow, actor)
        now = clock.now()
        _unschedule(uow, absence)
        if absence.running(now):
            absence.ends_at = now
            _tell(uow, absence)
        else:
            uow.absences.delete(absence)
        uow.commit()


def wake_due(uow: UnitOfWork, limit: int = 50) -> int:
    """A system step of the due-work worker: periods that began or ended. The stand-ins'
    open pages are told; nothing else changes (the rights follow the clock). Returns how
    many due rows it took."""
    with uow:
        work = uow.due_work.claim(clock.now(), [DueKind.ABSENCE_STARTS, DueKind.ABSENCE_ENDS], limit)
        if not work:
            return 0
        found = {a.id: a for a in uow.absences.many([item.subject_id for item in work])}
        told = {found[item.subject_id].standin_id for item in work if item.subject_id in found}
        for item in work:
            uow.due_work.delete(item)
        if told:
            uow.record(PendingVisibilityChanged(audience=Audience(manager_ids=frozenset(told))))
        uow.commit()
        return len(work)
