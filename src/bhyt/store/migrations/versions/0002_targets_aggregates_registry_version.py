"""targets aggregates registry version

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 07:53:54.789219
"""

import uuid

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('registry_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    # The analytics snapshot compares this number with its own: the row must exist from the start.
    op.execute(
        f"INSERT INTO registry_version (id, version, token, changed_at) VALUES (1, 0, '{uuid.uuid4().hex}', CURRENT_TIMESTAMP)"
    )
    op.create_table('aggregate_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=16), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('participant_code', sa.String(length=2), nullable=False),
    sa.Column('insured', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('insured >= 0', name='ck_aggregate_nonnegative'),
    sa.ForeignKeyConstraint(['import_id'], ['import_log.id'], ),
    sa.ForeignKeyConstraint(['unit_code'], ['units.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_code', 'month', 'participant_code', name='uq_aggregate_unit_month_code')
    )
    with op.batch_alter_table('aggregate_counts', schema=None) as batch_op:
        batch_op.create_index('ix_aggregate_counts_month', ['month'], unique=False)

    op.create_table('targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=16), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('group_code', sa.String(length=40), nullable=False),
    sa.Column('rate', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('set_by', sa.String(length=100), nullable=True),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("origin IN ('manual', 'cascade')", name='ck_targets_origin'),
    sa.CheckConstraint('(rate IS NULL) <> (count IS NULL)', name='ck_targets_rate_or_count'),
    sa.CheckConstraint('count IS NULL OR count >= 0', name='ck_targets_count_nonnegative'),
    sa.CheckConstraint('rate IS NULL OR (rate >= 0 AND rate <= 100)', name='ck_targets_rate_range'),
    sa.ForeignKeyConstraint(['unit_code'], ['units.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_code', 'year', 'group_code', name='uq_targets_unit_year_group')
    )


def downgrade() -> None:
    op.drop_table('targets')
    with op.batch_alter_table('aggregate_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_aggregate_counts_month')

    op.drop_table('aggregate_counts')
    op.drop_table('registry_version')
