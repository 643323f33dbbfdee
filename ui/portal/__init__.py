"""The customer portal."""

from __future__ import annotations

from ..context import AppContext


def register(context: AppContext) -> None:
    """Registers the customer portal's pages."""
