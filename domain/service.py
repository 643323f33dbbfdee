"""The door the outer layers come in by: runs a use case on a fresh unit of work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from .ports import UnitOfWork

P = ParamSpec("P")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])


def read_only(use_case: F) -> F:
    """Marks a use case that never writes. Its unit of work may then skip the write lock:
    on SQLite, pages reading (a badge count, a list) no longer queue behind every writer
    (docs/benchmarks.md, fan-out)."""
    use_case.read_only = True  # type: ignore[attr-defined]
    return use_case


class Services:
    def __init__(self, uow_factory: Callable[[], UnitOfWork]) -> None:
        self.uow_factory = uow_factory

    def run(self, use_case: Callable[Concatenate[UnitOfWork, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Blocking: call it from a worker thread, never on the event loop."""
        uow = self.uow_factory()
        if getattr(use_case, "read_only", False):
            uow.read_only = True
        return use_case(uow, *args, **kwargs)
