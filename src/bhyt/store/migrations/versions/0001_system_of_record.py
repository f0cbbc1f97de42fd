"""system of record

Revision ID: 0001
Revises: 
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('inserted', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('error_report', sa.String(length=500), nullable=True),
    sa.Column('imported_by', sa.String(length=100), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('ok', 'rejected')", name='ck_import_status'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('import_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_log_file_sha256'), ['file_sha256'], unique=False)

    op.create_table('units',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('parent_code', sa.String(length=16), nullable=True),
    sa.CheckConstraint("level IN ('province', 'commune', 'hamlet')", name='ck_units_level'),
    sa.ForeignKeyConstraint(['parent_code'], ['units.code'], ),
    sa.PrimaryKeyConstraint('code'),
    sa.UniqueConstraint('parent_code', 'name', name='uq_units_parent_name')
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_units_parent_code'), ['parent_code'], unique=False)

    op.create_table('households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('head_name', sa.String(length=200), nullable=True),
    sa.Column('commune_code', sa.String(length=16), nullable=False),
    sa.Column('hamlet_code', sa.String(length=16), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['commune_code'], ['units.code'], ),
    sa.ForeignKeyConstraint(['hamlet_code'], ['units.code'], ),
    sa.ForeignKeyConstraint(['import_id'], ['import_log.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_commune_code'), ['commune_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_hamlet_code'), ['hamlet_code'], unique=False)

    op.create_table('population_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=16), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('population >= 0', name='ck_population_nonnegative'),
    sa.ForeignKeyConstraint(['import_id'], ['import_log.id'], ),
    sa.ForeignKeyConstraint(['unit_code'], ['units.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_code', 'year', 'source', name='uq_population_unit_year_source')
    )
    op.create_table('household_classifications',
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('classification', sa.String(length=40), nullable=False),
    sa.CheckConstraint("classification IN ('ngheo', 'can_ngheo', 'nong_lam_ngu_diem_nghiep_tb', 'khac')", name='ck_household_classification'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ),
    sa.PrimaryKeyConstraint('household_id', 'year')
    )
    op.create_table('persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('personal_id', sa.String(length=12), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('sex', sa.SmallInteger(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('relation_to_head', sa.String(length=40), nullable=True),
    sa.Column('death_date', sa.Date(), nullable=True),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('sex IN (1, 2)', name='ck_persons_sex'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ),
    sa.ForeignKeyConstraint(['import_id'], ['import_log.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('personal_id')
    )
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_persons_household_id'), ['household_id'], unique=False)

    op.create_table('card_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('bhxh_number', sa.String(length=10), nullable=False),
    sa.Column('card_code', sa.String(length=15), nullable=True),
    sa.Column('participant_code', sa.String(length=2), nullable=False),
    sa.Column('benefit_level', sa.SmallInteger(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('first_contact_facility', sa.String(length=5), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('benefit_level BETWEEN 1 AND 5', name='ck_card_periods_benefit'),
    sa.CheckConstraint('valid_from <= valid_to', name='ck_card_periods_dates'),
    sa.ForeignKeyConstraint(['import_id'], ['import_log.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('bhxh_number', 'valid_from', name='uq_card_periods_bhxh_from')
    )
    with op.batch_alter_table('card_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_periods_card_code'), ['card_code'], unique=False)
        batch_op.create_index('ix_card_periods_dates', ['valid_from', 'valid_to'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_periods_participant_code'), ['participant_code'], unique=False)
        batch_op.create_index('ix_card_periods_person_to', ['person_id', 'valid_to'], unique=False)

    op.create_table('residences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('commune_code', sa.String(length=16), nullable=False),
    sa.Column('hamlet_code', sa.String(length=16), nullable=True),
    sa.Column('arrived_on', sa.Date(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['commune_code'], ['units.code'], ),
    sa.ForeignKeyConstraint(['hamlet_code'], ['units.code'], ),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'commune_code', name='uq_residences_person_commune')
    )
    with op.batch_alter_table('residences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_residences_commune_code'), ['commune_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_residences_hamlet_code'), ['hamlet_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('residences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_residences_hamlet_code'))
        batch_op.drop_index(batch_op.f('ix_residences_commune_code'))

    op.drop_table('residences')
    with op.batch_alter_table('card_periods', schema=None) as batch_op:
        batch_op.drop_index('ix_card_periods_person_to')
        batch_op.drop_index(batch_op.f('ix_card_periods_participant_code'))
        batch_op.drop_index('ix_card_periods_dates')
        batch_op.drop_index(batch_op.f('ix_card_periods_card_code'))

    op.drop_table('card_periods')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_persons_household_id'))

    op.drop_table('persons')
    op.drop_table('household_classifications')
    op.drop_table('population_figures')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_households_hamlet_code'))
        batch_op.drop_index(batch_op.f('ix_households_commune_code'))

    op.drop_table('households')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_parent_code'))
        batch_op.drop_index(batch_op.f('ix_units_level'))

    op.drop_table('units')
    with op.batch_alter_table('import_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_log_file_sha256'))

    op.drop_table('import_log')
