"""Shared test setup: every test gets its own data dir, so its own database and secrets."""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from nicegui.testing import User
from nicegui.testing.general_fixtures import get_path_to_main_file
from nicegui.testing.user_simulation import user_simulation
from user_routing import route_user_calls

from persistence.database import make_engine
from persistence.migrate import upgrade
from persistence.passwords import Argon2Hasher


class _ClosingSocketNoise(logging.Filter):
    """The simulated browsers' Socket.IO client logs "packet queue is empty, aborting" at
    ERROR when its connection closes while a write is pending (seen under load). NiceGUI's
    `user` fixture fails a test on any ERROR log, and failing that way in its teardown left
    NiceGUI started, so every later page test of that process failed to start the app."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "packet queue is empty, aborting"


logging.getLogger("engineio.client").addFilter(_ClosingSocketNoise())


@pytest.fixture
async def user(caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest) -> AsyncIterator[User]:
    """NiceGUI's `user` fixture, but a test with ERROR logs fails after the simulated app
    has shut down, not inside it: failing inside left NiceGUI marked as started, and every
    later page test of that process errored with "NiceGUI has already been started" (one
    slow navigation under load once cost 55 tests that way)."""
    async with user_simulation(main_file=get_path_to_main_file(request)) as simulated:
        yield simulated
    if any(record.levelname == "ERROR" for record in caplog.get_records("call")):
        pytest.fail("There were unexpected ERROR logs.", pytrace=False)


@pytest.fixture(autouse=True, scope="session")
def argon2_once_per_password() -> Iterator[None]:
    """Each test builds the app anew, and the app hashes the demo password and its dummy
    password with argon2, ~0.1 s each on purpose: ~2 minutes of a run. Within one test
    process the same password now gets the hash made the first time (salted, valid, what
    the app would store); verifying still runs argon2 at full cost."""
    original = Argon2Hasher.hash
    made: dict[str, str] = {}

    def hash_once(self: Argon2Hasher, password: str) -> str:
        if password not in made:
            made[password] = original(self, password)
        return made[password]

    Argon2Hasher.hash = hash_once  # type: ignore[method-assign]
    yield
    Argon2Hasher.hash = original  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database at the newest schema, made once per test process."""
    path = tmp_path_factory.mktemp("template") / "aval.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return path


@pytest.fixture(autouse=True)
def aval_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Path]:
    data_dir = tmp_path / "data"
    if {"user", "create_user"} & set(request.fixturenames):
        # The app each page test builds would migrate a new database from the first
        # migration (~0.2 s a test, ~600 tests): it starts from a copy at the newest
        # schema instead, and seeds it as always. Migrations have tests of their own.
        data_dir.mkdir(mode=0o700)
        shutil.copyfile(request.getfixturevalue("migrated_database"), data_dir / "aval.sqlite3")
    monkeypatch.setenv("AVAL_DATA_DIR", str(data_dir))
    monkeypatch.setenv("AVAL_DEMO", "1")
    monkeypatch.setenv("AVAL_LOCALE", "pt_BR")
    for name in ("AVAL_DATABASE_URL", "AVAL_SMTP_HOST", "NICEGUI_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    route_user_calls(monkeypatch)
    yield data_dir
