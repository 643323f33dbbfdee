"""ticket subject search: a trigram index on both engines

The agents' ticket list searched `lower(subject) LIKE '%term%'`, which reads every ticket
to count the matches (p95 350–560 ms at 100,000 tickets, docs/benchmarks.md §3).

PostgreSQL: a pg_trgm GIN index on lower(subject), which that same LIKE uses. pg_trgm is a
trusted extension (PG 13+), but a role without CREATE on the database still cannot create
it; the migration then only logs a warning and searches stay a scan.

SQLite: an FTS5 table with the trigram tokenizer over tickets.subject (external content,
no second copy of the subjects), kept in step by triggers. persistence.repositories
queries it by name. A later migration that rebuilds `tickets` on SQLite (a batch "move and
copy") drops these triggers with the old table and must create them again.

Neither is described in persistence.tables (persistence.migrate.include_name leaves
them out of comparisons with the models).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 10:00:00.000000
"""

import logging
from collections.abc import Sequence

from alembic import op
from sqlalchemy.exc import DBAPIError

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger('aval.migrations')

TRIGRAM_INDEX = 'CREATE INDEX ix_tickets_subject_trgm ON tickets USING gin (lower(subject) gin_trgm_ops)'

SQLITE_UPGRADE = [
    "CREATE VIRTUAL TABLE tickets_fts USING fts5("
    "subject, content='tickets', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN "
    "INSERT INTO tickets_fts (rowid, subject) VALUES (new.id, new.subject); END",
    # An external-content table forgets a row only when told its old text.
    "CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN "
    "INSERT INTO tickets_fts (tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject); END",
    "CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject ON tickets BEGIN "
    "INSERT INTO tickets_fts (tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject); "
    "INSERT INTO tickets_fts (rowid, subject) VALUES (new.id, new.subject); END",
    "INSERT INTO tickets_fts (tickets_fts) VALUES ('rebuild')",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS tickets_fts_update",
    "DROP TRIGGER IF EXISTS tickets_fts_delete",
    "DROP TRIGGER IF EXISTS tickets_fts_insert",
    "DROP TABLE IF EXISTS tickets_fts",
]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for statement in SQLITE_UPGRADE:
            bind.exec_driver_sql(statement)
        return
    try:
        # A savepoint: a refused extension must not abort the migration's transaction.
        with bind.begin_nested():
            bind.exec_driver_sql('CREATE EXTENSION IF NOT EXISTS pg_trgm')
            bind.exec_driver_sql(TRIGRAM_INDEX)
    except DBAPIError as error:
        log.warning(
            "no trigram index on ticket subjects (%s); ticket searches read every ticket. To add it later, "
            "a superuser runs in this database: CREATE EXTENSION pg_trgm; %s",
            str(error.orig).strip(),
            TRIGRAM_INDEX,
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for statement in SQLITE_DOWNGRADE:
            bind.exec_driver_sql(statement)
        return
    # The extension stays: something else may use it by now.
    bind.exec_driver_sql('DROP INDEX IF EXISTS ix_tickets_subject_trgm')
