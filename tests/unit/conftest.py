"""Shared fixtures of the domain tests: the demo help desk of spec §10 on a real SQLite unit
of work, built the way `main.build` builds it (see unit_desk.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from unit_desk import Desk, FastHasher, build_services, open_desk

from domain import demo
from domain.events import DomainEvent
from persistence.database import make_engine, sqlite_url
from persistence.tables import start_mappers


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-template")
    engine = make_engine(sqlite_url(folder))
    services = build_services(engine)
    services.run(demo.seed_demo, FastHasher())
    engine.dispose()
    return folder / "aval.sqlite3"


@pytest.fixture(scope="session")
def desk_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One engine for every test: SQLAlchemy caches compiled statements per engine, and
    recompiling them for each test would cost more than the tests themselves."""
    engine = make_engine(sqlite_url(tmp_path_factory.mktemp("desk")))
    start_mappers()
    yield engine
    engine.dispose()


@pytest.fixture
def desk(demo_template: Path, desk_engine: Engine) -> Desk:
    return open_desk(desk_engine, demo_template)


@pytest.fixture
def empty_desk(tmp_path: Path) -> Iterator[Desk]:
    """A fresh, non-demo installation: migrated, one admin, nothing else (spec §2)."""
    engine = make_engine(sqlite_url(tmp_path))
    events: list[DomainEvent] = []
    services = build_services(engine, events)
    services.run(demo.seed_admin, FastHasher(), "root@example.test", "secret-123")
    yield Desk(services=services, events=events)
    engine.dispose()
