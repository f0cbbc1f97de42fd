"""person phone

An optional phone number for each person, so that reminders (SMS, Zalo) can be sent to the people on
the work lists. Stored as the digits only (a leading zero matters): ten for a mobile number, eleven
for a landline.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 15:05:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=11), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_column('phone')
