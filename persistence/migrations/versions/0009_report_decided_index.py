"""report decided index: the requests decided in a period, by index

The reports (spec §15) count and time the requests that reached their final state in a
period, week by week: one range of decided_at per week. With the state, the times, the action and the ticket
beside it, the counts and the durations read the index alone.

Revision ID: 0009
Revises: 0004
Create Date: 2026-11-30 10:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0009'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_action_requests_decided', 'action_requests', ['decided_at', 'state', 'requested_at', 'action_id', 'ticket_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_action_requests_decided', table_name='action_requests')
