"""assessor role

Accounts of the province's claims assessors (giám định viên, issue 6): the role joins the users'
allowed roles.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 16:00:00.000000
"""

from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

BEFORE = "role IN ('admin', 'province_officer', 'commune_officer', 'hamlet_head', 'auditor')"
AFTER = "role IN ('admin', 'province_officer', 'commune_officer', 'hamlet_head', 'auditor', 'assessor')"


def _replace_check(condition: str) -> None:
    # SQLite cannot alter a constraint: the batch copies the table, the check rewritten on the way.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('ck_users_role', type_='check')
        batch_op.create_check_constraint('ck_users_role', condition)


def upgrade() -> None:
    _replace_check(AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM users WHERE role = 'assessor'")
    _replace_check(BEFORE)
