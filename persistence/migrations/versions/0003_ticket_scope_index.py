"""ticket scope index: the tickets of a set of customers, outside the trash, by index

A manager's portal list counts the tickets of their organizations' customers; with only
(in_trash, updated_at) and (customer_id) to choose from, SQLite read all 100,000 tickets
for it (docs/benchmarks.md, data volume).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 23:40:00.000000
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_customer_trash', ['customer_id', 'in_trash'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_customer_trash')
