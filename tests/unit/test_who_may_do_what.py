"""Spec §4: the table of who may request, cancel, approve/reject and see a request — one
test per cell. Ticket #1 is João's (Filial Norte, child of Matriz Ltda), assigned to
Bruno; the request under test was made by Carla, so 'assigned' and 'requester' differ."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from unit_desk import Desk, open_desk

from domain import approvals, tickets
from domain.access import Actor
from domain.errors import DomainError, Forbidden, NotAuthenticated, NotFound
from domain.model import HistoryKind, RequestState
from persistence.database import make_engine, sqlite_url

AGENTS = ["assigned agent", "requesting agent", "other agent", "admin"]
MANAGERS_IN_SCOPE = ["manager of the organization", "manager of the parent organization"]
OUTSIDERS = [
    "manager of another organization",
    "plain customer",
    "ticket's own customer",
    "deactivated manager",
    "trashed manager",
    "anonymous",
]
EVERYONE = AGENTS + MANAGERS_IN_SCOPE + OUTSIDERS


@dataclass
class Stage:
    desk: Desk
    cast: dict[str, Actor | None]
    request_id: int

    def who(self, role: str) -> Actor | None:
        return self.cast[role]

    def snapshot(self) -> tuple[RequestState, int, int, int]:
        """What a refusal must leave untouched."""
        hub = sum(len(self.desk.hub(a)) for a in (self.desk.bruno, self.desk.carla))
        return self.desk.request(self.request_id).state, len(self.desk.history(1)), len(self.desk.outbox()), hub


@dataclass(frozen=True)
class StageTemplate:
    database: Path
    cast: dict[str, Actor | None]
    request_id: int


@pytest.fixture(scope="session")
def stage_template(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> StageTemplate:
    """The cast is set up once; every test starts from a copy of it."""
    engine = make_engine(sqlite_url(tmp_path_factory.mktemp("stage")))
    desk = open_desk(engine, demo_template)
    desk.new_organization("Outra Empresa")
    cast: dict[str, Actor | None] = {
        "assigned agent": desk.bruno,
        "requesting agent": desk.carla,
        "other agent": desk.new_agent("Davi Agente"),
        "admin": desk.ana,
        "manager of the organization": desk.fabio,
        "manager of the parent organization": desk.marcia,
        "manager of another organization": desk.new_customer("Olga Gerente", "Outra Empresa", manager=True),
        "plain customer": desk.new_customer("Nina Cliente", "Filial Norte"),
        "ticket's own customer": desk.joao,
        "deactivated manager": desk.new_customer("Dora Inativa", "Filial Norte", manager=True, active=False),
        "trashed manager": desk.new_customer("Tito Lixeira", "Matriz Ltda", manager=True),
        "anonymous": None,
    }
    trashed = cast["trashed manager"]
    assert trashed is not None
    desk.run(tickets.trash_customer, desk.ana, trashed.id)
    request_id = desk.ask(1, by=desk.carla, note="Cliente pediu.")
    engine.dispose()
    return StageTemplate(Path(engine.url.database or ""), cast, request_id)


@pytest.fixture
def stage(stage_template: StageTemplate, desk_engine: Engine) -> Stage:
    desk = open_desk(desk_engine, stage_template.database)
    return Stage(desk, stage_template.cast, stage_template.request_id)


# --- request ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*AGENTS])
def test_allowed_to_request(stage: Stage, role: str) -> None:
    request_id = stage.desk.ask(2, by=stage.who(role))
    assert stage.desk.request(request_id).state == RequestState.AWAITING_APPROVAL


@pytest.mark.parametrize("role", MANAGERS_IN_SCOPE + OUTSIDERS)
def test_not_allowed_to_request(stage: Stage, role: str) -> None:
    with pytest.raises(DomainError):
        stage.desk.run(approvals.request_action, stage.who(role), 2, stage.desk.action_id("Reembolso"), "")
    assert stage.desk.requests_of(2) == []


# --- cancel ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["assigned agent", "requesting agent", "admin", *MANAGERS_IN_SCOPE])
def test_allowed_to_cancel(stage: Stage, role: str) -> None:
    stage.desk.run(approvals.cancel, stage.who(role), stage.request_id)
    assert stage.desk.request(stage.request_id).state == RequestState.CANCELLED


@pytest.mark.parametrize("role", ["other agent", *OUTSIDERS])
def test_not_allowed_to_cancel(stage: Stage, role: str) -> None:
    before = stage.snapshot()
    with pytest.raises(DomainError):
        stage.desk.run(approvals.cancel, stage.who(role), stage.request_id)
    assert stage.snapshot() == before


def test_other_agent_cancel_refusal_is_forbidden_with_a_clear_message(stage: Stage) -> None:
    with pytest.raises(Forbidden) as refused:
        stage.desk.run(approvals.cancel, stage.who("other agent"), stage.request_id)
    assert "may cancel" in refused.value.message


# --- approve / reject ------------------------------------------------------------------


@pytest.mark.parametrize("role", MANAGERS_IN_SCOPE)
def test_allowed_to_approve(stage: Stage, role: str) -> None:
    stage.desk.run(approvals.approve, stage.who(role), stage.request_id)
    request = stage.desk.request(stage.request_id)
    assert request.state == RequestState.APPROVED
    assert request.evaluated_by_customer_id == stage.who(role).id  # type: ignore[union-attr]


@pytest.mark.parametrize("role", MANAGERS_IN_SCOPE)
def test_allowed_to_reject(stage: Stage, role: str) -> None:
    stage.desk.run(approvals.reject, stage.who(role), stage.request_id, "Fora do contrato.")
    request = stage.desk.request(stage.request_id)
    assert (request.state, request.reason) == (RequestState.REJECTED, "Fora do contrato.")


@pytest.mark.parametrize("role", AGENTS + OUTSIDERS)
def test_not_allowed_to_approve(stage: Stage, role: str) -> None:
    before = stage.snapshot()
    with pytest.raises(DomainError):
        stage.desk.run(approvals.approve, stage.who(role), stage.request_id)
    assert stage.snapshot() == before


@pytest.mark.parametrize("role", AGENTS + OUTSIDERS)
def test_not_allowed_to_reject(stage: Stage, role: str) -> None:
    before = stage.snapshot()
    with pytest.raises(DomainError):
        stage.desk.run(approvals.reject, stage.who(role), stage.request_id, "Não.")
    assert stage.snapshot() == before


# --- sees it ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", AGENTS)
def test_agent_sees_request_in_agent_panel_history(stage: Stage, role: str) -> None:
    view = stage.desk.run(tickets.ticket_view, stage.who(role), 1)
    assert [r.id for r in view.requests] == [stage.request_id]
    assert [h.kind for h in view.history if h.request_id == stage.request_id] == [HistoryKind.ACTION_REQUESTED]


@pytest.mark.parametrize("role", MANAGERS_IN_SCOPE)
def test_manager_in_scope_sees_request_in_portal_approvals(stage: Stage, role: str) -> None:
    actor = stage.who(role)
    assert [r.id for r in stage.desk.run(approvals.pending_approvals, actor).items] == [stage.request_id]
    assert stage.desk.run(approvals.pending_count, actor) == 1
    detail, row = stage.desk.run(approvals.request_for_manager, actor, stage.request_id)
    assert (detail.number, row.action_name, row.note) == (1, "Reembolso", "Cliente pediu.")


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsider_sees_nothing(stage: Stage, role: str) -> None:
    actor = stage.who(role)
    with pytest.raises((NotFound, NotAuthenticated)):
        stage.desk.run(approvals.request_for_manager, actor, stage.request_id)
    try:
        pending = stage.desk.run(approvals.pending_approvals, actor).items
        count = stage.desk.run(approvals.pending_count, actor)
    except NotAuthenticated:
        pending, count = [], 0
    assert (pending, count) == ([], 0)


def test_ticket_own_customer_sees_no_request_in_portal_ticket_view(stage: Stage) -> None:
    detail, history = stage.desk.run(tickets.portal_ticket, stage.who("ticket's own customer"), 1)
    assert detail.number == 1
    assert all(h.request_id is None for h in history)
    assert HistoryKind.ACTION_REQUESTED not in [h.kind for h in history]


def test_manager_sees_no_request_in_portal_ticket_view_either(stage: Stage) -> None:
    _detail, history = stage.desk.run(tickets.portal_ticket, stage.who("manager of the organization"), 1)
    assert all(h.request_id is None for h in history)


@pytest.mark.parametrize("role", ["deactivated manager", "trashed manager", "anonymous"])
def test_no_agent_panel_for_customers_or_anonymous(stage: Stage, role: str) -> None:
    with pytest.raises(NotAuthenticated):
        stage.desk.run(tickets.ticket_view, stage.who(role), 1)


# --- rights are checked when the operation happens -------------------------------------


def test_manager_deactivated_after_request_cannot_approve(stage: Stage) -> None:
    desk = stage.desk
    desk.set_customer(desk.fabio, active=False)
    with pytest.raises(NotAuthenticated):
        desk.run(approvals.approve, desk.fabio, stage.request_id)
    with pytest.raises(NotAuthenticated):
        desk.run(approvals.cancel, desk.fabio, stage.request_id)
    assert desk.request(stage.request_id).state == RequestState.AWAITING_APPROVAL


def test_manager_unflagged_after_request_cannot_approve(stage: Stage) -> None:
    desk = stage.desk
    desk.set_customer(desk.fabio, is_manager=False)
    with pytest.raises(NotFound):
        desk.run(approvals.approve, desk.fabio, stage.request_id)
    assert desk.request(stage.request_id).state == RequestState.AWAITING_APPROVAL


def test_manager_trashed_after_request_cannot_approve(stage: Stage) -> None:
    desk = stage.desk
    desk.run(tickets.trash_customer, desk.ana, desk.marcia.id)
    with pytest.raises(NotAuthenticated):
        desk.run(approvals.approve, desk.marcia, stage.request_id)
    assert desk.request(stage.request_id).state == RequestState.AWAITING_APPROVAL


def test_manager_moved_to_another_organization_cannot_approve(stage: Stage) -> None:
    desk = stage.desk
    desk.set_customer(desk.fabio, organization_id=desk.organization_id("Outra Empresa"))
    with pytest.raises(NotFound):
        desk.run(approvals.approve, desk.fabio, stage.request_id)
    assert desk.request(stage.request_id).state == RequestState.AWAITING_APPROVAL


def test_agent_deactivated_after_request_cannot_cancel(stage: Stage) -> None:
    from domain import admin

    desk = stage.desk
    carla = desk.agent(desk.carla)
    changes = admin.AgentChanges(name=carla.name, email=carla.email, role=carla.role, active=False)
    desk.run(admin.update_agent, desk.ana, desk.hasher, carla.id, changes)
    with pytest.raises(NotAuthenticated):
        desk.run(approvals.cancel, desk.carla, stage.request_id)
    assert desk.request(stage.request_id).state == RequestState.AWAITING_APPROVAL


def test_agent_reassigned_away_from_ticket_can_no_longer_cancel(desk: Desk) -> None:
    request_id = desk.ask(1, by=desk.carla)
    desk.run(tickets.assign, desk.ana, 1, desk.carla.id)
    with pytest.raises(Forbidden):
        desk.run(approvals.cancel, desk.bruno, request_id)
    desk.run(approvals.cancel, desk.carla, request_id)
    assert desk.request(request_id).state == RequestState.CANCELLED
