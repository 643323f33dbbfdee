"""email links: a manager's one-decision tokens, and where a decision was taken

`email_links` keeps the SHA-256 of each token of the Aprovar / Reprovar links of a
request mail (spec §11), never the token. `history_entries.via` marks a decision taken
from such a link ("por e-mail"); NULL for every entry written before (portal, as then).

Revision ID: 0007
Revises: 0006b
Create Date: 2026-11-30 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.types

revision: str = '0007'
down_revision: str | None = '0006b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'email_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('decision', sa.Enum('approve', 'reject', name='link_decision', native_enum=False, length=32),
                  nullable=False),
        sa.Column('created_at', persistence.types.UTCDateTime(), nullable=False),
        sa.Column('expires_at', persistence.types.UTCDateTime(), nullable=False),
        sa.Column('used_at', persistence.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_email_links_customer_id_customers')),
        sa.ForeignKeyConstraint(['request_id'], ['action_requests.id'],
                                name=op.f('fk_email_links_request_id_action_requests')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_email_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_email_links_token_hash')),
    )
    with op.batch_alter_table('email_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_links_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_links_customer_id'), ['customer_id'], unique=False)
    with op.batch_alter_table('history_entries', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('via', sa.Enum('portal', 'email', 'api', name='decision_via', native_enum=False, length=32),
                      nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('history_entries', schema=None) as batch_op:
        batch_op.drop_column('via')
    with op.batch_alter_table('email_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_links_customer_id'))
        batch_op.drop_index(batch_op.f('ix_email_links_request_id'))
    op.drop_table('email_links')
