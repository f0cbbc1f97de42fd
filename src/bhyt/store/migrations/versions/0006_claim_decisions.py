"""claim decisions

The assessors' decisions on the findings of the claims assessment (issue 6): one row per claim and
rule, replaced by a new decision, so decisions survive re-assessing the claims.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 15:45:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('claim_decisions',
    sa.Column('ma_lk', sa.String(length=100), nullable=False),
    sa.Column('rule_id', sa.String(length=64), nullable=False),
    sa.Column('decision', sa.String(length=6), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("decision <> 'reject' OR reason IS NOT NULL", name='ck_claim_decisions_reason'),
    sa.CheckConstraint("decision IN ('accept', 'reject')", name='ck_claim_decisions_decision'),
    sa.PrimaryKeyConstraint('ma_lk', 'rule_id')
    )


def downgrade() -> None:
    op.drop_table('claim_decisions')
