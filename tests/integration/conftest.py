"""Persistence tests run twice: on SQLite and on PostgreSQL, each test on a database of its
own, opened like main.build opens one (make_engine + migrate.upgrade + start_mappers), the
demo seeded (copied from a template migrated and seeded once per session).

PostgreSQL: a throwaway database per test, created on the server named by
AVAL_TEST_POSTGRES_URL (default: the local `test` database) and dropped afterwards, so
tests stay isolated and may run in parallel. Without a server the PostgreSQL variants are
skipped with the reason shown — except in CI (CI=true), where that is a failure."""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from persistence_support import Database, PlainHasher, open_database
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from domain import demo

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ENGINES = ["sqlite", "postgresql"]


def postgres_server_url() -> str:
    return os.environ.get("AVAL_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An autocommit engine on the server's maintenance database, to create and drop
    the throwaway databases."""
    url = postgres_server_url()
    engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except OperationalError as error:
        engine.dispose()
        reason = f"PostgreSQL not reachable at {make_url(url).render_as_string(hide_password=True)}: {error.orig}"
        if os.environ.get("CI", "").lower() in {"true", "1"}:
            pytest.fail(f"{reason} (CI=true: PostgreSQL is required)", pytrace=False)
        pytest.skip(reason)
    yield engine
    engine.dispose()


def _fresh_postgres_url(admin: Engine, template: str | None = None) -> tuple[str, Callable[[], None]]:
    name = f"aval_test_{os.getpid()}_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))

    def drop() -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    url = make_url(postgres_server_url()).set(database=name).render_as_string(hide_password=False)
    return url, drop


@pytest.fixture(params=ENGINES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database with no table at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'aval.sqlite3').resolve()}"
        return
    url, drop = _fresh_postgres_url(request.getfixturevalue("postgres_admin"))
    try:
        yield url
    finally:
        drop()


class SeededTemplates:
    """A migrated database with the demo seeded, built once per engine and test session
    and copied for every test: copying is several times cheaper than migrating."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.sqlite_file: Path | None = None
        self.postgres: tuple[Engine, str, Callable[[], None]] | None = None

    @staticmethod
    def _seed(kind: str, url: str) -> None:
        db = open_database(kind, url)
        try:
            db.run(demo.seed_demo, PlainHasher())
        finally:
            db.engine.dispose()  # PostgreSQL copies a template only while nobody is connected

    def sqlite_copy(self, target: Path) -> str:
        if self.sqlite_file is None:
            template = self.directory / "template.sqlite3"
            self._seed("sqlite", f"sqlite:///{template}")
            self.sqlite_file = template
        with closing(sqlite3.connect(self.sqlite_file)) as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
        return f"sqlite:///{target.resolve()}"

    def postgres_copy(self, admin: Engine) -> tuple[str, Callable[[], None]]:
        if self.postgres is None:
            url, drop = _fresh_postgres_url(admin)
            self._seed("postgresql", url)
            self.postgres = (admin, make_url(url).database or "", drop)
        return _fresh_postgres_url(admin, template=self.postgres[1])

    def close(self) -> None:
        if self.postgres is not None:
            self.postgres[2]()


@pytest.fixture(scope="session")
def seeded_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededTemplates]:
    templates = SeededTemplates(tmp_path_factory.mktemp("templates"))
    yield templates
    templates.close()


@pytest.fixture(params=ENGINES)
def database(
    request: pytest.FixtureRequest, tmp_path: Path, seeded_templates: SeededTemplates
) -> Iterator[Database]:
    """A database of its own, migrated to head and seeded with the demo account (spec
    §10), opened the way main.build opens one."""
    kind = request.param
    drop: Callable[[], None] | None = None
    if kind == "sqlite":
        url = seeded_templates.sqlite_copy(tmp_path / "aval.sqlite3")
    else:
        url, drop = seeded_templates.postgres_copy(request.getfixturevalue("postgres_admin"))
    db = open_database(kind, url)
    try:
        yield db
    finally:
        db.engine.dispose()
        if drop is not None:
            drop()
