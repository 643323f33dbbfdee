"""Shared test setup: every test gets its own data dir, so its own database and secrets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from user_routing import route_user_calls


@pytest.fixture(autouse=True)
def aval_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("AVAL_DATA_DIR", str(data_dir))
    monkeypatch.setenv("AVAL_DEMO", "1")
    monkeypatch.setenv("AVAL_LOCALE", "pt_BR")
    for name in ("AVAL_DATABASE_URL", "AVAL_SMTP_HOST", "NICEGUI_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    route_user_calls(monkeypatch)
    yield data_dir
