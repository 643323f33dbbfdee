"""personal access tokens for the API, and webhook endpoints

Webhook deliveries are outbox messages of the new channel 'webhook' (the channel column
is a plain string, so the new value needs no change of it).

Revision ID: 0008
Revises: 0006b
Create Date: 2026-11-30 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.types


revision: str = '0008'
down_revision: str | None = '0006b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('access_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_kind', sa.String(length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=20), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', persistence.types.UTCDateTime(), nullable=True),
    sa.Column('last_used_at', persistence.types.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', persistence.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_access_tokens_token_hash'))
    )
    op.create_index('ix_access_tokens_owner', 'access_tokens', ['owner_kind', 'owner_id'], unique=False)
    op.create_table('webhook_endpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints'))
    )


def downgrade() -> None:
    op.drop_table('webhook_endpoints')
    op.drop_index('ix_access_tokens_owner', table_name='access_tokens')
    op.drop_table('access_tokens')
