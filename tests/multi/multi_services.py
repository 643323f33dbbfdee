"""Helpers of the several-instances tests (a module of its own: test folders have no
packages, and `conftest` is not importable by name)."""

from __future__ import annotations

import os

import pytest

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def unavailable(reason: str) -> None:
    """Skip with the reason shown; in CI (CI=true) a missing service is a failure."""
    if os.environ.get("CI", "").lower() in {"true", "1"}:
        pytest.fail(f"{reason} (CI=true: the service is required)", pytrace=False)
    pytest.skip(reason)


def postgres_server_url() -> str:
    return os.environ.get("AVAL_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def redis_server_url() -> str:
    return os.environ.get("AVAL_TEST_REDIS_URL") or DEFAULT_REDIS_URL
