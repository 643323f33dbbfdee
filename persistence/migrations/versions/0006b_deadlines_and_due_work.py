"""deadlines and due work: a request's deadline and last manual reminder, the catalog's
default deadline, the account's reminder setting, and the table of work due at a time

Revision ID: 0006b
Revises: 0006
Create Date: 2026-11-30 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.types

revision: str = '0006b'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'due_work',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('expire_request', 'remind_request', name='due_kind', native_enum=False,
                                  create_constraint=False, length=32), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('due_at', persistence.types.UTCDateTime(), nullable=False),
        sa.Column('runs', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_due_work')),
        sa.UniqueConstraint('kind', 'subject_id', name='uq_due_work_subject'),
    )
    op.create_index('ix_due_work_due', 'due_work', ['due_at'], unique=False)
    with op.batch_alter_table('action_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline', persistence.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('reminded_at', persistence.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table('catalog_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_hours', sa.Integer(), nullable=True))
    with op.batch_alter_table('account_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_every_hours', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reminder_max', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('account_settings', schema=None) as batch_op:
        batch_op.drop_column('reminder_max')
        batch_op.drop_column('reminder_every_hours')
    with op.batch_alter_table('catalog_actions', schema=None) as batch_op:
        batch_op.drop_column('deadline_hours')
    with op.batch_alter_table('action_requests', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('deadline')
    op.drop_index('ix_due_work_due', table_name='due_work')
    op.drop_table('due_work')
