"""ticket counts kept by triggers; the ticket lists' order read whole from their indexes

- ticket_tallies: the agents' unfiltered ticket list (and its status filter, and the
  trash) counted 100,000 tickets on every load. On PostgreSQL that count reads the heap
  pages of every ticket changed since the last vacuum: after a burst of 5,000 expiries
  it went from 5 to 30–40 ms, most of `/agent`'s time (docs/benchmarks.md §5). Triggers
  now add one row per change, +n or −n for a (status, trash) pair, and the list sums
  these few rows. Rows are only ever added by the triggers, never updated, so writers
  never wait on one another for a counter (a single counter row per pair would make
  every new ticket wait for the one before it to commit, and two transactions moving
  tickets in opposite directions could deadlock). persistence.ticket_tallies folds the
  rows into one per pair now and then.
  PostgreSQL counts an INSERT or DELETE statement's rows once per statement (a COPY of
  100,000 tickets adds a row per pair); SQLite has row triggers only.
- ix_tickets_list and ix_tickets_status_list end with the id: the list is ordered by
  (updated_at, id), and with tickets sharing an updated_at PostgreSQL sorted them after
  the index scan (SQLite's indexes end with the rowid already).

A later migration that rebuilds `tickets` on SQLite (a batch "move and copy") drops the
triggers with the old table and must create them again.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 22:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEED = (
    "INSERT INTO ticket_tallies (status, in_trash, n) "
    "SELECT status, in_trash, count(*) FROM tickets GROUP BY status, in_trash"
)

POSTGRES_UPGRADE = [
    """CREATE FUNCTION ticket_tallies_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO ticket_tallies (status, in_trash, n)
        SELECT status, in_trash, count(*) FROM added GROUP BY status, in_trash;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION ticket_tallies_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO ticket_tallies (status, in_trash, n)
        SELECT status, in_trash, -count(*) FROM removed GROUP BY status, in_trash;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION ticket_tallies_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO ticket_tallies (status, in_trash, n)
        VALUES (OLD.status, OLD.in_trash, -1), (NEW.status, NEW.in_trash, 1);
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER ticket_tallies_insert AFTER INSERT ON tickets REFERENCING NEW TABLE AS added "
    "FOR EACH STATEMENT EXECUTE FUNCTION ticket_tallies_added()",
    "CREATE TRIGGER ticket_tallies_delete AFTER DELETE ON tickets REFERENCING OLD TABLE AS removed "
    "FOR EACH STATEMENT EXECUTE FUNCTION ticket_tallies_removed()",
    # Row by row with a WHEN, so the many updates that change neither (a reply, an
    # expiry's last-activity time) cost nothing; transition tables allow no column list.
    "CREATE TRIGGER ticket_tallies_update AFTER UPDATE OF status, in_trash ON tickets FOR EACH ROW "
    "WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.in_trash IS DISTINCT FROM NEW.in_trash) "
    "EXECUTE FUNCTION ticket_tallies_moved()",
]
POSTGRES_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS ticket_tallies_update ON tickets",
    "DROP TRIGGER IF EXISTS ticket_tallies_delete ON tickets",
    "DROP TRIGGER IF EXISTS ticket_tallies_insert ON tickets",
    "DROP FUNCTION IF EXISTS ticket_tallies_moved()",
    "DROP FUNCTION IF EXISTS ticket_tallies_removed()",
    "DROP FUNCTION IF EXISTS ticket_tallies_added()",
]
SQLITE_UPGRADE = [
    "CREATE TRIGGER ticket_tallies_insert AFTER INSERT ON tickets BEGIN "
    "INSERT INTO ticket_tallies (status, in_trash, n) VALUES (new.status, new.in_trash, 1); END",
    "CREATE TRIGGER ticket_tallies_delete AFTER DELETE ON tickets BEGIN "
    "INSERT INTO ticket_tallies (status, in_trash, n) VALUES (old.status, old.in_trash, -1); END",
    "CREATE TRIGGER ticket_tallies_update AFTER UPDATE OF status, in_trash ON tickets "
    "WHEN old.status IS NOT new.status OR old.in_trash IS NOT new.in_trash BEGIN "
    "INSERT INTO ticket_tallies (status, in_trash, n) VALUES (old.status, old.in_trash, -1), "
    "(new.status, new.in_trash, 1); END",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS ticket_tallies_update",
    "DROP TRIGGER IF EXISTS ticket_tallies_delete",
    "DROP TRIGGER IF EXISTS ticket_tallies_insert",
]


def upgrade() -> None:
    op.create_table(
        'ticket_tallies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('in_trash', sa.Boolean(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_tallies')),
    )
    bind = op.get_bind()
    # On PostgreSQL the table is taken first: a ticket written between the seed and the
    # triggers would be counted by neither.
    if bind.dialect.name == 'postgresql':
        bind.exec_driver_sql('LOCK TABLE tickets IN SHARE ROW EXCLUSIVE MODE')
    bind.exec_driver_sql(SEED)
    for statement in POSTGRES_UPGRADE if bind.dialect.name == 'postgresql' else SQLITE_UPGRADE:
        bind.exec_driver_sql(statement)
    for name, columns in (('ix_tickets_list', ['in_trash', 'updated_at', 'id']),
                          ('ix_tickets_status_list', ['in_trash', 'status', 'updated_at', 'id'])):
        op.drop_index(name, table_name='tickets')
        op.create_index(name, 'tickets', columns)


def downgrade() -> None:
    for name, columns in (('ix_tickets_list', ['in_trash', 'updated_at']),
                          ('ix_tickets_status_list', ['in_trash', 'status', 'updated_at'])):
        op.drop_index(name, table_name='tickets')
        op.create_index(name, 'tickets', columns)
    bind = op.get_bind()
    for statement in POSTGRES_DOWNGRADE if bind.dialect.name == 'postgresql' else SQLITE_DOWNGRADE:
        bind.exec_driver_sql(statement)
    op.drop_table('ticket_tallies')
