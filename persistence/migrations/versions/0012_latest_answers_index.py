"""the latest answers of a request, read from an index; the stand-in in the agents' hub

- ix_request_answers_latest: a multi-answer request's mails name its latest ten answers;
  with 1,000 answers the read sorted them all (bench.answer_cost, docs/benchmarks.md §8).
- agent_notifications.on_behalf_of_name: a stand-in's decision in the bell and the
  notifications page reads "Fábio (substituindo Márcia)", as the history does (spec §13).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 14:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_request_answers_latest', 'request_answers', ['request_id', 'at', 'id'])
    with op.batch_alter_table('agent_notifications') as batch:
        batch.add_column(sa.Column('on_behalf_of_name', sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('agent_notifications') as batch:
        batch.drop_column('on_behalf_of_name')
    op.drop_index('ix_request_answers_latest', table_name='request_answers')
