"""Domain events as compact JSON, so another instance can replay them to its own clients.

An event becomes `{"type": <class name>, "data": {<field>: <value>}}`: frozensets become
sorted lists, nested dataclasses (the Audience) nested objects, datetimes ISO strings and
enums their value. Decoding reads the field types from the class, so a new event class in
domain/events.py needs no change here as long as its fields are of those kinds."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any

from domain import events as domain_events
from domain.events import DomainEvent


class UnknownEvent(ValueError):
    """The JSON names an event this version does not know (e.g. during a rolling upgrade)."""


def event_classes() -> dict[str, type[DomainEvent]]:
    """Every concrete event class by name, found by walking the subclasses."""
    found: dict[str, type[DomainEvent]] = {}
    pending: list[type[DomainEvent]] = [DomainEvent]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls is DomainEvent:
            continue
        if cls.__name__ in found and found[cls.__name__] is not cls:
            raise TypeError(f"two domain events are called {cls.__name__}; the wire format needs unique names")
        found[cls.__name__] = cls
    return found


def _to_json(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(_to_json(item) for item in value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _to_json(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_to_json(item) for item in value]
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    # events.py uses `from __future__ import annotations`: resolve the strings once.
    return typing.get_type_hints(cls, vars(domain_events))


def _from_json(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _from_json(options[0], value) if len(options) == 1 else value
    if origin in (frozenset, set, list, tuple):
        (item_hint, *_) = typing.get_args(hint) or (Any,)
        items = [_from_json(item_hint, item) for item in value]
        return frozenset(items) if origin is frozenset else origin(items)
    if isinstance(hint, type):
        if dataclasses.is_dataclass(hint):
            return _build(hint, value)
        if issubclass(hint, Enum):
            return hint(value)
        if issubclass(hint, datetime):
            return datetime.fromisoformat(value)
    return value


def _build(cls: type, data: dict[str, Any]) -> Any:
    hints = _hints(cls)
    kwargs = {
        field.name: _from_json(hints[field.name], data[field.name])
        for field in dataclasses.fields(cls)
        if field.name in data
    }
    return cls(**kwargs)


def to_dict(event: DomainEvent) -> dict[str, Any]:
    return {"type": type(event).__name__, "data": _to_json(event)}


def from_dict(payload: dict[str, Any]) -> DomainEvent:
    cls = event_classes().get(payload.get("type", ""))
    if cls is None:
        raise UnknownEvent(f"unknown domain event {payload.get('type')!r}")
    return _build(cls, payload.get("data") or {})


def encode(event: DomainEvent) -> str:
    return json.dumps(to_dict(event), separators=(",", ":"), ensure_ascii=False)


def decode(text: str) -> DomainEvent:
    return from_dict(json.loads(text))
