"""Each case carries its area's community and street, indexed with the received time

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 00:50:00

A community's or a street's case list then walks its own index in received order instead of
sorting every case of its areas, and searches the index rather than the rows. The copies are filled here from the areas as they stand;
from then on models/cases.py keeps them.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# The columns the case list searches, carried by the scope indexes (models/cases.py).
SEARCHED = ['number', 'title', 'hotline_ticket', 'respondent']


def upgrade():
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('community_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('street_id', sa.Integer(), nullable=True))
    op.execute("UPDATE case_record SET community_id = (SELECT management_area.community_id "
               "FROM management_area WHERE management_area.id = case_record.area_id)")
    op.execute("UPDATE case_record SET street_id = (SELECT community.street_id "
               "FROM community WHERE community.id = case_record.community_id)")
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.alter_column('community_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('street_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key('fk_case_record_community_id_community', 'community',
                                    ['community_id'], ['id'])
        batch_op.create_foreign_key('fk_case_record_street_id_street', 'street',
                                    ['street_id'], ['id'])
        for place in ('community', 'street'):
            batch_op.create_index(f'ix_case_record_{place}_received',
                                  [f'{place}_id', 'received_at', 'id', *SEARCHED], unique=False)


def downgrade():
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_index('ix_case_record_street_received')
        batch_op.drop_index('ix_case_record_community_received')
        batch_op.drop_constraint('fk_case_record_street_id_street', type_='foreignkey')
        batch_op.drop_constraint('fk_case_record_community_id_community', type_='foreignkey')
        batch_op.drop_column('street_id')
        batch_op.drop_column('community_id')
