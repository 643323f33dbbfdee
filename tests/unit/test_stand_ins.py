"""Spec §13, stand-ins through the use cases: a manager away names a stand-in for a period;
while it runs the stand-in sees, is told about and may decide the absent manager's
requests, as if a manager of that organization; before and after it, nothing. Bad input
is refused with a clear message and changes nothing.

In the demo Fábio manages Filial Norte (child of Matriz Ltda, Márcia's); João is a
customer of Filial Norte; Lívia belongs to no organization. Tickets 1–3 are João's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from unit_desk import Desk

from delivery.messages import render_email
from domain import admin, approvals, clock, email_links, reminders, standins, tickets
from domain.access import Actor
from domain.errors import AlreadyDecided, Conflict, Forbidden, InvalidInput, NotFound
from domain.events import ActionRequested, AgentNotificationCreated, PendingVisibilityChanged
from domain.model import ApprovalRule, DueKind, HistoryKind, RequestState
from domain.standins import AbsenceState

HOUR = timedelta(hours=1)


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = clock.now()
        monkeypatch.setattr(clock, "now", lambda: self.now)

    def advance(self, by: timedelta) -> None:
        self.now += by


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    yield Clock(monkeypatch)


def _away(desk: Desk, pinned: Clock, *, by: Actor | None = None, standin: Actor | None = None,
          starts: timedelta = -HOUR, ends: timedelta = 8 * HOUR, manager: Actor | None = None) -> int:
    """Fábio (unless told) names João (unless told) for a period around now."""
    who = standin or desk.joao
    manager_id = manager.id if manager is not None else None
    return desk.run(
        standins.add_absence, by or desk.fabio, who.id, pinned.now + starts, pinned.now + ends, manager_id
    )


def _pending(desk: Desk, person: Actor) -> tuple[int, list[int]]:
    count = desk.run(approvals.pending_count, person)
    listed = [row.id for row in desk.run(approvals.pending_approvals, person).items]
    return count, listed


def _absences(desk: Desk, manager: Actor) -> list[standins.AbsenceView]:
    return desk.run(standins.absences, manager)


# --- naming a stand-in ---------------------------------------------------------------


def test_a_manager_names_a_stand_in_of_their_organization_or_its_parent(desk: Desk, pinned: Clock) -> None:
    _away(desk, pinned)  # João, Filial Norte
    _away(desk, pinned, standin=desk.marcia)  # Márcia, Matriz Ltda: the parent

    rows = _absences(desk, desk.fabio)
    assert sorted(r.standin_name for r in rows) == ["João Cliente", "Márcia Gerente"]
    assert {r.state for r in rows} == {AbsenceState.RUNNING}
    choices = [name for _id, name in desk.run(standins.standin_choices, desk.fabio)]
    assert choices == ["João Cliente", "Márcia Gerente"]  # not Fábio, not Lívia


@pytest.mark.parametrize(
    ("standin", "starts", "ends", "message"),
    [
        ("livia", -HOUR, HOUR, "active customer of the manager's organization"),  # no organization
        ("fabio", -HOUR, HOUR, "active customer of the manager's organization"),  # himself
        ("joao", HOUR, HOUR, "must end after it starts"),
        ("joao", 2 * HOUR, HOUR, "must end after it starts"),
        ("joao", -3 * HOUR, -HOUR, "must end in the future"),
        ("joao", -HOUR, timedelta(days=400), "at most 366 days"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    desk: Desk, pinned: Clock, standin: str, starts: timedelta, ends: timedelta, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        _away(desk, pinned, standin=getattr(desk, standin), starts=starts, ends=ends)
    assert _absences(desk, desk.fabio) == []
    assert desk.events == []


def test_an_inactive_customer_cannot_stand_in(desk: Desk, pinned: Clock) -> None:
    joao = desk.customer(desk.joao)
    fields = admin.CustomerFields(joao.name, joao.email, joao.organization_id, False, False)
    desk.run(admin.update_customer, desk.ana, desk.hasher, joao.id, fields)
    with pytest.raises(InvalidInput, match="active customer"):
        _away(desk, pinned)


def test_only_managers_name_stand_ins_and_only_admins_for_others(desk: Desk, pinned: Clock) -> None:
    with pytest.raises(Forbidden, match="Only an active manager"):
        _away(desk, pinned, by=desk.joao, standin=desk.fabio)
    with pytest.raises(Forbidden, match="own absences"):
        _away(desk, pinned, by=desk.marcia, manager=desk.fabio)
    with pytest.raises(Forbidden, match="account manager"):
        _away(desk, pinned, by=desk.bruno, manager=desk.fabio)

    absence_id = _away(desk, pinned, by=desk.ana, manager=desk.fabio)  # an admin, for any manager

    assert [r.id for r in _absences(desk, desk.fabio)] == [absence_id]
    assert [r.id for r in desk.run(standins.absences, desk.ana, desk.fabio.id)] == [absence_id]
    with pytest.raises(NotFound):  # someone else's absence is not Márcia's to end
        desk.run(standins.end_absence, desk.marcia, absence_id)


# --- rights before, during and after the period --------------------------------------


def test_the_stand_in_decides_only_while_the_period_runs(desk: Desk, pinned: Clock) -> None:
    absence_id = _away(desk, pinned, starts=2 * HOUR, ends=5 * HOUR)
    request_id = desk.ask(1)

    # Before: nothing at all.
    assert _pending(desk, desk.joao) == (0, [])
    with pytest.raises(NotFound):
        desk.run(approvals.request_for_manager, desk.joao, request_id)
    with pytest.raises(NotFound):
        desk.run(approvals.approve, desk.joao, request_id)

    pinned.advance(3 * HOUR)  # during
    assert _pending(desk, desk.joao) == (1, [request_id])
    assert desk.run(approvals.request_for_manager, desk.joao, request_id)[1].id == request_id
    assert _pending(desk, desk.fabio) == (1, [request_id])  # the absent manager keeps every right

    pinned.advance(3 * HOUR)  # after
    assert _pending(desk, desk.joao) == (0, [])
    with pytest.raises(NotFound):
        desk.run(approvals.approve, desk.joao, request_id)
    assert [r.state for r in _absences(desk, desk.fabio)] == [AbsenceState.ENDED]
    assert absence_id


def test_a_stand_in_decision_names_the_absent_manager(desk: Desk, pinned: Clock) -> None:
    _away(desk, pinned)
    request_id = desk.ask(1)

    desk.run(approvals.approve, desk.joao, request_id)

    request = desk.request(request_id)
    assert (request.state, request.evaluated_by_customer_id) == (RequestState.APPROVED, desk.joao.id)
    decided = [h for h in desk.history(1) if h.kind == HistoryKind.ACTION_APPROVED]
    assert [(h.actor_name, h.on_behalf_of_name) for h in decided] == [("João Cliente", "Fábio Gerente")]
    assert request.evaluated_on_behalf_of_id == desk.fabio.id
    mail = next(m for m in desk.outbox() if m.kind == "request_evaluated")  # to Bruno
    assert "João Cliente (substituindo Fábio Gerente)" in render_email(mail, "http://aval.test", "pt_BR").subject
    row = desk.run(approvals.request_for_manager, desk.fabio, request_id)[1]
    assert (row.evaluated_by_name, row.evaluated_on_behalf_of_name) == ("João Cliente", "Fábio Gerente")


def test_the_agents_bell_and_a_late_manager_read_whom_the_stand_in_replaced(desk: Desk, pinned: Clock) -> None:
    _away(desk, pinned)
    request_id = desk.ask(1)

    desk.run(approvals.approve, desk.joao, request_id)

    entries = [n for n in desk.hub(desk.bruno) if n.request_id == request_id]
    assert [(n.actor_name, n.on_behalf_of_name) for n in entries] == [("João Cliente", "Fábio Gerente")]
    live = [e for e in desk.events_of(AgentNotificationCreated) if e.request_id == request_id]
    assert live and all(e.on_behalf_of_name == "Fábio Gerente" for e in live)
    with pytest.raises(AlreadyDecided) as late:
        desk.run(approvals.approve, desk.marcia, request_id)
    assert "João Cliente (standing in for Fábio Gerente)" in str(late.value)


def test_ending_the_absence_now_takes_the_right_away_at_once(desk: Desk, pinned: Clock) -> None:
    absence_id = _away(desk, pinned)
    request_id = desk.ask(1)
    assert _pending(desk, desk.joao) == (1, [request_id])
    desk.events.clear()

    desk.run(standins.end_absence, desk.fabio, absence_id)

    assert _pending(desk, desk.joao) == (0, [])
    with pytest.raises(NotFound):
        desk.run(approvals.reject, desk.joao, request_id, "não")
    told = desk.events_of(PendingVisibilityChanged)
    assert [desk.joao.id in e.audience.manager_ids for e in told] == [True]  # João's badge falls live
    assert [r.state for r in _absences(desk, desk.fabio)] == [AbsenceState.ENDED]  # kept, ended now


def test_removing_a_scheduled_absence_forgets_it_and_its_wake_ups(desk: Desk, pinned: Clock) -> None:
    absence_id = _away(desk, pinned, starts=2 * HOUR, ends=5 * HOUR)
    assert desk._read(lambda uow: uow.due_work.of_subject(DueKind.ABSENCE_STARTS, absence_id)) is not None

    desk.run(standins.end_absence, desk.fabio, absence_id)

    assert _absences(desk, desk.fabio) == []
    for kind in (DueKind.ABSENCE_STARTS, DueKind.ABSENCE_ENDS):
        assert desk._read(lambda uow, kind=kind: uow.due_work.of_subject(kind, absence_id)) is None


@pytest.mark.parametrize("who", ["fabio", "joao"])
def test_deactivating_either_person_ends_the_stand_in_right(desk: Desk, pinned: Clock, who: str) -> None:
    _away(desk, pinned)
    request_id = desk.ask(1)
    assert _pending(desk, desk.joao)[0] == 1
    desk.events.clear()
    person = desk.customer(getattr(desk, who))
    fields = admin.CustomerFields(person.name, person.email, person.organization_id, person.is_manager, False)

    desk.run(admin.update_customer, desk.ana, desk.hasher, person.id, fields)

    told = desk.events_of(PendingVisibilityChanged)
    assert any(desk.joao.id in e.audience.manager_ids for e in told)
    if who == "fabio":
        assert _pending(desk, desk.joao) == (0, [])
        with pytest.raises(NotFound):
            desk.run(approvals.approve, desk.joao, request_id)


def test_trashing_the_absent_manager_tells_the_stand_in(desk: Desk, pinned: Clock) -> None:
    _away(desk, pinned)
    desk.ask(1)
    desk.events.clear()

    desk.run(tickets.trash_customer, desk.ana, desk.fabio.id)

    assert _pending(desk, desk.joao) == (0, [])
    assert any(desk.joao.id in e.audience.manager_ids for e in desk.events_of(PendingVisibilityChanged))


# --- told: e-mail, push, badge, links --------------------------------------------------


def test_the_stand_in_is_told_with_links_of_their_own(desk: Desk, pinned: Clock) -> None:
    _away(desk, pinned)
    request_id = desk.ask(1)

    mails = [m for m in desk.outbox() if m.kind == "request_created" and m.payload.get("request_id") == request_id]
    joao_mail = [m for m in mails if m.recipient_id == desk.joao.id]
    assert len(joao_mail) == 1 and joao_mail[0].channel == "email"
    created = desk.events_of(ActionRequested)[-1]
    assert desk.joao.id in created.audience.manager_ids
    assert created.pending_count_of(desk.joao.id) == 1

    token = str(joao_mail[0].payload["approve_path"]).removeprefix("/e/")
    assert desk.run(email_links.open_link, token).manager_name == "João Cliente"
    desk.run(email_links.confirm_link, token)
    assert desk.request(request_id).state == RequestState.APPROVED


def test_a_stand_in_link_dies_with_the_period(desk: Desk, pinned: Clock) -> None:
    absence_id = _away(desk, pinned)
    request_id = desk.ask(1)
    mail = next(m for m in desk.outbox() if m.kind == "request_created" and m.recipient_id == desk.joao.id)
    token = str(mail.payload["approve_path"]).removeprefix("/e/")

    desk.run(standins.end_absence, desk.fabio, absence_id)

    with pytest.raises(email_links.InvalidLink):
        desk.run(email_links.confirm_link, token)
    assert desk.request(request_id).state == RequestState.AWAITING_APPROVAL


def test_a_request_made_outside_the_period_does_not_tell_the_stand_in(desk: Desk, pinned: Clock) -> None:
    _away(desk, pinned, starts=2 * HOUR, ends=5 * HOUR)
    desk.ask(1)
    assert [m for m in desk.outbox() if m.recipient_id == desk.joao.id] == []
    assert desk.joao.id not in desk.events_of(ActionRequested)[-1].audience.manager_ids


def test_the_period_beginning_and_ending_wakes_the_stand_in_pages(desk: Desk, pinned: Clock) -> None:
    _away(desk, pinned, starts=2 * HOUR, ends=5 * HOUR)
    desk.events.clear()
    assert desk.run(standins.wake_due) == 0  # nothing due yet

    pinned.advance(2 * HOUR)
    assert desk.run(standins.wake_due) == 1
    pinned.advance(3 * HOUR)
    assert desk.run(standins.wake_due) == 1

    told = desk.events_of(PendingVisibilityChanged)
    assert [e.audience.manager_ids for e in told] == [frozenset({desk.joao.id})] * 2
    assert desk.run(standins.wake_due) == 0  # each once


def test_the_stand_in_sees_the_organization_tickets_only_during_the_period(desk: Desk, pinned: Clock) -> None:
    fabio_ticket = desk.run(tickets.create_ticket, desk.fabio, "Do Fábio", "Da filial")
    number = desk._read(lambda uow: uow.tickets.get(fabio_ticket)).number
    with pytest.raises(NotFound):
        desk.run(tickets.portal_ticket, desk.joao, number)

    absence_id = _away(desk, pinned)
    assert desk.run(tickets.portal_ticket, desk.joao, number)[0].number == number
    assert number in [row.number for row in desk.run(tickets.portal_tickets, desk.joao).items]

    desk.run(standins.end_absence, desk.fabio, absence_id)
    with pytest.raises(NotFound):
        desk.run(tickets.portal_ticket, desk.joao, number)


# --- multi-answer rules: one answer per place ------------------------------------------


def _rule(desk: Desk, rule: ApprovalRule, count: int | None = None) -> int:
    action_id = desk.action_id("Reiniciar produção")
    current = desk.catalog_action(action_id)
    desk.run(admin.update_action, desk.ana, action_id, current.name, current.description, True, "keep", rule, count)
    return action_id


def test_under_all_managers_the_stand_in_answers_in_the_absent_managers_place(desk: Desk, pinned: Clock) -> None:
    _rule(desk, ApprovalRule.ALL)
    _away(desk, pinned)
    request_id = desk.ask(1, action="Reiniciar produção")
    assert _pending(desk, desk.joao) == (1, [request_id])

    desk.run(approvals.approve, desk.joao, request_id)  # for Fábio

    assert _pending(desk, desk.joao) == (0, [])
    assert _pending(desk, desk.fabio) == (0, [])  # his place is filled
    with pytest.raises(Conflict, match="already answered"):
        desk.run(approvals.approve, desk.fabio, request_id)
    with pytest.raises(Conflict, match="already answered"):
        desk.run(approvals.approve, desk.joao, request_id)
    progress = desk.run(approvals.request_progress, desk.bruno, request_id)
    assert [(a.name, a.on_behalf_of_name) for a in progress.answers] == [("João Cliente", "Fábio Gerente")]
    assert (progress.approvals, progress.needed) == (1, 2)

    desk.run(approvals.approve, desk.marcia, request_id)
    assert desk.request(request_id).state == RequestState.APPROVED


def test_a_manager_standing_in_answers_once_for_each_place(desk: Desk, pinned: Clock) -> None:
    """Márcia, a manager herself, stands in for Fábio: her own answer, then Fábio's."""
    _rule(desk, ApprovalRule.ALL)
    _away(desk, pinned, standin=desk.marcia)
    request_id = desk.ask(1, action="Reiniciar produção")
    assert _pending(desk, desk.marcia) == (1, [request_id])

    desk.run(approvals.approve, desk.marcia, request_id)  # her own place
    assert desk.request(request_id).state == RequestState.AWAITING_APPROVAL
    assert _pending(desk, desk.marcia) == (1, [request_id])  # Fábio's place is still open to her
    desk.run(approvals.approve, desk.marcia, request_id)  # Fábio's

    assert desk.request(request_id).state == RequestState.APPROVED
    history = [h for h in desk.history(1) if h.kind == HistoryKind.ACTION_APPROVED]
    assert [(h.actor_name, h.on_behalf_of_name) for h in history] == [("Márcia Gerente", "Fábio Gerente")]


