"""Reminders (spec §12): the account's *Lembretes* (every N hours, at most M times) remind
the managers who have not answered of each request still awaiting, by e-mail and push; a
reminder falling in a manager's night waits for their 08:00. The ticket's agent may also
press *Lembrar gerentes*, at most once an hour per request.

Each request with reminders has one due row (`DueKind.REMIND_REQUEST`); `runs` counts the
rounds done. A round is done once every manager in scope got it: the ones in their night
are left for their morning (the row comes back then), and the outbox's unique keys —
one per request, round, manager and channel — make sure nobody gets a round twice."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from . import answers, clock, link_tokens, policy, routing, standins
from .access import Actor, require_agent
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .events import OutboxChanged, TicketChanged
from .link_tokens import DEFAULT_LINK_DAYS
from .messages import N_
from .model import (
    AccountSettings,
    ActionRequest,
    Customer,
    DueKind,
    DueWork,
    HistoryKind,
    OutboxMessage,
)
from .ports import UnitOfWork
from .quiet_hours import quiet_until
from .views import ReminderTarget

REMINDER_BATCH = 50
MAX_EVERY_HOURS = 24 * 30
MAX_TIMES = 20
MANUAL_EVERY = timedelta(hours=1)
REMINDERS_RANGE = N_("Reminders go every 1 to 720 hours, 1 to 20 times; leave them off to send none.")
REMINDED_RECENTLY = N_("The managers were reminded less than an hour ago; you may remind them again at {when}.")


def checked_settings(every_hours: int | None, times: int) -> tuple[int | None, int]:
    if every_hours is None:
        return None, 0
    whole = all(isinstance(v, int) and not isinstance(v, bool) for v in (every_hours, times))
    if not whole or not 1 <= every_hours <= MAX_EVERY_HOURS or not 1 <= times <= MAX_TIMES:
        raise InvalidInput(REMINDERS_RANGE)
    return every_hours, times


def schedule_first(uow: UnitOfWork, request: ActionRequest, settings: AccountSettings) -> None:
    """In the request's transaction: its first reminder, when the account sends them."""
    if settings.reminder_every_hours and settings.reminder_max > 0 and request.id is not None:
        due = request.requested_at + timedelta(hours=settings.reminder_every_hours)
        uow.due_work.add(DueWork(kind=DueKind.REMIND_REQUEST, subject_id=request.id, due_at=due))


def send_reminders(uow: UnitOfWork, limit: int = REMINDER_BATCH, *, link_days: int = DEFAULT_LINK_DAYS) -> int:
    """A system step of the due-work worker: one batch of due reminder rounds, in a fixed
    number of statements whatever the batch's size. Returns how many rows it took. Each
    reminder carries fresh one-decision links, valid `link_days` days."""
    with uow:
        now = clock.now()
        work = uow.due_work.claim(now, [DueKind.REMIND_REQUEST], limit)
        if not work:
            return 0
        settings = uow.settings.get()
        every, most = settings.reminder_every_hours, settings.reminder_max
        ids = [item.subject_id for item in work]
        requests = {r.id: r for r in uow.requests.lock(ids)}
        targets = uow.requests.reminder_targets(ids)
        live: list[tuple[DueWork, ActionRequest, ReminderTarget]] = []
        for item in work:
            request, target = requests.get(item.subject_id), targets.get(item.subject_id)
            if request is None or target is None or not request.is_pending or not every or item.runs >= most:
                uow.due_work.delete(item)  # decided, gone, or reminders turned off / used up
            elif target.ticket_in_trash:
                item.due_at = now + timedelta(hours=every)  # untouched in the trash (§8)
            else:
                live.append((item, request, target))
        managers = _managers_by_organization(uow, {o for _i, _r, t in live for o in t.organization_ids})
        unanswered = answers.still_to_answer(uow, [request for _i, request, _t in live])
        progress = routing.progress_by_request(uow, [request for _i, request, _t in live])
        # The stand-ins of managers away now are reminded with them (spec §13).
        deputies = standins.standins_by_manager(uow, [m for ms in managers.values() for m in ms])

        def to_remind(request: ActionRequest, target: ReminderTarget) -> list[Customer]:
            return standins.with_deputies(answers.to_remind(request, _in_scope(managers, target), unanswered), deputies)

        keys = [
            routing.reminder_key(request.id or 0, item.runs + 1, manager.id or 0, "email")
            for item, request, target in live
            for manager in to_remind(request, target)
        ]
        already = uow.outbox.existing_keys(keys)
        all_managers = [m.id for ms in managers.values() for m in ms if m.id is not None]
        all_managers += [d.id for ds in deputies.values() for d in ds if d.id is not None]
        pushable = uow.push_subscriptions.customers_among(sorted(set(all_managers)))
        reminded: list[tuple[ActionRequest, ReminderTarget, int, list[Customer]]] = []
        for item, request, target in live:
            round_number = item.runs + 1
            mornings: list[datetime] = []
            now_awake: list[Customer] = []
            for manager in to_remind(request, target):
                assert manager.id is not None and request.id is not None
                if routing.reminder_key(request.id, round_number, manager.id, "email") in already:
                    continue
                morning = quiet_until(now, clock.zone_of(manager.timezone))
                if morning is not None:
                    mornings.append(morning)
                    continue
                now_awake.append(manager)
            reminded.append((request, target, round_number, now_awake))
            if mornings:
                item.due_at = min(mornings)  # the round goes on at the earliest morning
            elif round_number >= most:
                uow.due_work.delete(item)
            else:
                item.runs, item.due_at = round_number, now + timedelta(hours=every)
        messages = _reminders_with_links(uow, reminded, pushable, link_days, progress)
        if messages:
            uow.outbox.add_many(messages)
            uow.record(OutboxChanged(0))
        uow.commit()
        return len(work)


