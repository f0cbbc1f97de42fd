"""decisions version

The decisions' change counter: the web pages keep an assessment until a decision is recorded, and
read this one row to know it instead of count(*) and max(decided_at) over every decision.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:00:00.000000
"""

import uuid

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('decisions_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    # Every writer of claim_decisions updates this row: it must exist from the start.
    op.execute(
        f"INSERT INTO decisions_version (id, version, token, changed_at) VALUES (1, 0, '{uuid.uuid4().hex}', CURRENT_TIMESTAMP)"
    )


def downgrade() -> None:
    op.drop_table('decisions_version')
