"""Case lists read the page's ids from an (area, received time) index; timeline by time

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 19:08:32

The composite index leads with area_id, so it replaces the single-column one. The timeline
list pages newest first through an index on the event time.
"""
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_index('ix_case_record_area_id')
        batch_op.create_index('ix_case_record_area_received', ['area_id', 'received_at'],
                              unique=False)
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index('ix_case_event_at', ['at'], unique=False)


def downgrade():
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index('ix_case_event_at')
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_index('ix_case_record_area_received')
        batch_op.create_index('ix_case_record_area_id', ['area_id'], unique=False)
