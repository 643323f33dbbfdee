"""the latest answers of a request, read from an index

A multi-answer request's mails name its latest ten answers; with 1,000 answers the read
sorted them all (bench.answer_cost, docs/benchmarks.md §8).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 14:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_request_answers_latest', 'request_answers', ['request_id', 'at', 'id'])


def downgrade() -> None:
    op.drop_index('ix_request_answers_latest', table_name='request_answers')
