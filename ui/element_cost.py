"""Less CPU per NiceGUI element: NiceGUI 3.18 asks `inspect.signature` whether each
change handler takes arguments, three times per element created (its classes, style and
props each register their own bound `_update`). A page of 25 ticket rows made ~600 such
calls, and during a burst of live updates they were the largest single cost of the server
(docs/benchmarks.md §5). The answer depends only on the function behind a bound method,
so it is remembered per function; anything else is asked as before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import helpers

_original: Callable[[Callable[..., Any]], bool] = helpers.expects_arguments
_answers: dict[Any, bool] = {}


def _expects_arguments(func: Callable[..., Any]) -> bool:
    function = getattr(func, "__func__", None)  # a bound method: the same answer for every instance
    if function is None:
        return _original(func)
    answer = _answers.get(function)
    if answer is None:
        answer = _answers[function] = _original(func)
    return answer


def install() -> None:
    """Idempotent; NiceGUI looks the helper up on `nicegui.helpers` at each call."""
    helpers.expects_arguments = _expects_arguments  # type: ignore[assignment]
