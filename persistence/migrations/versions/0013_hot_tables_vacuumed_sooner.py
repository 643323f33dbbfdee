"""PostgreSQL: the tables every request and expiry rewrites are vacuumed sooner

By default autovacuum waits until a fifth of a table has changed. A burst of 5,000
expiring requests rewrites 5,000 of 100,000 tickets (their last activity) and 5,000
requests, far below that, and until a vacuum the pages they touched are no longer
all-visible: `/agent`'s count of the tickets went from 5 to 33–40 ms (heap fetches),
`/portal/approvals` from 20 to 55 ms (docs/benchmarks.md §5). These tables are vacuumed
after 1 % of their rows (at least 500) changed. SQLite has no vacuum of this kind.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 20:55:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOT_TABLES = ("tickets", "action_requests", "agent_notifications", "outbox_messages", "due_work")
SETTINGS = (
    "autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 500, "
    "autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in HOT_TABLES:
        op.execute(f"ALTER TABLE {table} SET ({SETTINGS})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in HOT_TABLES:
        op.execute(
            f"ALTER TABLE {table} RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, "
            "autovacuum_analyze_scale_factor, autovacuum_analyze_threshold)"
        )
