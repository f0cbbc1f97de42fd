"""visit reasons visits assignments

The reasons for not joining are seeded here rather than kept in a CSV under domain/data: they are
not a legal parameter with a source and effective dates but the commune's own catalogue, edited in
the database (a reason is retired by `active`, never deleted, so old visits keep it). A CSV loaded at
every start would overwrite those edits; seeded once, the table is the only copy.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 13:00:41.478122
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# The reasons issue 5 names (from the communes' plans), in the order a form offers them.
REASONS = [
    ("khong_du_tien", "Không đủ tiền đóng"),
    ("co_bao_hiem_tu_nhan", "Đã có bảo hiểm sức khỏe tư nhân"),
    ("di_lam_an_xa", "Đi làm ăn xa"),
    ("chua_thay_can_thiet", "Chưa thấy cần thiết"),
    ("dang_cho_the", "Đang chờ cấp thẻ"),
    ("khac", "Lý do khác"),
]


def upgrade() -> None:
    reasons = op.create_table('visit_reasons',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.bulk_insert(reasons, [{"code": code, "name": name, "active": True} for code, name in REASONS])
    op.create_table('assignments',
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('officer', sa.String(length=100), nullable=False),
    sa.Column('assigned_on', sa.Date(), nullable=False),
    sa.Column('assigned_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ),
    sa.PrimaryKeyConstraint('household_id')
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_officer'), ['officer'], unique=False)

    op.create_table('visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('officer', sa.String(length=100), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('reason_code', sa.String(length=40), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint("outcome <> 'refused' OR reason_code IS NOT NULL", name='ck_visits_refusal_reason'),
    sa.CheckConstraint("outcome IN ('joined', 'promised', 'refused', 'not_home', 'other')", name='ck_visits_outcome'),
    sa.CheckConstraint('follow_up_on IS NULL OR follow_up_on >= visited_on', name='ck_visits_follow_up'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], ),
    sa.ForeignKeyConstraint(['reason_code'], ['visit_reasons.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index('ix_visits_household_on', ['household_id', 'visited_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_household_on')

    op.drop_table('visits')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_officer'))

    op.drop_table('assignments')
    op.drop_table('visit_reasons')
