"""stand-ins: absences, the place each answer fills, the absent manager in the history

- absences: *Ausência* (manager, stand-in, from, to), spec §13.
- request_answers.slot_id: whose place an answer fills (the absent manager for a stand-in,
  else the one who answered); the unique index moves from (request, person) to (request,
  place), so a stand-in answers once for each absent manager and once for themselves.
- history_entries.on_behalf_of_name, action_requests.evaluated_on_behalf_of_id: a stand-in's
  decision names the absent manager, "Fábio (substituindo Márcia)".

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

import persistence.types
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'absences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('manager_id', sa.Integer(), nullable=False),
        sa.Column('standin_id', sa.Integer(), nullable=False),
        sa.Column('starts_at', persistence.types.UTCDateTime(), nullable=False),
        sa.Column('ends_at', persistence.types.UTCDateTime(), nullable=False),
        sa.Column('created_at', persistence.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['manager_id'], ['customers.id'], name=op.f('fk_absences_manager_id_customers')),
        sa.ForeignKeyConstraint(['standin_id'], ['customers.id'], name=op.f('fk_absences_standin_id_customers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_absences')),
    )
    op.create_index('ix_absences_standin', 'absences', ['standin_id', 'ends_at'])
    op.create_index('ix_absences_manager', 'absences', ['manager_id', 'ends_at'])
    with op.batch_alter_table('history_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_behalf_of_name', sa.String(length=120), nullable=True))
    with op.batch_alter_table('action_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evaluated_on_behalf_of_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_action_requests_evaluated_on_behalf_of_id_customers'), 'customers',
            ['evaluated_on_behalf_of_id'], ['id'],
        )
    op.drop_index('uq_request_answers_one', table_name='request_answers')
    with op.batch_alter_table('request_answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slot_id', sa.Integer(), nullable=True))
    op.execute('UPDATE request_answers SET slot_id = COALESCE(on_behalf_of_id, customer_id)')
    with op.batch_alter_table('request_answers', schema=None) as batch_op:
        batch_op.alter_column('slot_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(op.f('fk_request_answers_slot_id_customers'), 'customers', ['slot_id'], ['id'])
    op.create_index('uq_request_answers_one', 'request_answers', ['request_id', 'slot_id'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_request_answers_one', table_name='request_answers')
    with op.batch_alter_table('request_answers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_request_answers_slot_id_customers'), type_='foreignkey')
        batch_op.drop_column('slot_id')
    op.create_index('uq_request_answers_one', 'request_answers', ['request_id', 'customer_id'], unique=True)
    with op.batch_alter_table('action_requests', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_action_requests_evaluated_on_behalf_of_id_customers'), type_='foreignkey')
        batch_op.drop_column('evaluated_on_behalf_of_id')
    with op.batch_alter_table('history_entries', schema=None) as batch_op:
        batch_op.drop_column('on_behalf_of_name')
    op.drop_index('ix_absences_manager', table_name='absences')
    op.drop_index('ix_absences_standin', table_name='absences')
    op.drop_table('absences')
