"""Every domain event survives the trip to JSON and back unchanged, so another instance
refreshes exactly the pages this one would."""

from __future__ import annotations

import dataclasses
import itertools
import json
import types
import typing
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import pytest

from domain import events as domain_events
from domain.events import ActionRequested, Audience, DomainEvent
from persistence import event_codec

_counter = itertools.count(1)


def _sample(hint: Any) -> Any:
    """A non-default value of the hinted type, distinct per call, so a dropped or
    swapped field cannot go unnoticed."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _sample(next(arg for arg in typing.get_args(hint) if arg is not type(None)))
    if origin is frozenset:
        (item,) = typing.get_args(hint)
        return frozenset(_sample(item) for _ in range(3))
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_sample(args[0]) for _ in range(3))
        return tuple(_sample(arg) for arg in args)
    if hint is int:
        return next(_counter) * 7
    if hint is str:
        return f"Reiniciar produção {next(_counter)} ✅ \"quoted\""
    if hint is bool:
        return True
    if hint is datetime:
        return datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return list(hint)[-1]
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _instance(hint)
    raise AssertionError(f"no sample for {hint!r}: teach the test (and maybe the codec) this field type")


def _instance(cls: type) -> Any:
    hints = typing.get_type_hints(cls, vars(domain_events))
    return cls(**{field.name: _sample(hints[field.name]) for field in dataclasses.fields(cls)})


def test_the_subclass_walk_finds_the_known_events() -> None:
    names = set(event_codec.event_classes())
    assert {"ActionRequested", "ActionApproved", "ActionRejected", "ActionCancelled", "ActionExpired",
            "PendingVisibilityChanged", "TicketChanged", "AgentNotificationCreated"} <= names
    assert "DomainEvent" not in names


@pytest.mark.parametrize("cls", sorted(event_codec.event_classes().values(), key=lambda c: c.__name__),
                         ids=lambda c: c.__name__)
def test_every_event_round_trips(cls: type[DomainEvent]) -> None:
    event = _instance(cls)
    text = event_codec.encode(event)
    assert json.loads(text)["type"] == cls.__name__
    again = event_codec.decode(text)
    assert type(again) is cls
    assert again == event


def test_sets_become_sorted_lists_and_the_audience_nests() -> None:
    event = ActionRequested(request_id=5, ticket_id=9, ticket_number=3, action_name="Reembolso",
                            audience=Audience(manager_ids=frozenset({12, 3, 7}), agent_ids=frozenset({2})),
                            pending_counts=((3, 1), (7, 2), (12, 1)))
    payload = json.loads(event_codec.encode(event))
    assert payload == {
        "type": "ActionRequested",
        "data": {"request_id": 5, "ticket_id": 9, "ticket_number": 3, "action_name": "Reembolso",
                 "audience": {"manager_ids": [3, 7, 12], "agent_ids": [2], "customer_ids": []},
                 "pending_counts": [[3, 1], [7, 2], [12, 1]]},
    }
    decoded = event_codec.decode(json.dumps(payload))
    assert isinstance(decoded, ActionRequested)
    assert decoded.audience.manager_ids == frozenset({3, 7, 12})
    assert decoded.pending_count_of(7) == 2


def test_an_unknown_event_is_refused_by_name() -> None:
    with pytest.raises(event_codec.UnknownEvent, match="ActionTeleported"):
        event_codec.decode('{"type":"ActionTeleported","data":{}}')