def test_an_absent_manager_answering_first_leaves_nothing_to_the_stand_in(desk: Desk, pinned: Clock) -> None:
    _rule(desk, ApprovalRule.ALL)
    _away(desk, pinned)
    request_id = desk.ask(1, action="Reiniciar produção")

    desk.run(approvals.approve, desk.fabio, request_id)

    assert _pending(desk, desk.joao) == (0, [])
    with pytest.raises(Conflict, match="already answered"):
        desk.run(approvals.approve, desk.joao, request_id)


def test_in_stages_a_stand_in_for_a_stage_two_manager_waits_for_stage_one(desk: Desk, pinned: Clock) -> None:
    """Márcia (stage two: the parent's) is away; Rita of Matriz Ltda stands in for her."""
    _rule(desk, ApprovalRule.STAGES)
    rita = desk.new_customer("Rita Matriz", "Matriz Ltda")
    _away(desk, pinned, by=desk.marcia, standin=rita)
    request_id = desk.ask(1, action="Reiniciar produção")

    assert _pending(desk, rita) == (0, [])  # stage one (Fábio) first
    assert [m for m in desk.outbox() if m.recipient_id == rita.id] == []
    with pytest.raises(Forbidden, match="organization's managers first"):
        desk.run(approvals.approve, rita, request_id)

    desk.run(approvals.approve, desk.fabio, request_id)

    assert _pending(desk, rita) == (1, [request_id])
    assert [m.kind for m in desk.outbox() if m.recipient_id == rita.id and m.channel == "email"] == ["request_created"]
    desk.run(approvals.approve, rita, request_id)
    assert desk.request(request_id).state == RequestState.APPROVED
    answers = desk.run(approvals.request_progress, desk.bruno, request_id).answers
    named = [(a.name, a.on_behalf_of_name) for a in answers]
    assert named == [("Fábio Gerente", None), ("Rita Matriz", "Márcia Gerente")]


