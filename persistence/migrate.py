"""Brings a database to the newest schema; the app calls it at start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(engine: Engine) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Several instances starting at once: one migrates, the others wait for it.
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(724311)")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
