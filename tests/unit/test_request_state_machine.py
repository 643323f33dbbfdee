"""Spec §5 on the entity alone: only `awaiting_approval` moves, the other four states are
final. No database: the rule lives in `ActionRequest`."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.errors import AlreadyDecided
from domain.model import REQUEST_STATE_LABELS, ActionRequest, RequestState

Move = Callable[[ActionRequest], None]

MOVES: dict[str, tuple[Move, RequestState]] = {
    "approve": (lambda r: r.approve(7), RequestState.APPROVED),
    "reject": (lambda r: r.reject(7, "Sem verba"), RequestState.REJECTED),
    "cancel": (lambda r: r.cancel(agent_id=3), RequestState.CANCELLED),
    "expire": (lambda r: r.expire(), RequestState.EXPIRED),
}


def fresh() -> ActionRequest:
    return ActionRequest(
        ticket_id=1, action_id=1, action_name="Reembolso", action_description="", requested_by_agent_id=2
    )


def test_there_are_exactly_five_states() -> None:
    assert {s.value for s in RequestState} == {"awaiting_approval", "approved", "rejected", "cancelled", "expired"}
    assert set(REQUEST_STATE_LABELS) == set(RequestState)


def test_new_request_is_awaiting_approval() -> None:
    request = fresh()
    assert request.state == RequestState.AWAITING_APPROVAL
    assert request.is_pending
    assert request.decided_at is None


@pytest.mark.parametrize("move", MOVES)
def test_awaiting_request_moves_to_its_final_state(move: str) -> None:
    request = fresh()
    apply, target = MOVES[move]
    apply(request)
    assert request.state == target
    assert not request.is_pending
    assert request.decided_at is not None


@pytest.mark.parametrize("first", MOVES)
@pytest.mark.parametrize("second", MOVES)
def test_final_states_never_move(first: str, second: str) -> None:
    request = fresh()
    MOVES[first][0](request)
    state, decided_at = request.state, request.decided_at
    with pytest.raises(AlreadyDecided):
        MOVES[second][0](request)
    assert (request.state, request.decided_at) == (state, decided_at)


def test_approval_records_the_manager() -> None:
    request = fresh()
    request.approve(42)
    assert request.evaluated_by_customer_id == 42


def test_rejection_records_the_manager_and_reason() -> None:
    request = fresh()
    request.reject(42, "Fora do contrato")
    assert (request.evaluated_by_customer_id, request.reason) == (42, "Fora do contrato")


def test_cancellation_records_who_cancelled() -> None:
    by_agent, by_manager = fresh(), fresh()
    by_agent.cancel(agent_id=3)
    by_manager.cancel(customer_id=9)
    assert (by_agent.cancelled_by_agent_id, by_agent.cancelled_by_customer_id) == (3, None)
    assert (by_manager.cancelled_by_agent_id, by_manager.cancelled_by_customer_id) == (None, 9)


def test_refused_move_keeps_who_decided() -> None:
    request = fresh()
    request.approve(42)
    with pytest.raises(AlreadyDecided):
        request.reject(43, "tarde demais")
    assert (request.evaluated_by_customer_id, request.reason) == (42, "")