def test_the_period_is_half_open(desk: Desk, pinned: Clock) -> None:
    starts = pinned.now + HOUR
    absence = standins.Absence(1, 2, starts, starts + HOUR)
    assert not absence.running(starts - timedelta(microseconds=1))
    assert absence.running(starts)
    assert not absence.running(starts + HOUR)
    assert isinstance(starts, datetime)


def test_a_reminder_reaches_the_stand_in_of_a_manager_who_has_not_answered(desk: Desk, pinned: Clock) -> None:
    _rule(desk, ApprovalRule.ALL)
    _away(desk, pinned)
    request_id = desk.ask(1, action="Reiniciar produção")

    desk.run(reminders.remind_managers, desk.bruno, request_id)  # *Lembrar gerentes*
    reminded = {m.recipient_id for m in desk.outbox() if m.kind == "request_reminder" and m.channel == "email"}
    assert reminded == {desk.fabio.id, desk.marcia.id, desk.joao.id}

    desk.run(approvals.approve, desk.joao, request_id)  # Fábio's place is filled now
    pinned.advance(2 * HOUR)
    before = {m.id for m in desk.outbox()}
    desk.run(reminders.remind_managers, desk.bruno, request_id)
    again = {m.recipient_id for m in desk.outbox() if m.id not in before and m.kind == "request_reminder"}
    assert again == {desk.marcia.id}