def _reminders_with_links(
    uow: UnitOfWork,
    reminded: list[tuple[ActionRequest, ReminderTarget, int, list[Customer]]],
    pushable: set[int],
    link_days: int,
    progress: Mapping[int, Mapping[str, object] | None],
    manual_at: int | None = None,
) -> list[OutboxMessage]:
    """Each reminded manager's mail (and push), carrying fresh one-decision links: the
    request's first links exist only hashed, so a reminder mints new ones — for the whole
    round in one bulk write, in the round's transaction. The earlier links stay valid
    until they expire; whichever a manager uses first decides, the others then show how
    the request ended."""
    links = link_tokens.issue_links_for(
        uow, [(request, managers) for request, _t, _r, managers in reminded if managers], link_days
    )
    return [
        message
        for request, target, round_number, managers in reminded
        for manager in managers
        for message in routing.reminder_messages(
            target,
            request,
            manager,
            round_number,
            manager.id in pushable,
            manual_at=manual_at,
            progress=progress.get(request.id or 0),
            links=links.get(request.id or 0, {}).get(manager.id or 0),
        )
    ]


def _managers_by_organization(uow: UnitOfWork, organization_ids: set[int]) -> dict[int, list[Customer]]:
    found: dict[int, list[Customer]] = {}
    for manager in uow.customers.active_managers_of(sorted(organization_ids)):
        if manager.organization_id is not None:
            found.setdefault(manager.organization_id, []).append(manager)
    return found


def _in_scope(managers: dict[int, list[Customer]], target: ReminderTarget) -> list[Customer]:
    return [m for organization in dict.fromkeys(target.organization_ids) for m in managers.get(organization, [])]


def remind_managers(
    uow: UnitOfWork, actor: Actor, request_id: int, *, link_days: int = DEFAULT_LINK_DAYS
) -> None:
    """*Lembrar gerentes*: the ticket's agent (or the requester, or an admin) reminds the
    managers now, at most once an hour per request, each with fresh one-decision links
    (valid `link_days` days); it goes in the ticket's history."""
    with uow:
        agent = require_agent(uow, actor)
        request = uow.requests.get(request_id)
        ticket = uow.tickets.get(request.ticket_id) if request else None
        if request is None or ticket is None or ticket.in_trash:
            raise NotFound(N_("Action request not found."))
        if not policy.may_cancel_as_agent(agent, ticket, request):
            raise Forbidden(
                N_("Only the ticket's agent, the requesting agent or the account manager may remind the managers.")
            )
        if not request.is_pending:
            raise Conflict(N_("This action is no longer awaiting approval."))
        now = clock.now()
        if request.reminded_at is not None and now < request.reminded_at + MANUAL_EVERY:
            raise Conflict(REMINDED_RECENTLY, when=request.reminded_at + MANUAL_EVERY)
        assert ticket.id is not None
        entry = ticket.entry(
            kind=HistoryKind.MANAGERS_REMINDED,
            actor_name=agent.name,
            request_id=request.id,
            action_name=request.action_name,
        )
        uow.flush()  # the ticket's row before the request's, in the order a decision writes them
        request.reminded_at = now
        uow.flush()  # the versioned update: two agents pressing at once, one goes through
        targets = uow.requests.reminder_targets([request_id])
        target = targets[request_id]
        managers = _managers_by_organization(uow, set(target.organization_ids))
        in_scope = answers.to_remind(request, _in_scope(managers, target), answers.still_to_answer(uow, [request]))
        in_scope = standins.with_deputies(in_scope, standins.standins_by_manager(uow, in_scope))
        pushable = uow.push_subscriptions.customers_among([m.id for m in in_scope if m.id is not None])
        stamp = int(now.timestamp())
        progress = routing.progress_of(uow, request)
        uow.outbox.add_many(
            _reminders_with_links(
                uow, [(request, target, 0, in_scope)], pushable, link_days, {request_id: progress}, manual_at=stamp
            )
        )
        uow.history.add(entry)
        uow.record(OutboxChanged(0))
        uow.record(TicketChanged(ticket_id=ticket.id, ticket_number=ticket.number))
        uow.commit()
