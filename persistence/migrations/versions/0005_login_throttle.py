"""login throttle: failed sign-in attempts per account and address pair and per address

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.types


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'login_throttle',
        sa.Column('key', sa.String(length=400), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('since', persistence.types.UTCDateTime(), nullable=False),
        sa.Column('last', persistence.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttle_last'), ['last'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttle_last'))
    op.drop_table('login_throttle')
