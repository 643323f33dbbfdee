"""Brings a database to the newest schema; the app calls it at start."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 724311
STARTUP_LOCK = 724312

# The ticket subject search index (migration 0004), which persistence.tables cannot describe:
# on SQLite an FTS5 table (and the shadow tables FTS5 keeps beside it), on PostgreSQL a
# trigram index. Comparisons of the schema with the models leave them out.
SEARCH_TABLE = "tickets_fts"
SEARCH_TRIGRAM_INDEX = "ix_tickets_subject_trgm"


def is_search_index(name: str | None) -> bool:
    return name is not None and (name in {SEARCH_TABLE, SEARCH_TRIGRAM_INDEX} or name.startswith(f"{SEARCH_TABLE}_"))


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Alembic's filter for autogenerate and compare_metadata."""
    return not (type_ in {"table", "index"} and is_search_index(name))


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(engine: Engine) -> None:
    config = alembic_config()
    if engine.dialect.name == "sqlite":
        _upgrade_sqlite(engine, config)
        return
    with engine.begin() as connection:
        # Several instances starting at once: one migrates, the others wait for it.
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _upgrade_sqlite(engine: Engine, config: Config) -> None:
    """SQLite alters a table by copying it and dropping the old one (Alembic's batch mode).
    With foreign keys enforced, dropping `action_requests` checks every row against each
    table that refers to it, and `history_entries.request_id` has no index: at 50,000
    requests and 1,000,000 history entries migration 0011 ran for over ten minutes before it
    was stopped. So the copies run with the checks off, as SQLite's documentation for
    altering tables says, and one `foreign_key_check` before the commit proves that nothing
    was left dangling (else nothing is committed)."""
    with engine.connect() as connection:
        # Only outside a transaction does SQLite take this pragma (the pool's connections
        # are in autocommit at the driver, SQLAlchemy's "begin" hook opens them).
        raw = connection.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if dangling:
                    raise RuntimeError(f"migration left rows pointing nowhere: {dangling[:5]}")
                refresh_statistics(connection)
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def refresh_statistics(connection: Connection) -> None:
    """SQLite plans without statistics unless someone runs ANALYZE (PostgreSQL's autovacuum
    does it by itself). Without them it counted a manager's pending requests by reading
    all 5,000 awaiting ones of the account (20 ms instead of 0.2 ms at 50,000 requests,
    docs/benchmarks.md). A full ANALYZE took 0.25 s at 1,000,000 history entries; a sampled
    one (analysis_limit) misjudged the skew of in_trash and chose worse plans than none."""
    connection.exec_driver_sql("PRAGMA analysis_limit=0")
    # All tables but the search index's: FTS5 plans its own statements on its shadow
    # tables, and sized by an ANALYZE of a nearly empty database they made loading 100,000
    # tickets take 54 s instead of 6 s. Without statistics they are planned as FTS5 expects.
    tables = list(connection.exec_driver_sql("SELECT name FROM sqlite_schema WHERE type = 'table'").scalars())
    if "sqlite_stat1" in tables:  # left by an ANALYZE of everything, run by hand
        connection.exec_driver_sql(f"DELETE FROM sqlite_stat1 WHERE tbl LIKE '{SEARCH_TABLE}%'")
    for name in tables:
        if not name.startswith("sqlite_") and not is_search_index(name):
            connection.exec_driver_sql(f'ANALYZE "{name}"')


@contextmanager
def startup_lock(engine: Engine) -> Iterator[None]:
    """Instances starting together take turns for the start-up writes (the demo or the
    first admin into an empty database), so those happen once. Nothing to do on SQLite,
    which serves one process."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.exec_driver_sql(f"SELECT pg_advisory_lock({STARTUP_LOCK})")
        connection.commit()  # a session lock outlives the transaction; do not idle in one
        try:
            yield
        finally:
            try:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({STARTUP_LOCK})")
                connection.commit()
            except Exception:
                # Never hand a connection that may still hold the lock back to the pool.
                connection.invalidate()
                raise
