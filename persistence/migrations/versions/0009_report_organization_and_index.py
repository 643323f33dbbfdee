"""reports: each request's organization, and the requests decided in a period by index

The reports (spec §15) count and time the requests that reached their final state in a
period, week by week (one range of decided_at per week), by organization and by action.

- action_requests.organization_id: the organization of the ticket's customer when the
  request was made, kept on the request like its action's name. Grouping by it needs no
  join through tickets and customers (one random read of each per request: most of the
  reports' time at 50,000 requests). Filled here from the customers as they are now;
  a snapshot, so no foreign key (the history it describes stays as it was).
- ix_action_requests_decided: decided_at first, then every column the figures read, so
  the counts and the durations read the index alone.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = (
    'UPDATE action_requests SET organization_id = ('
    'SELECT customers.organization_id FROM tickets JOIN customers ON customers.id = tickets.customer_id '
    'WHERE tickets.id = action_requests.ticket_id)'
)


def upgrade() -> None:
    op.add_column('action_requests', sa.Column('organization_id', sa.Integer(), nullable=True))
    op.execute(BACKFILL)
    op.create_index(
        'ix_action_requests_decided',
        'action_requests',
        ['decided_at', 'state', 'requested_at', 'action_id', 'organization_id'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_action_requests_decided', table_name='action_requests')
    with op.batch_alter_table('action_requests', schema=None) as batch_op:
        batch_op.drop_column('organization_id')
