"""person time zone: each agent and customer may pick the zone their times are shown in

NULL keeps the installation's default (AVAL_TIMEZONE).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ('agents', 'customers'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade() -> None:
    for table in ('agents', 'customers'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('timezone')
