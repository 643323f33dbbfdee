"""`attempt` for use cases that return nothing: did it go through?"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from domain.ports import UnitOfWork

from ..context import attempt


def _returning_true(use_case: Callable[..., Any]) -> Callable[..., bool]:
    @wraps(use_case)
    def run(uow: UnitOfWork, *args: Any, **kwargs: Any) -> bool:
        use_case(uow, *args, **kwargs)
        return True

    return run


async def succeeded(use_case: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
    """Runs the use case; a refusal is shown to the user (see `attempt`) and gives False."""
    return bool(await attempt(_returning_true(use_case), *args, **kwargs))
