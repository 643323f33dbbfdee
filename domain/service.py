"""The door the outer layers come in by: runs a use case on a fresh unit of work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from .ports import UnitOfWork

P = ParamSpec("P")
R = TypeVar("R")


class Services:
    def __init__(self, uow_factory: Callable[[], UnitOfWork]) -> None:
        self.uow_factory = uow_factory

    def run(self, use_case: Callable[Concatenate[UnitOfWork, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Blocking: call it from a worker thread, never on the event loop."""
        return use_case(self.uow_factory(), *args, **kwargs)
