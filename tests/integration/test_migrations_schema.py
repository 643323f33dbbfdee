"""The migrations build the schema the models describe, on both engines."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from persistence_support import BRUNO, FABIO, Database, open_database
from sqlalchemy import Engine, inspect

from domain import approvals
from persistence.migrate import alembic_config, include_name, is_search_index, upgrade
from persistence.tables import metadata


def _kind(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        # The subject search index (migration 0004) is schema the models cannot describe.
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        return list(compare_metadata(context, metadata))


def _downgrade_to_base(engine: Engine) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")


def test_migrations_run_from_empty_to_head_and_match_the_models(empty_database_url: str) -> None:
    db = open_database(_kind(empty_database_url), empty_database_url)
    try:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert db.scalar("SELECT version_num FROM alembic_version") == head
        tables = set(inspect(db.engine).get_table_names())
        assert {name for name in tables if not is_search_index(name)} == set(metadata.tables) | {"alembic_version"}
        assert _differences(db.engine) == []

        # The comparison is live: a schema drifting from the models is reported.
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP INDEX uq_action_requests_one_awaiting")
        drift = _differences(db.engine)
        assert any("uq_action_requests_one_awaiting" in repr(diff) for diff in drift), drift
    finally:
        db.engine.dispose()


def test_migrating_again_is_a_no_op_and_downgrade_undoes_everything(empty_database_url: str) -> None:
    """Every start runs the migrations: on an up-to-date database nothing changes. The
    downgrade path works too, so a release can be rolled back."""
    first = open_database(_kind(empty_database_url), empty_database_url)
    first.engine.dispose()
    db = open_database(_kind(empty_database_url), empty_database_url)
    try:
        assert db.scalar("SELECT count(*) FROM alembic_version") == 1
        assert _differences(db.engine) == []

        _downgrade_to_base(db.engine)
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(db.engine)
        assert _differences(db.engine) == []
    finally:
        db.engine.dispose()


def test_a_sqlite_database_with_requests_and_their_history_migrates_and_keeps_its_checks(database: Database) -> None:
    """SQLite alters a table by copying it: with the foreign-key checks on, dropping the old
    `action_requests` checked each row against the unindexed `history_entries.request_id`
    (a 50,000-request database did not finish migration 0011 in ten minutes). Upgrading
    from 0010 keeps every row and leaves the checks on for the app's connections."""
    if database.kind != "sqlite":
        pytest.skip("only SQLite copies tables to alter them")
    request_id = database.run(approvals.request_action, database.agent(BRUNO), 1, database.action_id("Reembolso"))
    database.run(approvals.approve, database.customer(FABIO), request_id)
    history = database.scalar("SELECT count(*) FROM history_entries WHERE request_id = :id", id=request_id)
    assert history >= 2
    config = alembic_config()
    with database.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")  # the way down copies tables too
        with connection.begin():
            config.attributes["connection"] = connection
            command.downgrade(config, "0010")
        raw.execute("PRAGMA foreign_keys=ON")
    assert database.scalar("SELECT version_num FROM alembic_version") == "0010"

    upgrade(database.engine)

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert database.scalar("SELECT version_num FROM alembic_version") == head
    assert database.scalar("SELECT count(*) FROM history_entries WHERE request_id = :id", id=request_id) == history
    assert database.scalar("SELECT state FROM action_requests WHERE id = :id", id=request_id) is not None
    assert _differences(database.engine) == []
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
