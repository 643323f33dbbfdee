"""approval rules: each catalog action's rule, the approvers and answers of a request

- catalog_actions.rule / rule_count: *Regra de aprovação* (any, all, at_least N, stages);
  every existing action keeps the seed's rule, *Qualquer gerente*.
- action_requests: the rule and its counters as fixed when the request was made; existing
  requests are under the default rule, which needs none of them.
- request_approvers: the managers a multi-answer request asks, with their stage.
- request_answers: each manager's answer, one per manager per request (unique index).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 11:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

import persistence.types
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rule() -> sa.Enum:
    return sa.Enum('any', 'all', 'at_least', 'stages', name='approval_rule', native_enum=False,
                   create_constraint=False, length=32)


def upgrade() -> None:
    with op.batch_alter_table('catalog_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule', _rule(), server_default='any', nullable=False))
        batch_op.add_column(sa.Column('rule_count', sa.Integer(), nullable=True))
    with op.batch_alter_table('action_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule', _rule(), server_default='any', nullable=False))
        for name, default in (
            ('approvals_needed', '1'), ('approvals_count', '0'), ('answers_count', '0'),
            ('approvers_count', '0'), ('stage', '1'),
        ):
            batch_op.add_column(sa.Column(name, sa.Integer(), server_default=default, nullable=False))
    op.create_table(
        'request_approvers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_request_approvers_customer_id_customers')),
        sa.ForeignKeyConstraint(['request_id'], ['action_requests.id'],
                                name=op.f('fk_request_approvers_request_id_action_requests')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_request_approvers')),
        sa.UniqueConstraint('request_id', 'customer_id', name='uq_request_approvers_one'),
    )
    op.create_index('ix_request_approvers_customer', 'request_approvers', ['customer_id', 'request_id'])
    op.create_table(
        'request_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('approved', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('on_behalf_of_id', sa.Integer(), nullable=True),
        sa.Column('at', persistence.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_request_answers_customer_id_customers')),
        sa.ForeignKeyConstraint(['on_behalf_of_id'], ['customers.id'],
                                name=op.f('fk_request_answers_on_behalf_of_id_customers')),
        sa.ForeignKeyConstraint(['request_id'], ['action_requests.id'],
                                name=op.f('fk_request_answers_request_id_action_requests')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_request_answers')),
    )
    op.create_index('uq_request_answers_one', 'request_answers', ['request_id', 'customer_id'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_request_answers_one', table_name='request_answers')
    op.drop_table('request_answers')
    op.drop_index('ix_request_approvers_customer', table_name='request_approvers')
    op.drop_table('request_approvers')
    with op.batch_alter_table('action_requests', schema=None) as batch_op:
        for name in ('stage', 'approvers_count', 'answers_count', 'approvals_count', 'approvals_needed', 'rule'):
            batch_op.drop_column(name)
    with op.batch_alter_table('catalog_actions', schema=None) as batch_op:
        batch_op.drop_column('rule_count')
        batch_op.drop_column('rule')
